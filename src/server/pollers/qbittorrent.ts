import { recordServiceVersion } from "./versions";
import { and, eq, gt, inArray, isNotNull, isNull, notInArray, sql } from "drizzle-orm";
import { TERMINAL_STATES, type MediaType, type RequestState } from "@/lib/states";
import type { Clock } from "../clock";
import type { Db } from "../db/client";
import { changes, downloads, episodes, requests } from "../db/schema";
import type { Logger } from "../logger";
import type { ChangeBus } from "../realtime/bus";
import type { DomainEvent, DownloadProgress, TorrentFileProgress } from "../pipeline/events";
import type { JobSpec } from "./scheduler";
import {
  applyMainData,
  classifyTorrent,
  downloadProblem,
  EMPTY_SYNC_STATE,
  ETA_INFINITY,
  fullUpdateFromList,
  METADATA_PROBLEM_AFTER_MS,
  NO_SEEDS_PROBLEM_AFTER_MS,
  type MainDataMerge,
  type ProblemThresholds,
  type QbitServerState,
  type QbitSyncState,
  type QbitTorrent,
  type QbittorrentClient,
  type TorrentStatus,
} from "../clients/qbittorrent";
import { ServiceError } from "../clients/http";

/*
 * The qBittorrent poller. Each run asks sync/maindata for what changed since the last rid and
 * keeps the whole torrent map; only torrents that belong to a tracked request (a `downloads` row,
 * or episodes waiting on the hash) are looked at, and an event is emitted only when something a
 * person would see changed: progress by 0.1 %, qBittorrent's state, a stall, per-episode progress.
 * A run in which nothing changed costs one tiny HTTP answer and one indexed read of the change log.
 */

/** Where events go: the pipeline runner (or anything that takes events the same way). */
export interface EventSink {
  submit(event: DomainEvent): Promise<unknown>;
}

export interface QbittorrentPollerOptions {
  /** While a tracked torrent is downloading. qBittorrent itself refreshes every 1.5 s. */
  activeIntervalMs: number;
  idleIntervalMs: number;
  /** Per-file progress of a TV pack is fetched at most this often. */
  filesRefreshMs: number;
  /** Smallest progress change worth an event (0.001 = 0.1 %). */
  progressStep: number;
  problems: ProblemThresholds;
  /** "maindata" (incremental, the default) or "full": torrents/info for everything on every run. */
  sync: "maindata" | "full";
}

export const DEFAULT_QBITTORRENT_POLLER_OPTIONS: QbittorrentPollerOptions = {
  activeIntervalMs: 1_000,
  idleIntervalMs: 10_000,
  filesRefreshMs: 3_000,
  progressStep: 0.001,
  problems: { noSeedsAfterMs: NO_SEEDS_PROBLEM_AFTER_MS, metadataAfterMs: METADATA_PROBLEM_AFTER_MS },
  sync: "maindata",
};

export interface QbittorrentPollerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  runner: EventSink;
  client: QbittorrentClient;
  /**
   * The pipeline's bus, when the poller runs in the pipeline's process: it learns of new grabs
   * and state changes from it and reads nothing when nothing changed. Without it, each run
   * reads the change log's new rows (one indexed range read).
   */
  bus?: Pick<ChangeBus, "subscribe">;
  options?: Partial<QbittorrentPollerOptions>;
}

/** One run, measured. CPU covers the poller's own work (fetch, parse, merge, decide), not the pipeline's. */
export interface QbittorrentCycleStats {
  at: number;
  cpuMicros: number;
  wallMs: number;
  /** Bytes of qBittorrent's answers in this run (maindata, files, a login). */
  bytes: number;
  requests: number;
  fullUpdate: boolean;
  changedTorrents: number;
  removedTorrents: number;
  filesFetched: number;
  events: number;
  /** The tracked downloads were read again (the change log moved). */
  trackedReloaded: boolean;
}

export interface QbittorrentPollStats {
  cycles: number;
  /** Torrents in qBittorrent. */
  torrents: number;
  /** Hashes of tracked requests being watched. */
  tracked: number;
  /** Of those, how many are downloading (or trying to) right now. */
  active: number;
  rid: number;
  intervalMs: number;
  serverState: Readonly<QbitServerState>;
  lastCycle: QbittorrentCycleStats | null;
  totals: { cpuMicros: number; bytes: number; requests: number; events: number };
}

