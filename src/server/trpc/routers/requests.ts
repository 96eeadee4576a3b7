import { tracked, TRPCError } from "@trpc/server";
import { and, desc, eq, inArray, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { REQUEST_STATES, TERMINAL_STATES, type RequestState } from "@/lib/states";
import type { Db } from "../../db/client";
import { downloads, requests } from "../../db/schema";
import { getRequestDetail, getRequestSummaries } from "../../api/request-queries";
import type { RequestDetail, RequestSummary } from "../../api/summary";
import { protectedProcedure, router } from "../init";

/** The torrents a request waits on, summed: what the progress bar shows next to the percent. */
export interface DownloadInfo {
  torrents: number;
  /** Bytes per second over its unfinished torrents. */
  speed: number;
  /** Seconds until the slowest unfinished torrent is done; null when unknown. */
  eta: number | null;
  size: number | null;
  bytesLeft: number | null;
  seeds: number | null;
  /** qBittorrent's state of the first unfinished torrent (e.g. downloading, stalledDL). */
  clientState: string | null;
}

/** What the pages show beyond the REST summary: the poster, the release and live download figures. */
export interface RequestExtras {
  posterUrl: string | null;
  overview: string | null;
  quality: string | null;
  releaseTitle: string | null;
  indexer: string | null;
  download: DownloadInfo | null;
}

export type RequestCard = RequestSummary & RequestExtras;
export type RequestDetailView = RequestDetail & RequestExtras;

/** Two queries for any number of requests; downloads only for those still downloading. */
async function loadExtras(db: Db, summaries: readonly { id: number; state: RequestState }[]): Promise<Map<number, RequestExtras>> {
  const out = new Map<number, RequestExtras>();
  if (summaries.length === 0) return out;
  const ids = summaries.map((s) => s.id);
  const rows = await db
    .select({
      id: requests.id,
      posterUrl: requests.posterUrl,
      overview: requests.overview,
      quality: requests.quality,
      releaseTitle: requests.releaseTitle,
      indexer: requests.indexer,
    })
    .from(requests)
    .where(inArray(requests.id, ids));
  const downloading = summaries.filter((s) => s.state === "grabbing" || s.state === "downloading").map((s) => s.id);
  const sums = downloading.length
    ? await db
        .select({
          requestId: downloads.requestId,
          torrents: sql<number>`count(*)`.mapWith(Number),
          speed: sql<number>`coalesce(sum(${downloads.speed}), 0)`.mapWith(Number),
          eta: sql<number | null>`max(${downloads.eta})`,
          size: sql<number | null>`sum(${downloads.size})`,
          bytesLeft: sql<number | null>`sum(${downloads.bytesLeft})`,
          seeds: sql<number | null>`sum(${downloads.seeds})`,
          clientState: sql<string | null>`min(${downloads.clientState})`,
        })
        .from(downloads)
        .where(and(inArray(downloads.requestId, downloading), isNull(downloads.completedAt)))
        .groupBy(downloads.requestId)
    : [];
  const byRequest = new Map(sums.map(({ requestId, ...d }) => [requestId, d]));
  for (const row of rows) {
    const { id, ...extras } = row;
    const d = byRequest.get(id);
    out.set(id, {
      ...extras,
      download: d
        ? {
            ...d,
            eta: d.eta === null ? null : Number(d.eta),
            size: d.size === null ? null : Number(d.size),
            bytesLeft: d.bytesLeft === null ? null : Number(d.bytesLeft),
            seeds: d.seeds === null ? null : Number(d.seeds),
          }
        : null,
    });
  }
  return out;
}

const NO_EXTRAS: RequestExtras = { posterUrl: null, overview: null, quality: null, releaseTitle: null, indexer: null, download: null };

export async function toCards(db: Db, summaries: RequestSummary[]): Promise<RequestCard[]> {
  const extras = await loadExtras(db, summaries);
  return summaries.map((s) => ({ ...s, ...(extras.get(s.id) ?? NO_EXTRAS) }));
}

const HISTORY_STATES: RequestState[] = [...TERMINAL_STATES, "failed", "timeout"];

export const requestsRouter = router({
  /** Active requests, newest first; `mine` keeps the signed-in user's. */
  list: protectedProcedure
    .input(z.object({ mine: z.boolean().default(false), limit: z.number().int().min(1).max(500).default(200) }).default({ mine: false, limit: 200 }))
    .query(async ({ ctx, input }) => {
      const { db } = ctx.container;
      const where: SQL[] = [sql`${requests.state} not in ('available','declined','deleted','failed')`];
      if (input.mine) where.push(sql`lower(${requests.requestedBy}) = ${ctx.user.name.toLowerCase()}`);
      const rows = await db
        .select({ id: requests.id })
        .from(requests)
        .where(and(...where))
        .orderBy(desc(requests.createdAt), desc(requests.id))
        .limit(input.limit);
      return toCards(db, await getRequestSummaries(db, rows.map((r) => r.id)));
    }),

  /** The cards of the given requests (any state): what a page refetches when a change arrives. */
  cards: protectedProcedure.input(z.object({ ids: z.array(z.number().int().positive()).max(200) })).query(async ({ ctx, input }) => {
    const { db } = ctx.container;
    return toCards(db, await getRequestSummaries(db, input.ids));
  }),

  detail: protectedProcedure.input(z.object({ id: z.number().int().positive() })).query(async ({ ctx, input }): Promise<RequestDetailView> => {
    const { db } = ctx.container;
    const detail = await getRequestDetail(db, input.id);
    if (!detail) throw new TRPCError({ code: "NOT_FOUND", message: `There is no request #${input.id}.` });
    const extras = await loadExtras(db, [detail]);
    return { ...detail, ...(extras.get(detail.id) ?? NO_EXTRAS) };
  }),

  /** Finished, failed and timed-out requests: searchable, filterable, paginated by cursor. */
  history: protectedProcedure
    .input(
      z.object({
        search: z.string().trim().max(200).optional(),
        states: z.array(z.enum(REQUEST_STATES)).optional(),
        mediaType: z.enum(["movie", "tv"]).optional(),
        mine: z.boolean().default(false),
        cursor: z.number().int().positive().nullish(),
        limit: z.number().int().min(1).max(100).default(30),
      }),
    )
    .query(async ({ ctx, input }) => {
      const { db } = ctx.container;
      const states = input.states?.length ? input.states : HISTORY_STATES;
      const where: SQL[] = [inArray(requests.state, states)];
      if (input.mediaType) where.push(eq(requests.mediaType, input.mediaType));
      if (input.search) {
        const pattern = `%${input.search.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
        where.push(or(sql`${requests.title} like ${pattern} escape '\\'`, sql`${requests.requestedBy} like ${pattern} escape '\\'`)!);
      }
      if (input.mine) where.push(sql`lower(${requests.requestedBy}) = ${ctx.user.name.toLowerCase()}`);
      if (input.cursor) where.push(lt(requests.id, input.cursor));
      const rows = await db
        .select({ id: requests.id })
        .from(requests)
        .where(and(...where))
        .orderBy(desc(requests.id))
        .limit(input.limit + 1);
      const page = rows.slice(0, input.limit);
      return {
        items: await toCards(db, await getRequestSummaries(db, page.map((r) => r.id))),
        nextCursor: rows.length > input.limit ? page[page.length - 1].id : null,
      };
    }),

  /**
   * Live changes, resumable: the event id is the change-log id, so a client that reconnects
   * with its last event id gets exactly what it missed.
   */
  onChange: protectedProcedure
    .input(z.object({ lastEventId: z.string().nullish() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      const last = input?.lastEventId ? Number(input.lastEventId) : null;
      const abort = signal ?? new AbortController().signal;
      for await (const change of ctx.container.feed.subscribe(Number.isFinite(last) ? last : null, abort)) {
        yield tracked(String(change.changeId), change);
      }
    }),
});

