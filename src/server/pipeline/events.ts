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

/** An episode in scope as the arr lists it; hasFile says the arr already has its file. */
export interface ExpectedEpisode extends EpisodeRef {
  hasFile?: boolean;
}

/**
 * Sonarr's episode list for a request's seasons (polled): every episode in scope with its air
 * date, so the request knows what is still to come. Aired (or undated) episodes are wanted,
 * future ones unaired until their air date passes.
 */
export interface EpisodesExpected extends Base {
  type: "EpisodesExpected";
  media: MediaRef;
  episodes: ExpectedEpisode[];
  anime?: AnimeHint;
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

// ---- admin actions ----------------------------------------------------------------------------

/** What an admin's retry did (each one carried out and checked against the services). */
export type RetryOperation = "jellyseerr" | "search" | "redownload" | "rescan" | "rematch" | "verify";

/** An admin retried the request's stage; the services were told, and this records what they did. */
export interface RetryRequested extends Base {
  type: "RetryRequested";
  media: MediaRef;
  /** Who pressed retry. */
  by: string;
  /** What the services accepted, in order. */
  operations: RetryOperation[];
  /** Downloads removed from the arr queue and the client (blocklisted): the request no longer waits on them. */
  removedHashes: string[];
  /** TV: the episodes a search was sent for. */
  searchedEpisodes: EpisodeRef[];
  /** What was done, in words: "search sent to Sonarr". */
  summary: string;
  /** What the arr still reports after the retry (a blocked import): becomes the stuck reason. */
  stillStuck?: string;
  /** False when a service refused: the timeline says so and nothing moves. */
  ok: boolean;
}

/** What Jellyfin says is playable right now; TV: per episode. */
export interface LibraryTruth {
  found: boolean;
  jellyfinItemId?: string;
  episodes: (EpisodeRef & { jellyfinId?: string })[];
}

/** What the arr says right now. */
export interface ArrTruth {
  /** The arr has the movie or series at all. */
  hasMedia: boolean;
  /** The film's file (TV: any episode in scope has one). */
  hasFile: boolean;
  /** A download for it is in the arr's queue. */
  downloading: boolean;
  /** TV: the episodes in scope that have their file. */
  episodesWithFile: EpisodeRef[];
  path?: string;
}

/** An admin's "verify now": the request moves to what Jellyfin and the arr say is true. */
export interface Verified extends Base {
  type: "Verified";
  media: MediaRef;
  by: string;
  /** null: Jellyfin is not configured or could not be asked. */
  library: LibraryTruth | null;
  /** null: the arr is not configured or could not be asked. */
  arr: ArrTruth | null;
  summary: string;
}

/** The admin's deletion job started: the request belongs to it until every step is done. */
export interface DeletionStarted extends Base {
  type: "DeletionStarted";
  media: MediaRef;
  by: string;
  deletionId: number;
  /** The services the job will ask, in order. */
  steps: string[];
}

/** One step of a deletion job ended (source = the step's service). */
export interface DeletionStepFinished extends Base {
  type: "DeletionStepFinished";
  media: MediaRef;
  deletionId: number;
  ok: boolean;
  /** What the service did, checked afterwards, or why it failed. */
  message: string;
}

/** Every step of a deletion job is done. */
export interface DeletionFinished extends Base {
  type: "DeletionFinished";
  media: MediaRef;
  deletionId: number;
  by: string;
}

/** Library sync: media already in Jellyfin or Jellyseerr, imported as available or filling missing ids. */
export interface LibraryImported extends Base {
  type: "LibraryImported";
  media: MediaRef;
  info: MediaInfo;
  requestedBy?: string;
  seasons: number[];
  shokoSeriesId?: number;
  anime?: AnimeHint;
  /** Where the sync found it. */
  foundIn: "jellyfin" | "jellyseerr";
  /** The admin who started the sync. */
  by: string;
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
  | StatusNote
  | EpisodesExpected
  | RetryRequested
  | Verified
  | DeletionStarted
  | DeletionStepFinished
  | DeletionFinished
  | LibraryImported;

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