export interface QbittorrentPollerJob extends JobSpec {
  /** qBittorrent's torrents as last seen, by lower-case id (for the admin page). */
  torrents(): ReadonlyMap<string, QbitTorrent>;
  stats(): QbittorrentPollStats;
}

export function qbittorrentPoller(deps: QbittorrentPollerDeps): QbittorrentPollerJob {
  const poller = new QbittorrentPoller(deps);
  return {
    name: "qbittorrent",
    service: "qbittorrent",
    interval: () => poller.intervalMs(),
    run: () => poller.run(),
    maxBackoffMs: 5 * 60_000,
    torrents: () => poller.torrents(),
    stats: () => poller.stats(),
  };
}

// ---------------------------------------------------------------- internals

/** Requests whose downloads no longer matter (failed ones are not revived by polling). */
const FINISHED_STATES: RequestState[] = [...TERMINAL_STATES, "failed"];
/** A movie request in these states is still waiting for its torrent. */
const WAITING_STATES: RequestState[] = ["grabbing", "downloading", "timeout"];
/** Statuses that keep the poller at its fast interval. */
const ACTIVE_STATUSES = new Set<TorrentStatus>(["downloading", "stalled", "metadata", "queued", "checking"]);

export const MISSING_TORRENT_REASON = "Download removed from qBittorrent before it finished";

interface TrackedRequest {
  requestId: number;
  mediaType: MediaType;
  state: RequestState;
  /** TV: episodes of this request in grabbing/downloading on this hash. */
  waitingEpisodes: number;
}

/** A hash the pipeline cares about, as the database knows it. */
interface TrackedDownload {
  hash: string;
  requests: TrackedRequest[];
  /** What the pipeline last recorded, if there is a downloads row. */
  recorded: { progress: number; clientState: string | null; problem?: string } | null;
}

/** What the poller remembers about a tracked hash between runs. */
interface Watch {
  /** What the last event said. */
  sent?: { progress: number; clientState: string; problem?: string; files?: number[] };
  status?: TorrentStatus;
  statusSince: number;
  files?: TorrentFileProgress[];
  filesAt: number;
  singleFile?: boolean;
  /** qBittorrent has had it (now or before this process started). */
  seen: boolean;
  missingReported: boolean;
  completeSent: boolean;
}

interface Pending {
  hash: string;
  event: DomainEvent;
}

class QbittorrentPoller {
  private readonly opts: QbittorrentPollerOptions;
  private sync: QbitSyncState = EMPTY_SYNC_STATE;
  /** infohash_v1 / v2 of hybrid and v2 torrents -> qBittorrent's id for them. */
  private readonly aliases = new Map<string, string>();
  private tracked = new Map<string, TrackedDownload>();
  private readonly watches = new Map<string, Watch>();
  private trackedLoaded = false;
  /** The version is read once per full sync (start, restart of qBittorrent), for the admin page. */
  private versionKnown = false;
  /** Highest change-log id looked at (without a bus). */
  private changeMark = 0;
  /** With a bus: a request changed since the tracked set was read. */
  private trackedStale = true;
  /** When a stall or a metadata wait becomes worth telling, if nothing changes before. */
  private nextDeadline = Number.NEGATIVE_INFINITY;
  private activeCount = 0;
  private cycles = 0;
  private lastCycle: QbittorrentCycleStats | null = null;
  private readonly totals = { cpuMicros: 0, bytes: 0, requests: 0, events: 0 };

  constructor(private readonly deps: QbittorrentPollerDeps) {
    this.opts = { ...DEFAULT_QBITTORRENT_POLLER_OPTIONS, ...deps.options };
    // Progress ticks (its own, mostly) leave the tracked set as it is.
    deps.bus?.subscribe((change) => {
      if (change.kind !== "progress") this.trackedStale = true;
    });
  }

  intervalMs(): number {
    return this.activeCount > 0 ? this.opts.activeIntervalMs : this.opts.idleIntervalMs;
  }

