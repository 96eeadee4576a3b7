/**
 * The shapes the REST API (and the UI) hand out, and pure builders that make them from rows.
 * Times go out as ISO 8601 UTC strings; the database keeps UTC milliseconds.
 */
import {
  EPISODE_STATES,
  REQUEST_STATE_LABELS,
  pipelineRank,
  type EpisodeState,
  type MediaType,
  type RequestState,
} from "@/lib/states";
import type { EpisodeRow, RequestRow, TimelineRow } from "@/server/db/schema";

export interface EpisodeCounts {
  total: number;
  /** Every episode state, zero when none: widgets can read a field without checking it exists. */
  byState: Record<EpisodeState, number>;
}

export interface RequestSummary {
  id: number;
  title: string;
  year: number | null;
  mediaType: MediaType;
  state: RequestState;
  stateLabel: string;
  isAnime: boolean | null;
  tmdbId: number | null;
  tvdbId: number | null;
  requestedBy: string | null;
  /** 0..1, or null when there is nothing meaningful to show. */
  progress: number | null;
  stuckReason: string | null;
  /** Null for movies. */
  episodes: EpisodeCounts | null;
  createdAt: string;
  updatedAt: string;
  stateChangedAt: string;
  availableAt: string | null;
}

export interface EpisodeSummary {
  season: number;
  episode: number;
  title: string | null;
  state: EpisodeState;
  progress: number | null;
  airDate: string | null;
}

export interface TimelineItem {
  at: string;
  kind: string;
  state: string | null;
  source: string;
  details: string | null;
  inferred: boolean;
  /** "S01E04" when the entry concerns one episode. */
  episode: string | null;
}

/** The summary's episode counts move to `episodeCounts`, so `episodes` can be the list. */
export type RequestDetail = Omit<RequestSummary, "episodes"> & {
  episodeCounts: EpisodeCounts | null;
  episodes: EpisodeSummary[];
  timeline: TimelineItem[];
};

/** The request columns a summary needs (the list query selects only these). */
export type SummarySourceRow = Pick<
  RequestRow,
  | "id"
  | "title"
  | "year"
  | "mediaType"
  | "state"
  | "isAnime"
  | "tmdbId"
  | "tvdbId"
  | "requestedBy"
  | "progress"
  | "stuckReason"
  | "createdAt"
  | "updatedAt"
  | "stateChangedAt"
  | "availableAt"
>;

/** One row of `select state, count(*), sum(progress) from episodes ... group by state` for one request. */
export interface EpisodeStateGroup {
  state: EpisodeState;
  count: number;
  /** Sum of the episodes' progress, each clamped to 0..1 with null as 0. */
  progressSum: number;
}

/** Episode states whose file is already downloaded; match_failed too, as only Shoko's match failed. */
const EPISODE_DONE_STATES: readonly EpisodeState[] = ["downloaded", "importing", "anime_matching", "available", "match_failed"];
/** Episode states whose own progress column is live. */
const EPISODE_IN_FLIGHT_STATES: readonly EpisodeState[] = ["grabbing", "downloading"];
/** Request states in which the episodes' progress is worth averaging. */
const REQUEST_DOWNLOAD_STATES: readonly RequestState[] = ["grabbing", "downloading"];
const DOWNLOADED_RANK = pipelineRank("downloaded");

export function clampUnit(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(1, Math.max(0, value));
}

/**
 * The progress a person sees for a request:
 * 1. the request's own progress column, when set;
 * 2. while grabbing/downloading a TV request with episodes, the mean over its episodes
 *    (downloaded or later counts 1, unaired/wanted/failed 0, in-flight ones their own progress);
 * 3. otherwise 1 from "downloaded" on along the forward path, and null before it or off it.
 */
export function computeRequestProgress(
  request: Pick<RequestRow, "state" | "mediaType" | "progress">,
  episodeGroups: readonly EpisodeStateGroup[] | null,
): number | null {
  if (request.progress !== null && request.progress !== undefined) return clampUnit(request.progress);

  if (REQUEST_DOWNLOAD_STATES.includes(request.state)) {
    if (request.mediaType !== "tv" || !episodeGroups) return null;
    let total = 0;
    let done = 0;
    for (const group of episodeGroups) {
      total += group.count;
      if (EPISODE_DONE_STATES.includes(group.state)) done += group.count;
      else if (EPISODE_IN_FLIGHT_STATES.includes(group.state)) done += group.progressSum;
    }
    return total > 0 ? clampUnit(done / total) : null;
  }

  return pipelineRank(request.state) >= DOWNLOADED_RANK ? 1 : null;
}

export function buildEpisodeCounts(groups: readonly EpisodeStateGroup[]): EpisodeCounts {
  const byState = Object.fromEntries(EPISODE_STATES.map((s) => [s, 0])) as Record<EpisodeState, number>;
  let total = 0;
  for (const group of groups) {
    byState[group.state] = (byState[group.state] ?? 0) + group.count;
    total += group.count;
  }
  return { total, byState };
}

export function toIso(ms: number): string;
export function toIso(ms: number | null): string | null;
export function toIso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** `episodeGroups` is ignored for movies; an empty list means a TV request with no episodes yet. */
export function buildRequestSummary(row: SummarySourceRow, episodeGroups: readonly EpisodeStateGroup[]): RequestSummary {
  const isTv = row.mediaType === "tv";
  return {
    id: row.id,
    title: row.title,
    year: row.year,
    mediaType: row.mediaType,
    state: row.state,
    stateLabel: REQUEST_STATE_LABELS[row.state] ?? row.state,
    isAnime: row.isAnime,
    tmdbId: row.tmdbId,
    tvdbId: row.tvdbId,
    requestedBy: row.requestedBy,
    progress: computeRequestProgress(row, isTv ? episodeGroups : null),
    stuckReason: row.stuckReason,
    episodes: isTv ? buildEpisodeCounts(episodeGroups) : null,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
    stateChangedAt: toIso(row.stateChangedAt),
    availableAt: toIso(row.availableAt),
  };
}

export function buildEpisodeSummary(
  row: Pick<EpisodeRow, "season" | "episode" | "title" | "state" | "progress" | "airDateUtc">,
): EpisodeSummary {
  return {
    season: row.season,
    episode: row.episode,
    title: row.title,
    state: row.state,
    progress: row.progress,
    airDate: toIso(row.airDateUtc),
  };
}

export function buildTimelineItem(
  row: Pick<TimelineRow, "at" | "kind" | "state" | "source" | "details" | "inferred" | "episodeLabel">,
): TimelineItem {
  return {
    at: toIso(row.at),
    kind: row.kind,
    state: row.state,
    source: row.source,
    details: row.details,
    inferred: row.inferred,
    episode: row.episodeLabel,
  };
}

export function buildRequestDetail(
  summary: RequestSummary,
  episodes: readonly EpisodeSummary[],
  timeline: readonly TimelineItem[],
): RequestDetail {
  const { episodes: episodeCounts, ...rest } = summary;
  return { ...rest, episodeCounts, episodes: [...episodes], timeline: [...timeline] };
}
