import { Recurring } from "../recurring";
import type { World } from "../world";
import { SIM_USERS, type SimUser } from "./users";

/*
 * Jellyseerr (Seerr 3.x): users, media and requests. It sends approved requests to Radarr/Sonarr,
 * copies the arr queue every minute (DownloadTracker), and learns availability only from its
 * Jellyfin scan every 5 minutes; MEDIA_AVAILABLE fires once every requested season is AVAILABLE.
 */

export const MediaStatus = {
  UNKNOWN: 1,
  PENDING: 2,
  PROCESSING: 3,
  PARTIALLY_AVAILABLE: 4,
  AVAILABLE: 5,
  BLOCKLISTED: 6,
  DELETED: 7,
} as const;
export type MediaStatusCode = (typeof MediaStatus)[keyof typeof MediaStatus];
export const MEDIA_STATUS_NAMES: Record<number, string> = Object.fromEntries(Object.entries(MediaStatus).map(([k, v]) => [v, k]));

export const RequestStatus = { PENDING: 1, APPROVED: 2, DECLINED: 3, FAILED: 4, COMPLETED: 5 } as const;
export type RequestStatusCode = (typeof RequestStatus)[keyof typeof RequestStatus];

export interface SeerrUser {
  id: number;
  sim: SimUser;
  /** Seerr permission bits: 2 ADMIN, 32 REQUEST. */
  permissions: number;
  createdAt: number;
  avatarVersion: string;
}

export interface SeerrSeason {
  id: number;
  seasonNumber: number;
  status: MediaStatusCode;
  createdAt: number;
  updatedAt: number;
}

/** One entry of media.downloadStatus (Seerr's DownloadingItem), copied from the arr queue. */
export interface DownloadingItem {
  mediaType: "movie" | "tv";
  externalId: number;
  size: number;
  sizeLeft: number;
  status: string;
  timeLeft?: string;
  estimatedCompletionTime?: number;
  title: string;
  downloadId: string;
  episodeId?: number;
}

export interface SeerrMedia {
  id: number;
  key: string;
  mediaType: "movie" | "tv";
  tmdbId: number;
  tvdbId: number | null;
  imdbId: string | null;
  status: MediaStatusCode;
  seasons: SeerrSeason[];
  createdAt: number;
  updatedAt: number;
  lastSeasonChange: number;
  mediaAddedAt: number | null;
  externalServiceId: number | null;
  externalServiceSlug: string | null;
  jellyfinMediaId: string | null;
  downloadStatus: DownloadingItem[];
}

export interface SeerrSeasonRequest {
  id: number;
  seasonNumber: number;
  status: RequestStatusCode;
  createdAt: number;
  updatedAt: number;
}

export interface SeerrRequest {
  id: number;
  status: RequestStatusCode;
  type: "movie" | "tv";
  mediaId: number;
  seasons: SeerrSeasonRequest[];
  requestedById: number;
  modifiedById: number | null;
  createdAt: number;
  updatedAt: number;
}

export class SeerrModel {
  readonly users: SeerrUser[];
  readonly media = new Map<number, SeerrMedia>();
  readonly requests = new Map<number, SeerrRequest>();
  // Ids continue from a household that has used Seerr for a while.
  private nextRequestId = 41;
  private nextMediaId = 31;
  private nextSeasonId = 101;
  private nextSeasonRequestId = 88;
  private readonly downloadSync: Recurring;
  private readonly availabilityScan: Recurring;

  constructor(private readonly world: World) {
    this.users = SIM_USERS.map((sim) => ({
      id: sim.seerrId,
      sim,
      permissions: sim.isAdministrator ? 2 : 32,
      createdAt: world.startedAt - 200 * 86_400_000,
      avatarVersion: String(Math.floor((world.startedAt - 100 * 86_400_000) / 1000)),
    }));
    this.downloadSync = new Recurring(world, () => world.timings.seerrDownloadSyncMs, "seerr download-sync", () => this.syncDownloads());
    this.availabilityScan = new Recurring(world, () => world.timings.seerrScanMs, "seerr jellyfin scan", () => this.scanJellyfin());
  }

  user(id: number): SeerrUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  mediaForKey(key: string): SeerrMedia | undefined {
    return [...this.media.values()].find((m) => m.key === key);
  }

  requestsFor(mediaId: number): SeerrRequest[] {
    return [...this.requests.values()].filter((r) => r.mediaId === mediaId);
  }

  // ------------------------------------------------------------ requests