  torrents(): ReadonlyMap<string, QbitTorrent> {
    return this.sync.torrents;
  }

  stats(): QbittorrentPollStats {
    return {
      cycles: this.cycles,
      torrents: this.sync.torrents.size,
      tracked: this.tracked.size,
      active: this.activeCount,
      rid: this.sync.rid,
      intervalMs: this.intervalMs(),
      serverState: this.sync.serverState,
      lastCycle: this.lastCycle,
      totals: { ...this.totals },
    };
  }

  async run(): Promise<void> {
    const { client, clock } = this.deps;
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    const trafficStart = { requests: client.traffic.requests, bytes: client.traffic.bytes };

    const delta = this.opts.sync === "maindata" ? await client.maindata(this.sync.rid) : fullUpdateFromList(await client.torrents());
    const merge = applyMainData(this.sync, delta);
    this.sync = merge.state;
    if (merge.fullUpdate) this.versionKnown = false;
    if (!this.versionKnown) {
      await recordServiceVersion(this.deps.db, "qbittorrent", await client.version(), clock.now());
      this.versionKnown = true;
    }
    this.updateAliases(merge);

    const now = clock.now();
    const pending: Pending[] = [];
    let filesFetched = 0;
    let trackedReloaded = false;
    try {
      trackedReloaded = await this.refreshTracked();
      // Nothing moved and no stall is about to become worth telling: nothing to look at.
      const quiet = !merge.fullUpdate && merge.changed.length === 0 && merge.removed.length === 0 && !trackedReloaded && now < this.nextDeadline;
      if (!quiet) {
        const changed = merge.fullUpdate ? null : new Set(merge.changed);
        filesFetched = await this.refreshFiles(changed, now);
        let active = 0;
        this.nextDeadline = Number.POSITIVE_INFINITY;
        for (const tracked of this.tracked.values()) if (this.inspect(tracked, now, pending)) active++;
        this.activeCount = active;
      }
    } catch (err) {
      // What this run merged has not been looked at: the next run looks at everything.
      this.nextDeadline = Number.NEGATIVE_INFINITY;
      throw err;
    }

    const cpu = process.cpuUsage(cpuStart);
    const cycle: QbittorrentCycleStats = {
      at: now,
      cpuMicros: cpu.user + cpu.system,
      wallMs: performance.now() - wallStart,
      bytes: client.traffic.bytes - trafficStart.bytes,
      requests: client.traffic.requests - trafficStart.requests,
      fullUpdate: merge.fullUpdate,
      changedTorrents: merge.changed.length,
      removedTorrents: merge.removed.length,
      filesFetched,
      events: pending.length,
      trackedReloaded,
    };
    this.cycles++;
    this.lastCycle = cycle;
    this.totals.cpuMicros += cycle.cpuMicros;
    this.totals.bytes += cycle.bytes;
    this.totals.requests += cycle.requests;
    this.totals.events += cycle.events;

    await this.submit(pending);
  }

  // ---- torrents --------------------------------------------------------------------------------

  private updateAliases(merge: MainDataMerge): void {
    const torrents = this.sync.torrents;
    if (merge.fullUpdate) {
      this.aliases.clear();
      for (const t of torrents.values()) this.addAliases(t);
      return;
    }
    for (const id of merge.changed) {
      const t = torrents.get(id);
      if (t) this.addAliases(t);
    }
    if (merge.removed.length > 0 && this.aliases.size > 0) {
      const removed = new Set(merge.removed);
      for (const [alias, id] of this.aliases) if (removed.has(id)) this.aliases.delete(alias);
    }
  }

  /** Sonarr and Radarr know a hybrid torrent by its v1 hash; qBittorrent by the truncated v2 one. */
  private addAliases(t: QbitTorrent): void {
    const v1 = t.infohash_v1?.toLowerCase();
    if (v1 && v1 !== t.hash) this.aliases.set(v1, t.hash);
    const v2 = t.infohash_v2?.toLowerCase();
    if (v2) {
      this.aliases.set(v2, t.hash);
      if (v2.slice(0, 40) !== t.hash) this.aliases.set(v2.slice(0, 40), t.hash);
    }
  }

