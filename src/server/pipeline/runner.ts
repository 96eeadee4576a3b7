import { and, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { changes, downloads, episodes, requests, timeline, type ChangeKind, type RequestRow } from "../db/schema";
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
}

export class PipelineRunner {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private effectHandler: EffectHandler | null = null;

  constructor(private readonly deps: PipelineDeps) {}

  /** Who carries out effects such as "verify in Jellyfin" (set by main once clients exist). */
  onEffect(handler: EffectHandler): void {
    this.effectHandler = handler;
  }

  /**
   * Processes one event. All work is serialised: one writer, so a request is never
   * loaded by two transitions at once and creation never races with itself.
   */
  submit(event: DomainEvent): Promise<RunResult[]> {
    this.pending++;
    const run = this.tail.then(() => this.process(event));
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
    const candidates = await this.loadCandidates(event);
    const correlation = correlate(event, candidates);
    if (correlation.unmatched !== undefined) {
      this.deps.logger.debug("event concerns no tracked request", { type: event.type, why: correlation.unmatched });
      return [{ requestId: null, created: false, changed: false, unmatched: correlation.unmatched }];
    }
    const results: RunResult[] = [];
    for (const target of correlation.targets) results.push(await this.apply(event, target));
    return results;
  }

  private async apply(event: DomainEvent, target: Target): Promise<RunResult> {
    const now = this.deps.clock.now();
    const scoped = target.episodes ? scopeEvent(event, target.episodes) : event;
    const before: Snapshot =
      target.requestId === null
        ? { request: newRequest(scoped, now), episodes: [], downloads: [] }
        : await this.loadSnapshot(target.requestId);
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
    const handler = this.effectHandler;
    if (!handler) return;
    handler(requestId, effect).catch((err: unknown) =>
      this.deps.logger.warn("effect failed", { requestId, effect: effect.type, error: err instanceof Error ? err.message : String(err) }),
    );
  }

  // ---- reads ---------------------------------------------------------------------------------

  private async loadCandidates(event: DomainEvent): Promise<Candidate[]> {
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
    let rows = await db.select().from(requests).where(or(...conditions)).orderBy(sql`${requests.id} desc`).limit(200);
    if (event.type === "AvailableHint" && media?.title) {
      // lower() in SQL is ASCII-only and punctuation-sensitive; settle title matches here.
      const want = normaliseTitle(media.title);
      rows = rows.filter((r) => r.mediaType !== "tv" || !titleOnly(r, media) || normaliseTitle(r.title) === want);
    }
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [dls, eps] = await Promise.all([
      db.select({ requestId: downloads.requestId, hash: downloads.hash }).from(downloads).where(inArray(downloads.requestId, ids)),
      db
        .select({ requestId: episodes.requestId, season: episodes.season, episode: episodes.episode, tvdbId: episodes.tvdbId, hash: episodes.downloadHash })
        .from(episodes)
        .where(inArray(episodes.requestId, ids)),
    ]);
    return rows.map((request) => ({
      request,
      hashes: [
        ...new Set([
          ...dls.filter((d) => d.requestId === request.id).map((d) => d.hash),
          ...eps.filter((e) => e.requestId === request.id && e.hash !== null).map((e) => e.hash!),
        ]),
      ],
      episodes: eps.filter((e) => e.requestId === request.id),
    }));
  }

  private async loadSnapshot(requestId: number): Promise<Snapshot> {
    const { db } = this.deps;
    const [request] = await db.select().from(requests).where(eq(requests.id, requestId));
    if (!request) throw new Error(`request #${requestId} vanished`);
    const [eps, dls] = await Promise.all([
      db.select().from(episodes).where(eq(episodes.requestId, requestId)).orderBy(episodes.season, episodes.episode),
      db.select().from(downloads).where(eq(downloads.requestId, requestId)).orderBy(downloads.firstSeenAt),
    ]);
    return {
      request,
      episodes: eps.map(({ requestId: _r, ...e }) => e),
      downloads: dls.map(({ requestId: _r, ...d }) => d),
    };
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
      const { id: _id, version, ...values } = after.request;
      statements.push(
        db
          .update(requests)
          .set({ ...values, version: version + 1, updatedAt: now })
          .where(and(eq(requests.id, requestId), eq(requests.version, version))),
      );
    }

    const beforeEpisodes = new Map(before.episodes.filter((e) => e.id !== undefined).map((e) => [e.id!, e]));
    for (const ep of after.episodes) {
      if (ep.id === undefined) {
        onlyProgress = false;
        statements.push(db.insert(episodes).values({ ...ep, requestId }));
        continue;
      }
      const prev = beforeEpisodes.get(ep.id);
      if (prev && sameRow(prev, ep)) continue;
      if (prev && prev.state !== ep.state) onlyProgress = false;
      const { id, ...values } = ep;
      statements.push(db.update(episodes).set(values).where(eq(episodes.id, id)));
    }

    const beforeDownloads = new Map(before.downloads.map((d) => [d.hash, d]));
    const afterHashes = new Set(after.downloads.map((d) => d.hash));
    for (const dl of after.downloads) {
      const prev = beforeDownloads.get(dl.hash);
      if (prev && sameRow(prev, dl)) continue;
      if (!prev) {
        statements.push(db.insert(downloads).values({ ...dl, requestId }));
      } else {
        const { hash, ...values } = dl;
        statements.push(db.update(downloads).set(values).where(and(eq(downloads.hash, hash), eq(downloads.requestId, requestId))));
      }
    }
    for (const prev of before.downloads) {
      if (!afterHashes.has(prev.hash)) {
        onlyProgress = false;
        statements.push(db.delete(downloads).where(and(eq(downloads.hash, prev.hash), eq(downloads.requestId, requestId))));
      }
    }

    for (const t of decision.timeline) statements.push(db.insert(timeline).values({ ...t, requestId }));

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
