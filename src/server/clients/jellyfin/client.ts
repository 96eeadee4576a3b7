import { createHash } from "node:crypto";
import { z } from "zod";
import { HttpClient, ServiceError, type FetchLike } from "../http";

/**
 * Jellyfin 10.10 to 12.0. Auth is only `Authorization: MediaBrowser Client=…, Device=…, DeviceId=…,
 * Version=…, Token=…`: 12.0 turns X-Emby-Token and ?api_key off, and a key in a URL ends up in
 * access logs. Jellyfin ignores AnyProviderIdEquals, so items are found with HasTmdbId/HasTvdbId
 * (+ SearchTerm) and the provider ids are compared here, exactly.
 */

export interface JellyfinClientOptions {
  baseUrl: string;
  /** Dashboard → API Keys; used for everything but a user's own calls. */
  apiKey?: string;
  /** Stable per installation: Jellyfin keys sessions by it. */
  deviceId?: string;
  /** Shown as the device name in Jellyfin's dashboard. */
  deviceName?: string;
  clientVersion?: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  retries?: number;
  retryDelay?: (attempt: number) => Promise<void>;
  /** How long the ids-only index of the whole library is reused; default 10 minutes. */
  indexTtlMs?: number;
  /** For the index's age; default Date.now. */
  now?: () => number;
}

const CLIENT_NAME = "Status Tracker";

// ---- answers ------------------------------------------------------------------------------------

const publicInfoSchema = z.object({
  Version: z.string(),
  ServerName: z.string().nullish(),
  Id: z.string().nullish(),
  ProductName: z.string().nullish(),
  StartupWizardCompleted: z.boolean().nullish(),
});

const mediaSourceSchema = z.object({
  Id: z.string().nullish(),
  Path: z.string().nullish(),
  Protocol: z.string().nullish(),
  Type: z.string().nullish(),
  Container: z.string().nullish(),
  Size: z.number().nullish(),
});

const itemSchema = z.object({
  Id: z.string(),
  Name: z.string().nullish(),
  Type: z.string(),
  Path: z.string().nullish(),
  ProviderIds: z.record(z.string(), z.string().nullish()).nullish(),
  MediaSources: z.array(mediaSourceSchema).nullish(),
  LocationType: z.string().nullish(),
  MediaType: z.string().nullish(),
  IsFolder: z.boolean().nullish(),
  ProductionYear: z.number().nullish(),
  IndexNumber: z.number().nullish(),
  IndexNumberEnd: z.number().nullish(),
  ParentIndexNumber: z.number().nullish(),
  SeriesId: z.string().nullish(),
  SeriesName: z.string().nullish(),
  SeasonId: z.string().nullish(),
  DateCreated: z.string().nullish(),
});
export type JellyfinItem = z.infer<typeof itemSchema>;

const itemsSchema = z.object({
  Items: z.array(itemSchema),
  TotalRecordCount: z.number().nullish(),
  StartIndex: z.number().nullish(),
});

const userSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  Policy: z.object({ IsAdministrator: z.boolean() }).nullish(),
});

const authResultSchema = z.object({
  User: userSchema,
  AccessToken: z.string().min(1),
  ServerId: z.string().nullish(),
});

// ---- what callers get -----------------------------------------------------------------------------

export interface JellyfinServerInfo {
  version: string;
  serverName?: string;
  serverId?: string;
  productName?: string;
}

export interface JellyfinUser {
  userId: string;
  name: string;
  isAdmin: boolean;
}

export interface JellyfinSession extends JellyfinUser {
  accessToken: string;
  serverId?: string;
}

export type ProviderKey = "Tmdb" | "Tvdb" | "Imdb";
export type LibraryItemType = "Movie" | "Series";

export interface FindByProviderOptions {
  /** Narrows the first query (SearchTerm); ids are still compared exactly. */
  title?: string;
}

/** One library item's ids, as the index of the whole library keeps them. */
interface IndexEntry {
  id: string;
  providerIds: Record<string, string | null | undefined>;
}

/** Newest additions read before the index: a file imported minutes ago is among them. */
const RECENT_ITEMS = 100;
const INDEX_PAGE = 500;
const INDEX_LIMIT = 50_000;

