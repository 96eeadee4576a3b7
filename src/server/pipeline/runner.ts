import { and, eq, getTableColumns, inArray, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { changes, downloads, episodes, requests, timeline, type ChangeKind, type DownloadRow, type EpisodeRow, type RequestRow } from "../db/schema";
import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { ChangeBus } from "../realtime/bus";
import { correlate, normaliseTitle, type Candidate, type Target } from "./correlate";
import type { DomainEvent, EpisodeRef, MediaRef } from "./events";
import { decide, newRequest, type Decision, type Effect, type Snapshot } from "./machine";

/**
 * The pipeline's shell: serialises work, loads what the pure correlator and machine need,
 * writes state + timeline + change-log row in one transaction, then publishes the change
 * on the bus and runs effects. Nothing here decides anything.
 */

export interface RunResult {
  requestId: number | null;
  created: boolean;
  changed: boolean;
  changeId?: number;
  /** Why nothing was touched, when correlation found no request. */
  unmatched?: string;
}

export type EffectHandler = (requestId: number, effect: Effect) => Promise<void>;

export interface PipelineDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  bus: ChangeBus;
  shokoEnabled: boolean;
  libraryVerification: boolean;
  /** Resolves when the pipeline may take its next event (lets acknowledging webhooks go first). */
  gate?: () => Promise<void>;
}

export class PipelineRunner {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private readonly effectHandlers: EffectHandler[] = [];

  constructor(private readonly deps: PipelineDeps) {}

  /**
   * Adds who carries out effects such as "verify in Jellyfin" (set by main once clients exist).
   * Every handler sees every effect and ignores the types it does not know.
   */
  onEffect(handler: EffectHandler): void {
    this.effectHandlers.push(handler);
  }

  /**
   * Processes one event. All work is serialised: one writer, so a request is never
   * loaded by two transitions at once and creation never races with itself.
   */
  submit(event: DomainEvent): Promise<RunResult[]> {
    this.pending++;
    // Yield to the event loop before each event: local libSQL calls resolve at once, so without
    // this the queue would drain in microtasks and starve the HTTP server (acknowledging first).
    const run = this.tail
      .then(yieldToEventLoop)
      .then(() => this.deps.gate?.())
      .then(() => this.process(event));
    this.tail = run.catch(() => undefined).finally(() => this.pending--);
    return run;
  }

