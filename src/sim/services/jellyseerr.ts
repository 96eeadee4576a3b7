import { empty, json, queryInt, queryParam, Router, text, type SimRequest, type SimResponse } from "../http";
import { MediaStatus, RequestStatus, type SeerrMedia, type SeerrRequest, type SeerrUser } from "../model/seerr";
import { isoMillis } from "../util";
import type { World } from "../world";
import type { SonarrService } from "./sonarr";

/*
 * Jellyseerr / Seerr 3.1 API v1. Auth is X-Api-Key (acts as user 1, or as X-API-User); without it
 * the answer is Seerr's own 403 {"status":403,"error":"You do not have permission..."}.
 * There is no GET /api/v1/media/{id} in Seerr (only DELETE and POST /media/{id}/{status}): read a
 * title with GET /api/v1/movie/{tmdbId} or /api/v1/tv/{tmdbId} (mediaInfo), as against the real one.
 * Entities serialise with nulls, dates with milliseconds, as TypeORM + Express do.
 */

const NO_PERMISSION = { status: 403, error: "You do not have permission to access this endpoint" };
const MANAGE_REQUESTS = 2 | 16; // ADMIN or MANAGE_REQUESTS

export interface SeerrLinks {
  radarrUrl: () => string;
  sonarrUrl: () => string;
  jellyfinUrl: () => string;
}

export class JellyseerrService {
  private readonly router = new Router(true);

  constructor(
    private readonly world: World,
    private readonly apiKey: string,
    private readonly links: SeerrLinks,
    private readonly sonarrShapes: () => SonarrService,
  ) {
    const r = this.router;
    r.on("GET", "/api/v1/status", () => json(200, { version: "3.1.0", commitTag: "v3.1.0", updateAvailable: false, commitsBehind: 0, restartRequired: false }));
    r.on("GET", "/api/v1/auth/me", (req) => this.authed(req, (user) => json(200, this.userJson(user))));
    r.on("GET", "/api/v1/request", (req) => this.authed(req, (user) => this.listRequests(req, user)));
    r.on("GET", "/api/v1/request/count", (req) => this.authed(req, () => json(200, this.requestCount())));
    r.on("GET", "/api/v1/request/:id", (req, p) =>
      this.authed(req, (user) => {
        const request = this.world.seerr.requests.get(Number(p.id));
        if (!request) return json(404, { message: "Request not found." });
        if (!this.canManage(user) && request.requestedById !== user.id) return json(403, { message: "You do not have permission to view this request." });
        return json(200, this.requestJson(request, { withMediaSeasons: true }));
      }),
    );
    r.on("POST", "/api/v1/request/:id/retry", (req, p) =>
      this.authed(req, (user) => {
        if (!this.canManage(user)) return json(403, NO_PERMISSION);
        const request = this.world.seerr.retry(Number(p.id));
        return request ? json(200, this.requestJson(request, { withMediaSeasons: false })) : json(404, { message: "Request not found." });
      }),
    );
    r.on("POST", "/api/v1/request/:id/:status", (req, p) =>
      this.authed(req, (user) => {
        if (!this.canManage(user)) return json(403, NO_PERMISSION);
        const id = Number(p.id);
        const seerr = this.world.seerr;
        const request =
          p.status === "approve" ? seerr.approve(id, user.id) : p.status === "decline" ? seerr.decline(id, user.id) : seerr.requests.get(id);
        return request ? json(200, this.requestJson(request, { withMediaSeasons: false })) : json(404, { message: "Request not found." });
      }),
    );
    r.on("DELETE", "/api/v1/request/:id", (req, p) =>
      this.authed(req, (user) => {
        const request = this.world.seerr.requests.get(Number(p.id));
        if (!request) return json(404, { message: "Request not found." });
        if (!this.canManage(user) && request.requestedById !== user.id && request.status !== RequestStatus.PENDING) {
          return json(401, { message: "You do not have permission to delete this request." });
        }
        this.world.seerr.deleteRequest(request.id);
        return empty(204);
      }),
    );
    r.on("GET", "/api/v1/media", (req) => this.authed(req, () => this.listMedia(req)));
    r.on("DELETE", "/api/v1/media/:id", (req, p) =>
      this.authed(req, (user) => {
        if (!this.canManage(user)) return json(403, NO_PERMISSION);
        return this.world.seerr.deleteMedia(Number(p.id)) ? empty(204) : json(404, { message: "Media not found" });
      }),
    );
    r.on("GET", "/api/v1/movie/:tmdbId", (req, p) => this.authed(req, () => this.titleDetails("movie", Number(p.tmdbId))));
    r.on("GET", "/api/v1/tv/:tmdbId", (req, p) => this.authed(req, () => this.titleDetails("tv", Number(p.tmdbId))));
  }

