import { HOUR, MINUTE } from "../util";

export type SimServiceName = "jellyseerr" | "radarr" | "sonarr" | "qbittorrent" | "shoko" | "jellyfin";
export const SIM_SERVICES: readonly SimServiceName[] = ["jellyseerr", "radarr", "sonarr", "qbittorrent", "shoko", "jellyfin"];

/**
 * "4.5": qbittorrent-nox 4.5.2 (Debian 12), WebAPI 2.8.19, paused* states.
 * "5.x": 5.1.4, WebAPI 2.11.4: stopped* states, -1 for "no timestamp", same login as 4.5.
 * "5.2": 5.2.3, WebAPI 2.15.1: also 200-empty / 401 logins and the QBT_SID_<port> cookie.
 */
export type QbitVersion = "4.5" | "5.x" | "5.2";

/**
 * How long things take, in simulated milliseconds. Defaults follow the real services where they
 * are fixed (arr refresh 1 min, Jellyfin library monitor 60 s, webhook plugin 30 s, Seerr scans),
 * and are short elsewhere so a demo at speed 1 shows progress within a minute.
 */
export interface SimTimings {
  /** Seerr sends an approved request to the arr. */
  seerrToArrMs: number;
  /** The arr starts its search after adding the media. */
  arrAddToSearchMs: number;
  /** One indexer search. */
  searchMs: number;
  /** A magnet's metadata arrives (metaDL). */
  metadataMs: number;
  /** stalledDL while connecting to the first peers. */
  connectMs: number;
  /** Radarr/Sonarr poll the download client (RefreshMonitoredDownloads, real: every minute). */
  arrRefreshMs: number;
  /** The debounced refresh right after a grab (real: 5 s). */
  arrGrabRefreshMs: number;
  /** Copying/hardlinking files during import. */
  importMs: number;
  /** "uploading" to leechers after completion, before "stalledUP". */
  uploadingMs: number;
  /** A seeding limit stops the torrent (pausedUP / stoppedUP). */
  seedingStopMs: number;
  /** Jellyfin's LibraryMonitorDelay before a new file becomes an item (real: 60 s). */
  jellyfinMonitorDelayMs: number;
  /** A full library scan (POST /Library/Refresh). */
  jellyfinFullScanMs: number;
  /** The webhook plugin's ItemAdded task (real: every 30 s). */
  jellyfinWebhookIntervalMs: number;
  /** Seerr's download-sync job (real: every minute). */
  seerrDownloadSyncMs: number;
  /** Seerr's recently-added Jellyfin scan (real: every 5 minutes). */
  seerrScanMs: number;
  /** Shoko's watcher notices a new file. */
  shokoDetectMs: number;
  /** Shoko hashing speed. */
  shokoHashBytesPerSec: number;
  /** Shoko's AniDB lookup after hashing. */
  shokoMatchMs: number;
  /** An airing episode's release shows up on the indexer this long after it airs. */
  rssDelayMs: number;
}

export const DEFAULT_TIMINGS: SimTimings = {
  seerrToArrMs: 1_500,
  arrAddToSearchMs: 2_000,
  searchMs: 4_000,
  metadataMs: 3_000,
  connectMs: 1_500,
  arrRefreshMs: MINUTE,
  arrGrabRefreshMs: 5_000,
  importMs: 4_000,
  uploadingMs: 90_000,
  seedingStopMs: 2 * HOUR,
  jellyfinMonitorDelayMs: 60_000,
  jellyfinFullScanMs: 8_000,
  jellyfinWebhookIntervalMs: 30_000,
  seerrDownloadSyncMs: MINUTE,
  seerrScanMs: 5 * MINUTE,
  shokoDetectMs: 2_000,
  shokoHashBytesPerSec: 400 * 1024 ** 2,
  shokoMatchMs: 6_000,
  rssDelayMs: 45 * MINUTE,
};

export type SeerrNotificationType =
  | "MEDIA_PENDING"
  | "MEDIA_APPROVED"
  | "MEDIA_AUTO_APPROVED"
  | "MEDIA_DECLINED"
  | "MEDIA_FAILED"
  | "MEDIA_AVAILABLE";

/**
 * Something a simulated service would tell its webhook connection. The listener builds the
 * payload synchronously from the world's current state, so the body is what the service saw then.
 */
export type Notice =
  | { service: "jellyseerr"; event: SeerrNotificationType; key: string; requestId: number }
  | { service: "radarr"; event: "MovieAdded"; key: string; movieId: number }
  | { service: "radarr"; event: "MovieDelete"; key: string; movieId: number; deletedFiles: boolean }
  | { service: "radarr"; event: "Grab" | "ManualInteractionRequired"; key: string; trackedId: number }
  | { service: "radarr"; event: "Download"; key: string; trackedId: number; movieFileId: number }
  | { service: "sonarr"; event: "SeriesAdd"; key: string; seriesId: number }
  | { service: "sonarr"; event: "SeriesDelete"; key: string; seriesId: number; deletedFiles: boolean }
  | { service: "sonarr"; event: "Grab" | "ManualInteractionRequired"; key: string; trackedId: number }
  | { service: "sonarr"; event: "Download"; key: string; trackedId: number; episodeFileId: number }
  | { service: "sonarr"; event: "ImportComplete"; key: string; trackedId: number; episodeFileIds: number[] }
  | { service: "jellyfin"; event: "ItemAdded"; key: string; itemId: string };

export type NoticeEvent = Notice["event"];
