import { randomBytes } from "node:crypto";
import { empty, json, parseJsonBody, queryBool, queryInt, queryParam, Router, text, type SimRequest, type SimResponse } from "../http";
import type { JfItem } from "../model/jellyfin";
import { SIM_USERS, type SimUser } from "../model/users";
import { guidN, isoNet } from "../util";
import type { World } from "../world";

/*
 * Jellyfin 10.11 / 12.0 REST API, as far as a request tracker uses it. Auth is only the
 * `Authorization: MediaBrowser ..., Token="..."` header or `?ApiKey=`: the legacy X-Emby-Token,
 * X-MediaBrowser-Token, X-Emby-Authorization, the "Emby" scheme and ?api_key are off (12.0).
 * Nulls are omitted as Jellyfin's serializer does; ProviderIds, Path, MediaSources, DateCreated
 * and Overview only come with Fields=. AnyProviderIdEquals is not a Jellyfin parameter: ignored.
 */

export const JELLYFIN_VERSION = "10.11.11";
const SERVER_NAME = "sim-jellyfin";

interface AuthHeader {
  client?: string;
  device?: string;
  deviceId?: string;
  version?: string;
  token?: string;
}

interface Session {
  token: string;
  userId: string;
  deviceId: string;
  client: string;
  device: string;
  version: string;
  created: number;
}

type Caller = { kind: "apikey" } | { kind: "user"; user: SimUser; session: Session };

/** key=value pairs after "MediaBrowser"; quoted values are URL-decoded (AuthorizationContext.cs). */
export function parseMediaBrowserHeader(value: string | undefined): AuthHeader | undefined {
  if (!value) return undefined;
  const match = /^\s*(\S+)\s+(.*)$/s.exec(value);
  if (!match || match[1].toLowerCase() !== "mediabrowser") return undefined;
  const out: Record<string, string> = {};
  for (const part of match[2].split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    let raw = part.slice(eq + 1).trim();
    if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) {
      raw = raw.slice(1, -1);
      try {
        raw = decodeURIComponent(raw);
      } catch {
        // keep the raw value
      }
    }
    out[key] = raw;
  }
  return { client: out.client, device: out.device, deviceId: out.deviceid, version: out.version, token: out.token };
}