  createRequest(key: string, seasons: number[], userId: number, autoApprove: boolean): SeerrRequest {
    const now = this.world.now();
    const title = this.world.catalogue.get(key);
    let media = this.mediaForKey(key);
    if (!media) {
      media = {
        id: this.nextMediaId++,
        key,
        mediaType: title.kind,
        tmdbId: title.tmdbId,
        tvdbId: title.kind === "tv" ? title.tvdbId : null,
        imdbId: title.kind === "movie" ? title.imdbId : null,
        status: MediaStatus.PENDING,
        seasons:
          title.kind === "tv"
            ? title.seasons.map((s) => ({ id: this.nextSeasonId++, seasonNumber: s.seasonNumber, status: MediaStatus.UNKNOWN, createdAt: now, updatedAt: now }))
            : [],
        createdAt: now,
        updatedAt: now,
        lastSeasonChange: now,
        mediaAddedAt: null,
        externalServiceId: null,
        externalServiceSlug: null,
        jellyfinMediaId: null,
        downloadStatus: [],
      };
      this.media.set(media.id, media);
    }
    const status = autoApprove ? RequestStatus.APPROVED : RequestStatus.PENDING;
    const request: SeerrRequest = {
      id: this.nextRequestId++,
      status,
      type: title.kind,
      mediaId: media.id,
      seasons: seasons.map((seasonNumber) => ({ id: this.nextSeasonRequestId++, seasonNumber, status, createdAt: now, updatedAt: now })),
      requestedById: userId,
      modifiedById: autoApprove ? userId : null,
      createdAt: now,
      updatedAt: now,
    };
    this.requests.set(request.id, request);
    for (const season of media.seasons) {
      if (seasons.includes(season.seasonNumber)) season.status = MediaStatus.PENDING;
    }
    // Auto-approved: no MEDIA_PENDING, and media.status still reads PENDING (as the capture shows).
    this.world.notify({ service: "jellyseerr", event: autoApprove ? "MEDIA_AUTO_APPROVED" : "MEDIA_PENDING", key, requestId: request.id });
    if (autoApprove) this.scheduleSend(request);
    return request;
  }

  approve(requestId: number, byUserId: number): SeerrRequest | undefined {
    const request = this.requests.get(requestId);
    if (!request || request.status !== RequestStatus.PENDING) return request;
    this.setRequestStatus(request, RequestStatus.APPROVED);
    request.modifiedById = byUserId;
    const media = this.media.get(request.mediaId);
    this.world.notify({ service: "jellyseerr", event: "MEDIA_APPROVED", key: media?.key ?? "", requestId });
    this.scheduleSend(request);
    return request;
  }

  decline(requestId: number, byUserId: number): SeerrRequest | undefined {
    const request = this.requests.get(requestId);
    if (!request || request.status !== RequestStatus.PENDING) return request;
    this.setRequestStatus(request, RequestStatus.DECLINED);
    request.modifiedById = byUserId;
    const media = this.media.get(request.mediaId);
    if (media && this.requestsFor(media.id).every((r) => r.status === RequestStatus.DECLINED)) media.status = MediaStatus.UNKNOWN;
    this.world.notify({ service: "jellyseerr", event: "MEDIA_DECLINED", key: media?.key ?? "", requestId });
    return request;
  }

  /** POST /request/{id}/retry: back to APPROVED, which sends it to the arr again. */
  retry(requestId: number): SeerrRequest | undefined {
    const request = this.requests.get(requestId);
    if (!request) return undefined;
    this.setRequestStatus(request, RequestStatus.APPROVED);
    this.scheduleSend(request);
    return request;
  }

  deleteRequest(requestId: number): boolean {
    return this.requests.delete(requestId);
  }

  deleteMedia(mediaId: number): boolean {
    const media = this.media.get(mediaId);
    if (!media) return false;
    for (const request of this.requestsFor(mediaId)) this.requests.delete(request.id);
    return this.media.delete(mediaId);
  }

  deleteMediaForKey(key: string): void {
    const media = this.mediaForKey(key);
    if (media) this.deleteMedia(media.id);
  }

  private setRequestStatus(request: SeerrRequest, status: RequestStatusCode): void {
    request.status = status;
    request.updatedAt = this.world.now();
    for (const season of request.seasons) {
      season.status = status;
      season.updatedAt = request.updatedAt;
    }
  }

  private scheduleSend(request: SeerrRequest): void {
    this.world.after(this.world.timings.seerrToArrMs, `seerr sends request ${request.id}`, () => this.sendToArr(request.id));
  }

  /**
   * Adds the media to Radarr/Sonarr with "search on add". When the arr is unreachable Seerr 3.1
   * logs the error and nothing else: no MEDIA_FAILED, no retry (seerr-team/seerr#2843).
   */
  private sendToArr(requestId: number): void {
    const request = this.requests.get(requestId);
    const media = request && this.media.get(request.mediaId);
    if (!request || !media || request.status !== RequestStatus.APPROVED || !this.world.isUp("jellyseerr")) return;
    const now = this.world.now();
    media.status = MediaStatus.PROCESSING;
    media.updatedAt = now;
    for (const season of media.seasons) {
      if (request.seasons.some((s) => s.seasonNumber === season.seasonNumber) && season.status !== MediaStatus.AVAILABLE) {
        season.status = MediaStatus.PROCESSING;
        season.updatedAt = now;
      }
    }
    const arr = media.mediaType === "movie" ? "radarr" : "sonarr";
    if (!this.world.isUp(arr)) return;
    if (media.mediaType === "movie") {
      const movie = this.world.radarr.addMovie(media.key);
      media.externalServiceId = movie.id;
      media.externalServiceSlug = String(media.tmdbId);
    } else {
      const series = this.world.sonarr.addSeries(
        media.key,
        request.seasons.map((s) => s.seasonNumber),
      );
      media.externalServiceId = series.id;
      media.externalServiceSlug = series.titleSlug;
    }
    this.downloadSync.ensure();
    this.availabilityScan.ensure();
  }

