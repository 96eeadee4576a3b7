import { eq } from "drizzle-orm";
import type { RequestState } from "@/lib/states";
import type { Db } from "../db/client";
import { downloads, episodes, requests, type DownloadRow, type EpisodeRow, type RequestRow } from "../db/schema";
import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { ServiceClients } from "../container";
import type { LibraryVerifier } from "../pollers/library";
import type { DomainEvent } from "../pipeline/events";
import type { RunResult } from "../pipeline/runner";
import { ServiceError } from "../clients/http";

/*
 * What every admin action shares: its dependencies, the outcome a page shows, the error an
 * action refuses with, and the gate that makes pressing a button twice harmless.
 */

/** Who pressed the button (the signed-in admin). */
export interface ActingUser {
  id: string;
  name: string;
}

/** Where admin actions hand their events: the pipeline runner. */
export interface EventSubmitter {
  submit(event: DomainEvent): Promise<RunResult[]>;
}

export interface ActionDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  runner: EventSubmitter;
  services: ServiceClients;
  /** Jellyfin verification; null when Jellyfin is not configured. */
  verifier: LibraryVerifier | null;
  /** How long a finished action's outcome answers a second press (default 30 s). */
  repeatWindowMs?: number;
}

/** One thing an action did to one service, and what the service said afterwards. */
export interface ActionStep {
  /** "Radarr", "qBittorrent", "Jellyseerr", ... */
  service: string;
  ok: boolean;
  message: string;
}

/** What a retry or a "verify now" did, as a page shows it. */
export interface ActionOutcome {
  action: "retry" | "verify";
  requestId: number;
  /** Everything it asked for was done and checked. */
  ok: boolean;
  /** One sentence for the page. */
  message: string;
  /** Retry: the stage it found the request in; null for verify. */
  stage: "search" | "download" | "import" | "matching" | "library" | null;
  /** Each service call and what the service said afterwards, in order. */
  steps: ActionStep[];
  /** The request after the action. */
  state: RequestState;
  stuckReason: string | null;
  /** When the action ran (ISO 8601). */
  at: string;
  /** A second press answered with the first press's outcome; nothing was sent again. */
  repeated: boolean;
}

/** Why an action refuses to run, worded for the admin; `code` maps to a tRPC error code. */
export class ActionError extends Error {
  constructor(
    readonly code: "NOT_FOUND" | "CONFLICT",
    message: string,
  ) {
    super(message);
    this.name = "ActionError";
  }
}

/**
 * Runs each key's work once: a second call while the first runs, or within `windowMs` after it
 * finished, gets the first call's result (marked repeated) and starts nothing. Failures are not
 * remembered, so a refused action can be pressed again at once.
 */
export class OnceGate<T> {
  private readonly entries = new Map<string, { promise: Promise<T>; doneAt: number | null }>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  async run(key: string, work: () => Promise<T>): Promise<{ value: T; repeated: boolean }> {
    const now = this.clock.now();
    this.prune(now);
    const previous = this.entries.get(key);
    if (previous && (previous.doneAt === null || now - previous.doneAt < this.windowMs)) {
      return { value: await previous.promise, repeated: true };
    }
    const entry: { promise: Promise<T>; doneAt: number | null } = { promise: work(), doneAt: null };
    this.entries.set(key, entry);
    try {
      const value = await entry.promise;
      entry.doneAt = this.clock.now();
      return { value, repeated: false };
    } catch (err) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw err;
    }
  }

  /** Forgets a key (e.g. a deletion step that has to be runnable again at once). */
  forget(key: string): void {
    this.entries.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) if (entry.doneAt !== null && now - entry.doneAt >= this.windowMs) this.entries.delete(key);
  }
}

export interface LoadedRequest {
  request: RequestRow;
  episodes: EpisodeRow[];
  downloads: DownloadRow[];
}

export async function loadRequest(db: Db, requestId: number): Promise<LoadedRequest> {
  const [request] = await db.select().from(requests).where(eq(requests.id, requestId));
  if (!request) throw new ActionError("NOT_FOUND", `Request #${requestId} does not exist`);
  const [eps, dls] = await Promise.all([
    db.select().from(episodes).where(eq(episodes.requestId, requestId)).orderBy(episodes.season, episodes.episode),
    db.select().from(downloads).where(eq(downloads.requestId, requestId)).orderBy(downloads.firstSeenAt),
  ]);
  return { request, episodes: eps, downloads: dls };
}

export async function requestState(db: Db, requestId: number): Promise<{ state: RequestState; stuckReason: string | null }> {
  const [row] = await db.select({ state: requests.state, stuckReason: requests.stuckReason }).from(requests).where(eq(requests.id, requestId));
  if (!row) throw new ActionError("NOT_FOUND", `Request #${requestId} does not exist`);
  return row;
}

/**
 * Route handlers run in Next's own module graph, where the container's ActionError is another
 * class: recognise it by name, not with instanceof.
 */
export function isActionError(err: unknown): err is ActionError {
  return err instanceof Error && err.name === "ActionError" && (err as { code?: unknown }).code !== undefined;
}

/** A failed call in one line for the admin: the client's ServiceError already names the service. */
export function errorText(err: unknown): string {
  if (err instanceof ServiceError || isActionError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/** A 404 from a DELETE: the thing is already gone, which is what was wanted. */
export function isNotFound(err: unknown): boolean {
  return err instanceof ServiceError && err.kind === "not_found";
}

export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** "a, b and c" */
export function listText(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