  async handle(req: SimRequest): Promise<SimResponse> {
    const match = this.router.match(req.method, req.path);
    if (match.kind === "found") return match.handler(req, match.params);
    if (!req.path.startsWith("/api/v1/")) return text(404, "Not Found");
    // Seerr's OpenAPI validator answers undocumented paths and methods before any route runs.
    if (match.kind === "method-not-allowed" || /^\/api\/v1\/media\/[^/]+$/i.test(req.path)) {
      const message = `${req.method} method not allowed`;
      return json(405, { message, errors: [{ path: req.path, message }] });
    }
    return json(404, { message: "not found", errors: [{ path: req.path, message: "not found" }] });
  }

  // ------------------------------------------------------------ auth

  private authed(req: SimRequest, handler: (user: SeerrUser) => SimResponse): SimResponse {
    if (req.header("x-api-key") !== this.apiKey) return json(403, NO_PERMISSION);
    const as = Number(req.header("x-api-user") ?? 1);
    const user = this.world.seerr.user(as);
    return user ? handler(user) : json(403, NO_PERMISSION);
  }

  private canManage(user: SeerrUser): boolean {
    return (user.permissions & MANAGE_REQUESTS) !== 0;
  }

  // ------------------------------------------------------------ shapes

  private userJson(user: SeerrUser): Record<string, unknown> {
    return {
      permissions: user.permissions,
      id: user.id,
      email: user.sim.email,
      plexUsername: null,
      jellyfinUsername: user.sim.username,
      username: null,
      recoveryLinkExpirationDate: null,
      userType: 3,
      plexId: null,
      jellyfinUserId: user.sim.jellyfinId,
      avatar: `/avatarproxy/${user.sim.jellyfinId}?v=${user.avatarVersion}`,
      avatarETag: null,
      avatarVersion: user.avatarVersion,
      movieQuotaLimit: null,
      movieQuotaDays: null,
      tvQuotaLimit: null,
      tvQuotaDays: null,
      createdAt: isoMillis(user.createdAt),
      updatedAt: isoMillis(user.createdAt),
      warnings: [],
      displayName: user.sim.username,
    };
  }