  // ------------------------------------------------------------ scheduled jobs

  private activeMedia(): SeerrMedia[] {
    return [...this.media.values()].filter(
      (m) => m.externalServiceId !== null && (m.status === MediaStatus.PROCESSING || m.status === MediaStatus.PARTIALLY_AVAILABLE),
    );
  }

  /** download-sync: the arr queue's records for each media, as Seerr's DownloadTracker keeps them. */
  private syncDownloads(): boolean {
    const active = this.activeMedia();
    if (!this.world.isUp("jellyseerr")) return active.length > 0;
    for (const media of this.media.values()) {
      if (media.externalServiceId === null) continue;
      const arr = media.mediaType === "movie" ? this.world.radarr : this.world.sonarr;
      // An unreachable arr keeps the previous data (stale), as Seerr does.
      if (!this.world.isUp(arr.app)) continue;
      media.downloadStatus = arr.queueEntries().filter((entry) => entry.mediaId === media.externalServiceId).map((entry) => ({
        mediaType: media.mediaType,
        externalId: entry.mediaId,
        size: entry.size,
        sizeLeft: entry.sizeleft,
        status: entry.status,
        timeLeft: entry.timeleftText,
        estimatedCompletionTime: entry.estimatedCompletionTime,
        title: entry.title,
        downloadId: entry.downloadId,
        episodeId: entry.episodeId,
      }));
    }
    return this.activeMedia().length > 0;
  }

  /** jellyfin-recently-added-scan: availability comes only from what Jellyfin has. */
  private scanJellyfin(): boolean {
    if (!this.world.isUp("jellyseerr") || !this.world.isUp("jellyfin")) return this.activeMedia().length > 0;
    const now = this.world.now();
    for (const media of this.activeMedia()) {
      const title = this.world.catalogue.get(media.key);
      if (title.kind === "movie") {
        const item = this.world.jellyfin.movieItemFor(media.key);
        if (!item) continue;
        media.status = MediaStatus.AVAILABLE;
        media.jellyfinMediaId = item.id;
        media.mediaAddedAt = item.dateCreated;
        media.updatedAt = now;
        media.downloadStatus = [];
      } else {
        const series = this.world.jellyfin.seriesItemFor(media.key);
        if (!series) continue;
        media.jellyfinMediaId = series.id;
        media.mediaAddedAt ??= series.dateCreated;
        for (const season of media.seasons) {
          const total = title.seasons.find((s) => s.seasonNumber === season.seasonNumber)?.episodes.length ?? 0;
          const have = this.world.jellyfin.episodeCount(media.key, season.seasonNumber);
          // Seerr compares with TMDB's episode count: an airing season stays partial until its finale.
          const status = have > 0 && have >= total ? MediaStatus.AVAILABLE : have > 0 ? MediaStatus.PARTIALLY_AVAILABLE : season.status;
          if (status !== season.status) {
            season.status = status;
            season.updatedAt = now;
            media.lastSeasonChange = now;
          }
        }
        const all = media.seasons.every((s) => s.status === MediaStatus.AVAILABLE);
        const some = media.seasons.some((s) => s.status === MediaStatus.AVAILABLE || s.status === MediaStatus.PARTIALLY_AVAILABLE);
        media.status = all ? MediaStatus.AVAILABLE : some ? MediaStatus.PARTIALLY_AVAILABLE : media.status;
        media.updatedAt = now;
      }
      this.completeRequests(media);
    }
    return this.activeMedia().length > 0;
  }

  /** A request completes when every season it asked for is AVAILABLE: one MEDIA_AVAILABLE each. */
  private completeRequests(media: SeerrMedia): void {
    for (const request of this.requestsFor(media.id)) {
      if (request.status !== RequestStatus.APPROVED) continue;
      const done =
        media.mediaType === "movie"
          ? media.status === MediaStatus.AVAILABLE
          : request.seasons.every((rs) => media.seasons.find((s) => s.seasonNumber === rs.seasonNumber)?.status === MediaStatus.AVAILABLE);
      if (!done) continue;
      this.setRequestStatus(request, RequestStatus.COMPLETED);
      this.world.notify({ service: "jellyseerr", event: "MEDIA_AVAILABLE", key: media.key, requestId: request.id });
    }
  }
}
