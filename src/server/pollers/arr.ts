import { recordServiceVersion } from "./versions";
import { and, desc, eq, inArray } from "drizzle-orm";
import { REQUEST_STATES, isActiveState, type EpisodeState, type MediaType, type RequestState } from "@/lib/states";
import type { Db } from "../db/client";
import { downloads, episodes, requests, type EpisodeRow, type RequestRow } from "../db/schema";
import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { PipelineRunner } from "../pipeline/runner";
import type { AnimeHint, DomainEvent, EpisodeRef, ExpectedEpisode, ImportedFile, MediaRef } from "../pipeline/events";
import { ServiceError } from "../clients/http";
import { arrAnimeHint, isImportBlocked, queueStuckReason, type ArrClient, type QueueProblemInput } from "../clients/arr";
import type { RadarrClient, RadarrMovie, RadarrQueueRecord } from "../clients/radarr";
import type { SonarrClient, SonarrEpisode, SonarrQueueRecord, SonarrSeries } from "../clients/sonarr";
import type { JobContext, JobSpec } from "./scheduler";

/*
 * The Sonarr and Radarr pollers: what webhooks do not tell, or lost. *arr never retries a webhook,
 * so each run reconciles the tracked requests with the arr:
 *  - the queue: a download of a tracked request that never had its Grab webhook becomes Grabbed;
 *    a queue item the arr cannot import (or that has a problem) gives the request a stuck reason a
 *    person understands, and clears it when the item recovers or leaves the queue;
 *  - missed imports: a request still waiting whose movie (or wanted episodes) now has its file in
 *    the arr becomes Imported, as the lost Download webhook would have said;
 *  - expected episodes (Sonarr): every episode of the requested seasons with its air date, so an
 *    airing show knows what is still to come.
 * Like every poller it only emits events; the pipeline decides. Emitting is change-driven (a small
 * in-memory memo per download), so a quiet queue costs one request per run.
 */

export interface ArrPollerOptions {
  /** Between runs while a request of the service is under way. */
  activeIntervalMs: number;
  /** Between runs otherwise (a health check). */
  idleIntervalMs: number;
  /** How often a request's files are checked in the arr (sooner when its download left the queue). */
  fileCheckMs: number;
  /** How often a TV request's episode list is fetched again (sooner when an air date passed). */
  expectedRefreshMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_ARR_POLLER_OPTIONS: ArrPollerOptions = {
  activeIntervalMs: 15_000,
  idleIntervalMs: 60_000,
  fileCheckMs: 60_000,
  expectedRefreshMs: 5 * 60_000,
  maxBackoffMs: 5 * 60_000,
};

export interface ArrPollerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  runner: PipelineRunner;
  sonarr?: SonarrClient;
  radarr?: RadarrClient;
  options?: Partial<ArrPollerOptions>;
}

/** One job per configured service, named after it ("sonarr", "radarr"). */
export function arrPollers(deps: ArrPollerDeps): JobSpec[] {
  const options = { ...DEFAULT_ARR_POLLER_OPTIONS, ...deps.options };
  const jobs: JobSpec[] = [];
  if (deps.sonarr) jobs.push(new SonarrPoller(deps, deps.sonarr, options).job());
  if (deps.radarr) jobs.push(new RadarrPoller(deps, deps.radarr, options).job());
  return jobs;
}

// ---- shared ------------------------------------------------------------------------------------

/** Requests the pollers look after: not finished, not failed for good. */
const POLLED_STATES: RequestState[] = REQUEST_STATES.filter(isActiveState);

/** States in which a request may still be waiting for its import (the webhook may have been lost). */
const AWAITING_IMPORT: RequestState[] = ["approved", "searching", "grabbing", "downloading", "downloaded", "importing", "timeout"];

/** Episode states before the import; "failed" covers a file deleted and downloaded again. */
const EPISODE_AWAITING_IMPORT: EpisodeState[] = ["unaired", "wanted", "grabbing", "downloading", "downloaded", "failed"];