  private find(hash: string): QbitTorrent | undefined {
    const torrents = this.sync.torrents;
    const direct = torrents.get(hash);
    if (direct) return direct;
    const id = this.aliases.get(hash);
    return id === undefined ? undefined : torrents.get(id);
  }

  // ---- tracked downloads -----------------------------------------------------------------------

  /**
   * Reads the tracked hashes again when a request changed (a grab, a state change, a deletion),
   * as the bus or the change log tells; progress-only changes leave the set as it is. Returns
   * whether it read.
   */
  private async refreshTracked(): Promise<boolean> {
    try {
      return await this.readTrackedIfChanged();
    } catch (err) {
      this.trackedStale = true;
      throw err;
    }
  }

  private async readTrackedIfChanged(): Promise<boolean> {
    const { db } = this.deps;
    if (this.deps.bus) {
      if (!this.trackedStale) return false;
      this.trackedStale = false;
    } else {
      const [log] = await db
        .select({ last: sql<number | null>`max(${changes.id})`, relevant: sql<number>`count(case when ${changes.kind} != 'progress' then 1 end)` })
        .from(changes)
        .where(gt(changes.id, this.changeMark));
      if (log?.last !== null && log?.last !== undefined) this.changeMark = Number(log.last);
      if (this.trackedLoaded && Number(log?.relevant ?? 0) === 0) return false;
    }

    const active = notInArray(requests.state, FINISHED_STATES);
    const [downloadRows, episodeRows] = await Promise.all([
      db
        .select({
          hash: downloads.hash,
          requestId: downloads.requestId,
          mediaType: requests.mediaType,
          state: requests.state,
          progress: downloads.progress,
          clientState: downloads.clientState,
          stuckReason: requests.stuckReason,
        })
        .from(downloads)
        .innerJoin(requests, eq(requests.id, downloads.requestId))
        .where(and(isNull(downloads.completedAt), active)),
      db
        .select({
          hash: episodes.downloadHash,
          requestId: episodes.requestId,
          mediaType: requests.mediaType,
          state: requests.state,
          waiting: sql<number>`count(*)`,
        })
        .from(episodes)
        .innerJoin(requests, eq(requests.id, episodes.requestId))
        .where(and(isNotNull(episodes.downloadHash), inArray(episodes.state, ["grabbing", "downloading"]), active))
        .groupBy(episodes.requestId, episodes.downloadHash),
    ]);

    const tracked = new Map<string, TrackedDownload>();
    const entry = (hash: string) => {
      let t = tracked.get(hash);
      if (!t) tracked.set(hash, (t = { hash, requests: [], recorded: null }));
      return t;
    };
    const requestOf = (t: TrackedDownload, row: { requestId: number; mediaType: MediaType; state: RequestState }) => {
      let r = t.requests.find((x) => x.requestId === row.requestId);
      if (!r) t.requests.push((r = { requestId: row.requestId, mediaType: row.mediaType, state: row.state, waitingEpisodes: 0 }));
      return r;
    };
    for (const row of downloadRows) {
      const t = entry(row.hash);
      requestOf(t, row);
      // Two requests sharing a pack: the lower recorded progress is the safer baseline.
      if (!t.recorded || row.progress < t.recorded.progress) {
        // A download problem the request still shows was said by an earlier run.
        const problem = row.stuckReason?.startsWith("Download ") ? row.stuckReason : undefined;
        t.recorded = { progress: row.progress, clientState: row.clientState, problem };
      }
    }
    for (const row of episodeRows) {
      if (row.hash === null) continue;
      requestOf(entry(row.hash), row).waitingEpisodes += Number(row.waiting);
    }

    for (const hash of this.watches.keys()) if (!tracked.has(hash)) this.watches.delete(hash);
    this.tracked = tracked;
    this.trackedLoaded = true;
    return true;
  }

  private watch(tracked: TrackedDownload, now: number): Watch {
    let w = this.watches.get(tracked.hash);
    if (!w) {
      const recorded = tracked.recorded;
      w = {
        // What the pipeline already has counts as said, so a restart does not repeat it.
        sent: recorded?.clientState ? { progress: recorded.progress, clientState: recorded.clientState, problem: recorded.problem } : undefined,
        statusSince: now,
        filesAt: Number.NEGATIVE_INFINITY,
        seen: recorded !== null && recorded.clientState !== null,
        missingReported: false,
        completeSent: false,
      };
      this.watches.set(tracked.hash, w);
    }
    return w;
  }