  private mediaJson(media: SeerrMedia, withSeasons: boolean): Record<string, unknown> {
    const arrUrl = media.mediaType === "movie" ? this.links.radarrUrl() : this.links.sonarrUrl();
    const sonarr = this.world.sonarr;
    const out: Record<string, unknown> = {
      downloadStatus: media.downloadStatus.map((d) => {
        const episode = d.episodeId !== undefined ? sonarr.episodes.get(d.episodeId) : undefined;
        return {
          mediaType: d.mediaType,
          externalId: d.externalId,
          size: d.size,
          sizeLeft: d.sizeLeft,
          status: d.status,
          ...(d.timeLeft !== undefined ? { timeLeft: d.timeLeft } : {}),
          // Seerr runs new Date() on a missing value: a stalled download shows the epoch.
          estimatedCompletionTime: isoMillis(d.estimatedCompletionTime ?? 0),
          title: d.title,
          downloadId: d.downloadId,
          ...(episode ? { episode: this.sonarrShapes().episodeResource(episode, false) } : {}),
        };
      }),
      downloadStatus4k: [],
      id: media.id,
      mediaType: media.mediaType,
      tmdbId: media.tmdbId,
      tvdbId: media.tvdbId,
      imdbId: media.imdbId,
      status: media.status,
      status4k: MediaStatus.UNKNOWN,
      createdAt: isoMillis(media.createdAt),
      updatedAt: isoMillis(media.updatedAt),
      lastSeasonChange: isoMillis(media.lastSeasonChange),
      mediaAddedAt: media.mediaAddedAt === null ? null : isoMillis(media.mediaAddedAt),
      serviceId: media.externalServiceId === null ? null : 0,
      serviceId4k: null,
      externalServiceId: media.externalServiceId,
      externalServiceId4k: null,
      externalServiceSlug: media.externalServiceSlug,
      externalServiceSlug4k: null,
      ratingKey: null,
      ratingKey4k: null,
      jellyfinMediaId: media.jellyfinMediaId,
      jellyfinMediaId4k: null,
    };
    if (media.externalServiceSlug) out.serviceUrl = `${arrUrl}/${media.mediaType === "movie" ? "movie" : "series"}/${media.externalServiceSlug}`;
    if (media.jellyfinMediaId) {
      out.mediaUrl = `${this.links.jellyfinUrl()}/web/index.html#!/details?id=${media.jellyfinMediaId}&context=home&serverId=${this.world.jellyfin.serverId}`;
    }
    if (withSeasons) {
      out.seasons = media.seasons.map((s) => ({
        id: s.id,
        seasonNumber: s.seasonNumber,
        status: s.status,
        status4k: MediaStatus.UNKNOWN,
        createdAt: isoMillis(s.createdAt),
        updatedAt: isoMillis(s.updatedAt),
      }));
    }
    return out;
  }

  private requestJson(request: SeerrRequest, options: { withMediaSeasons: boolean; listExtras?: boolean; withMedia?: boolean }): Record<string, unknown> {
    const seerr = this.world.seerr;
    const media = seerr.media.get(request.mediaId);
    const title = media ? this.world.catalogue.get(media.key) : undefined;
    const anime = title?.anime !== undefined;
    const requestedBy = seerr.user(request.requestedById);
    const modifiedBy = request.modifiedById === null ? undefined : seerr.user(request.modifiedById);
    const out: Record<string, unknown> = {
      id: request.id,
      status: request.status,
      createdAt: isoMillis(request.createdAt),
      updatedAt: isoMillis(request.updatedAt),
      type: request.type,
      is4k: false,
      serverId: 0,
      profileId: request.type === "movie" ? 6 : 4,
      rootFolder: request.type === "movie" ? (anime ? "/data/anime/movies" : "/data/media/movies") : anime ? "/data/anime/shows" : "/data/media/tv",
      languageProfileId: request.type === "tv" ? 1 : null,
      tags: [],
      isAutoRequest: false,
      seasonCount: title?.kind === "tv" ? title.seasons.length : 0,
    };
    if (options.withMedia !== false && media) out.media = this.mediaJson(media, options.withMediaSeasons);
    out.seasons = request.seasons.map((s) => ({
      id: s.id,
      seasonNumber: s.seasonNumber,
      status: s.status,
      createdAt: isoMillis(s.createdAt),
      updatedAt: isoMillis(s.updatedAt),
    }));
    out.modifiedBy = modifiedBy ? this.userJson(modifiedBy) : null;
    out.requestedBy = requestedBy ? this.userJson(requestedBy) : null;
    if (options.listExtras) {
      out.profileName = request.type === "movie" ? "HD-1080p" : "WEB-1080p";
      out.canRemove = true;
    }
    return out;
  }

  // ------------------------------------------------------------ endpoints