/** Queue states whose download is over for the arr; nothing to recover from them. */
const FINISHED_QUEUE_STATES = new Set(["imported", "failed", "failedpending", "ignored"]);

/**
 * A file older than the request's grab by more than this is the file the grab is replacing (an
 * upgrade under way), not its import. Allows for the arr's clock differing from ours.
 */
const CLOCK_SLACK_MS = 10 * 60_000;

/** Tag labels change rarely. */
const TAG_CACHE_MS = 10 * 60_000;

interface TrackedRequest {
  row: RequestRow;
  /** Lower-case hashes the request knows (downloads and episodes). */
  hashes: Set<string>;
  downloads: { hash: string; firstSeenAt: number }[];
  episodes: EpisodeRow[];
}

/** What the last runs said about one download of one request. */
interface DownloadMemo {
  reason: string | null | undefined;
  grabEmitted: boolean;
}

interface QueueRecordLike extends QueueProblemInput {
  id: number;
  hash?: string;
  added?: number;
}

interface QueueGroup<R extends QueueRecordLike> {
  hash: string;
  records: R[];
}

abstract class ArrPoller<R extends QueueRecordLike> {
  protected readonly memo = new Map<string, DownloadMemo>();
  protected readonly lastFileCheck = new Map<number, number>();
  protected hasActive = false;
  private version: string | undefined;
  private tagCache: { labels: Map<number, string>; at: number } | undefined;
  protected readonly log: Logger;

  constructor(
    protected readonly deps: ArrPollerDeps,
    protected readonly client: ArrClient,
    readonly name: "sonarr" | "radarr",
    protected readonly options: ArrPollerOptions,
  ) {
    this.log = deps.logger.child(name);
  }

  job(): JobSpec {
    return {
      name: this.name,
      service: this.name,
      interval: () => (this.hasActive ? this.options.activeIntervalMs : this.options.idleIntervalMs),
      run: (ctx) => this.run(ctx),
      maxBackoffMs: this.options.maxBackoffMs,
    };
  }

  protected abstract readonly mediaType: MediaType;
  /** The requests to look at this run (beyond the active ones, Sonarr adds airing shows). */
  protected abstract poll(tracked: TrackedRequest[], ctx: JobContext, now: number): Promise<void>;

  async run(ctx: JobContext): Promise<void> {
    const now = this.deps.clock.now();
    const tracked = await this.loadTracked();
    this.hasActive = tracked.some((t) => POLLED_STATES.includes(t.row.state));
    if (tracked.length === 0 || this.version === undefined) await this.checkStatus();
    this.forgetFinished(tracked);
    if (tracked.length === 0) return;
    await this.poll(tracked, ctx, now);
  }

  /** System status: the health check when idle, and the version for the log. */
  private async checkStatus(): Promise<void> {
    const status = await this.client.systemStatus();
    if (status.version !== this.version) {
      this.log.info(`${this.client.service} ${status.version}`, { instance: status.instanceName });
      this.version = status.version;
      await recordServiceVersion(this.deps.db, this.client.service.toLowerCase(), status.version, this.deps.clock.now());
    }
  }

  protected async loadTracked(extra: RequestRow[] = []): Promise<TrackedRequest[]> {
    const { db } = this.deps;
    const active = await db
      .select()
      .from(requests)
      .where(and(eq(requests.mediaType, this.mediaType), inArray(requests.state, POLLED_STATES)))
      .orderBy(desc(requests.createdAt), desc(requests.id));
    const rows = [...active, ...extra.filter((x) => !active.some((a) => a.id === x.id))];
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [dls, eps] = await Promise.all([
      db.select({ requestId: downloads.requestId, hash: downloads.hash, firstSeenAt: downloads.firstSeenAt }).from(downloads).where(inArray(downloads.requestId, ids)),
      this.mediaType === "tv" ? db.select().from(episodes).where(inArray(episodes.requestId, ids)) : Promise.resolve([] as EpisodeRow[]),
    ]);
    return rows.map((row) => {
      const own = dls.filter((d) => d.requestId === row.id);
      const ownEpisodes = eps.filter((e) => e.requestId === row.id).sort((a, b) => a.season - b.season || a.episode - b.episode);
      const hashes = new Set(own.map((d) => d.hash));
      for (const e of ownEpisodes) if (e.downloadHash) hashes.add(e.downloadHash);
      return { row, hashes, downloads: own, episodes: ownEpisodes };
    });
  }

