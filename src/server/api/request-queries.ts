/**
 * Read-only queries behind the REST API. A list costs a constant number of queries:
 * one for the requests and one grouped count over all their episodes.
 */
import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { REQUEST_STATES, isActiveState, type RequestState } from "@/lib/states";
import type { Db } from "@/server/db/client";
import { episodes, requests, timeline } from "@/server/db/schema";
import {
  buildEpisodeSummary,
  buildRequestDetail,
  buildRequestSummary,
  buildTimelineItem,
  type EpisodeStateGroup,
  type RequestDetail,
  type RequestSummary,
} from "./summary";

export interface RequestListFilter {
  /** Keep only these states; undefined keeps all. */
  states?: readonly RequestState[];
  /** true keeps active requests (isActiveState), false the others; undefined keeps both. */
  active?: boolean;
  limit: number;
}

const summaryColumns = {
  id: requests.id,
  title: requests.title,
  year: requests.year,
  mediaType: requests.mediaType,
  state: requests.state,
  isAnime: requests.isAnime,
  tmdbId: requests.tmdbId,
  tvdbId: requests.tvdbId,
  requestedBy: requests.requestedBy,
  progress: requests.progress,
  stuckReason: requests.stuckReason,
  createdAt: requests.createdAt,
  updatedAt: requests.updatedAt,
  stateChangedAt: requests.stateChangedAt,
  availableAt: requests.availableAt,
};

/** The states a filter lets through, or undefined when it lets every state through. */
function allowedStates(filter: RequestListFilter): RequestState[] | undefined {
  if (filter.states === undefined && filter.active === undefined) return undefined;
  return REQUEST_STATES.filter(
    (s) =>
      (filter.states === undefined || filter.states.includes(s)) &&
      (filter.active === undefined || isActiveState(s) === filter.active),
  );
}

/** Episode counts and progress sums per state, for many requests in one query. */
async function loadEpisodeGroups(db: Db, requestIds: readonly number[]): Promise<Map<number, EpisodeStateGroup[]>> {
  const byRequest = new Map<number, EpisodeStateGroup[]>();
  if (requestIds.length === 0) return byRequest;
  const rows = await db
    .select({
      requestId: episodes.requestId,
      state: episodes.state,
      count: sql<number>`count(*)`.mapWith(Number),
      // Clamped here the same way computeRequestProgress expects: null counts as 0.
      progressSum: sql<number>`coalesce(sum(max(0, min(1, coalesce(${episodes.progress}, 0)))), 0)`.mapWith(Number),
    })
    .from(episodes)
    .where(inArray(episodes.requestId, [...requestIds]))
    .groupBy(episodes.requestId, episodes.state);
  for (const { requestId, ...group } of rows) {
    const groups = byRequest.get(requestId) ?? [];
    groups.push(group);
    byRequest.set(requestId, groups);
  }
  return byRequest;
}

/** Newest first (createdAt desc, then id desc). */
export async function listRequestSummaries(db: Db, filter: RequestListFilter): Promise<RequestSummary[]> {
  const states = allowedStates(filter);
  if (states !== undefined && states.length === 0) return [];
  const conditions: SQL[] = [];
  if (states !== undefined) conditions.push(inArray(requests.state, states));

  const rows = await db
    .select(summaryColumns)
    .from(requests)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(requests.createdAt), desc(requests.id))
    .limit(filter.limit);

  const tvIds = rows.filter((r) => r.mediaType === "tv").map((r) => r.id);
  const groups = await loadEpisodeGroups(db, tvIds);
  return rows.map((row) => buildRequestSummary(row, groups.get(row.id) ?? []));
}

/** Summaries of the given requests (any state), in the order asked; unknown ids are skipped. */
export async function getRequestSummaries(db: Db, ids: readonly number[]): Promise<RequestSummary[]> {
  if (ids.length === 0) return [];
  const rows = await db.select(summaryColumns).from(requests).where(inArray(requests.id, [...ids]));
  const groups = await loadEpisodeGroups(db, rows.filter((r) => r.mediaType === "tv").map((r) => r.id));
  const byId = new Map(rows.map((row) => [row.id, buildRequestSummary(row, groups.get(row.id) ?? [])]));
  return ids.map((id) => byId.get(id)).filter((x): x is RequestSummary => x !== undefined);
}

/** Null when no request has this id. */
export async function getRequestDetail(db: Db, id: number): Promise<RequestDetail | null> {
  const [row] = await db.select(summaryColumns).from(requests).where(eq(requests.id, id)).limit(1);
  if (!row) return null;

  const groups = await loadEpisodeGroups(db, [id]);
  const episodeRows = await db
    .select({
      season: episodes.season,
      episode: episodes.episode,
      title: episodes.title,
      state: episodes.state,
      progress: episodes.progress,
      airDateUtc: episodes.airDateUtc,
    })
    .from(episodes)
    .where(eq(episodes.requestId, id))
    .orderBy(asc(episodes.season), asc(episodes.episode));
  const timelineRows = await db
    .select({
      at: timeline.at,
      kind: timeline.kind,
      state: timeline.state,
      source: timeline.source,
      details: timeline.details,
      inferred: timeline.inferred,
      episodeLabel: timeline.episodeLabel,
    })
    .from(timeline)
    .where(eq(timeline.requestId, id))
    .orderBy(asc(timeline.at), asc(timeline.id));

  return buildRequestDetail(
    buildRequestSummary(row, groups.get(id) ?? []),
    episodeRows.map(buildEpisodeSummary),
    timelineRows.map(buildTimelineItem),
  );
}