  // ---- one tracked hash ------------------------------------------------------------------------

  /** Looks at one tracked hash; queues what is worth an event. Returns whether it is downloading (or trying to). */
  private inspect(tracked: TrackedDownload, now: number, pending: Pending[]): boolean {
    const w = this.watch(tracked, now);
    const torrent = this.find(tracked.hash);

    if (!torrent) {
      if (this.sync.complete && w.seen && !w.missingReported) {
        const waiting = tracked.requests.filter(isWaiting);
        for (const r of waiting) {
          pending.push({
            hash: tracked.hash,
            event: { type: "StatusNote", at: now, source: "qbittorrent", media: { mediaType: r.mediaType, requestId: r.requestId }, hash: tracked.hash, stuckReason: MISSING_TORRENT_REASON },
          });
        }
        if (waiting.length > 0) w.missingReported = true;
      }
      return false;
    }
    w.seen = true;
    if (w.missingReported) {
      // Back again: the next event tells the pipeline, which clears the reason.
      w.missingReported = false;
      w.sent = undefined;
    }

    const status = classifyTorrent(torrent);
    if (status !== w.status) {
      w.status = status;
      w.statusSince = now;
    }

    if (status === "complete") {
      if (!w.completeSent) {
        // The final numbers and paths (a completed torrent may have moved), then the completion.
        pending.push({ hash: tracked.hash, event: progressEvent(tracked.hash, { ...torrent, progress: 1 }, now, status) });
        pending.push({ hash: tracked.hash, event: { type: "DownloadCompleted", at: now, source: "qbittorrent", hash: tracked.hash, size: positive(torrent.size) } });
        w.completeSent = true;
      }
      return false;
    }
    w.completeSent = false;

    const problem = downloadProblem(status, torrent, w.statusSince, now, this.opts.problems);
    if (problem === undefined && status === "stalled" && (torrent.num_seeds ?? 0) === 0) {
      this.nextDeadline = Math.min(this.nextDeadline, w.statusSince + this.opts.problems.noSeedsAfterMs);
    } else if (problem === undefined && status === "metadata") {
      this.nextDeadline = Math.min(this.nextDeadline, w.statusSince + this.opts.problems.metadataAfterMs);
    }
    const progress = clamp01(torrent.progress ?? 0);
    const clientState = torrent.state ?? "unknown";
    const fileProgress = w.files?.map((f) => f.progress);
    const sent = w.sent;
    const step = this.opts.progressStep;
    if (
      !sent ||
      Math.abs(progress - sent.progress) >= step ||
      clientState !== sent.clientState ||
      problem !== sent.problem ||
      filesMoved(sent.files, fileProgress, step)
    ) {
      pending.push({ hash: tracked.hash, event: progressEvent(tracked.hash, torrent, now, status, problem, w.files) });
      w.sent = { progress, clientState, problem, files: fileProgress };
    }
    return ACTIVE_STATUSES.has(status);
  }

  /**
   * Per-file progress of the packs TV episodes wait on: fetched once the metadata is there, then
   * again at most every filesRefreshMs and only when the torrent changed. A single-file torrent's
   * progress is its file's, so it is asked once. The requests go out together (one wait, not one
   * per pack). Returns how many were made.
   */
  private async refreshFiles(changed: Set<string> | null, now: number): Promise<number> {
    const due: Promise<void>[] = [];
    for (const tracked of this.tracked.values()) {
      const torrent = this.find(tracked.hash);
      if (!torrent) continue;
      const w = this.watch(tracked, now);
      if (w.singleFile || !tracked.requests.some((r) => r.waitingEpisodes > 0)) continue;
      const status = classifyTorrent(torrent);
      if (status === "complete" || status === "metadata" || !((torrent.total_size ?? -1) > 0 || (torrent.size ?? 0) > 0)) continue;
      const stale = w.files === undefined || changed === null || changed.has(torrent.hash);
      if (!stale || now - w.filesAt < this.opts.filesRefreshMs) continue;
      w.filesAt = now;
      due.push(this.fetchFiles(torrent, w));
    }
    await Promise.all(due);
    return due.length;
  }

