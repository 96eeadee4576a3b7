import type { MediaType } from "@/lib/states";

/**
 * Domain events: what a webhook or a poller saw, in the tracker's own words.
 * Webhooks and pollers never write state; they produce these and hand them to the pipeline.
 */

export type EventSource = "jellyseerr" | "radarr" | "sonarr" | "qbittorrent" | "jellyfin" | "shoko" | "tracker" | "admin";

/** Ids that tie an event to a request. Any subset may be known; hashes are lower-case. */
export interface MediaRef {
  mediaType: MediaType;
  tmdbId?: number;
  tvdbId?: number;
  imdbId?: string;
  radarrId?: number;
  sonarrId?: number;
  jellyseerrRequestId?: number;
  jellyseerrMediaId?: number;
  jellyfinItemId?: string;
  /** Set when a poller or an admin action already knows the request. */
  requestId?: number;
  /** Last-resort correlation for hints that carry nothing better (Jellyfin episode items). */
  title?: string;
  year?: number;
}

/** What a person reads about the media; any field may be missing. */
export interface MediaInfo {
  title?: string;
  year?: number;
  posterUrl?: string;
  overview?: string;
}

export interface EpisodeRef {
  season: number;
  episode: number;
  title?: string;
  sonarrEpisodeId?: number;
  tvdbId?: number;
  /** UTC milliseconds. */
  airDateUtc?: number;
}

/** One precedence rule decides anime: arr series type or tag, then root-folder path. */
export interface AnimeHint {
  isAnime: boolean;
  source: "series type" | "tag" | "root folder";
}

export interface ReleaseInfo {
  quality?: string;
  title?: string;
  indexer?: string;
  size?: number;
  releaseGroup?: string;
}

interface Base {
  /** When it happened (UTC ms), as the source says or as received. */
  at: number;
  source: EventSource;
}

/** Jellyseerr MEDIA_PENDING: someone asked; an admin has to approve. */
export interface RequestSubmitted extends Base {
  type: "RequestSubmitted";
  media: MediaRef;
  info: MediaInfo;
  requestedBy?: string;
  seasons: number[];
}

/** Jellyseerr MEDIA_APPROVED / MEDIA_AUTO_APPROVED. */
export interface RequestApproved extends Base {
  type: "RequestApproved";
  media: MediaRef;
  info: MediaInfo;
  requestedBy?: string;
  seasons: number[];
  autoApproved: boolean;
}

/** Jellyseerr MEDIA_DECLINED. */
export interface RequestDeclined extends Base {
  type: "RequestDeclined";
  media: MediaRef;
  info: MediaInfo;
  requestedBy?: string;
  seasons: number[];
}

/** Something failed for good (Jellyseerr MEDIA_FAILED: adding it to the arr failed). */
export interface RequestFailed extends Base {
  type: "RequestFailed";
  media: MediaRef;
  info: MediaInfo;
  requestedBy?: string;
  seasons: number[];
  reason: string;
}

/** Radarr MovieAdded / Sonarr SeriesAdd: the arr knows the media and will search for it. */
export interface MediaAdded extends Base {
  type: "MediaAdded";
  media: MediaRef;
  info: MediaInfo;
  anime?: AnimeHint;
}

/** Radarr/Sonarr Grab: a release was sent to the download client. */
export interface Grabbed extends Base {
  type: "Grabbed";
  media: MediaRef;
  info: MediaInfo;
  /** Lower-case info-hash; absent when the client returned none. */
  hash?: string;
  downloadClient?: string;
  release: ReleaseInfo;
  /** Every episode the release covers (TV). */
  episodes: EpisodeRef[];
  anime?: AnimeHint;
}

export interface TorrentFileProgress {
  index: number;
  name: string;
  progress: number;
  size?: number;
}

/** qBittorrent: a torrent's progress (also its first sighting). */
export interface DownloadProgress extends Base {
  type: "DownloadProgress";
  hash: string;
  name?: string;
  /** qBittorrent's own state name, e.g. downloading, stalledDL, metaDL, stoppedDL. */
  clientState: string;
  progress: number;
  size?: number;
  bytesLeft?: number;
  /** Bytes per second. */
  speed?: number;
  /** Seconds; undefined when unknown. */
  eta?: number;
  seeds?: number;
  category?: string;
  savePath?: string;
  contentPath?: string;
  /** Per-file progress, for season packs. */
  files?: TorrentFileProgress[];
  /** A stall the poller judged worth telling, as a sentence starting with "Download " (e.g. "Download stalled: no seeds"). */
  problem?: string;
}