  /** Resolves once everything submitted so far is done. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }

  get queueLength(): number {
    return this.pending;
  }

  private async process(event: DomainEvent): Promise<RunResult[]> {
    const loaded = await this.loadCandidates(event);
    const correlation = correlate(event, loaded.map((l) => l.candidate));
    if (correlation.unmatched !== undefined) {
      this.deps.logger.debug("event concerns no tracked request", { type: event.type, why: correlation.unmatched });
      return [{ requestId: null, created: false, changed: false, unmatched: correlation.unmatched }];
    }
    const results: RunResult[] = [];
    for (const target of correlation.targets) {
      const snapshot = loaded.find((l) => l.candidate.request.id === target.requestId)?.snapshot;
      results.push(await this.apply(event, target, snapshot));
    }
    return results;
  }

  private async apply(event: DomainEvent, target: Target, loaded?: Snapshot): Promise<RunResult> {
    const now = this.deps.clock.now();
    const scoped = target.episodes ? scopeEvent(event, target.episodes) : event;
    const before: Snapshot =
      target.requestId === null
        ? { request: newRequest(scoped, now), episodes: [], downloads: [] }
        : (loaded ?? (await this.loadSnapshot(target.requestId)));
    const decision = decide(before, scoped, {
      now,
      shokoEnabled: this.deps.shokoEnabled,
      libraryVerification: this.deps.libraryVerification,
      alreadyAvailable: target.alreadyAvailable,
    });
    const written = await this.write(before, decision, now);
    if (written.changeId !== undefined) {
      this.deps.bus.publish({ id: written.changeId, requestId: written.requestId, kind: written.kind, at: now });
    }
    for (const effect of decision.effects) this.runEffect(written.requestId, effect);
    return { requestId: written.requestId, created: target.requestId === null, changed: written.changeId !== undefined, changeId: written.changeId };
  }

  private runEffect(requestId: number, effect: Effect): void {
    for (const handler of this.effectHandlers) {
      handler(requestId, effect).catch((err: unknown) =>
        this.deps.logger.warn("effect failed", { requestId, effect: effect.type, error: err instanceof Error ? err.message : String(err) }),
      );
    }
  }

  // ---- reads ---------------------------------------------------------------------------------

  /** The requests sharing a key with the event, with their episodes and downloads (their snapshots). */
  private async loadCandidates(event: DomainEvent): Promise<{ candidate: Candidate; snapshot: Snapshot }[]> {
    const { db } = this.deps;
    const conditions: SQL[] = [];
    const media: MediaRef | undefined = "media" in event ? event.media : undefined;
    const hash = "hash" in event ? event.hash : undefined;
    if (media) {
      if (media.requestId !== undefined) conditions.push(eq(requests.id, media.requestId));
      if (media.jellyseerrRequestId !== undefined) conditions.push(eq(requests.jellyseerrRequestId, media.jellyseerrRequestId));
      const ids: SQL[] = [];
      if (media.tmdbId !== undefined) ids.push(eq(requests.tmdbId, media.tmdbId));
      if (media.tvdbId !== undefined) ids.push(eq(requests.tvdbId, media.tvdbId));
      if (media.imdbId !== undefined) ids.push(eq(requests.imdbId, media.imdbId));
      if (media.radarrId !== undefined && media.mediaType === "movie") ids.push(eq(requests.radarrId, media.radarrId));
      if (media.sonarrId !== undefined && media.mediaType === "tv") ids.push(eq(requests.sonarrId, media.sonarrId));
      if (media.title !== undefined && event.type === "AvailableHint") {
        ids.push(sql`lower(${requests.title}) = ${media.title.toLowerCase()}`);
      }
      if (ids.length > 0) conditions.push(and(eq(requests.mediaType, media.mediaType), or(...ids))!);
      const episodeTvdbIds = event.type === "AvailableHint" ? event.episodes.map((e) => e.tvdbId).filter((x): x is number => x !== undefined) : [];
      if (episodeTvdbIds.length > 0) {
        conditions.push(inArray(requests.id, db.select({ id: episodes.requestId }).from(episodes).where(inArray(episodes.tvdbId, episodeTvdbIds))));
      }
    }
    if (hash) {
      conditions.push(inArray(requests.id, db.select({ id: downloads.requestId }).from(downloads).where(eq(downloads.hash, hash))));
      conditions.push(inArray(requests.id, db.select({ id: episodes.requestId }).from(episodes).where(eq(episodes.downloadHash, hash))));
    }
    if (conditions.length === 0) return [];
    let rows = await db.select().from(requests).where(or(...conditions)).orderBy(sql`${requests.id} desc`).limit(50);
    if (event.type === "AvailableHint" && media?.title) {
      // lower() in SQL is ASCII-only and punctuation-sensitive; settle title matches here.
      const want = normaliseTitle(media.title);
      rows = rows.filter((r) => r.mediaType !== "tv" || !titleOnly(r, media) || normaliseTitle(r.title) === want);
    }
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [dls, eps] = await Promise.all([
      db.select().from(downloads).where(inArray(downloads.requestId, ids)).orderBy(downloads.firstSeenAt),
      db.select().from(episodes).where(inArray(episodes.requestId, ids)).orderBy(episodes.season, episodes.episode),
    ]);
    return rows.map((request) => {
      const ownEpisodes = eps.filter((e) => e.requestId === request.id);
      const ownDownloads = dls.filter((d) => d.requestId === request.id);
      const hashes = new Set(ownDownloads.map((d) => d.hash));
      for (const e of ownEpisodes) if (e.downloadHash !== null) hashes.add(e.downloadHash);
      return {
        candidate: { request, hashes: [...hashes], episodes: ownEpisodes },
        snapshot: { request, episodes: ownEpisodes.map(stripRequestId), downloads: ownDownloads.map(stripRequestId) },
      };
    });
  }

