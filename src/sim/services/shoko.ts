import { randomUUID } from "node:crypto";
import { empty, json, parseJsonBody, queryBool, queryInt, queryParam, Router, type SimRequest, type SimResponse } from "../http";
import type { ShokoFile, ShokoSeries } from "../model/shoko";
import { isoSeconds, timeSpan } from "../util";
import type { World } from "../world";

/*
 * Shoko Server 5.3 API v3 (PascalCase JSON, Newtonsoft). Auth: POST /api/auth for a key, then the
 * `apikey` header (or ?apikey=); without one, 401. Actions are HTTP GET in 5.x; per-file rescan is
 * POST /File/{id}/Rescan. TvDB routes are gone in 5.x: look series up by TMDB or AniDB id.
 */

export interface ShokoServiceOptions {
  username: string;
  password: string;
  /** A key that already exists for the device "status-tracker" (what SHOKO_API_KEY holds). */
  apiKey: string;
}

export class ShokoService {
  private readonly router = new Router(true);
  /** device -> key; /api/auth is idempotent per (user, device). */
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly world: World,
    private readonly options: ShokoServiceOptions,
  ) {
    this.keys.set("status-tracker", options.apiKey);
    const r = this.router;
    r.on("POST", "/api/auth", (req) => this.login(req));
    r.on("GET", "/api/v3/Init/Status", () =>
      json(200, { State: "Started", StartupMessage: null, StartupTime: isoSeconds(this.world.startedAt), Uptime: timeSpan((this.world.now() - this.world.startedAt) / 1000), DatabaseBlocked: { Blocked: false } }),
    );
    r.on("GET", "/api/v3/Init/Version", () =>
      json(200, { Server: { Version: "5.3.3.0", Commit: "cd42e690", ReleaseChannel: "Stable", ReleaseDate: "2026-03-27T00:00:00Z" } }),
    );
    r.on("GET", "/api/v3/ImportFolder", (req) => this.authed(req, () => json(200, this.world.shoko.importFolders.map((f) => this.folderJson(f.id)))));
    r.on("GET", "/api/v3/ImportFolder/:id", (req, p) =>
      this.authed(req, () => (this.folderJson(Number(p.id)) ? json(200, this.folderJson(Number(p.id))) : json(404, "Import folder not found"))),
    );
    r.on("GET", "/api/v3/ImportFolder/:id/Scan", (req, p) =>
      this.authed(req, () => {
        if (!this.folderJson(Number(p.id))) return json(404, "Import folder not found");
        this.world.shoko.retryUnrecognised(Number(p.id));
        return empty(200);
      }),
    );
    for (const action of ["RunImport", "ImportNewFiles"]) {
      r.on("GET", `/api/v3/Action/${action}`, (req) =>
        this.authed(req, () => {
          this.world.shoko.retryUnrecognised();
          return empty(200);
        }),
      );
    }
    // Shoko queues the job; here it runs at once (nothing observable happens in between).
    for (const path of ["/api/v3/Action/RemoveMissingFiles", "/api/v3/Action/RemoveMissingFiles/:removeFromMyList"]) {
      r.on("GET", path, (req) =>
        this.authed(req, () => {
          this.world.shoko.removeMissingFiles();
          return empty(200);
        }),
      );
    }
    r.on("GET", "/api/v3/File/PathEndsWith", (req) => this.authed(req, () => this.pathEndsWith(req, queryParam(req.query, "path") ?? "")));
    r.on("GET", "/api/v3/File/PathEndsWith/*path", (req, p) => this.authed(req, () => this.pathEndsWith(req, p.path)));
    r.on("GET", "/api/v3/File", (req) => this.authed(req, () => this.listFiles(req)));
    r.on("GET", "/api/v3/File/:id", (req, p) =>
      this.authed(req, () => {
        const file = this.world.shoko.files.get(Number(p.id));
        return file ? json(200, this.fileJson(file, this.includes(req))) : json(404, "No File entry for the given fileID");
      }),
    );
    r.on("POST", "/api/v3/File/:id/Rescan", (req, p) =>
      this.authed(req, () => (this.world.shoko.rescan(Number(p.id)) ? empty(200) : json(404, "No File entry for the given fileID"))),
    );
    r.on("GET", "/api/v3/Series/AniDB/:anidbId/Series", (req, p) =>
      this.authed(req, () => {
        const series = [...this.world.shoko.series.values()].find((s) => s.anidbId === Number(p.anidbId));
        return series ? json(200, this.seriesJson(series)) : json(404, "No Series entry for the given anidbID");
      }),
    );
    r.on("GET", "/api/v3/Series/:id", (req, p) =>
      this.authed(req, () => {
        const series = this.world.shoko.series.get(Number(p.id));
        return series ? json(200, this.seriesJson(series)) : json(404, "No Series entry for the given seriesID");
      }),
    );
    r.on("GET", "/api/v3/Tmdb/Show/:id/Shoko/Series", (req, p) => this.authed(req, () => this.byTmdb("tv", Number(p.id))));
    r.on("GET", "/api/v3/Tmdb/Movie/:id/Shoko/Series", (req, p) => this.authed(req, () => this.byTmdb("movie", Number(p.id))));
  }

  async handle(req: SimRequest): Promise<SimResponse> {
    const match = this.router.match(req.method, req.path);
    if (match.kind === "found") return match.handler(req, match.params);
    return match.kind === "method-not-allowed" ? empty(405) : empty(404);
  }

  // ------------------------------------------------------------ auth

  private authed(req: SimRequest, handler: () => SimResponse): SimResponse {
    const key = req.header("apikey") ?? queryParam(req.query, "apikey");
    return key && [...this.keys.values()].includes(key) ? handler() : empty(401);
  }

  private login(req: SimRequest): SimResponse {
    const body = parseJsonBody(req) as { user?: unknown; pass?: unknown; device?: unknown } | undefined;
    const user = typeof body?.user === "string" ? body.user : "";
    const device = typeof body?.device === "string" ? body.device : "";
    if (!user || !device) return json(400, { title: "One or more validation errors occurred.", status: 400 });
    if (user !== this.options.username || (body?.pass ?? "") !== this.options.password) return empty(401);
    let key = this.keys.get(device);
    if (!key) {
      key = randomUUID();
      this.keys.set(device, key);
    }
    return json(200, { apikey: key });
  }

  // ------------------------------------------------------------ files

  private includes(req: SimRequest): Set<string> {
    return new Set(
      (queryParam(req.query, "include") ?? "")
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    );
  }

  /** Full server path ends with the query; separators normalised, case ignored (FileController.cs). */
  private pathEndsWith(req: SimRequest, path: string): SimResponse {
    const needle = path.replace(/\\/g, "/").replace(/^\/+/, "").toLowerCase();
    if (!needle) return json(400, "Path cannot be empty");
    const includeXRefs = queryBool(req.query, "includeXRefs") ?? true;
    const limit = queryInt(req.query, "limit") ?? 0;
    let files = [...this.world.shoko.files.values()].filter((f) => f.absolutePath.toLowerCase().endsWith(needle));
    if (limit > 0) files = files.slice(0, limit);
    return json(200, files.map((f) => this.fileJson(f, new Set(includeXRefs ? ["xrefs"] : []))));
  }

  private listFiles(req: SimRequest): SimResponse {
    const includes = this.includes(req);
    const only = new Set((queryParam(req.query, "include_only") ?? "").toLowerCase().split(",").filter(Boolean));
    const exclude = new Set((queryParam(req.query, "exclude") ?? "").toLowerCase().split(",").filter(Boolean));
    let files = [...this.world.shoko.files.values()];
    if (only.has("unrecognized")) files = files.filter((f) => !f.xref);
    if (exclude.has("unrecognized")) files = files.filter((f) => f.xref);
    const pageSize = queryInt(req.query, "pageSize") ?? 100;
    const page = Math.max(1, queryInt(req.query, "page") ?? 1);
    const slice = pageSize === 0 ? files : files.slice((page - 1) * pageSize, page * pageSize);
    return json(200, { Total: files.length, List: slice.map((f) => this.fileJson(f, includes)) });
  }

  private fileJson(file: ShokoFile, includes: Set<string>): Record<string, unknown> {
    const shoko = this.world.shoko;
    const out: Record<string, unknown> = { ID: file.id };
    if (includes.has("xrefs")) {
      const series = file.xref ? shoko.series.get(file.xref.seriesId) : undefined;
      const episode = file.xref ? shoko.episodes.get(file.xref.episodeId) : undefined;
      const title = this.world.catalogue.get(file.key);
      out.SeriesIDs =
        series && episode
          ? [
              {
                SeriesID: { ID: series.id, AniDB: series.anidbId, TMDB: { Movie: title.kind === "movie" ? [title.tmdbId] : [], Show: title.kind === "tv" ? [title.tmdbId] : [] } },
                EpisodeIDs: [
                  {
                    ID: episode.id,
                    AniDB: episode.anidbEpisodeId,
                    TMDB: { Episode: episode.tmdbEpisodeIds, Movie: episode.tmdbMovieIds, Show: title.kind === "tv" ? [title.tmdbId] : [] },
                    ReleaseGroup: 7_501,
                    ED2K: file.hashes.ED2K,
                    FileSize: file.size,
                    Percentage: { Start: 0, End: 100, Size: 100, Group: 1 },
                    Source: "AniDB",
                  },
                ],
              },
            ]
          : [];
    }
    Object.assign(out, {
      Size: file.size,
      IsVariation: false,
      IsIgnored: false,
      Hashes: file.hashes,
      Locations: [
        {
          ID: file.locationId,
          FileID: file.id,
          ImportFolderID: file.importFolderId,
          RelativePath: file.relativePath,
          ...(includes.has("absolutepaths") ? { AbsolutePath: file.absolutePath } : {}),
          IsAccessible: true,
        },
      ],
      AVDump: { Status: null, LastDumpedAt: null, LastVersion: null },
      Resolution: "1080p",
      Duration: `${timeSpan(file.durationSeconds)}.0210000`,
      ResumePosition: null,
      Viewed: null,
      Watched: null,
      Imported: file.imported === null ? null : isoSeconds(file.imported),
      Created: isoSeconds(file.created),
      Updated: isoSeconds(file.updated),
    });
    return out;
  }

  private folderJson(id: number): Record<string, unknown> | undefined {
    const folder = this.world.shoko.importFolders.find((f) => f.id === id);
    if (!folder) return undefined;
    const files = [...this.world.shoko.files.values()].filter((f) => f.importFolderId === id);
    return { ID: folder.id, DropFolderType: folder.dropFolderType, Path: `${folder.path}/`, FileSize: files.reduce((n, f) => n + f.size, 0), Name: folder.name, Size: files.length };
  }

  // ------------------------------------------------------------ series

  private byTmdb(kind: "movie" | "tv", tmdbId: number): SimResponse {
    const title = this.world.catalogue.byTmdb(kind, tmdbId);
    const series = title ? this.world.shoko.seriesForKey(title.key) : undefined;
    // Shoko only knows TMDB entities linked to an anime it has.
    if (!series) return json(404, kind === "movie" ? "A TMDB Movie by the given `movieID` was not found." : "A TMDB Show by the given `showID` was not found.");
    return json(200, [this.seriesJson(series)]);
  }

  private seriesJson(series: ShokoSeries): Record<string, unknown> {
    const title = this.world.catalogue.get(series.key);
    const files = [...this.world.shoko.files.values()].filter((f) => f.xref?.seriesId === series.id);
    const total = title.kind === "tv" ? title.seasons.reduce((n, s) => n + s.episodes.length, 0) : 1;
    const year = title.year;
    return {
      IDs: {
        ParentGroup: series.groupId,
        TopLevelGroup: series.groupId,
        AniDB: series.anidbId,
        TvDB: title.kind === "tv" ? [title.tvdbId] : [],
        IMDB: [],
        TMDB: { Movie: title.kind === "movie" ? [title.tmdbId] : [], Show: title.kind === "tv" ? [title.tmdbId] : [] },
        MAL: [],
        ID: series.id,
      },
      HasCustomName: false,
      Description: title.overview,
      Images: { Posters: [], Backdrops: [], Banners: [], Logos: [] },
      UserRating: null,
      AirsOn: [],
      YearlySeasons: [{ Year: year, AnimeSeason: "Spring" }],
      Links: [],
      Sizes: {
        Hidden: 0,
        FileSources: { Unknown: 0, Other: 0, TV: 0, DVD: 0, BluRay: 0, Web: files.length, VHS: 0, VCD: 0, LaserDisc: 0, Camera: 0 },
        Local: { Unknown: 0, Episodes: files.length, Specials: 0, Credits: 0, Trailers: 0, Parodies: 0, Others: 0 },
        Watched: { Unknown: 0, Episodes: 0, Specials: 0, Credits: 0, Trailers: 0, Parodies: 0, Others: 0 },
        Missing: { Episodes: Math.max(0, total - files.length), Specials: 0 },
        Total: { Unknown: 0, Episodes: total, Specials: 0, Credits: 0, Trailers: 0, Parodies: 0, Others: 0 },
      },
      Created: isoSeconds(series.created),
      Updated: isoSeconds(series.updated),
      Name: series.name,
      Size: files.length,
    };
  }
}
