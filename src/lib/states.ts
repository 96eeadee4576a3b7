/**
 * Request and episode states, their order and the words a person reads.
 * Isomorphic: used by the server, the REST API and the UI.
 */

export const REQUEST_STATES = [
  "requested",
  "approved",
  "searching",
  "grabbing",
  "downloading",
  "downloaded",
  "importing",
  "anime_matching",
  "available",
  "failed",
  "timeout",
  "match_failed",
  "declined",
  "deleting",
  "deleted",
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const EPISODE_STATES = [
  "unaired",
  "wanted",
  "grabbing",
  "downloading",
  "downloaded",
  "importing",
  "anime_matching",
  "available",
  "failed",
  "match_failed",
] as const;
export type EpisodeState = (typeof EPISODE_STATES)[number];

/** The forward path. States off the path (failed, timeout, ...) have no rank. */
export const PIPELINE_ORDER = [
  "requested",
  "approved",
  "searching",
  "grabbing",
  "downloading",
  "downloaded",
  "importing",
  "anime_matching",
  "available",
] as const;
export type PipelineState = (typeof PIPELINE_ORDER)[number];

export function pipelineRank(state: string): number {
  return (PIPELINE_ORDER as readonly string[]).indexOf(state);
}

export const EPISODE_ORDER = ["wanted", "grabbing", "downloading", "downloaded", "importing", "anime_matching", "available"] as const;
export function episodeRank(state: string): number {
  return (EPISODE_ORDER as readonly string[]).indexOf(state);
}

/**
 * No poller or timeout looks at these again: finished for good, or being deleted (the
 * deletion job owns the request until every service is done).
 */
export const TERMINAL_STATES: readonly RequestState[] = ["available", "declined", "deleting", "deleted"];
/** Shown on the dashboard (everything not finished, including stuck ones). */
export function isActiveState(state: RequestState): boolean {
  return !TERMINAL_STATES.includes(state) && state !== "failed";
}

export const REQUEST_STATE_LABELS: Record<RequestState, string> = {
  requested: "Requested",
  approved: "Approved",
  searching: "Searching",
  grabbing: "Grabbed",
  downloading: "Downloading",
  downloaded: "Downloaded",
  importing: "Importing",
  anime_matching: "Matching",
  available: "Ready",
  failed: "Failed",
  timeout: "Stuck",
  match_failed: "Match failed",
  declined: "Declined",
  deleting: "Deleting",
  deleted: "Deleted",
};

export const EPISODE_STATE_LABELS: Record<EpisodeState, string> = {
  unaired: "Unaired",
  wanted: "Wanted",
  grabbing: "Grabbed",
  downloading: "Downloading",
  downloaded: "Downloaded",
  importing: "Importing",
  anime_matching: "Matching",
  available: "Ready",
  failed: "Failed",
  match_failed: "Match failed",
};

export type MediaType = "movie" | "tv";