  /** Drops the memo of requests no longer looked after. */
  private forgetFinished(tracked: TrackedRequest[]): void {
    const ids = new Set(tracked.map((t) => t.row.id));
    for (const key of this.memo.keys()) if (!ids.has(Number(key.split("|")[0]))) this.memo.delete(key);
    for (const id of this.lastFileCheck.keys()) if (!ids.has(id)) this.lastFileCheck.delete(id);
  }

  protected groupByHash(records: R[]): QueueGroup<R>[] {
    const groups = new Map<string, R[]>();
    for (const r of records) {
      // Without a hash (held by a delay profile) nothing ties the item to a download yet.
      if (!r.hash) continue;
      groups.set(r.hash, [...(groups.get(r.hash) ?? []), r]);
    }
    return [...groups.entries()].map(([hash, recs]) => ({ hash, records: recs }));
  }

  /**
   * One download of one request: recovers a missed Grab, then says (once) what is wrong with it,
   * or that it recovered.
   */
  protected async reconcileDownload(
    t: TrackedRequest,
    group: QueueGroup<R>,
    grabbed: () => Promise<DomainEvent | undefined>,
    media: MediaRef,
    episodes: EpisodeRef[],
  ): Promise<void> {
    const key = `${t.row.id}|${group.hash}`;
    const memo = this.memo.get(key) ?? { reason: undefined, grabEmitted: false };
    this.memo.set(key, memo);
    const record = group.records.find((r) => r.statusMessages.some((m) => m.messages.length > 0)) ?? group.records[0];
    const state = record.trackedDownloadState?.toLowerCase() ?? "";
    let currentReason = t.row.stuckReason;

    if (!t.hashes.has(group.hash) && !memo.grabEmitted && !FINISHED_QUEUE_STATES.has(state)) {
      const event = await grabbed();
      if (event) {
        await this.submit(event);
        memo.grabEmitted = true;
        currentReason = null; // a grab moves the request on, which clears its reason
      }
    }

    const reason = queueStuckReason(record);
    if (reason === memo.reason) return;
    const now = this.deps.clock.now();
    const base = { at: now, source: this.name, media, hash: group.hash } as const;
    if (reason !== null && reason !== currentReason) {
      await this.submit(isImportBlocked(record) ? { ...base, type: "ImportBlocked", episodes, reason } : { ...base, type: "StatusNote", stuckReason: reason });
    } else if (reason === null && memo.reason && currentReason === memo.reason) {
      await this.submit({ ...base, type: "StatusNote", stuckReason: null });
    }
    memo.reason = reason;
  }

  /**
   * Downloads of a request that left the queue since the last run: a reason this poller gave is
   * cleared (imported, removed or failed, the item no longer speaks). Returns whether any left.
   */
  protected async leftQueue(t: TrackedRequest, seen: Set<string>, media: MediaRef): Promise<boolean> {
    let left = false;
    for (const [key, memo] of this.memo) {
      if (!key.startsWith(`${t.row.id}|`) || seen.has(key)) continue;
      left = true;
      this.memo.delete(key);
      if (memo.reason && t.row.stuckReason === memo.reason) {
        await this.submit({ type: "StatusNote", at: this.deps.clock.now(), source: this.name, media, hash: key.split("|")[1], stuckReason: null });
      }
    }
    return left;
  }

  protected fileCheckDue(t: TrackedRequest, now: number, leftQueue: boolean): boolean {
    const last = this.lastFileCheck.get(t.row.id);
    return leftQueue || last === undefined || now - last >= this.options.fileCheckMs;
  }