export class JellyfinService {
  private readonly router = new Router(true);
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly world: World,
    private readonly apiKey: string,
    private readonly publicUrl: () => string,
  ) {
    const r = this.router;
    r.on("GET", "/System/Info/Public", () => json(200, this.publicInfo()));
    r.on("GET", "/System/Info", (req) => this.authed(req, () => json(200, { ...this.publicInfo(), OperatingSystemDisplayName: "Linux", HasPendingRestart: false, IsShuttingDown: false, SupportsLibraryMonitor: true, WebSocketPortNumber: 8096, CanSelfRestart: false, CanLaunchWebBrowser: false, HasUpdateAvailable: false, TranscodingTempPath: "/cache/transcodes", LogPath: "/config/log", InternalMetadataPath: "/config/metadata", CachePath: "/cache", ProgramDataPath: "/config", ItemsByNamePath: "/config/metadata" })));
    r.on("POST", "/Users/AuthenticateByName", (req) => this.authenticateByName(req));
    r.on("GET", "/Users/Me", (req) =>
      this.authed(req, (caller) => (caller.kind === "user" ? json(200, this.userDto(caller.user)) : text(400, "Error processing request."))),
    );
    r.on("GET", "/Users", (req) => this.authed(req, () => json(200, SIM_USERS.map((u) => this.userDto(u))), true));
    r.on("GET", "/Users/:userId", (req, p) =>
      this.authed(req, () => {
        const user = SIM_USERS.find((u) => u.jellyfinId === normaliseId(p.userId));
        return user ? json(200, this.userDto(user)) : text(404, "User not found");
      }),
    );
    r.on("GET", "/Items", (req) => this.authed(req, (caller) => this.items(req, caller)));
    r.on("GET", "/Users/:userId/Items", (req) => this.authed(req, (caller) => this.items(req, caller)));
    r.on("GET", "/Items/:itemId", (req, p) => this.authed(req, (caller) => this.item(p.itemId, caller)));
    r.on("GET", "/Users/:userId/Items/:itemId", (req, p) => this.authed(req, (caller) => this.item(p.itemId, caller)));
    r.on("GET", "/Shows/:seriesId/Episodes", (req, p) => this.authed(req, (caller) => this.episodes(req, p.seriesId, caller)));
    r.on("GET", "/Shows/:seriesId/Seasons", (req, p) => this.authed(req, (caller) => this.seasons(req, p.seriesId, caller)));
    r.on("POST", "/Library/Refresh", (req) =>
      this.authed(
        req,
        () => {
          this.world.jellyfin.refreshLibrary();
          return empty(204);
        },
        true,
      ),
    );
    // What Sonarr/Radarr's Jellyfin connection calls; the library monitor does the work anyway.
    r.on("POST", "/Library/Media/Updated", (req) => this.authed(req, () => empty(204)));
    r.on("GET", "/Library/VirtualFolders", (req) =>
      this.authed(
        req,
        () =>
          json(
            200,
            this.world.jellyfin.libraries.map((l) => ({
              Name: l.name,
              Locations: [l.location],
              CollectionType: l.collectionType,
              ItemId: l.id,
              RefreshStatus: "Idle",
            })),
          ),
        true,
      ),
    );
  }

  async handle(req: SimRequest): Promise<SimResponse> {
    const match = this.router.match(req.method, req.path);
    if (match.kind === "found") return match.handler(req, match.params);
    return match.kind === "method-not-allowed" ? empty(405) : empty(404);
  }

  // ------------------------------------------------------------ auth

  private caller(req: SimRequest): Caller | undefined {
    // 12.0: only the MediaBrowser scheme in Authorization, or ?ApiKey=. Legacy forms are ignored.
    const header = parseMediaBrowserHeader(req.header("authorization"));
    const token = header?.token || queryParam(req.query, "ApiKey");
    if (!token) return undefined;
    if (token === this.apiKey) return { kind: "apikey" };
    const session = this.sessions.get(token);
    const user = session && SIM_USERS.find((u) => u.jellyfinId === session.userId);
    return session && user ? { kind: "user", user, session } : undefined;
  }

  private authed(req: SimRequest, handler: (caller: Caller) => SimResponse, adminOnly = false): SimResponse {
    const caller = this.caller(req);
    if (!caller) return empty(401);
    if (adminOnly && caller.kind === "user" && !caller.user.isAdministrator) return empty(403);
    return handler(caller);
  }

  private authenticateByName(req: SimRequest): SimResponse {
    const header = parseMediaBrowserHeader(req.header("authorization"));
    const body = parseJsonBody(req) as { Username?: unknown; Pw?: unknown } | undefined;
    // SessionManager throws ArgumentException when a client field is missing: 400.
    if (!header?.client || !header.device || !header.deviceId || !header.version) return text(400, "Error processing request.");
    const username = typeof body?.Username === "string" ? body.Username : "";
    const password = typeof body?.Pw === "string" ? body.Pw : "";
    const user = SIM_USERS.find((u) => u.username.toLowerCase() === username.toLowerCase());
    if (!user || user.password !== password) return text(401, "Error processing request.");
    // Logging in again on the same device logs that user's earlier tokens there out.
    for (const [token, session] of this.sessions) {
      if (session.userId === user.jellyfinId && session.deviceId === header.deviceId) this.sessions.delete(token);
    }
    const session: Session = {
      token: randomBytes(16).toString("hex"),
      userId: user.jellyfinId,
      deviceId: header.deviceId,
      client: header.client,
      device: header.device,
      version: header.version,
      created: this.world.now(),
    };
    this.sessions.set(session.token, session);
    const now = isoNet(this.world.now());
    return json(200, {
      User: this.userDto(user),
      SessionInfo: {
        PlayState: { CanSeek: false, IsPaused: false, IsMuted: false, RepeatMode: "RepeatNone", PlaybackOrder: "Default" },
        AdditionalUsers: [],
        Capabilities: { PlayableMediaTypes: [], SupportedCommands: [], SupportsMediaControl: false, SupportsPersistentIdentifier: true },
        RemoteEndPoint: req.remoteAddress.replace(/^::ffff:/, ""),
        PlayableMediaTypes: [],
        Id: guidN(`jellyfin-session:${session.token}`),
        UserId: user.jellyfinId,
        UserName: user.username,
        Client: session.client,
        LastActivityDate: now,
        LastPlaybackCheckIn: "0001-01-01T00:00:00.0000000Z",
        DeviceName: session.device,
        DeviceId: session.deviceId,
        ApplicationVersion: session.version,
        IsActive: true,
        SupportsMediaControl: false,
        SupportsRemoteControl: false,
        HasCustomDeviceName: false,
        ServerId: this.world.jellyfin.serverId,
        SupportedCommands: [],
      },
      AccessToken: session.token,
      ServerId: this.world.jellyfin.serverId,
    });
  }

  private publicInfo() {
    return {
      LocalAddress: this.publicUrl(),
      ServerName: SERVER_NAME,
      Version: JELLYFIN_VERSION,
      ProductName: "Jellyfin Server",
      OperatingSystem: "",
      Id: this.world.jellyfin.serverId,
      StartupWizardCompleted: true,
    };
  }

  private userDto(user: SimUser) {
    const last = isoNet(this.world.now());
    return {
      Name: user.username,
      ServerId: this.world.jellyfin.serverId,
      Id: user.jellyfinId,
      PrimaryImageTag: guidN(`user-image:${user.jellyfinId}`),
      HasPassword: true,
      HasConfiguredPassword: true,
      HasConfiguredEasyPassword: false,
      EnableAutoLogin: false,
      LastLoginDate: last,
      LastActivityDate: last,
      Configuration: {
        PlayDefaultAudioTrack: true,
        SubtitleLanguagePreference: "",
        DisplayMissingEpisodes: false,
        GroupedFolders: [],
        SubtitleMode: "Default",
        DisplayCollectionsView: false,
        EnableLocalPassword: false,
        OrderedViews: [],
        LatestItemsExcludes: [],
        MyMediaExcludes: [],
        HidePlayedInLatest: true,
        RememberAudioSelections: true,
        RememberSubtitleSelections: true,
        EnableNextEpisodeAutoPlay: true,
      },
      Policy: {
        IsAdministrator: user.isAdministrator,
        IsHidden: !user.isAdministrator,
        EnableCollectionManagement: user.isAdministrator,
        EnableSubtitleManagement: user.isAdministrator,
        EnableLyricManagement: false,
        IsDisabled: false,
        BlockedTags: [],
        AllowedTags: [],
        EnableUserPreferenceAccess: true,
        AccessSchedules: [],
        BlockUnratedItems: [],
        EnableRemoteControlOfOtherUsers: user.isAdministrator,
        EnableSharedDeviceControl: true,
        EnableRemoteAccess: true,
        EnableLiveTvManagement: user.isAdministrator,
        EnableLiveTvAccess: true,
        EnableMediaPlayback: true,
        EnableAudioPlaybackTranscoding: true,
        EnableVideoPlaybackTranscoding: true,
        EnablePlaybackRemuxing: true,
        ForceRemoteSourceTranscoding: false,
        EnableContentDeletion: user.isAdministrator,
        EnableContentDeletionFromFolders: [],
        EnableContentDownloading: true,
        EnableSyncTranscoding: true,
        EnableMediaConversion: true,
        EnabledDevices: [],
        EnableAllDevices: true,
        EnabledChannels: [],
        EnableAllChannels: true,
        EnabledFolders: [],
        EnableAllFolders: true,
        InvalidLoginAttemptCount: 0,
        LoginAttemptsBeforeLockout: -1,
        MaxActiveSessions: 0,
        EnablePublicSharing: true,
        BlockedMediaFolders: [],
        BlockedChannels: [],
        RemoteClientBitrateLimit: 0,
        AuthenticationProviderId: "Jellyfin.Server.Implementations.Users.DefaultAuthenticationProvider",
        PasswordResetProviderId: "Jellyfin.Server.Implementations.Users.DefaultPasswordResetProvider",
        SyncPlayAccess: "CreateAndJoinGroups",
      },
    };
  }

  // ------------------------------------------------------------ items

  /** Virtual (missing) episodes: API keys see them, users do not (DisplayMissingEpisodes off). */
  private visible(item: JfItem, caller: Caller, isMissing: boolean | undefined): boolean {
    if (isMissing === true) return item.locationType === "Virtual";
    if (isMissing === false) return item.locationType !== "Virtual";
    return item.locationType !== "Virtual" || caller.kind === "apikey";
  }

  private items(req: SimRequest, caller: Caller): SimResponse {
    const q = req.query;
    const list = (name: string) =>
      (queryParam(q, name) ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    const fields = new Set(list("Fields").map((f) => f.toLowerCase()));
    const include = list("IncludeItemTypes").map((t) => t.toLowerCase());
    const exclude = list("ExcludeItemTypes").map((t) => t.toLowerCase());
    const ids = list("Ids").map(normaliseId);
    const parentId = queryParam(q, "ParentId") ? normaliseId(queryParam(q, "ParentId") as string) : undefined;
    const recursive = queryBool(q, "Recursive") ?? false;
    const isMissing = queryBool(q, "IsMissing");
    const searchTerm = queryParam(q, "SearchTerm")?.trim().toLowerCase();
    const library = this.world.jellyfin;

    // No parent, not recursive, no ids: the root's children, i.e. the libraries.
    if (!recursive && !parentId && ids.length === 0 && include.length === 0) {
      const folders = library.libraries.map((l) => ({
        Name: l.name,
        ServerId: library.serverId,
        Id: l.id,
        IsFolder: true,
        Type: "CollectionFolder",
        CollectionType: l.collectionType,
        LocationType: "FileSystem",
        MediaType: "Unknown",
      }));
      return json(200, { Items: folders, TotalRecordCount: folders.length, StartIndex: 0 });
    }

    let items = [...library.items.values()].filter((item) => this.visible(item, caller, isMissing));
    if (ids.length > 0) items = items.filter((i) => ids.includes(i.id));
    if (parentId) {
      items = items.filter((i) =>
        recursive
          ? i.libraryId === parentId || i.seriesId === parentId || i.seasonId === parentId
          : (i.libraryId === parentId && (i.type === "Movie" || i.type === "Series")) ||
            (i.type === "Season" && i.seriesId === parentId) ||
            (i.type === "Episode" && i.seasonId === parentId),
      );
    } else if (!recursive && ids.length === 0) {
      items = items.filter((i) => i.type === "Movie" || i.type === "Series");
    }
    if (include.length > 0) items = items.filter((i) => include.includes(i.type.toLowerCase()));
    if (exclude.length > 0) items = items.filter((i) => !exclude.includes(i.type.toLowerCase()));
    for (const [param, provider] of [
      ["HasTmdbId", "Tmdb"],
      ["HasTvdbId", "Tvdb"],
      ["HasImdbId", "Imdb"],
    ] as const) {
      const want = queryBool(q, param);
      if (want !== undefined) items = items.filter((i) => (provider in i.providerIds) === want);
    }
    if (searchTerm) items = items.filter((i) => i.name.toLowerCase().includes(searchTerm));
    const indexNumber = queryInt(q, "IndexNumber");
    if (indexNumber !== undefined) items = items.filter((i) => i.indexNumber === indexNumber);
    const parentIndexNumber = queryInt(q, "ParentIndexNumber");
    if (parentIndexNumber !== undefined) items = items.filter((i) => i.parentIndexNumber === parentIndexNumber);
    items = this.sort(items, list("SortBy"), queryParam(q, "SortOrder"));
    return this.page(items, q, fields, caller);
  }

  private sort(items: JfItem[], sortBy: string[], order: string | undefined): JfItem[] {
    const descending = (order ?? "").toLowerCase().startsWith("desc");
    const keyOf = (item: JfItem, by: string): string | number => {
      switch (by.toLowerCase()) {
        case "datecreated":
          return item.dateCreated;
        case "premieredate":
          return item.premiereDate ?? 0;
        case "indexnumber":
          return item.indexNumber ?? 0;
        case "parentindexnumber":
          return item.parentIndexNumber ?? 0;
        case "productionyear":
          return item.productionYear ?? 0;
        default:
          return item.name.toLowerCase();
      }
    };
    const keys = sortBy.length > 0 ? sortBy : ["SortName"];
    return [...items].sort((a, b) => {
      for (const by of keys) {
        const x = keyOf(a, by);
        const y = keyOf(b, by);
        if (x < y) return descending ? 1 : -1;
        if (x > y) return descending ? -1 : 1;
      }
      return 0;
    });
  }

  private page(items: JfItem[], q: URLSearchParams, fields: Set<string>, caller: Caller): SimResponse {
    const start = Math.max(0, queryInt(q, "StartIndex") ?? 0);
    const limit = queryInt(q, "Limit");
    const slice = items.slice(start, limit !== undefined && limit >= 0 ? start + limit : undefined);
    return json(200, { Items: slice.map((i) => this.dto(i, fields, caller)), TotalRecordCount: items.length, StartIndex: start });
  }

  private item(rawId: string, caller: Caller): SimResponse {
    const item = this.world.jellyfin.items.get(normaliseId(rawId));
    if (!item) return empty(404);
    // The single-item endpoint returns every field.
    return json(200, this.dto(item, new Set(["providerids", "path", "mediasources", "datecreated", "overview", "genres", "mediastreams"]), caller));
  }

  private episodes(req: SimRequest, rawSeriesId: string, caller: Caller): SimResponse {
    const seriesId = normaliseId(rawSeriesId);
    const series = this.world.jellyfin.items.get(seriesId);
    if (!series || series.type !== "Series") return text(404, "Series not found");
    const q = req.query;
    const fields = new Set(
      (queryParam(q, "Fields") ?? "")
        .split(",")
        .map((f) => f.trim().toLowerCase())
        .filter(Boolean),
    );
    const season = queryInt(q, "season") ?? queryInt(q, "Season");
    const seasonId = queryParam(q, "SeasonId");
    const isMissing = queryBool(q, "IsMissing");
    let items = [...this.world.jellyfin.items.values()].filter((i) => i.type === "Episode" && i.seriesId === seriesId && this.visible(i, caller, isMissing));
    if (season !== undefined) items = items.filter((i) => i.parentIndexNumber === season);
    if (seasonId) items = items.filter((i) => i.seasonId === normaliseId(seasonId));
    items.sort((a, b) => (a.parentIndexNumber ?? 0) - (b.parentIndexNumber ?? 0) || (a.indexNumber ?? 0) - (b.indexNumber ?? 0));
    return this.page(items, q, fields, caller);
  }

  private seasons(req: SimRequest, rawSeriesId: string, caller: Caller): SimResponse {
    const seriesId = normaliseId(rawSeriesId);
    const items = [...this.world.jellyfin.items.values()]
      .filter((i) => i.type === "Season" && i.seriesId === seriesId)
      .sort((a, b) => (a.indexNumber ?? 0) - (b.indexNumber ?? 0));
    const fields = new Set((queryParam(req.query, "Fields") ?? "").toLowerCase().split(",").filter(Boolean));
    return this.page(items, req.query, fields, caller);
  }

  /** BaseItemDto: nulls omitted; opt-in fields only when asked for. */
  private dto(item: JfItem, fields: Set<string>, caller: Caller): Record<string, unknown> {
    const library = this.world.jellyfin;
    const video = item.type === "Movie" || item.type === "Episode";
    const hasFile = item.locationType === "FileSystem" && video;
    const season = item.seasonId ? library.items.get(item.seasonId) : undefined;
    const dto: Record<string, unknown> = {
      Name: item.name,
      ServerId: library.serverId,
      Id: item.id,
    };
    if (fields.has("datecreated")) dto.DateCreated = isoNet(item.dateCreated);
    if (hasFile) {
      dto.HasSubtitles = true;
      dto.Container = "mkv";
    }
    if (item.premiereDate !== undefined) dto.PremiereDate = isoNet(item.premiereDate);
    if (item.type === "Movie") {
      const movie = this.world.catalogue.movie(item.key);
      dto.CriticRating = 70 + (movie.tmdbId % 25);
      dto.OfficialRating = movie.certification;
      dto.CommunityRating = 6 + (movie.tmdbId % 30) / 10;
    }
    if (item.runTimeTicks !== undefined && item.type !== "Season") dto.RunTimeTicks = item.runTimeTicks;
    if (item.productionYear !== undefined) dto.ProductionYear = item.productionYear;
    if (item.indexNumber !== undefined) dto.IndexNumber = item.indexNumber;
    if (item.parentIndexNumber !== undefined) dto.ParentIndexNumber = item.parentIndexNumber;
    if (fields.has("path") && item.path) dto.Path = item.path;
    if (fields.has("overview") && item.overview) dto.Overview = item.overview;
    if (fields.has("genres")) dto.Genres = item.genres;
    if (fields.has("providerids")) dto.ProviderIds = { ...item.providerIds };
    if (fields.has("parentid")) dto.ParentId = item.seasonId ?? item.seriesId ?? item.libraryId;
    dto.IsFolder = !video;
    dto.Type = item.type;
    if (item.seriesName) dto.SeriesName = item.seriesName;
    if (item.seriesId && item.type !== "Series") dto.SeriesId = item.seriesId;
    if (item.seasonId) dto.SeasonId = item.seasonId;
    if (season) dto.SeasonName = season.name;
    if (item.type === "Series") dto.Status = this.world.catalogue.series(item.key).status === "ended" ? "Ended" : "Continuing";
    if (fields.has("mediasources") && hasFile) dto.MediaSources = [this.mediaSource(item)];
    if (fields.has("mediastreams") && hasFile) dto.MediaStreams = mediaStreams(item);
    if (caller.kind === "user") {
      dto.UserData = { PlaybackPositionTicks: 0, PlayCount: 0, IsFavorite: false, Played: false, Key: item.id, ItemId: item.id };
    }
    dto.ImageTags = item.locationType === "Virtual" ? {} : { Primary: guidN(`image:${item.id}`) };
    dto.BackdropImageTags = item.type === "Movie" || item.type === "Series" ? [guidN(`backdrop:${item.id}`)] : [];
    dto.LocationType = item.locationType;
    dto.MediaType = hasFile ? "Video" : "Unknown";
    return dto;
  }

  private mediaSource(item: JfItem): Record<string, unknown> {
    const fileName = (item.path ?? "").split("/").pop() ?? "";
    const size = item.size ?? 0;
    const seconds = (item.runTimeTicks ?? 1) / 10_000_000;
    return {
      Protocol: "File",
      Id: item.id,
      Path: item.path,
      Type: "Default",
      Container: "mkv",
      Size: size,
      Name: fileName.replace(/\.mkv$/, ""),
      IsRemote: false,
      ETag: guidN(`etag:${item.id}`),
      RunTimeTicks: item.runTimeTicks,
      ReadAtNativeFramerate: false,
      IgnoreDts: false,
      IgnoreIndex: false,
      GenPtsInput: false,
      SupportsTranscoding: true,
      SupportsDirectStream: true,
      SupportsDirectPlay: true,
      IsInfiniteStream: false,
      UseMostCompatibleTranscodingProfile: false,
      RequiresOpening: false,
      RequiresClosing: false,
      RequiresLooping: false,
      SupportsProbing: true,
      VideoType: "VideoFile",
      MediaStreams: mediaStreams(item),
      MediaAttachments: [],
      Formats: [],
      Bitrate: Math.round((size * 8) / Math.max(1, seconds)),
      RequiredHttpHeaders: {},
      TranscodingSubProtocol: "http",
      DefaultAudioStreamIndex: 1,
      DefaultSubtitleStreamIndex: 2,
      HasSegments: false,
    };
  }
}

function mediaStreams(item: JfItem): Record<string, unknown>[] {
  const uhd = item.quality?.includes("2160") ?? false;
  const height = uhd ? 2160 : item.quality?.includes("720") ? 720 : 1080;
  const width = Math.round((height * 16) / 9);
  const japanese = item.providerIds.AniDB !== undefined;
  return [
    { Codec: "h264", Type: "Video", Index: 0, Height: height, Width: width, IsDefault: true, DisplayTitle: `${height}p H264 SDR`, VideoRange: "SDR" },
    { Codec: "aac", Language: japanese ? "jpn" : "eng", Type: "Audio", Index: 1, Channels: 2, IsDefault: true, DisplayTitle: `${japanese ? "Japanese" : "English"} - AAC - Stereo - Default` },
    { Codec: "ass", Language: "eng", Type: "Subtitle", Index: 2, IsDefault: true, IsExternal: false, DisplayTitle: "English - Default - ASS" },
  ];
}

/** Jellyfin accepts N (32 hex) and D (hyphenated) GUIDs in routes and queries. */
function normaliseId(id: string): string {
  return id.replace(/-/g, "").toLowerCase();
}