  private async fetchFiles(torrent: QbitTorrent, w: Watch): Promise<void> {
    try {
      const files = await this.deps.client.files(torrent.hash);
      const wanted = files.filter((f) => f.priority !== 0);
      if (wanted.length === 0) return; // metadata not applied yet
      if (files.length === 1) {
        w.singleFile = true;
        w.files = undefined;
        return;
      }
      w.files = wanted.map((f) => ({ index: f.index, name: f.name, progress: clamp01(f.progress), size: f.size }));
    } catch (err) {
      // Removed between the two calls, or a hiccup: the torrent's own progress still goes out.
      if (!(err instanceof ServiceError && err.kind === "not_found")) {
        this.deps.logger.debug("could not read a torrent's files", { hash: torrent.hash, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  // ---- handing events over ---------------------------------------------------------------------

  /** Hands the run's events to the pipeline; what it could not take is said again next run. */
  private async submit(pending: Pending[]): Promise<void> {
    if (pending.length === 0) return;
    const results = await Promise.allSettled(pending.map((p) => this.deps.runner.submit(p.event)));
    let firstError: unknown;
    results.forEach((result, i) => {
      if (result.status === "fulfilled") return;
      firstError ??= result.reason;
      this.nextDeadline = Number.NEGATIVE_INFINITY; // look again next run
      const w = this.watches.get(pending[i].hash);
      if (!w) return;
      const type = pending[i].event.type;
      if (type === "DownloadProgress") w.sent = undefined;
      if (type === "DownloadCompleted") w.completeSent = false;
      if (type === "StatusNote") w.missingReported = false;
    });
    if (firstError !== undefined) {
      const message = firstError instanceof Error ? firstError.message : String(firstError);
      this.deps.logger.warn("the pipeline did not take a qBittorrent event", { error: message });
      throw new Error(`the pipeline did not take a qBittorrent event: ${message}`);
    }
  }
}

function isWaiting(r: TrackedRequest): boolean {
  return r.mediaType === "tv" ? r.waitingEpisodes > 0 : WAITING_STATES.includes(r.state);
}

function progressEvent(
  hash: string,
  t: QbitTorrent,
  at: number,
  status: TorrentStatus,
  problem?: string,
  files?: TorrentFileProgress[],
): DownloadProgress {
  const hasMetadata = (t.total_size ?? -1) > 0 || (t.size ?? 0) > 0;
  return {
    type: "DownloadProgress",
    at,
    source: "qbittorrent",
    hash,
    name: t.name || undefined,
    clientState: t.state ?? "unknown",
    progress: clamp01(t.progress ?? 0),
    size: positive(t.size),
    bytesLeft: hasMetadata && t.amount_left !== undefined && t.amount_left >= 0 ? t.amount_left : undefined,
    speed: t.dlspeed,
    // qBittorrent's ETA comes from an average and keeps counting down while stalled; only trust it while bytes arrive.
    eta: status === "downloading" && t.eta !== undefined && t.eta >= 0 && t.eta < ETA_INFINITY ? t.eta : undefined,
    seeds: t.num_seeds,
    category: t.category || undefined,
    savePath: absolutePath(t.save_path),
    contentPath: absolutePath(t.content_path),
    files,
    problem,
  };
}

function filesMoved(before: number[] | undefined, now: number[] | undefined, step: number): boolean {
  if (now === undefined) return false;
  if (before === undefined || before.length !== now.length) return true;
  for (let i = 0; i < now.length; i++) if (Math.abs(now[i] - before[i]) >= step || (now[i] === 1) !== (before[i] === 1)) return true;
  return false;
}

/** Right after a magnet's metadata arrives, content_path is briefly relative; such a path is not sent. */
function absolutePath(path: string | undefined): string | undefined {
  if (!path) return undefined;
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\") ? path : undefined;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

const clamp01 = (n: number) => Math.min(1, Math.max(0, Number.isFinite(n) ? n : 0));
