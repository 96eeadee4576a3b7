import { z } from "zod";
import { HttpClient, ServiceError, type FetchLike } from "../http";

/**
 * Shoko Server 5.x, API v3 (PascalCase JSON). The key goes in the `apikey` header. What the
 * tracker asks: does Shoko know an imported file, is it linked to a series and episode, is it
 * among the unrecognised files; and, for the admin, rescan a file or a folder and drop missing
 * files. Actions are HTTP GET in 5.x but are not reads: they are never retried.
 */

export interface ShokoClientOptions {
  baseUrl: string;
  apiKey: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  retries?: number;
  retryDelay?: (attempt: number) => Promise<void>;
  /** How long the import folder list is reused (it rarely changes); default 5 minutes. */
  folderCacheMs?: number;
  /** For the folder cache; default Date.now. */
  now?: () => number;
}

// ---- answers ------------------------------------------------------------------------------------

const idsSchema = z.object({ ID: z.number().nullish(), AniDB: z.number().nullish() });

const crossReferenceSchema = z.object({
  SeriesID: idsSchema.nullish(),
  EpisodeIDs: z.array(idsSchema).nullish(),
});

const locationSchema = z.object({
  ID: z.number().nullish(),
  FileID: z.number().nullish(),
  ImportFolderID: z.number(),
  RelativePath: z.string(),
  AbsolutePath: z.string().nullish(),
  IsAccessible: z.boolean().nullish(),
});

const fileSchema = z.object({
  ID: z.number(),
  Size: z.number().nullish(),
  IsIgnored: z.boolean().nullish(),
  IsVariation: z.boolean().nullish(),
  Locations: z.array(locationSchema).nullish(),
  SeriesIDs: z.array(crossReferenceSchema).nullish(),
  Imported: z.string().nullish(),
  Created: z.string().nullish(),
  Updated: z.string().nullish(),
});
export type ShokoFile = z.infer<typeof fileSchema>;

const fileListSchema = z.object({ Total: z.number(), List: z.array(fileSchema) });

const importFolderSchema = z.object({
  ID: z.number(),
  Name: z.string().nullish(),
  Path: z.string(),
  DropFolderType: z.string().nullish(),
});
export type ShokoImportFolder = z.infer<typeof importFolderSchema>;

const versionSchema = z.object({ Server: z.object({ Version: z.string() }) });

// ---- what callers get -----------------------------------------------------------------------------

/** An imported file as Shoko sees it. */
export interface ShokoFileMatch {
  file: ShokoFile;
  /** The location that matched the asked path, made absolute through its import folder. */
  absolutePath: string;
  /** Cross-references to an existing Shoko series and episode: Shoko matched it. */
  linked: boolean;
  /** Cross-references exist but the series is not created yet (AniDB data still coming). */
  pendingCrossReferences: boolean;
  seriesIds: number[];
  episodeIds: number[];
  /** Shoko was told to leave this file alone. */
  ignored: boolean;
}

export class ShokoClient {
  readonly http: HttpClient;
  private readonly headers: Record<string, string>;
  private readonly folderCacheMs: number;
  private readonly now: () => number;
  private folderCache: { at: number; folders: Promise<ShokoImportFolder[]> } | null = null;