/** qBittorrent: the torrent is complete. */
export interface DownloadCompleted extends Base {
  type: "DownloadCompleted";
  hash: string;
  size?: number;
}

export interface ImportedFile {
  path: string;
  /** Episodes in this file (TV). */
  episodes: EpisodeRef[];
}

/** Radarr/Sonarr Download (file import), Sonarr import-complete, or an import seen by polling. */
export interface Imported extends Base {
  type: "Imported";
  media: MediaRef;
  info: MediaInfo;
  hash?: string;
  files: ImportedFile[];
  isUpgrade: boolean;
  anime?: AnimeHint;
}

/** The arr cannot import without a person (ManualInteractionRequired, or a blocked queue item). */
export interface ImportBlocked extends Base {
  type: "ImportBlocked";
  media: MediaRef;
  hash?: string;
  episodes: EpisodeRef[];
  /** A sentence a person understands. */
  reason: string;
}

/** A hint that the media may be watchable (Jellyseerr MEDIA_AVAILABLE, Jellyfin ItemAdded). */
export interface AvailableHint extends Base {
  type: "AvailableHint";
  media: MediaRef;
  /** Episodes the hint is about (a Jellyfin Episode item); empty means the whole request. */
  episodes: EpisodeRef[];
  /** Jellyfin's item id, when the hint comes from Jellyfin. */
  jellyfinItemId?: string;
}

/** Jellyfin verified a playable item with an exact provider-id match. */
export interface SeenInLibrary extends Base {
  type: "SeenInLibrary";
  media: MediaRef;
  jellyfinItemId?: string;
  /** For TV: the episodes found playable, with their Jellyfin ids. */
  episodes: (EpisodeRef & { jellyfinId?: string })[];
}

/** Shoko matched an imported anime file. */
export interface AnimeMatched extends Base {
  type: "AnimeMatched";
  media: MediaRef;
  episodes: EpisodeRef[];
  shokoSeriesId?: number;
  /** True once Shoko has cross-references; false when the file is only detected/hashed. */
  linked: boolean;
  path?: string;
}

/** Shoko could not match an imported anime file. */
export interface MatchFailed extends Base {
  type: "MatchFailed";
  media: MediaRef;
  episodes: EpisodeRef[];
  reason: string;
  path?: string;
}

/** Radarr MovieDelete / Sonarr SeriesDelete. */
export interface MediaDeleted extends Base {
  type: "MediaDeleted";
  media: MediaRef;
  deletedFiles: boolean;
}

/** Radarr MovieFileDelete / Sonarr EpisodeFileDelete. */
export interface FileDeleted extends Base {
  type: "FileDeleted";
  media: MediaRef;
  episodes: EpisodeRef[];
  /** missingFromDisk, manual, upgrade, noLinkedEpisodes, manualOverride */
  reason: string;
  path?: string;
}

/** A request sat in one state for longer than its threshold. */
export interface TimedOut extends Base {
  type: "TimedOut";
  media: MediaRef;
  reason: string;
}

/** The arr told us something about the request that is worth a timeline line, no state change. */
export interface StatusNote extends Base {
  type: "StatusNote";
  media: MediaRef;
  hash?: string;
  /** Replaces the request's stuck reason; null clears it. */
  stuckReason?: string | null;
  note?: string;
}

export type DomainEvent =
  | RequestSubmitted
  | RequestApproved
  | RequestDeclined
  | RequestFailed
  | MediaAdded
  | Grabbed
  | DownloadProgress
  | DownloadCompleted
  | Imported
  | ImportBlocked
  | AvailableHint
  | SeenInLibrary
  | AnimeMatched
  | MatchFailed
  | MediaDeleted
  | FileDeleted
  | TimedOut
  | StatusNote;

export type DomainEventType = DomainEvent["type"];

/** Upper-case arr downloadIds and qBittorrent hashes meet here, once. */
export function normaliseHash(hash: string | undefined | null): string | undefined {
  if (!hash) return undefined;
  const h = hash.trim().toLowerCase();
  return h === "" ? undefined : h;
}

/** "S01E04" */
export function episodeLabel(e: { season: number; episode: number }): string {
  return `S${String(e.season).padStart(2, "0")}E${String(e.episode).padStart(2, "0")}`;
}
