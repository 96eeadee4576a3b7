import { tracked, TRPCError } from "@trpc/server";
import { and, desc, eq, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { REQUEST_STATES, TERMINAL_STATES, type RequestState } from "@/lib/states";
import { requests } from "../../db/schema";
import { getRequestDetail, getRequestSummaries } from "../../api/request-queries";
import { protectedProcedure, router } from "../init";

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
      return getRequestSummaries(db, rows.map((r) => r.id));
    }),

  detail: protectedProcedure.input(z.object({ id: z.number().int().positive() })).query(async ({ ctx, input }) => {
    const detail = await getRequestDetail(ctx.container.db, input.id);
    if (!detail) throw new TRPCError({ code: "NOT_FOUND", message: `There is no request #${input.id}.` });
    return detail;
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
        items: await getRequestSummaries(db, page.map((r) => r.id)),
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