  protected async tagLabels(ids: number[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const now = this.deps.clock.now();
    const cache = this.tagCache;
    if (!cache || now - cache.at > TAG_CACHE_MS || ids.some((id) => !cache.labels.has(id))) {
      const tags = await this.client.tags();
      this.tagCache = { labels: new Map(tags.map((tag) => [tag.id, tag.label])), at: now };
    }
    return ids.map((id) => this.tagCache!.labels.get(id)).filter((l): l is string => l !== undefined);
  }

  protected async submit(event: DomainEvent): Promise<void> {
    await this.deps.runner.submit(event);
  }

  /**
   * Runs one request's work; a service-level failure (down, timing out, wrong key) fails the run,
   * anything about this one request is logged and the others go on.
   */
  protected async guarded(t: TrackedRequest, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (err instanceof ServiceError && (err.kind === "unreachable" || err.kind === "timeout" || err.kind === "auth")) throw err;
      this.log.warn("could not reconcile a request", { requestId: t.row.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
}

// ---- Radarr ------------------------------------------------------------------------------------

class RadarrPoller extends ArrPoller<RadarrQueueRecord> {
  protected readonly mediaType = "movie" as const;

  constructor(deps: ArrPollerDeps, private readonly radarr: RadarrClient, options: ArrPollerOptions) {
    super(deps, radarr, "radarr", options);
  }

  protected async poll(tracked: TrackedRequest[], ctx: JobContext, now: number): Promise<void> {
    const queue = await this.radarr.queue();
    const groups = this.groupByHash(queue);
    const byRequest = new Map<number, QueueGroup<RadarrQueueRecord>[]>();
    for (const group of groups) {
      const owner = this.ownerOf(group, tracked);
      if (owner) byRequest.set(owner.row.id, [...(byRequest.get(owner.row.id) ?? []), group]);
    }

    for (const t of tracked) {
      if (ctx.signal.aborted) return;
      await this.guarded(t, async () => {
        const mine = byRequest.get(t.row.id) ?? [];
        const seen = new Set<string>();
        for (const group of mine) {
          seen.add(`${t.row.id}|${group.hash}`);
          const record = group.records[0];
          const media = movieMedia(t.row, record.movie, record.movieId);
          await this.reconcileDownload(t, group, () => this.grabbedFrom(t, group, media), media, []);
        }
        const left = await this.leftQueue(t, seen, movieMedia(t.row));
        // While its download is in the queue, the film is not imported yet.
        if (mine.length === 0 && AWAITING_IMPORT.includes(t.row.state) && t.row.state !== "importing" && this.fileCheckDue(t, now, left)) {
          this.lastFileCheck.set(t.row.id, now);
          await this.checkImported(t);
        }
      });
    }
  }

  /** The request a download belongs to: by hash, else by Radarr id or TMDB id (newest request first). */
  private ownerOf(group: QueueGroup<RadarrQueueRecord>, tracked: TrackedRequest[]): TrackedRequest | undefined {
    const byHash = tracked.find((t) => t.hashes.has(group.hash));
    if (byHash) return byHash;
    const r = group.records[0];
    const tmdbId = r.movie?.tmdbId;
    return tracked.find(
      (t) => POLLED_STATES.includes(t.row.state) && ((r.movieId !== undefined && t.row.radarrId === r.movieId) || (tmdbId !== undefined && t.row.tmdbId === tmdbId)),
    );
  }

  private async grabbedFrom(t: TrackedRequest, group: QueueGroup<RadarrQueueRecord>, media: MediaRef): Promise<DomainEvent> {
    const r = group.records[0];
    return {
      type: "Grabbed",
      at: r.added ?? this.deps.clock.now(),
      source: "radarr",
      media,
      info: { title: r.movie?.title, year: r.movie?.year },
      hash: group.hash,
      downloadClient: r.downloadClient,
      release: { title: r.title, quality: r.quality, indexer: r.indexer, size: r.size },
      episodes: [],
      anime: r.movie ? await this.animeOf(r.movie) : undefined,
    };
  }

  /** The film has its file in Radarr but the request never heard of the import: the lost Download webhook. */
  private async checkImported(t: TrackedRequest): Promise<void> {
    const movie = (t.row.radarrId !== null ? await this.radarr.movie(t.row.radarrId) : null) ?? (t.row.tmdbId !== null ? await this.radarr.movieByTmdb(t.row.tmdbId) : null);
    const file = movie?.movieFile;
    // Already recorded (e.g. a request that timed out waiting for the library): nothing new to say.
    if (!movie?.hasFile || !file?.path || file.path === t.row.importedPath) return;
    const lastGrab = Math.max(...t.downloads.map((d) => d.firstSeenAt), -Infinity);
    if (file.dateAdded !== undefined && Number.isFinite(lastGrab) && file.dateAdded < lastGrab - CLOCK_SLACK_MS) return;
    const history = await this.radarr.movieHistory(movie.id);
    const imported = history.find((h) => h.eventType === "downloadFolderImported" && h.data.importedPath === file.path) ?? history.find((h) => h.eventType === "downloadFolderImported");
    await this.submit({
      type: "Imported",
      at: file.dateAdded ?? this.deps.clock.now(),
      source: "radarr",
      media: movieMedia(t.row, movie, movie.id),
      info: { title: movie.title, year: movie.year },
      hash: imported?.hash,
      files: [{ path: file.path, episodes: [] }],
      isUpgrade: false,
      anime: await this.animeOf(movie),
    });
  }

  private async animeOf(movie: RadarrMovie): Promise<AnimeHint | undefined> {
    return arrAnimeHint({ tagLabels: await this.tagLabels(movie.tags), paths: [movie.rootFolderPath, movie.path] });
  }
}

function movieMedia(row: RequestRow, movie?: RadarrMovie | null, radarrId?: number): MediaRef {
  return { mediaType: "movie", requestId: row.id, radarrId: radarrId ?? row.radarrId ?? undefined, tmdbId: movie?.tmdbId, imdbId: movie?.imdbId };
}

// ---- Sonarr ------------------------------------------------------------------------------------

class SonarrPoller extends ArrPoller<SonarrQueueRecord> {
  protected readonly mediaType = "tv" as const;
  private readonly lastExpected = new Map<number, number>();
  private readonly seriesCache = new Map<number, { series: SonarrSeries; at: number }>();

  constructor(deps: ArrPollerDeps, private readonly sonarr: SonarrClient, options: ArrPollerOptions) {
    super(deps, sonarr, "sonarr", options);
  }

  /** Also airing shows that are available: their unaired episodes still have to be watched for. */
  protected override async loadTracked(): Promise<TrackedRequest[]> {
    const airing = await this.deps.db
      .select()
      .from(requests)
      .where(
        and(
          eq(requests.mediaType, "tv"),
          eq(requests.state, "available"),
          inArray(requests.id, this.deps.db.select({ id: episodes.requestId }).from(episodes).where(eq(episodes.state, "unaired"))),
        ),
      );
    const tracked = await super.loadTracked(airing);
    const ids = new Set(tracked.map((t) => t.row.id));
    for (const id of this.lastExpected.keys()) if (!ids.has(id)) this.lastExpected.delete(id);
    for (const id of this.seriesCache.keys()) if (!ids.has(id)) this.seriesCache.delete(id);
    return tracked;
  }

  protected async poll(tracked: TrackedRequest[], ctx: JobContext, now: number): Promise<void> {
    const queue = await this.sonarr.queue();
    const byRequest = this.assign(this.groupByHash(queue), tracked);

    for (const t of tracked) {
      if (ctx.signal.aborted) return;
      await this.guarded(t, async () => {
        const mine = byRequest.get(t.row.id) ?? [];
        const seasons = scopeSeasons(t, mine);
        const expectedDue = seasons.length > 0 && this.expectedDue(t, now);

        // Expected episodes first, so a recovered grab or import lands on a request that knows its scope.
        let list: { series: SonarrSeries; episodes: SonarrEpisode[] } | null | undefined;
        const fetchList = async () => (list === undefined ? (list = await this.episodeList(t, now)) : list);
        if (expectedDue) {
          this.lastExpected.set(t.row.id, now);
          const got = await fetchList();
          if (got) await this.expect(t, got.series, got.episodes, seasons, now);
        }

        const seen = new Set<string>();
        for (const group of mine) {
          seen.add(`${t.row.id}|${group.hash}`);
          const record = group.records[0];
          const media = seriesMedia(t.row, record.series, record.seriesId);
          const refs = episodeRefsOf(group.records);
          // A blocked pack is about the episodes still without a file, not those it already imported.
          const waiting = episodeRefsOf(group.records.filter((r) => r.episodeHasFile !== true));
          await this.reconcileDownload(t, group, () => this.grabbedFrom(group, media, refs), media, waiting.length > 0 ? waiting : refs);
        }
        const left = await this.leftQueue(t, seen, seriesMedia(t.row));

        if (seasons.length > 0 && awaitsImport(t, now) && this.fileCheckDue(t, now, left)) {
          this.lastFileCheck.set(t.row.id, now);
          const got = await fetchList();
          if (got) await this.checkImported(t, got.series, got.episodes, seasons);
        }
      });
    }
  }

  /**
   * Gives each download's episode records to the request that owns them: the request that knows
   * the hash, else the newest request of the series that asked for the episode's season (or for
   * no particular season). Episodes of seasons nobody asked for are not ours.
   */
  private assign(groups: QueueGroup<SonarrQueueRecord>[], tracked: TrackedRequest[]): Map<number, QueueGroup<SonarrQueueRecord>[]> {
    const out = new Map<number, QueueGroup<SonarrQueueRecord>[]>();
    const add = (t: TrackedRequest, group: QueueGroup<SonarrQueueRecord>) => {
      const list = out.get(t.row.id) ?? [];
      const existing = list.find((g) => g.hash === group.hash);
      if (existing) existing.records.push(...group.records);
      else list.push(group);
      out.set(t.row.id, list);
    };
    for (const group of groups) {
      const byHash = tracked.find((t) => t.hashes.has(group.hash));
      if (byHash) {
        add(byHash, group);
        continue;
      }
      for (const record of group.records) {
        const season = record.seasonNumber ?? record.episode?.seasonNumber;
        const tvdbId = record.series?.tvdbId;
        const ofSeries = tracked.filter((t) => (record.seriesId !== undefined && t.row.sonarrId === record.seriesId) || (tvdbId !== undefined && t.row.tvdbId === tvdbId));
        const owner =
          ofSeries.find((t) => season !== undefined && t.row.requestedSeasons.includes(season)) ?? ofSeries.find((t) => t.row.requestedSeasons.length === 0);
        if (owner) add(owner, { hash: group.hash, records: [record] });
      }
    }
    return out;
  }

  private expectedDue(t: TrackedRequest, now: number): boolean {
    const last = this.lastExpected.get(t.row.id);
    if (last === undefined || now - last >= this.options.expectedRefreshMs) return true;
    // An air date passed since: the episode is wanted now, say so without waiting.
    return t.episodes.some((e) => e.state === "unaired" && e.airDateUtc !== null && e.airDateUtc <= now);
  }

  private async episodeList(t: TrackedRequest, now: number): Promise<{ series: SonarrSeries; episodes: SonarrEpisode[] } | null> {
    const series = await this.seriesOf(t, now);
    if (!series) return null;
    return { series, episodes: await this.sonarr.episodes(series.id) };
  }

  /** The request's series: by Sonarr id, else by TVDB id; kept for a while (it rarely changes). */
  private async seriesOf(t: TrackedRequest, now: number): Promise<SonarrSeries | null> {
    const cached = this.seriesCache.get(t.row.id);
    if (cached && now - cached.at < this.options.expectedRefreshMs) return cached.series;
    const series = (t.row.sonarrId !== null ? await this.sonarr.series(t.row.sonarrId) : null) ?? (t.row.tvdbId !== null ? await this.sonarr.seriesByTvdb(t.row.tvdbId) : null);
    if (series) this.seriesCache.set(t.row.id, { series, at: now });
    return series;
  }

  /** Emits the episode list of the request's seasons when it says something the request does not know. */
  private async expect(t: TrackedRequest, series: SonarrSeries, list: SonarrEpisode[], seasons: number[], now: number): Promise<void> {
    // Monitored episodes are the ones Sonarr will fetch; an unmonitored one counts only with a file.
    const expected: ExpectedEpisode[] = list
      .filter((e) => seasons.includes(e.seasonNumber) && (e.monitored !== false || e.hasFile === true))
      .map((e) => ({ ...episodeRef(e), hasFile: e.hasFile }));
    if (expected.length === 0 || !expectedChanges(expected, t.episodes, now)) return;
    await this.submit({
      type: "EpisodesExpected",
      at: now,
      source: "sonarr",
      media: seriesMedia(t.row, series, series.id),
      episodes: expected,
      anime: await this.animeOf(series),
    });
  }

  private async grabbedFrom(group: QueueGroup<SonarrQueueRecord>, media: MediaRef, refs: EpisodeRef[]): Promise<DomainEvent | undefined> {
    const r = group.records[0];
    if (refs.length === 0) return undefined;
    return {
      type: "Grabbed",
      at: r.added ?? this.deps.clock.now(),
      source: "sonarr",
      media,
      info: { title: r.series?.title, year: r.series?.year },
      hash: group.hash,
      downloadClient: r.downloadClient,
      release: { title: r.title, quality: r.quality, indexer: r.indexer, size: r.size },
      episodes: refs,
      anime: r.series ? await this.animeOf(r.series) : undefined,
    };
  }

  /**
   * Episodes in scope that Sonarr has a file for while the request still waits for them: the lost
   * Download webhooks. One Imported per download, with each file and its episodes.
   */
  private async checkImported(t: TrackedRequest, series: SonarrSeries, list: SonarrEpisode[], seasons: number[]): Promise<void> {
    const byHash = new Map<string, Map<string, { episodes: EpisodeRef[]; added?: number }>>();
    for (const e of list) {
      const file = e.episodeFile;
      if (!seasons.includes(e.seasonNumber) || !e.hasFile || !file?.path) continue;
      const known = t.episodes.find((x) => x.season === e.seasonNumber && x.episode === e.episodeNumber);
      if (known && !EPISODE_AWAITING_IMPORT.includes(known.state)) continue;
      const grab = known?.downloadHash ? t.downloads.find((d) => d.hash === known.downloadHash) : undefined;
      // An older file while a new release is on its way: the upgrade, not its import.
      if (grab && file.dateAdded !== undefined && file.dateAdded < grab.firstSeenAt - CLOCK_SLACK_MS) continue;
      if (known?.state === "failed" && file.dateAdded !== undefined && file.dateAdded <= known.stateChangedAt) continue;
      const hashKey = known?.downloadHash ?? "";
      const files = byHash.get(hashKey) ?? new Map<string, { episodes: EpisodeRef[]; added?: number }>();
      const entry = files.get(file.path) ?? { episodes: [], added: file.dateAdded };
      entry.episodes.push(episodeRef(e));
      files.set(file.path, entry);
      byHash.set(hashKey, files);
    }
    if (byHash.size === 0) return;
    const anime = await this.animeOf(series);
    for (const [hash, files] of byHash) {
      const imported: ImportedFile[] = [...files.entries()].map(([path, f]) => ({ path, episodes: f.episodes }));
      const latest = Math.max(...[...files.values()].map((f) => f.added ?? -Infinity));
      await this.submit({
        type: "Imported",
        at: Number.isFinite(latest) ? latest : this.deps.clock.now(),
        source: "sonarr",
        media: seriesMedia(t.row, series, series.id),
        info: { title: series.title, year: series.year },
        hash: hash || undefined,
        files: imported,
        isUpgrade: false,
        anime,
      });
    }
  }

  private async animeOf(series: SonarrSeries): Promise<AnimeHint | undefined> {
    return arrAnimeHint({ seriesType: series.seriesType, tagLabels: await this.tagLabels(series.tags), paths: [series.rootFolderPath, series.path] });
  }
}

function seriesMedia(row: RequestRow, series?: SonarrSeries | null, sonarrId?: number): MediaRef {
  return {
    mediaType: "tv",
    requestId: row.id,
    sonarrId: sonarrId ?? row.sonarrId ?? undefined,
    tvdbId: series?.tvdbId,
    tmdbId: series?.tmdbId,
    imdbId: series?.imdbId,
  };
}

function episodeRef(e: SonarrEpisode): EpisodeRef {
  return {
    season: e.seasonNumber,
    episode: e.episodeNumber,
    title: e.title,
    sonarrEpisodeId: e.id,
    tvdbId: e.tvdbId,
    airDateUtc: e.airDateUtc,
  };
}

/** The episodes a download's queue records cover (one record per episode). */
function episodeRefsOf(records: SonarrQueueRecord[]): EpisodeRef[] {
  const refs = new Map<string, EpisodeRef>();
  for (const r of records) {
    if (!r.episode) continue;
    const ref = episodeRef(r.episode);
    refs.set(`${ref.season}x${ref.episode}`, ref);
  }
  return [...refs.values()].sort((a, b) => a.season - b.season || a.episode - b.episode);
}

/** The seasons a TV request covers: those asked for, else those it already tracks or downloads. */
function scopeSeasons(t: TrackedRequest, groups: QueueGroup<SonarrQueueRecord>[]): number[] {
  if (t.row.requestedSeasons.length > 0) return t.row.requestedSeasons;
  const seasons = new Set(t.episodes.map((e) => e.season));
  for (const g of groups) for (const r of g.records) if (r.seasonNumber !== undefined) seasons.add(r.seasonNumber);
  return [...seasons].sort((a, b) => a - b);
}

/** A TV request that may still be waiting for an import: an episode that has aired is not in yet. */
function awaitsImport(t: TrackedRequest, now: number): boolean {
  if (!AWAITING_IMPORT.includes(t.row.state) && t.row.state !== "anime_matching") return false;
  if (t.episodes.length === 0) return true;
  return t.episodes.some((e) => EPISODE_AWAITING_IMPORT.includes(e.state) && !(e.state === "unaired" && (e.airDateUtc === null || e.airDateUtc > now)));
}

/**
 * Whether the arr's episode list says something the request does not know yet (mirrors the
 * machine's EpisodesExpected handling, so a quiet list emits nothing).
 */
export function expectedChanges(expected: ExpectedEpisode[], known: Pick<EpisodeRow, "season" | "episode" | "title" | "airDateUtc" | "state" | "downloadHash" | "sonarrEpisodeId">[], now: number): boolean {
  for (const ref of expected) {
    const ep = known.find((k) => k.season === ref.season && k.episode === ref.episode);
    if (!ep) return true;
    if (ref.title !== undefined && ref.title !== ep.title) return true;
    if (ref.airDateUtc !== undefined && ref.airDateUtc !== ep.airDateUtc) return true;
    if (ep.sonarrEpisodeId === null && ref.sonarrEpisodeId !== undefined) return true;
    const aired = ref.hasFile === true || ref.airDateUtc === undefined || ref.airDateUtc <= now;
    if (ep.state === "unaired" && aired) return true;
    if (ep.state === "wanted" && !aired && ep.downloadHash === null) return true;
  }
  return false;
}
