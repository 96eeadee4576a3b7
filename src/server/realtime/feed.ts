import { and, desc, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { changes } from "../db/schema";
import type { RequestSummary } from "../api/summary";
import { getRequestSummaries } from "../api/request-queries";
import type { ChangeBus, ChangeNotice } from "./bus";

/** What a subscriber receives for one committed change. */
export interface RequestChange {
  changeId: number;
  requestId: number;
  kind: ChangeNotice["kind"];
  /**
   * When the change was committed (ISO). Not always the request's updatedAt: a change to a
   * request's downloads or episodes alone leaves the request row, and its updatedAt, as it was.
   */
  at: string;
  /** The request as it is now; null once it no longer exists. */
  request: RequestSummary | null;
}

/**
 * Streams committed changes to subscribers, resumable by change id.
 *
 * A subscriber listens on the bus first, then backfills from the durable change log after its
 * last event id, then streams, de-duplicating by id: it gets exactly what it missed. Each
 * change's payload is read from the database once and shared by every subscriber, and a burst
 * of changes for one request is coalesced into its latest state.
 */
export class ChangeFeed {
  private readonly payloads = new Map<number, Promise<RequestChange>>();

  constructor(
    private readonly deps: { db: Db; bus: ChangeBus },
    private readonly cacheSize = 2_000,
  ) {}

  /** The newest change id, for a subscriber that starts without a last event id. */
  async latestId(): Promise<number> {
    const [row] = await this.deps.db.select({ id: sql<number>`coalesce(max(${changes.id}), 0)` }).from(changes);
    return Number(row?.id ?? 0);
  }

  async *subscribe(lastEventId: number | null, signal: AbortSignal): AsyncGenerator<RequestChange> {
    const queue: ChangeNotice[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = this.deps.bus.subscribe((c) => {
      queue.push(c);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal.addEventListener("abort", onAbort);
    try {
      let last = lastEventId ?? (await this.latestId());
      // Backfill what the client missed, from the durable log.
      const missed = await this.deps.db
        .select()
        .from(changes)
        .where(gt(changes.id, last))
        .orderBy(changes.id)
        .limit(5_000);
      for (const row of coalesce(missed)) {
        if (signal.aborted) return;
        yield await this.payload(row);
        last = Math.max(last, row.id);
      }
      while (!signal.aborted) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        const batch = coalesce(queue.splice(0).filter((c) => c.id > last));
        for (const notice of batch) {
          if (signal.aborted) return;
          yield await this.payload(notice);
          last = Math.max(last, notice.id);
        }
      }
    } finally {
      unsubscribe();
      signal.removeEventListener("abort", onAbort);
    }
  }

  /** The change's payload, read once and shared. */
  private payload(notice: { id: number; requestId: number; kind: ChangeNotice["kind"]; at: number }): Promise<RequestChange> {
    let p = this.payloads.get(notice.id);
    if (!p) {
      p = getRequestSummaries(this.deps.db, [notice.requestId]).then(([request]) => ({
        changeId: notice.id,
        requestId: notice.requestId,
        kind: notice.kind,
        at: new Date(notice.at).toISOString(),
        request: request ?? null,
      }));
      p.catch(() => this.payloads.delete(notice.id));
      this.payloads.set(notice.id, p);
      if (this.payloads.size > this.cacheSize) {
        const oldest = this.payloads.keys().next().value;
        if (oldest !== undefined) this.payloads.delete(oldest);
      }
    }
    return p;
  }

  /** Ids of the changes after `id` (for tests and diagnostics). */
  async idsAfter(id: number, requestIds?: number[]): Promise<number[]> {
    const where = requestIds ? and(gt(changes.id, id), inArray(changes.requestId, requestIds)) : gt(changes.id, id);
    const rows = await this.deps.db.select({ id: changes.id }).from(changes).where(where).orderBy(desc(changes.id));
    return rows.map((r) => r.id).reverse();
  }
}

/** Keeps the last change per request, in id order: a subscriber only needs each request's latest state. */
function coalesce<T extends { id: number; requestId: number }>(items: T[]): T[] {
  const latest = new Map<number, T>();
  for (const item of items) {
    const prev = latest.get(item.requestId);
    if (!prev || item.id > prev.id) latest.set(item.requestId, item);
  }
  return [...latest.values()].sort((a, b) => a.id - b.id);
}