  private listRequests(req: SimRequest, user: SeerrUser): SimResponse {
    const take = Math.max(1, queryInt(req.query, "take") ?? 10);
    const skip = Math.max(0, queryInt(req.query, "skip") ?? 0);
    const filter = queryParam(req.query, "filter") ?? "all";
    const sort = queryParam(req.query, "sort") ?? "added";
    const ascending = queryParam(req.query, "sortDirection") === "asc";
    const requestedBy = queryInt(req.query, "requestedBy");
    const mediaType = queryParam(req.query, "mediaType") ?? "all";
    const seerr = this.world.seerr;
    const open: number[] = [MediaStatus.UNKNOWN, MediaStatus.PENDING, MediaStatus.PROCESSING, MediaStatus.PARTIALLY_AVAILABLE];
    const matches = (r: SeerrRequest): boolean => {
      const media = seerr.media.get(r.mediaId);
      const status = media?.status ?? MediaStatus.UNKNOWN;
      switch (filter) {
        case "pending":
          return r.status === RequestStatus.PENDING;
        case "approved":
          return r.status === RequestStatus.APPROVED;
        case "processing":
          return r.status === RequestStatus.APPROVED && open.includes(status);
        case "unavailable":
          return (r.status === RequestStatus.PENDING || r.status === RequestStatus.APPROVED) && open.includes(status);
        case "failed":
          return r.status === RequestStatus.FAILED;
        case "available":
          return r.status === RequestStatus.COMPLETED && status === MediaStatus.AVAILABLE;
        case "deleted":
          return r.status === RequestStatus.COMPLETED && status === MediaStatus.DELETED;
        case "completed":
          return r.status === RequestStatus.COMPLETED;
        default:
          return status !== MediaStatus.BLOCKLISTED;
      }
    };
    let requests = [...seerr.requests.values()]
      .filter(matches)
      .filter((r) => mediaType === "all" || r.type === mediaType)
      .filter((r) => requestedBy === undefined || r.requestedById === requestedBy)
      // Users without MANAGE_REQUESTS only see their own.
      .filter((r) => this.canManage(user) || r.requestedById === user.id);
    requests = requests.sort((a, b) => (sort === "modified" ? b.updatedAt - a.updatedAt || b.id - a.id : b.id - a.id));
    if (ascending) requests.reverse();
    const page = requests.slice(skip, skip + take);
    const down = (service: "radarr" | "sonarr", name: string) => (this.world.isUp(service) ? [] : [{ id: 0, name }]);
    return json(200, {
      pageInfo: { pages: Math.ceil(requests.length / take), pageSize: take, results: requests.length, page: Math.ceil(skip / take) + 1 },
      results: page.map((r) => this.requestJson(r, { withMediaSeasons: false, listExtras: true })),
      serviceErrors: { radarr: down("radarr", "Radarr"), sonarr: down("sonarr", "Sonarr") },
    });
  }

  private requestCount(): Record<string, number> {
    const seerr = this.world.seerr;
    const all = [...seerr.requests.values()];
    const mediaStatus = (r: SeerrRequest) => seerr.media.get(r.mediaId)?.status ?? MediaStatus.UNKNOWN;
    return {
      total: all.length,
      movie: all.filter((r) => r.type === "movie").length,
      tv: all.filter((r) => r.type === "tv").length,
      pending: all.filter((r) => r.status === RequestStatus.PENDING).length,
      approved: all.filter((r) => r.status === RequestStatus.APPROVED).length,
      declined: all.filter((r) => r.status === RequestStatus.DECLINED).length,
      processing: all.filter((r) => r.status === RequestStatus.APPROVED && mediaStatus(r) !== MediaStatus.AVAILABLE).length,
      available: all.filter((r) => mediaStatus(r) === MediaStatus.AVAILABLE).length,
      completed: all.filter((r) => r.status === RequestStatus.COMPLETED).length,
    };
  }