  private async loadSnapshot(requestId: number): Promise<Snapshot> {
    const { db } = this.deps;
    const [request] = await db.select().from(requests).where(eq(requests.id, requestId));
    if (!request) throw new Error(`request #${requestId} vanished`);
    const [eps, dls] = await Promise.all([
      db.select().from(episodes).where(eq(episodes.requestId, requestId)).orderBy(episodes.season, episodes.episode),
      db.select().from(downloads).where(eq(downloads.requestId, requestId)).orderBy(downloads.firstSeenAt),
    ]);
    return { request, episodes: eps.map(stripRequestId), downloads: dls.map(stripRequestId) };
  }

  // ---- the one write -------------------------------------------------------------------------

  private async write(
    before: Snapshot,
    decision: Decision,
    now: number,
  ): Promise<{ requestId: number; changeId?: number; kind: ChangeKind }> {
    const { db } = this.deps;
    const after = decision.snapshot;
    const isNew = before.request.id === 0;
    const requestChanged = isNew || !sameRow(before.request, after.request);
    const statements: unknown[] = [];
    let onlyProgress = !isNew && decision.timeline.length === 0 && before.request.state === after.request.state;

    let requestId = before.request.id;
    if (isNew) {
      const [{ next }] = await db.select({ next: sql<number>`coalesce(max(${requests.id}), 0) + 1` }).from(requests);
      requestId = Number(next);
      const { id: _id, ...values } = after.request;
      statements.push(db.insert(requests).values({ ...values, id: requestId, version: 1, updatedAt: now }));
    } else if (requestChanged) {
      if (!onlyProgressFieldsDiffer(before.request, after.request)) onlyProgress = false;
      // Only the changed columns: a progress tick should not rewrite thirty of them.
      const version = before.request.version;
      statements.push(
        db
          .update(requests)
          .set({ ...changedFields(before.request, after.request), version: version + 1, updatedAt: now })
          .where(and(eq(requests.id, requestId), eq(requests.version, version))),
      );
    }

    // Every changed episode in one multi-row upsert (a season pack touches a dozen at once).
    const beforeEpisodes = new Map(before.episodes.filter((e) => e.id !== undefined).map((e) => [e.id!, e]));
    const changedEpisodes: (typeof episodes.$inferInsert)[] = [];
    for (const ep of after.episodes) {
      const prev = ep.id === undefined ? undefined : beforeEpisodes.get(ep.id);
      if (prev && sameRow(prev, ep)) continue;
      if (!prev || prev.state !== ep.state) onlyProgress = false;
      const { id: _id, ...values } = ep;
      changedEpisodes.push({ ...values, requestId });
    }
    if (changedEpisodes.length > 0) {
      statements.push(
        db
          .insert(episodes)
          .values(changedEpisodes)
          .onConflictDoUpdate({ target: [episodes.requestId, episodes.season, episodes.episode], set: excludedSet(episodes, ["id", "requestId", "season", "episode"]) }),
      );
    }

    const beforeDownloads = new Map(before.downloads.map((d) => [d.hash, d]));
    const afterHashes = new Set(after.downloads.map((d) => d.hash));
    const changedDownloads = after.downloads.filter((dl) => !sameRow(beforeDownloads.get(dl.hash) ?? {}, dl)).map((dl) => ({ ...dl, requestId }));
    if (changedDownloads.length > 0) {
      statements.push(
        db
          .insert(downloads)
          .values(changedDownloads)
          .onConflictDoUpdate({ target: [downloads.hash, downloads.requestId], set: excludedSet(downloads, ["hash", "requestId"]) }),
      );
    }
    const removed = before.downloads.filter((prev) => !afterHashes.has(prev.hash)).map((d) => d.hash);
    if (removed.length > 0) {
      onlyProgress = false;
      statements.push(db.delete(downloads).where(and(eq(downloads.requestId, requestId), inArray(downloads.hash, removed))));
    }

    if (decision.timeline.length > 0) statements.push(db.insert(timeline).values(decision.timeline.map((t) => ({ ...t, requestId }))));

    if (statements.length === 0) return { requestId, kind: "request" };

    const kind: ChangeKind = onlyProgress ? "progress" : "request";
    if (kind === "progress") {
      // Coalesce: a request's latest progress replaces its previous progress row.
      statements.push(db.delete(changes).where(and(eq(changes.requestId, requestId), eq(changes.kind, "progress"))));
    }
    statements.push(db.insert(changes).values({ requestId, kind, at: now }).returning({ id: changes.id }));

    const results = (await db.batch(statements as unknown as Parameters<Db["batch"]>[0])) as unknown as unknown[];
    if (!isNew && requestChanged) {
      const update = results[0] as { rowsAffected?: number };
      if (update.rowsAffected === 0) throw new Error(`request #${requestId} was changed concurrently`);
    }
    const last = results[results.length - 1] as { id: number }[];
    return { requestId, changeId: Number(last[0].id), kind };
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function changedFields(before: RequestRow, after: RequestRow): Partial<RequestRow> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof RequestRow)[]) {
    if (key === "id" || key === "version") continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = after[key];
  }
  return out as Partial<RequestRow>;
}

