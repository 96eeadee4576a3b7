import { and, inArray, ne } from "drizzle-orm";
import type { RequestState } from "@/lib/states";
import type { Db } from "../db/client";
import { requests, type RequestRow } from "../db/schema";
import type { Clock } from "../clock";
import type { PipelineRunner } from "../pipeline/runner";
import type { TimedOut } from "../pipeline/events";

/**
 * Every non-terminal state can time out. A timed-out request keeps being checked by the other
 * pollers and revives when the truth arrives (see the machine).
 */

export type TimeoutThresholds = Partial<Record<RequestState, number>>;

const MIN = 60_000;
const HOUR = 60 * MIN;

export const DEFAULT_TIMEOUTS: TimeoutThresholds = {
  approved: 2 * HOUR,
  searching: 24 * HOUR,
  grabbing: 1 * HOUR,
  downloading: 6 * HOUR,
  downloaded: 1 * HOUR,
  importing: 2 * HOUR,
  anime_matching: 2 * HOUR,
};

/** Parses "downloading=6h,importing=90m" over the defaults. Throws a sentence naming the bad part. */
export function parseTimeouts(text: string | undefined): TimeoutThresholds {
  const result: TimeoutThresholds = { ...DEFAULT_TIMEOUTS };
  if (!text?.trim()) return result;
  for (const part of text.split(",")) {
    const m = /^\s*([a-z_]+)\s*=\s*(\d+)\s*(m|h|d)\s*$/.exec(part);
    if (!m || !(m[1] in DEFAULT_TIMEOUTS)) {
      throw new Error(`"${part.trim()}" is not of the form state=NUMBER(m|h|d) with state one of ${Object.keys(DEFAULT_TIMEOUTS).join(", ")}`);
    }
    const unit = m[3] === "m" ? MIN : m[3] === "h" ? HOUR : 24 * HOUR;
    result[m[1] as RequestState] = Number(m[2]) * unit;
  }
  return result;
}

function duration(ms: number): string {
  if (ms % (24 * HOUR) === 0) return `${ms / (24 * HOUR)} day${ms === 24 * HOUR ? "" : "s"}`;
  if (ms % HOUR === 0) return `${ms / HOUR} hour${ms === HOUR ? "" : "s"}`;
  return `${Math.round(ms / MIN)} minutes`;
}

/** What a person should read when a request sits too long in a state. */
export function timeoutReason(r: Pick<RequestRow, "state" | "mediaType">, thresholdMs: number): string {
  const arr = r.mediaType === "tv" ? "Sonarr" : "Radarr";
  const d = duration(thresholdMs);
  switch (r.state) {
    case "approved":
      return `Approved ${d} ago, but ${arr} has not reported a search or a grab: check that ${arr}'s webhook points here`;
    case "searching":
      return `${arr} has found no release in ${d}`;
    case "grabbing":
      return `Sent to the download client ${d} ago, but the download has not started`;
    case "downloading":
      return `No download progress for ${d}`;
    case "downloaded":
      return `Downloaded ${d} ago, but ${arr} has not imported it`;
    case "importing":
      return `Imported ${d} ago, but not found in the library yet`;
    case "anime_matching":
      return `Waiting ${d} for Shoko to match the file: check Shoko's unrecognised files`;
    default:
      return `No change for ${d}`;
  }
}

/**
 * Pure: the requests that have sat in their state longer than its threshold. A download's clock
 * restarts with each bit of progress (the row's updatedAt); other states count from the change.
 */
export function findTimedOut(
  rows: Pick<RequestRow, "id" | "state" | "mediaType" | "stateChangedAt" | "updatedAt">[],
  thresholds: TimeoutThresholds,
  now: number,
): { requestId: number; reason: string }[] {
  const out: { requestId: number; reason: string }[] = [];
  for (const r of rows) {
    const limit = thresholds[r.state];
    if (limit === undefined) continue;
    const since = r.state === "downloading" ? Math.max(r.stateChangedAt, r.updatedAt) : r.stateChangedAt;
    if (now - since > limit) out.push({ requestId: r.id, reason: timeoutReason(r, limit) });
  }
  return out;
}

/** The job: finds overdue requests and hands TimedOut events to the pipeline. */
export function timeoutJob(deps: { db: Db; clock: Clock; runner: PipelineRunner; thresholds: TimeoutThresholds }) {
  return async () => {
    const states = Object.keys(deps.thresholds) as RequestState[];
    const rows = await deps.db
      .select({ id: requests.id, state: requests.state, mediaType: requests.mediaType, stateChangedAt: requests.stateChangedAt, updatedAt: requests.updatedAt })
      .from(requests)
      .where(and(inArray(requests.state, states), ne(requests.state, "timeout")));
    const now = deps.clock.now();
    for (const t of findTimedOut(rows, deps.thresholds, now)) {
      const row = rows.find((r) => r.id === t.requestId)!;
      const event: TimedOut = { type: "TimedOut", at: now, source: "tracker", media: { mediaType: row.mediaType, requestId: t.requestId }, reason: t.reason };
      await deps.runner.submit(event);
    }
  };
}
