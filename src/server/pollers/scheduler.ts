import type { Db } from "../db/client";
import { integrations } from "../db/schema";
import type { Clock } from "../clock";
import type { Logger } from "../logger";

/**
 * Pollers are registered jobs: a job never overlaps itself, its start is jittered, it backs off
 * while its service fails, its status (last run, last success, last error, latency) is kept in
 * `integrations` for the admin, it can be run now, and everything stops cleanly on SIGTERM.
 * A failing service is shown unhealthy; it never crashes the server.
 */

export interface JobContext {
  signal: AbortSignal;
}

export interface JobSpec {
  name: string;
  /** The integration whose row shows this job's health (e.g. "qbittorrent"). */
  service?: string;
  /** Milliseconds until the next run after a success; asked again after every run (adaptive). */
  interval: () => number;
  run: (ctx: JobContext) => Promise<void>;
  /** Longest pause while failing. */
  maxBackoffMs?: number;
}

export interface JobStatus {
  name: string;
  service?: string;
  running: boolean;
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
  latencyMs: number | null;
  consecutiveFailures: number;
  nextRunAt: number | null;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface Job {
  spec: JobSpec;
  status: JobStatus;
  timer: unknown;
  current: Promise<void> | null;
  abort: AbortController | null;
}

export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private started = false;
  private stopping = false;

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      logger: Logger;
      timers?: Timers;
      /** 0..1; injectable so tests are deterministic. */
      random?: () => number;
    },
  ) {}

  private get timers(): Timers {
    return this.deps.timers ?? realTimers;
  }

  register(spec: JobSpec): void {
    if (this.jobs.has(spec.name)) throw new Error(`job ${spec.name} is registered twice`);
    this.jobs.set(spec.name, {
      spec,
      timer: null,
      current: null,
      abort: null,
      status: {
        name: spec.name,
        service: spec.service,
        running: false,
        lastRunAt: null,
        lastSuccessAt: null,
        lastErrorAt: null,
        lastError: null,
        latencyMs: null,
        consecutiveFailures: 0,
        nextRunAt: null,
      },
    });
    if (this.started) this.schedule(this.jobs.get(spec.name)!, this.jitter(spec.interval()));
  }

  /** Starts every job after a jittered delay, so they do not all fire at once. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const job of this.jobs.values()) this.schedule(job, this.jitter(Math.min(job.spec.interval(), 2000)));
  }

  /** Runs a job now (or waits for the run under way) and returns its status afterwards. */
  async runNow(name: string): Promise<JobStatus> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job called ${name}`);
    if (job.current) await job.current;
    else await this.execute(job);
    return { ...job.status };
  }

  status(): JobStatus[] {
    return [...this.jobs.values()].map((j) => ({ ...j.status }));
  }

  /** Stops scheduling, aborts runs under way and waits for them to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const job of this.jobs.values()) {
      if (job.timer !== null) this.timers.clear(job.timer);
      job.timer = null;
      job.abort?.abort();
    }
    await Promise.all([...this.jobs.values()].map((j) => j.current?.catch(() => undefined)));
  }

  private schedule(job: Job, delayMs: number): void {
    if (this.stopping) return;
    if (job.timer !== null) this.timers.clear(job.timer);
    job.status.nextRunAt = this.deps.clock.now() + delayMs;
    job.timer = this.timers.set(() => {
      job.timer = null;
      void this.execute(job);
    }, delayMs);
  }

  private execute(job: Job): Promise<void> {
    if (job.current) return job.current; // never overlap
    const run = this.runOnce(job).finally(() => {
      job.current = null;
      job.abort = null;
      if (this.started) this.schedule(job, this.nextDelay(job));
    });
    job.current = run;
    return run;
  }

  private async runOnce(job: Job): Promise<void> {
    const { clock, logger } = this.deps;
    const s = job.status;
    const abort = new AbortController();
    job.abort = abort;
    s.running = true;
    const started = clock.now();
    const t0 = performance.now();
    s.lastRunAt = started;
    try {
      await job.spec.run({ signal: abort.signal });
      s.latencyMs = Math.round(performance.now() - t0);
      s.lastSuccessAt = clock.now();
      if (s.consecutiveFailures > 0) logger.info(`${job.spec.name} recovered`, { after: s.consecutiveFailures });
      s.consecutiveFailures = 0;
      s.lastError = null;
    } catch (err) {
      s.latencyMs = Math.round(performance.now() - t0);
      s.lastErrorAt = clock.now();
      s.lastError = err instanceof Error ? err.message : String(err);
      s.consecutiveFailures++;
      // Say it once when it starts failing, then only now and then, not every second.
      if (s.consecutiveFailures === 1 || s.consecutiveFailures % 20 === 0) {
        logger.warn(`${job.spec.name} failed`, { error: s.lastError, failures: s.consecutiveFailures });
      }
    } finally {
      s.running = false;
    }
    await this.record(job).catch((err: unknown) =>
      logger.error("could not record poller status", { job: job.spec.name, error: err instanceof Error ? err.message : String(err) }),
    );
  }

  /** After a failure: interval × 2^failures, capped, so a dead service is not hammered. */
  private nextDelay(job: Job): number {
    const base = Math.max(100, job.spec.interval());
    const failures = job.status.consecutiveFailures;
    if (failures === 0) return this.jitter(base);
    const cap = job.spec.maxBackoffMs ?? 5 * 60_000;
    return this.jitter(Math.min(cap, Math.max(base, 1000) * 2 ** Math.min(failures - 1, 10)));
  }

  private jitter(ms: number): number {
    const r = this.deps.random ?? Math.random;
    return Math.round(ms * (0.9 + 0.2 * r()));
  }

  private async record(job: Job): Promise<void> {
    const service = job.spec.service;
    if (!service) return;
    const s = job.status;
    const now = this.deps.clock.now();
    const values = {
      lastPollAt: s.lastRunAt,
      lastPollOkAt: s.lastSuccessAt,
      lastPollErrorAt: s.lastErrorAt,
      lastError: s.lastError,
      latencyMs: s.latencyMs,
      updatedAt: now,
    };
    await this.deps.db
      .insert(integrations)
      .values({ service, ...values })
      .onConflictDoUpdate({ target: integrations.service, set: values });
  }
}