function stripRequestId<T extends EpisodeRow | DownloadRow>(row: T): Omit<T, "requestId"> {
  const { requestId: _r, ...rest } = row;
  return rest;
}

/** `SET col = excluded.col` for every column but the key ones, for multi-row upserts. */
function excludedSet(table: typeof episodes | typeof downloads, keep: string[]): Record<string, SQL> {
  const set: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(getTableColumns(table)) as [string, SQLiteColumn][]) {
    if (!keep.includes(key)) set[key] = sql.raw(`excluded."${column.name}"`);
  }
  return set;
}

/** The part of an event that concerns one request's episodes. */
function scopeEvent(event: DomainEvent, eps: EpisodeRef[]): DomainEvent {
  const keep = (x: EpisodeRef) => eps.some((e) => e.season === x.season && e.episode === x.episode);
  switch (event.type) {
    case "Imported":
      return { ...event, files: event.files.map((f) => ({ ...f, episodes: f.episodes.filter(keep) })).filter((f) => f.episodes.length > 0) };
    case "Grabbed":
    case "ImportBlocked":
    case "AvailableHint":
    case "AnimeMatched":
    case "MatchFailed":
    case "FileDeleted":
      return { ...event, episodes: event.episodes.filter(keep) };
    case "SeenInLibrary":
      return { ...event, episodes: event.episodes.filter(keep) };
    case "EpisodesExpected":
      return { ...event, episodes: event.episodes.filter(keep) };
    default:
      return event;
  }
}

function titleOnly(r: RequestRow, m: MediaRef): boolean {
  const shares = (a: unknown, b: unknown) => a !== null && a !== undefined && a === b;
  return !(shares(r.tvdbId, m.tvdbId) || shares(r.tmdbId, m.tmdbId) || shares(r.imdbId, m.imdbId) || shares(r.sonarrId, m.sonarrId));
}

function sameRow(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const PROGRESS_FIELDS = new Set(["progress", "updatedAt"]);
function onlyProgressFieldsDiffer(a: RequestRow, b: RequestRow): boolean {
  for (const key of Object.keys(a) as (keyof RequestRow)[]) {
    if (PROGRESS_FIELDS.has(key)) continue;
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) return false;
  }
  return true;
}
