/*
 * What a qBittorrent state means for the tracker. qBittorrent 5.0 renamed pausedDL/pausedUP to
 * stoppedDL/stoppedUP; both spellings are understood. "Finished" is progress 1 or any *UP state
 * (what Sonarr and Radarr also treat as completed); completion_on alone is not trusted.
 */

export type TorrentStatus =
  /** Bytes are arriving (downloading, forcedDL). */
  | "downloading"
  /** stalledDL: nothing arrives. */
  | "stalled"
  /** metaDL: a magnet waiting for its metadata. */
  | "metadata"
  /** pausedDL (4.x) / stoppedDL (5.x). */
  | "paused"
  | "queued"
  /** checkingDL, checkingResumeData, allocating, moving: busy, not downloading. */
  | "checking"
  /** error, missingFiles. */
  | "error"
  | "complete";

const COMPLETE_STATES = new Set(["uploading", "stalledUP", "pausedUP", "stoppedUP", "queuedUP", "forcedUP", "checkingUP"]);

const STATUS_BY_STATE: Record<string, TorrentStatus> = {
  downloading: "downloading",
  forcedDL: "downloading",
  stalledDL: "stalled",
  metaDL: "metadata",
  forcedMetaDL: "metadata",
  pausedDL: "paused",
  stoppedDL: "paused",
  queuedDL: "queued",
  checkingDL: "checking",
  checkingResumeData: "checking",
  allocating: "checking",
  moving: "checking",
  error: "error",
  missingFiles: "error",
};

export function isCompleteTorrent(t: { state?: string; progress?: number }): boolean {
  return (t.progress ?? 0) >= 1 || (t.state !== undefined && COMPLETE_STATES.has(t.state));
}

export function classifyTorrent(t: { state?: string; progress?: number }): TorrentStatus {
  if (isCompleteTorrent(t)) return "complete";
  // An unknown state ("unknown", or a name from a newer version) counts as downloading, as the arrs do.
  return (t.state !== undefined ? STATUS_BY_STATE[t.state] : undefined) ?? "downloading";
}

/** How long a torrent may sit stalled with no seed before a person is told. */
export const NO_SEEDS_PROBLEM_AFTER_MS = 2 * 60_000;
/** How long a magnet may wait for its metadata before a person is told. */
export const METADATA_PROBLEM_AFTER_MS = 5 * 60_000;

export interface ProblemThresholds {
  noSeedsAfterMs: number;
  metadataAfterMs: number;
}

const DEFAULT_THRESHOLDS: ProblemThresholds = { noSeedsAfterMs: NO_SEEDS_PROBLEM_AFTER_MS, metadataAfterMs: METADATA_PROBLEM_AFTER_MS };

/**
 * The sentence a person reads when a download is not going anywhere, or undefined. Every
 * sentence starts with "Download " (the pipeline clears such a reason once the download moves).
 * `since` is when the torrent entered its current status, as the poller saw it.
 */
export function downloadProblem(
  status: TorrentStatus,
  t: { state?: string; num_seeds?: number },
  since: number,
  now: number,
  thresholds: ProblemThresholds = DEFAULT_THRESHOLDS,
): string | undefined {
  const lasted = now - since;
  switch (status) {
    case "stalled":
      return (t.num_seeds ?? 0) === 0 && lasted >= thresholds.noSeedsAfterMs ? "Download stalled: no seeds available" : undefined;
    case "metadata":
      return lasted >= thresholds.metadataAfterMs ? "Download stalled: fetching metadata" : undefined;
    case "paused":
      return "Download paused in qBittorrent";
    case "error":
      return t.state === "missingFiles"
        ? "Download files are missing: qBittorrent cannot find them on disk"
        : "Download error in qBittorrent: check its log and the disk it saves to";
    case "downloading":
    case "queued":
    case "checking":
    case "complete":
      return undefined;
  }
}