  private listMedia(req: SimRequest): SimResponse {
    const take = Math.max(1, queryInt(req.query, "take") ?? 20);
    const skip = Math.max(0, queryInt(req.query, "skip") ?? 0);
    const filter = queryParam(req.query, "filter");
    const wanted: Record<string, number[]> = {
      available: [MediaStatus.AVAILABLE],
      partial: [MediaStatus.PARTIALLY_AVAILABLE],
      allavailable: [MediaStatus.AVAILABLE, MediaStatus.PARTIALLY_AVAILABLE],
      processing: [MediaStatus.PROCESSING],
      pending: [MediaStatus.PENDING],
    };
    let media = [...this.world.seerr.media.values()].filter((m) => !filter || !wanted[filter] || wanted[filter].includes(m.status));
    const sort = queryParam(req.query, "sort");
    media = media.sort((a, b) =>
      sort === "modified" ? b.updatedAt - a.updatedAt : sort === "mediaAdded" ? (b.mediaAddedAt ?? 0) - (a.mediaAddedAt ?? 0) : b.id - a.id,
    );
    return json(200, {
      pageInfo: { pages: Math.ceil(media.length / take), pageSize: take, results: media.length, page: Math.ceil(skip / take) + 1 },
      results: media.slice(skip, skip + take).map((m) => this.mediaJson(m, true)),
    });
  }

  /** A trimmed TMDB details object with Seerr's mediaInfo (the Media entity with its requests). */
  private titleDetails(kind: "movie" | "tv", tmdbId: number): SimResponse {
    const title = this.world.catalogue.byTmdb(kind, tmdbId);
    if (!title) return json(404, { message: kind === "movie" ? "Unable to retrieve movie." : "Unable to retrieve series." });
    const media = this.world.seerr.mediaForKey(title.key);
    const mediaInfo = media
      ? {
          ...this.mediaJson(media, true),
          requests: this.world.seerr.requestsFor(media.id).map((r) => this.requestJson(r, { withMediaSeasons: false, withMedia: false })),
        }
      : undefined;
    const genres = title.genres.map((name, i) => ({ id: 18 + i, name }));
    if (title.kind === "movie") {
      return json(200, {
        id: title.tmdbId,
        adult: false,
        backdropPath: title.backdropPath,
        posterPath: title.posterPath,
        budget: 0,
        genres,
        homepage: "",
        originalLanguage: title.anime ? "ja" : "en",
        originalTitle: title.title,
        overview: title.overview,
        popularity: 21.4,
        releaseDate: title.inCinemas,
        revenue: 0,
        runtime: title.runtime,
        status: "Released",
        tagline: "",
        title: title.title,
        video: false,
        voteAverage: 7.1,
        voteCount: 912,
        externalIds: { imdbId: title.imdbId, facebookId: null, instagramId: null, twitterId: null },
        ...(mediaInfo ? { mediaInfo } : {}),
      });
    }
    return json(200, {
      id: title.tmdbId,
      backdropPath: title.backdropPath,
      posterPath: title.posterPath,
      firstAirDate: title.seasons[0]?.episodes[0]?.airDateUtc ? new Date(title.seasons[0].episodes[0].airDateUtc).toISOString().slice(0, 10) : null,
      genres,
      inProduction: title.status === "continuing",
      name: title.title,
      originalName: title.title,
      originalLanguage: title.anime ? "ja" : "en",
      overview: title.overview,
      numberOfSeasons: title.seasons.length,
      numberOfEpisodes: title.seasons.reduce((n, s) => n + s.episodes.length, 0),
      seasons: title.seasons.map((s) => ({
        id: title.tmdbId * 10 + s.seasonNumber,
        airDate: s.episodes[0]?.airDateUtc ? new Date(s.episodes[0].airDateUtc).toISOString().slice(0, 10) : null,
        episodeCount: s.episodes.length,
        name: `Season ${s.seasonNumber}`,
        overview: "",
        posterPath: title.posterPath,
        seasonNumber: s.seasonNumber,
      })),
      status: title.status === "ended" ? "Ended" : "Returning Series",
      voteAverage: 7.8,
      voteCount: 1204,
      externalIds: { imdbId: title.imdbId, tvdbId: title.tvdbId, facebookId: null, instagramId: null, twitterId: null },
      ...(mediaInfo ? { mediaInfo } : {}),
    });
  }
}