const HAS_PROVIDER_PARAM: Record<string, string> = { tmdb: "HasTmdbId", tvdb: "HasTvdbId", imdb: "HasImdbId" };

/** Fields every lookup asks for: ids to compare, and what tells a playable file. */
const ITEM_FIELDS = "ProviderIds,MediaSources,Path,DateCreated";

export class JellyfinClient {
  readonly http: HttpClient;
  private readonly apiKey?: string;
  private readonly deviceId: string;
  private readonly deviceName: string;
  private readonly clientVersion: string;
  private readonly indexTtlMs: number;
  private readonly now: () => number;
  private readonly indexes = new Map<LibraryItemType, { at: number; entries: Promise<IndexEntry[]> }>();

  constructor(opts: JellyfinClientOptions) {
    this.http = new HttpClient({
      service: "Jellyfin",
      baseUrl: opts.baseUrl,
      fetch: opts.fetch,
      timeoutMs: opts.timeoutMs,
      retries: opts.retries,
      retryDelay: opts.retryDelay,
    });
    this.apiKey = opts.apiKey;
    this.deviceId = opts.deviceId ?? "status-tracker";
    this.deviceName = opts.deviceName ?? "Status Tracker server";
    this.clientVersion = opts.clientVersion ?? "1.0.0";
    this.indexTtlMs = opts.indexTtlMs ?? 10 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** The MediaBrowser header; quoted values are URL-decoded by Jellyfin, so they are encoded here. */
  authorization(token?: string, deviceId = this.deviceId): string {
    const q = (v: string) => `"${encodeURIComponent(v)}"`;
    const parts = [`Client=${q(CLIENT_NAME)}`, `Device=${q(this.deviceName)}`, `DeviceId=${q(deviceId)}`, `Version=${q(this.clientVersion)}`];
    if (token) parts.push(`Token=${q(token)}`);
    return `MediaBrowser ${parts.join(", ")}`;
  }

  private serviceHeaders(): Record<string, string> {
    if (!this.apiKey) throw new ServiceError("Jellyfin", "auth", "Jellyfin: no API key is configured (JELLYFIN_API_KEY)");
    return { authorization: this.authorization(this.apiKey) };
  }

  // ---- server --------------------------------------------------------------------------------

  /** GET /System/Info/Public: anonymous; the version and server id. */
  async systemInfoPublic(): Promise<JellyfinServerInfo> {
    const { data } = await this.http.call({ path: "/System/Info/Public", schema: publicInfoSchema });
    return toServerInfo(data);
  }

  /** GET /System/Info: the same, but proves the API key works (an API key has no /Users/Me). */
  async systemInfo(): Promise<JellyfinServerInfo> {
    const { data } = await this.http.call({ path: "/System/Info", headers: this.serviceHeaders(), schema: publicInfoSchema });
    return toServerInfo(data);
  }

  // ---- users ---------------------------------------------------------------------------------

  /**
   * POST /Users/AuthenticateByName. A wrong name or password is a ServiceError of kind "auth"
   * saying so. The device id is stable per (installation, user): signing in again on the same
   * device ends that user's previous token there instead of piling up sessions.
   */
  async authenticateByName(username: string, password: string, opts: { deviceId?: string } = {}): Promise<JellyfinSession> {
    const deviceId = opts.deviceId ?? `${this.deviceId}-${createHash("sha256").update(username.toLowerCase()).digest("hex").slice(0, 16)}`;
    try {
      const { data } = await this.http.call({
        method: "POST",
        path: "/Users/AuthenticateByName",
        headers: { authorization: this.authorization(undefined, deviceId) },
        body: { Username: username, Pw: password },
        schema: authResultSchema,
      });
      return { ...toUser(data.User), accessToken: data.AccessToken, serverId: data.ServerId ?? undefined };
    } catch (err) {
      if (err instanceof ServiceError && err.status === 401) {
        throw new ServiceError("Jellyfin", "auth", "Jellyfin did not accept that username and password", 401);
      }
      if (err instanceof ServiceError && err.status === 403) {
        throw new ServiceError("Jellyfin", "auth", "Jellyfin refused the sign-in: the account is disabled, locked out or not allowed on this device", 403);
      }
      throw err;
    }
  }

  /** GET /Users/Me with a user's own token (an API key has no user and gets 400). */
  async me(token: string): Promise<JellyfinUser> {
    const { data } = await this.http.call({ path: "/Users/Me", headers: { authorization: this.authorization(token) }, schema: userSchema });
    return toUser(data);
  }

  // ---- items ---------------------------------------------------------------------------------

  /** GET /Items with the lookup fields; `query` adds Jellyfin's own parameters. */
  async items(query: Record<string, string | number | boolean | undefined>): Promise<{ items: JellyfinItem[]; total: number }> {
    const { data } = await this.http.call({
      path: "/Items",
      query: { Fields: ITEM_FIELDS, ...query },
      headers: this.serviceHeaders(),
      schema: itemsSchema,
    });
    return { items: data.Items, total: data.TotalRecordCount ?? data.Items.length };
  }

  /** Items by Jellyfin id (N or D form), with the lookup fields. Unknown ids are simply absent. */
  async itemsByIds(ids: string[]): Promise<JellyfinItem[]> {
    if (ids.length === 0) return [];
    return (await this.items({ Ids: ids.join(",") })).items;
  }

  /**
   * Movies or series whose provider id equals `id` exactly. First a query narrowed by title;
   * titles differ between TMDB and a library (and Shokofin names anime its own way), so then the
   * newest additions, ids only, and last an ids-only index of the whole library that is read at
   * most once per `indexTtlMs`. Returned items carry the lookup fields.
   */
  async findByProviderId(type: LibraryItemType, provider: ProviderKey | string, id: string | number, opts: FindByProviderOptions = {}): Promise<JellyfinItem[]> {
    const want = String(id).trim();
    if (!want) return [];
    // Jellyfin can filter on having a TMDB/TVDB/IMDb id; other providers (Shokofin's) only by reading them.
    const has = HAS_PROVIDER_PARAM[provider.toLowerCase()];
    const base: Record<string, string | boolean> = { Recursive: true, IncludeItemTypes: type };
    if (has) base[has] = true;
    const title = opts.title ? searchableTitle(opts.title) : "";
    if (title) {
      const { items } = await this.items({ ...base, SearchTerm: title });
      const found = items.filter((i) => providerIdEquals(i, provider, want));
      if (found.length > 0) return found;
    }
    const recent = await this.items({ ...base, Fields: "ProviderIds", SortBy: "DateCreated", SortOrder: "Descending", Limit: RECENT_ITEMS });
    let ids = recent.items.filter((i) => providerIdEquals(i, provider, want)).map((i) => i.Id);
    if (ids.length === 0 && recent.total > recent.items.length) {
      const index = await this.libraryIndex(type);
      ids = index.filter((e) => providerIdEquals({ ProviderIds: e.providerIds }, provider, want)).map((e) => e.id);
    }
    return this.itemsByIds(ids);
  }

  /** Every movie or series with its provider ids, read page by page; cached for `indexTtlMs`. */
  private libraryIndex(type: LibraryItemType): Promise<IndexEntry[]> {
    const now = this.now();
    const cached = this.indexes.get(type);
    if (cached && now - cached.at < this.indexTtlMs) return cached.entries;
    const entries = (async () => {
      const out: IndexEntry[] = [];
      for (let start = 0; start < INDEX_LIMIT; start += INDEX_PAGE) {
        const { items, total } = await this.items({ Recursive: true, IncludeItemTypes: type, Fields: "ProviderIds", StartIndex: start, Limit: INDEX_PAGE });
        for (const item of items) out.push({ id: item.Id, providerIds: item.ProviderIds ?? {} });
        if (items.length < INDEX_PAGE || start + INDEX_PAGE >= total) break;
      }
      return out;
    })();
    this.indexes.set(type, { at: now, entries });
    entries.catch(() => {
      if (this.indexes.get(type)?.entries === entries) this.indexes.delete(type);
    });
    return entries;
  }

  /** Movies or series whose name contains `title` (Jellyfin's SearchTerm), with the lookup fields. */
  async searchByTitle(type: LibraryItemType, title: string): Promise<JellyfinItem[]> {
    const term = searchableTitle(title);
    if (!term) return [];
    return (await this.items({ Recursive: true, IncludeItemTypes: type, SearchTerm: term })).items;
  }

  /** GET /Shows/{id}/Episodes with the lookup fields; a season narrows it. */
  async episodes(seriesId: string, opts: { season?: number } = {}): Promise<JellyfinItem[]> {
    const { data } = await this.http.call({
      path: `/Shows/${encodeURIComponent(seriesId)}/Episodes`,
      query: { Fields: ITEM_FIELDS, Season: opts.season },
      headers: this.serviceHeaders(),
      schema: itemsSchema,
    });
    return data.Items;
  }

  // ---- library -------------------------------------------------------------------------------

  /**
   * POST /Library/Refresh: a full scan. It cancels a scan under way and starts over, so callers
   * should prefer mediaUpdated() and never call this in a loop.
   */
  async libraryRefresh(): Promise<void> {
    await this.http.call({ method: "POST", path: "/Library/Refresh", headers: this.serviceHeaders() });
  }

  /** POST /Library/Media/Updated: tells Jellyfin about new files (what the arrs' connection sends). */
  async mediaUpdated(paths: string[], updateType: "Created" | "Modified" | "Deleted" = "Created"): Promise<void> {
    if (paths.length === 0) return;
    await this.http.call({
      method: "POST",
      path: "/Library/Media/Updated",
      headers: this.serviceHeaders(),
      body: { Updates: paths.map((Path) => ({ Path, UpdateType: updateType })) },
    });
  }
}

// ---- pure helpers ----------------------------------------------------------------------------------

/**
 * A real file Jellyfin can play: not a Virtual (missing or unaired) placeholder, and a media
 * source that is a file with a path. Without MediaSources in the answer, a Movie or Episode with
 * a path counts.
 */
export function isPlayable(item: JellyfinItem): boolean {
  if ((item.LocationType ?? "").toLowerCase() === "virtual") return false;
  if (item.IsFolder === true) return false;
  if (item.MediaSources) {
    return item.MediaSources.some((s) => !!s.Path && (s.Protocol === undefined || s.Protocol === null || s.Protocol.toLowerCase() === "file"));
  }
  return (item.Type === "Movie" || item.Type === "Episode") && !!item.Path;
}

/** A provider id as Jellyfin stores it; keys are compared without regard to case. */
export function providerId(item: Pick<JellyfinItem, "ProviderIds">, provider: string): string | undefined {
  const ids = item.ProviderIds;
  if (!ids) return undefined;
  const want = provider.toLowerCase();
  for (const [key, value] of Object.entries(ids)) {
    if (key.toLowerCase() === want && value) return value.trim();
  }
  return undefined;
}

/** Exact equality (IMDb ids ignore case: "tt0123" and "TT0123" are the same). */
export function providerIdEquals(item: Pick<JellyfinItem, "ProviderIds">, provider: string, id: string | number): boolean {
  const have = providerId(item, provider);
  if (have === undefined) return false;
  const want = String(id).trim();
  return provider.toLowerCase() === "imdb" ? have.toLowerCase() === want.toLowerCase() : have === want;
}

/** Jellyfin ids come as N (32 hex) or D (hyphenated) GUIDs: one form for comparing and storing. */
export function normaliseJellyfinId(id: string): string {
  return id.replace(/-/g, "").toLowerCase();
}

/**
 * Punctuation is where a library's names and TMDB's differ most ("Kazemachi: The Wind Post" vs
 * "Kazemachi - The Wind Post"), so SearchTerm gets the longest run of plain words.
 */
function searchableTitle(title: string): string {
  const runs = title
    .split(/[^\p{L}\p{N} ]+/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return runs.sort((a, b) => b.length - a.length)[0] ?? "";
}

function toServerInfo(data: z.infer<typeof publicInfoSchema>): JellyfinServerInfo {
  return { version: data.Version, serverName: data.ServerName ?? undefined, serverId: data.Id ?? undefined, productName: data.ProductName ?? undefined };
}

function toUser(u: z.infer<typeof userSchema>): JellyfinUser {
  return { userId: u.Id, name: u.Name, isAdmin: u.Policy?.IsAdministrator === true };
}