  constructor(opts: ShokoClientOptions) {
    this.http = new HttpClient({
      service: "Shoko",
      baseUrl: opts.baseUrl,
      fetch: opts.fetch,
      timeoutMs: opts.timeoutMs,
      retries: opts.retries,
      retryDelay: opts.retryDelay,
    });
    this.headers = { apikey: opts.apiKey };
    this.folderCacheMs = opts.folderCacheMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** GET /api/v3/Init/Version: "5.3.3.0" (v6 dev builds change events and auth). */
  async version(): Promise<string> {
    const { data } = await this.http.call({ path: "/api/v3/Init/Version", headers: this.headers, schema: versionSchema });
    return data.Server.Version;
  }

  /** GET /api/v3/ImportFolder, cached for a few minutes. */
  async importFolders(opts: { fresh?: boolean } = {}): Promise<ShokoImportFolder[]> {
    const now = this.now();
    if (!opts.fresh && this.folderCache && now - this.folderCache.at < this.folderCacheMs) return this.folderCache.folders;
    const folders = this.http.call({ path: "/api/v3/ImportFolder", headers: this.headers, schema: z.array(importFolderSchema) }).then((r) => r.data);
    this.folderCache = { at: now, folders };
    folders.catch(() => {
      if (this.folderCache?.folders === folders) this.folderCache = null;
    });
    return folders;
  }

  /**
   * GET /api/v3/File/PathEndsWith?path=: files with a location whose full path ends with `path`
   * (Shoko normalises separators and ignores case), with cross-references.
   */
  async filesByPathEnd(path: string, opts: { limit?: number } = {}): Promise<ShokoFile[]> {
    const { data } = await this.http.call({
      path: "/api/v3/File/PathEndsWith",
      query: { path, includeXRefs: true, limit: opts.limit },
      headers: this.headers,
      schema: z.array(fileSchema),
    });
    return data;
  }

  /** GET /api/v3/File/{id} with cross-references and absolute paths; undefined when Shoko has no such file. */
  async file(id: number): Promise<ShokoFile | undefined> {
    try {
      const { data } = await this.http.call({ path: `/api/v3/File/${id}`, query: { include: "XRefs,AbsolutePaths" }, headers: this.headers, schema: fileSchema });
      return data;
    } catch (err) {
      if (err instanceof ServiceError && err.kind === "not_found") return undefined;
      throw err;
    }
  }

  /** Files Shoko could not link to anything (no cross-references), with their absolute paths. */
  async unrecognisedFiles(opts: { page?: number; pageSize?: number } = {}): Promise<{ total: number; files: ShokoFile[] }> {
    const { data } = await this.http.call({
      path: "/api/v3/File",
      query: { include_only: "Unrecognized", include: "XRefs,AbsolutePaths", pageSize: opts.pageSize ?? 0, page: opts.page ?? 1 },
      headers: this.headers,
      schema: fileListSchema,
    });
    return { total: data.Total, files: data.List };
  }

  /**
   * Finds the file Sonarr or Radarr imported at `path`. Shoko's paths are relative to its import
   * folders and its mounts may differ from the arr's, so: the path relative to a matching import
   * folder first, then the file name alone; among several answers the one whose path shares the
   * longest tail with `path` wins, and a tie between different files is no answer.
   */
  async findFile(path: string): Promise<ShokoFileMatch | undefined> {
    const wanted = normaliseShokoPath(path);
    const name = wanted.split("/").pop() ?? "";
    if (!name) return undefined;
    const folders = await this.importFolders();
    const queries: string[] = [];
    for (const folder of folders) {
      const root = normaliseShokoPath(folder.Path);
      if (root && wanted.startsWith(`${root}/`)) queries.push(relativeTo(path, root.split("/").length));
    }
    queries.push(fileName(path));
    for (const query of [...new Set(queries)]) {
      const files = await this.filesByPathEnd(query);
      const best = pickBest(files, folders, wanted);
      if (best) return describe(best.file, best.absolutePath);
    }
    return undefined;
  }

  // ---- admin actions (never retried) -----------------------------------------------------------

  /** POST /api/v3/File/{id}/Rescan: ask AniDB about the file again. */
  async rescanFile(id: number): Promise<void> {
    await this.http.call({ method: "POST", path: `/api/v3/File/${id}/Rescan`, headers: this.headers });
  }

  /** GET /api/v3/ImportFolder/{id}/Scan: rescan every file of one import folder. */
  async scanImportFolder(id: number): Promise<void> {
    await this.http.call({ path: `/api/v3/ImportFolder/${id}/Scan`, headers: this.headers, retry: false });
  }

  /** GET /api/v3/Action/RunImport: look for new files, hash, match, update links. */
  async runImport(): Promise<void> {
    await this.http.call({ path: "/api/v3/Action/RunImport", headers: this.headers, retry: false });
  }

  /** GET /api/v3/Action/RemoveMissingFiles/{removeFromMyList}: forget files gone from disk. */
  async removeMissingFiles(removeFromMyList = true): Promise<void> {
    await this.http.call({ path: `/api/v3/Action/RemoveMissingFiles/${removeFromMyList}`, headers: this.headers, retry: false });
  }
}

// ---- pure helpers ----------------------------------------------------------------------------------

/** Forward slashes, no doubled or trailing ones, lower case: how Shoko compares paths. */
export function normaliseShokoPath(path: string): string {
  return path.replace(/\\/g, "/").replace(/\/{2,}/g, "/").replace(/\/+$/, "").toLowerCase();
}

/** Where a location lives on Shoko's side: its import folder's path joined with its relative path. */
export function absoluteLocationPath(folderPath: string, relativePath: string): string {
  const root = folderPath.replace(/\\/g, "/").replace(/\/+$/, "");
  // SignalR's RelativePath starts with a separator, the REST model's does not.
  const rel = relativePath.replace(/\\/g, "/").replace(/^\/+/, "");
  return `${root}/${rel}`;
}

function fileName(path: string): string {
  return path.replace(/\\/g, "/").split("/").pop() ?? "";
}

/** `path` without its first `depth` segments (the import folder's), in its own spelling. */
function relativeTo(path: string, depth: number): string {
  return path.replace(/\\/g, "/").replace(/\/{2,}/g, "/").split("/").slice(depth).join("/");
}

/** Segments two normalised paths share from the end. */
function sharedTail(a: string, b: string): number {
  const x = a.split("/");
  const y = b.split("/");
  let n = 0;
  while (n < x.length && n < y.length && x[x.length - 1 - n] === y[y.length - 1 - n]) n++;
  return n;
}

function pickBest(files: ShokoFile[], folders: ShokoImportFolder[], wanted: string): { file: ShokoFile; absolutePath: string } | undefined {
  let best: { file: ShokoFile; absolutePath: string; score: number } | undefined;
  let tie = false;
  for (const file of files) {
    for (const loc of file.Locations ?? []) {
      const folder = folders.find((f) => f.ID === loc.ImportFolderID);
      const absolutePath = loc.AbsolutePath ?? (folder ? absoluteLocationPath(folder.Path, loc.RelativePath) : loc.RelativePath);
      const score = sharedTail(normaliseShokoPath(absolutePath), wanted);
      if (score === 0) continue;
      if (!best || score > best.score) {
        best = { file, absolutePath, score };
        tie = false;
      } else if (score === best.score && file.ID !== best.file.ID) {
        tie = true;
      }
    }
  }
  return best && !tie ? best : undefined;
}

function describe(file: ShokoFile, absolutePath: string): ShokoFileMatch {
  const xrefs = file.SeriesIDs ?? [];
  const seriesIds = xrefs.map((x) => x.SeriesID?.ID).filter((id): id is number => typeof id === "number" && id > 0);
  const episodeIds = xrefs.flatMap((x) => x.EpisodeIDs ?? []).map((e) => e.ID).filter((id): id is number => typeof id === "number" && id > 0);
  const linked = seriesIds.length > 0 && episodeIds.length > 0;
  return {
    file,
    absolutePath,
    linked,
    pendingCrossReferences: !linked && xrefs.length > 0,
    seriesIds: [...new Set(seriesIds)],
    episodeIds: [...new Set(episodeIds)],
    ignored: file.IsIgnored === true,
  };
}
