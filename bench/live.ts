/**
 * Live updates benchmark: `npm run bench:live [-- --subscribers 500 --requests 50 --seconds 30]`.
 *
 * Three processes besides this one, so that nothing the bench does is counted as the server's:
 *  - the simulated qBittorrent (a forked child, real-time clock) with one downloading torrent per
 *    request (a fifth of them season packs), each moving by about 0.2 % a second;
 *  - the real production server (`node --import tsx server.ts`, Next production build) with a
 *    fresh temp-file database, configured with that qBittorrent and nothing else;
 *  - the subscribers (a forked child): N Server-Sent-Event streams of the tRPC subscription
 *    `requests.onChange`, opened with a session cookie the way the browser's httpSubscriptionLink
 *    opens them (GET /api/trpc/requests.onChange?input=<superjson {lastEventId}>, browser
 *    EventSource headers), 50 at a time; its main thread only reads the sockets and notes when
 *    each chunk arrived, a worker thread parses the events and keeps the accounts.
 * The requests are created as the real services would: a Jellyseerr approval and a Radarr/Sonarr
 * Grab webhook per torrent (bodies from the captured payloads, downloadId = the torrent hash in
 * upper case); the server's qBittorrent poller then turns the downloads into progress changes.
 *
 * Measures, for the changes committed during the measured window:
 *  - delivery latency: the subscriber's receive time minus the change's commit time (`at`,
 *    stamped by the pipeline for the change's transaction; same machine, same wall clock), per
 *    delivered message, and per change until its LAST subscriber had it. Not `request.updatedAt`:
 *    a change to a request's torrent or episodes alone leaves the request row as it was (a season
 *    pack's progress between two per-file refreshes), so it can be seconds older than the change;
 *    a server whose payload has no `at` is measured by `request.updatedAt` (and says so);
 *  - coverage: per subscriber, which change ids arrived; a missing id must have been superseded
 *    by a later change of the same request (the feed coalesces for a subscriber that lags);
 *    after the downloads are paused and the feed is quiet, every subscriber must hold every
 *    request's latest change (compared with the change log in the database);
 *  - server memory (VmRSS before and after the subscribers connected, during the window, peak
 *    VmHWM) and server CPU (with and without subscribers).
 * Prints a table and one JSON line, writes bench/results/live-<timestamp>.json, exits non-zero on a
 * failed check or a missed target (p99 < 250 ms, server resident memory < 400 MB).
 *
 * Options: --subscribers N (500) --requests R (50) --seconds S (30) --warmup W (5)
 *          --profile (V8 CPU profile of the server into bench/results/) --keep (keep the temp dir)
 *          --no-targets (report, do not fail on targets) --entry FILE (start FILE, not server.ts)
 * Only ever talks to 127.0.0.1.
 */
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import zlib from "node:zlib";
import { createClient, type Client } from "@libsql/client";
import superjson from "superjson";
import { freePort, gitCommit, ROOT, ServerProcess } from "./server-process";

// ---------------------------------------------------------------- options

const SHARED = process.env.SHARED_DIR ? path.resolve(process.env.SHARED_DIR) : path.resolve(ROOT, "../shared");
const RESULTS_DIR = path.join(ROOT, "bench", "results");

const TARGET_P99_MS = 250;
/** 400 MB (decimal), in MiB. */
const TARGET_RSS_MIB = 400e6 / 2 ** 20;
const WEBHOOK_SECRET = "bench-webhook-secret";
const API_KEY = "bench-api-key";
const ADMIN = { username: "admin", password: "bench-admin-password" };
const AUTH_SECRET = "bench-auth-secret-0123456789abcdef0123456789";
/** What Chrome's EventSource sends. */
const BROWSER_HEADERS = { accept: "text/event-stream", "cache-control": "no-cache", "accept-encoding": "gzip, deflate, br, zstd" };

interface Options {
  subscribers: number;
  requests: number;
  seconds: number;
  warmup: number;
  profile: boolean;
  keep: boolean;
  targets: boolean;
  entry: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { subscribers: 500, requests: 50, seconds: 30, warmup: 5, profile: false, keep: false, targets: true, entry: "server.ts" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): number => {
      const raw = inline ?? argv[++i];
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: expected a whole number, got ${JSON.stringify(raw)}`);
      return n;
    };
    switch (flag) {
      case "--subscribers": opts.subscribers = Math.max(1, value()); break;
      case "--requests": opts.requests = Math.max(1, value()); break;
      case "--seconds": opts.seconds = Math.max(1, value()); break;
      case "--warmup": opts.warmup = value(); break;
      case "--profile": opts.profile = true; break;
      case "--keep": opts.keep = true; break;
      case "--no-targets": opts.targets = false; break;
      case "--entry": opts.entry = inline ?? argv[++i]; break;
      case "--help":
      case "-h":
        console.log("usage: npm run bench:live -- [--subscribers N] [--requests R] [--seconds S] [--warmup W] [--profile] [--keep] [--no-targets] [--entry FILE]");
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default:
        throw new Error(`unknown option ${arg} (try --help)`);
    }
  }
  return opts;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- the simulated qBittorrent (child)

interface SimConfig {
  torrents: number;
}

interface SimEpisode {
  season: number;
  number: number;
  title: string;
  tvdbId: number;
}

interface SimTorrent {
  hash: string;
  kind: "movie" | "tv";
  /** The release (torrent) name. */
  name: string;
  size: number;
  title: string;
  year: number;
  episodes: SimEpisode[];
}

type SimMessage = { type: "ready"; url: string; username: string; password: string; torrents: SimTorrent[] } | { type: "paused" } | { type: "error"; message: string };
type SimCommand = { type: "pause" } | { type: "stop" };

async function simChild(config: SimConfig): Promise<void> {
  const { ManualClock } = await import("../src/server/clock");
  const { startSimStack } = await import("../src/sim");
  const { movieRelease, seasonPackRelease } = await import("../src/sim/model/releases");
  // Real time: the clock runs at speed 1 from now and the world ticks by itself.
  const clock = new ManualClock(Date.now(), 1);
  const stack = await startSimStack({ clock, tracker: null, speed: 1 });
  const { world } = stack;
  const send = (message: SimMessage) => process.send?.(message);

  const film = world.catalogue.movie("lantern-keeper");
  const series = world.catalogue.series("harrow-fen");
  const season = series.seasons[0];
  const packs = Math.floor(config.torrents / 5);
  const added: { torrent: ReturnType<typeof world.qbit.add>; info: SimTorrent }[] = [];
  for (let i = 0; i < config.torrents; i++) {
    const isPack = i < packs;
    // About 0.2 % a second (speeds vary a little per torrent): every 1 s poll sees each one move.
    const title = isPack ? `${series.title} ${i}` : `${film.title} Redux ${i}`;
    const release = isPack
      ? seasonPackRelease({ ...series, key: `live-pack-${i}`, title }, { group: "NTb", quality: "WEBDL-1080p", nfo: true, sizeBytes: 8 * 1024 ** 3, speed: (17 + (i % 5)) * 1024 ** 2 }, season.seasonNumber, season.episodes)
      : movieRelease({ ...film, key: `live-film-${i}`, title }, { group: "FLUX", quality: "WEBDL-1080p", sizeBytes: 5 * 1024 ** 3, speed: (10 + (i % 4)) * 1024 ** 2, leechs: 2 });
    const torrent = world.qbit.add(release, isPack ? "tv-sonarr" : "radarr", "/downloads", world.now());
    added.push({
      torrent,
      info: {
        hash: release.hash,
        kind: isPack ? "tv" : "movie",
        name: release.title,
        size: release.size,
        title,
        year: isPack ? series.year : film.year,
        episodes: isPack ? season.episodes.map((e) => ({ season: e.season, number: e.number, title: e.title, tvdbId: e.tvdbId })) : [],
      },
    });
  }

  const stop = () => void stack.stop().finally(() => process.exit(0));
  process.on("message", (message: SimCommand) => {
    if (message.type === "pause") {
      for (const { torrent } of added) world.qbit.pause(torrent, world.now());
      send({ type: "paused" });
    } else if (message.type === "stop") stop();
  });
  process.on("disconnect", stop);
  send({ type: "ready", url: stack.urls.qbittorrent, ...stack.credentials.qbittorrent, torrents: added.map((a) => a.info) });
}

/** A forked child of this file, spoken to over IPC. */
class Child<In, Out extends { type: string }> {
  readonly process: ChildProcess;
  private readonly listeners = new Set<(m: Out) => void>();
  exited: number | null | undefined;

  constructor(role: string, config: unknown, execArgv: string[] = []) {
    this.process = fork(fileURLToPath(import.meta.url), [role, JSON.stringify(config)], {
      cwd: ROOT,
      execArgv: [...execArgv, "--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.process.on("message", (m: Out) => {
      for (const l of [...this.listeners]) l(m);
    });
    this.process.once("exit", (code) => {
      this.exited = code;
    });
  }

  send(message: In): void {
    this.process.send(message as object);
  }

  /** The next message of that type (an "error" message or the child's exit rejects). */
  next<T extends Out["type"]>(type: T, timeoutMs = 120_000): Promise<Extract<Out, { type: T }>> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.listeners.delete(listener);
        this.process.off("exit", onExit);
        clearTimeout(timer);
      };
      const listener = (m: Out) => {
        if (m.type === type) {
          done();
          resolve(m as Extract<Out, { type: T }>);
        } else if (m.type === "error") {
          done();
          reject(new Error((m as unknown as { message: string }).message));
        }
      };
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`a child process exited (${code}) while waiting for "${type}"`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no "${type}" from a child process within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.listeners.add(listener);
      this.process.once("exit", onExit);
    });
  }

  on(listener: (m: Out) => void): void {
    this.listeners.add(listener);
  }

  async stop(message: In): Promise<void> {
    if (this.exited !== undefined || this.process.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => this.process.once("exit", () => resolve()));
    try {
      this.send(message);
    } catch {
      // already disconnected
    }
    await Promise.race([gone, sleep(5_000)]);
    if (this.process.exitCode === null) this.process.kill("SIGKILL");
  }

  killNow(): void {
    if (this.process.exitCode === null) this.process.kill("SIGKILL");
  }
}

// ---------------------------------------------------------------- the subscribers (child)

interface ClientConfig {
  port: number;
  cookie: string;
  subscribers: number;
  /** The change id the subscribers start after (what a page passes as its first lastEventId). */
  startAfter: number;
  /** Streams opened at a time. */
  connectConcurrency: number;
}

type ClientCommand =
  | { type: "window-start" }
  | { type: "window-end" }
  | { type: "report"; idStart: number; idEnd: number; windowStartMs: number; finalIds: [number, number][]; settleMs: number }
  | { type: "stop" };

interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

interface ClientReport {
  type: "report";
  subscribers: number;
  connected: number;
  /** Messages (changes) received in total, and those of the window's changes. */
  messagesTotal: number;
  messagesWindow: number;
  latencyMs: LatencySummary;
  /** Per change: until its last subscriber had it. */
  lastSubscriberMs: LatencySummary;
  /** p50/p99 of the messages received in each 5 s of the window (drift shows here). */
  slices: { fromS: number; count: number; p50: number; p99: number }[];
  windowChanges: number;
  /** Window changes no subscriber received (superseded for everyone). */
  windowChangesSeenByNone: number;
  perSubscriber: { min: number; median: number; max: number };
  subscribersWithEveryChange: number;
  /** (subscriber, change) pairs missing, and of those superseded by a later change of the same request. */
  missing: number;
  missingSuperseded: number;
  missingLost: number;
  outOfOrder: number;
  badMessages: number;
  badMessageSamples: string[];
  streamProblems: number;
  streamProblemSamples: string[];
  reconnects: number;
  pings: number;
  finalChecked: number;
  subscribersUpToDate: number;
  finalMismatchSamples: string[];
  contentEncoding: string[];
  clientCpuSeconds: number | null;
  clientEventLoopUtilization: number | null;
  clientEventLoopDelayMs: { p50: number; p99: number; max: number };
  bytesReceived: number;
  /** Which field gave the commit time: "change.at", or "request.updatedAt" (older servers). */
  commitTime: string[];
}

type ClientMessage = { type: "connected"; subscribers: number; connectMs: number; failures: string[] } | ClientReport | { type: "error"; message: string };

/** A growable typed array. */
class Column<T extends Float64Array | Int32Array> {
  length = 0;
  constructor(
    private data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  at(i: number): number {
    return this.data[i];
  }
}
const floats = (n: number) => new Column(new Float64Array(n), (m) => new Float64Array(m));
const ints = (n: number) => new Column(new Int32Array(n), (m) => new Int32Array(m));

function summarise(values: number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const pct = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
  const r = (n: number) => Math.round(n * 100) / 100;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: sorted.length, p50: r(pct(50)), p90: r(pct(90)), p99: r(pct(99)), max: r(sorted[sorted.length - 1] ?? NaN), mean: r(sum / (sorted.length || 1)) };
}

const LOOP_DELAY_RESOLUTION_MS = 10;

/** What the parsing worker reports; the network side adds its own figures. */
type ParsedReport = Omit<
  ClientReport,
  "type" | "connected" | "streamProblems" | "streamProblemSamples" | "reconnects" | "contentEncoding" | "clientCpuSeconds" | "clientEventLoopUtilization" | "clientEventLoopDelayMs" | "bytesReceived"
>;

interface ParserInit {
  role: "parser";
  subscribers: number;
  startAfter: number;
  /** Per subscriber, the last change id it received (read by the network side to resume). */
  lastIds: SharedArrayBuffer;
}

type ParserCommand = { type: "chunks"; batch: (number | string)[] } | (Extract<ClientCommand, { type: "report" }> & { requestId: number });

/**
 * The subscribers' side, in two threads: this one only reads the sockets and notes when each
 * chunk arrived; a worker parses the events and keeps the accounts. A burst of changes is 25,000
 * messages at 500 subscribers, and parsing them here would delay the next chunk's timestamp (the
 * load generator's own queue would count as delivery latency).
 */
async function clientChild(config: ClientConfig): Promise<void> {
  const send = (m: ClientMessage) => process.send?.(m);
  const lastIds = new Int32Array(new SharedArrayBuffer(4 * config.subscribers));
  // A worker does not inherit tsx's loader: it registers it, then loads this file.
  const boot = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const parser = new Worker(boot, {
    eval: true,
    workerData: { role: "parser", subscribers: config.subscribers, startAfter: config.startAfter, lastIds: lastIds.buffer as SharedArrayBuffer } satisfies ParserInit,
  });
  parser.on("error", (err) => send({ type: "error", message: `parser: ${err.stack ?? err.message}` }));
  const reports = new Map<number, (r: ParsedReport) => void>();
  parser.on("message", (m: { requestId: number; report: ParsedReport }) => reports.get(m.requestId)?.(m.report));

  // Chunks go to the parser once per event-loop turn: [subscriber, received at, text, ...].
  let batch: (number | string)[] = [];
  const flush = () => {
    parser.postMessage({ type: "chunks", batch } satisfies ParserCommand);
    batch = [];
  };
  const encodings = new Set<string>();
  const streamProblems: string[] = [];
  let reconnects = 0;
  let bytes = 0;
  let stopping = false;

  class Subscriber {
    connected = false;
    private onConnected: (() => void) | null = null;
    private req: http.ClientRequest | null = null;

    constructor(readonly index: number) {}

    open(lastEventId: number): Promise<void> {
      const input = encodeURIComponent(JSON.stringify(superjson.serialize({ lastEventId: String(lastEventId) })));
      return new Promise<void>((resolve, reject) => {
        this.onConnected = resolve;
        const req = http.get(
          { host: "127.0.0.1", port: config.port, path: `/api/trpc/requests.onChange?input=${input}`, headers: { ...BROWSER_HEADERS, cookie: config.cookie }, agent: false },
          (res) => {
            const type = res.headers["content-type"] ?? "";
            if (res.statusCode !== 200 || !type.startsWith("text/event-stream")) {
              let body = "";
              res.setEncoding("utf8");
              res.on("data", (d: string) => (body += d));
              res.on("end", () => reject(new Error(`subscriber ${this.index}: ${res.statusCode} ${type} ${body.slice(0, 200)}`)));
              return;
            }
            const encoding = String(res.headers["content-encoding"] ?? "identity");
            encodings.add(encoding);
            res.on("data", (chunk: Buffer) => (bytes += chunk.length));
            const stream = encoding === "gzip" ? res.pipe(zlib.createGunzip()) : encoding === "deflate" ? res.pipe(zlib.createInflate()) : res;
            stream.setEncoding("utf8");
            stream.on("data", (text: string) => {
              if (batch.length === 0) setImmediate(flush);
              batch.push(this.index, Date.now(), text);
              if (!this.connected && text.includes("event: connected")) {
                this.connected = true;
                this.onConnected?.();
                this.onConnected = null;
              }
            });
            stream.on("end", () => this.lost("the stream ended"));
            stream.on("error", (err: Error) => this.lost(`stream error: ${err.message}`));
          },
        );
        req.on("error", (err) => {
          if (!this.connected) reject(err);
          else this.lost(`request error: ${err.message}`);
        });
        this.req = req;
      });
    }

    /** A dropped stream is reopened from the last id, as the browser's link does; counted as a problem. */
    private lost(why: string): void {
      if (stopping) return;
      streamProblems.push(`subscriber ${this.index}: ${why}`);
      this.connected = false;
      reconnects++;
      setTimeout(() => {
        if (!stopping) this.open(Atomics.load(lastIds, this.index) || config.startAfter).catch((err: unknown) => streamProblems.push(`subscriber ${this.index}: reconnect failed: ${String(err)}`));
      }, 1_000);
    }

    close(): void {
      this.req?.destroy();
    }
  }

  const subscribers = Array.from({ length: config.subscribers }, (_, i) => new Subscriber(i));
  let cpuStart: NodeJS.CpuUsage | null = null;
  let eluStart: ReturnType<typeof performance.eventLoopUtilization> | null = null;
  let cpuSeconds: number | null = null;
  let elu: number | null = null;
  // How late this thread's event loop ran: a chunk can wait that long to be timed.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  let nextReport = 0;

  process.on("message", (m: ClientCommand) => {
    if (m.type === "window-start") {
      cpuStart = process.cpuUsage();
      eluStart = performance.eventLoopUtilization();
      loopDelay.enable();
    } else if (m.type === "window-end") {
      loopDelay.disable();
      if (cpuStart && eluStart) {
        // Both threads: the parser's work is the load generator's too.
        const cpu = process.cpuUsage(cpuStart);
        cpuSeconds = Math.round(((cpu.user + cpu.system) / 1e6) * 100) / 100;
        elu = Math.round(performance.eventLoopUtilization(eluStart).utilization * 1000) / 1000;
      }
    } else if (m.type === "report") {
      const requestId = ++nextReport;
      reports.set(requestId, (parsed) => {
        reports.delete(requestId);
        // The histogram holds whole sampling intervals: the delay is what exceeds the resolution.
        const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - LOOP_DELAY_RESOLUTION_MS) * 100) / 100);
        send({
          type: "report",
          ...parsed,
          connected: subscribers.filter((s) => s.connected).length,
          streamProblems: streamProblems.length,
          streamProblemSamples: streamProblems.slice(0, 5),
          reconnects,
          contentEncoding: [...encodings],
          clientCpuSeconds: cpuSeconds,
          clientEventLoopUtilization: elu,
          clientEventLoopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
          bytesReceived: bytes,
        });
      });
      if (batch.length > 0) flush();
      parser.postMessage({ ...m, requestId } satisfies ParserCommand);
    } else if (m.type === "stop") {
      stopping = true;
      for (const s of subscribers) s.close();
      void parser.terminate().finally(() => process.exit(0));
    }
  });
  process.on("disconnect", () => process.exit(0));

  // Open the streams a batch at a time, each counted once its "connected" event arrived.
  const started = performance.now();
  const failures: string[] = [];
  let next = 0;
  const opener = async () => {
    while (next < subscribers.length) {
      const s = subscribers[next++];
      try {
        await s.open(config.startAfter);
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.connectConcurrency, subscribers.length) }, opener));
  send({ type: "connected", subscribers: subscribers.filter((s) => s.connected).length, connectMs: Math.round(performance.now() - started), failures: failures.slice(0, 5) });
}

/** The parsing worker: Server-Sent-Events of every subscriber, and the accounts kept from them. */
function parserWorker(init: ParserInit): void {
  const lastIds = new Int32Array(init.lastIds);
  // Every delivered message: change id, receive time, latency.
  const msgIds = ints(1 << 16);
  const msgAt = floats(1 << 16);
  const msgLatency = floats(1 << 16);
  const requestOf = new Map<number, number>();
  const commitTimes = new Set<string>();
  let pings = 0;
  let badMessages = 0;
  const badSamples: string[] = [];
  const bad = (why: string) => {
    badMessages++;
    if (badSamples.length < 5) badSamples.push(why.slice(0, 300));
  };

  class Stream {
    lastId = 0;
    outOfOrder = 0;
    readonly ids = ints(1024);
    readonly lastByRequest = new Map<number, number>();
    private buffer = "";
    private eventType = "";
    private data: string[] = [];
    private eventId = "";

    constructor(readonly index: number) {}

    /** Line-based Server-Sent-Events parsing (event:, data:, id:, a blank line dispatches). */
    receive(text: string, receivedAt: number): void {
      this.buffer += text;
      let start = 0;
      for (;;) {
        const end = this.buffer.indexOf("\n", start);
        if (end === -1) break;
        let line = this.buffer.slice(start, end);
        start = end + 1;
        if (line.endsWith("\r")) line = line.slice(0, -1);
        if (line === "") {
          this.dispatch(receivedAt);
          continue;
        }
        const colon = line.indexOf(":");
        if (colon === 0) continue; // a comment
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") this.data.push(value);
        else if (field === "event") this.eventType = value;
        else if (field === "id") this.eventId = value;
      }
      this.buffer = this.buffer.slice(start);
    }

    private dispatch(receivedAt: number): void {
      const type = this.eventType;
      const hasData = this.data.length > 0;
      const data = this.data.join("\n");
      this.eventType = "";
      this.data = [];
      if (!hasData || type === "connected") return;
      if (type === "ping") {
        pings++;
        return;
      }
      if (type !== "" && type !== "message") {
        bad(`subscriber ${this.index}: event ${type}: ${data}`);
        return;
      }
      let change: { changeId?: unknown; requestId?: unknown; kind?: unknown; at?: unknown; request?: { updatedAt?: unknown } | null };
      try {
        change = superjson.deserialize(JSON.parse(data) as Parameters<typeof superjson.deserialize>[0]);
      } catch (err) {
        bad(`unparsable data (${String(err)}): ${data}`);
        return;
      }
      const id = change?.changeId;
      const requestId = change?.requestId;
      if (typeof id !== "number" || typeof requestId !== "number" || String(id) !== this.eventId) {
        bad(`unexpected message (id line ${this.eventId}): ${data}`);
        return;
      }
      if (id <= this.lastId) this.outOfOrder++;
      this.lastId = Math.max(this.lastId, id);
      Atomics.store(lastIds, this.index, this.lastId);
      this.ids.push(id);
      this.lastByRequest.set(requestId, Math.max(this.lastByRequest.get(requestId) ?? 0, id));
      requestOf.set(id, requestId);
      // The change's commit time; a server without it in the payload: the request's updatedAt.
      let committedAt = NaN;
      if (typeof change.at === "string") {
        committedAt = Date.parse(change.at);
        commitTimes.add("change.at");
      } else if (change.request) {
        committedAt = Date.parse(String(change.request.updatedAt));
        commitTimes.add("request.updatedAt");
      }
      msgIds.push(id);
      msgAt.push(receivedAt);
      msgLatency.push(receivedAt - committedAt);
    }
  }

  const streams = Array.from({ length: init.subscribers }, (_, i) => new Stream(i));

  async function report(m: Extract<ParserCommand, { type: "report" }>): Promise<ParsedReport> {
    const { idStart, idEnd } = m;
    const final = new Map(m.finalIds.filter(([, id]) => id > init.startAfter));
    const upToDate = (s: Stream) => [...final].every(([requestId, id]) => s.lastByRequest.get(requestId) === id);
    // The paused downloads' last changes may still be on their way (chunks keep arriving meanwhile).
    const deadline = Date.now() + m.settleMs;
    while (Date.now() < deadline && !streams.every(upToDate)) await sleep(100);

    const inWindow = (id: number) => id >= idStart && id <= idEnd;
    const latencies: number[] = [];
    const lastPerChange = new Map<number, number>();
    const sliceValues = new Map<number, number[]>();
    let windowMessages = 0;
    for (let i = 0; i < msgIds.length; i++) {
      const id = msgIds.at(i);
      if (!inWindow(id)) continue;
      windowMessages++;
      const latency = msgLatency.at(i);
      if (Number.isNaN(latency)) continue;
      latencies.push(latency);
      lastPerChange.set(id, Math.max(lastPerChange.get(id) ?? -Infinity, latency));
      const slice = Math.max(0, Math.floor((msgAt.at(i) - m.windowStartMs) / 5_000));
      let values = sliceValues.get(slice);
      if (!values) sliceValues.set(slice, (values = []));
      values.push(latency);
    }

    const windowChanges = Math.max(0, idEnd - idStart + 1);
    let seenByNone = 0;
    for (let id = idStart; id <= idEnd; id++) if (!requestOf.has(id)) seenByNone++;
    let missing = 0;
    let superseded = 0;
    let outOfOrder = 0;
    let complete = 0;
    const perSubscriber: number[] = [];
    for (const s of streams) {
      outOfOrder += s.outOfOrder;
      const got = new Set<number>();
      for (let i = 0; i < s.ids.length; i++) if (inWindow(s.ids.at(i))) got.add(s.ids.at(i));
      perSubscriber.push(got.size);
      let mine = 0;
      for (let id = idStart; id <= idEnd; id++) {
        if (got.has(id)) continue;
        mine++;
        const requestId = requestOf.get(id);
        if (requestId === undefined || (s.lastByRequest.get(requestId) ?? 0) > id) superseded++;
      }
      missing += mine;
      if (mine === 0) complete++;
    }
    perSubscriber.sort((a, b) => a - b);
    const mismatches: string[] = [];
    let current = 0;
    for (const s of streams) {
      if (upToDate(s)) {
        current++;
        continue;
      }
      if (mismatches.length < 5) {
        const wrong = [...final].filter(([r, id]) => s.lastByRequest.get(r) !== id).slice(0, 3);
        mismatches.push(`subscriber ${s.index}: ${wrong.map(([r, id]) => `request ${r} last ${s.lastByRequest.get(r) ?? "none"}, latest ${id}`).join("; ")}`);
      }
    }
    return {
      subscribers: streams.length,
      messagesTotal: msgIds.length,
      messagesWindow: windowMessages,
      latencyMs: summarise(latencies),
      lastSubscriberMs: summarise([...lastPerChange.values()]),
      slices: [...sliceValues.entries()].sort((a, b) => a[0] - b[0]).map(([slice, values]) => {
        const summary = summarise(values);
        return { fromS: slice * 5, count: summary.count, p50: summary.p50, p99: summary.p99 };
      }),
      windowChanges,
      windowChangesSeenByNone: seenByNone,
      perSubscriber: { min: perSubscriber[0] ?? 0, median: perSubscriber[Math.floor(perSubscriber.length / 2)] ?? 0, max: perSubscriber[perSubscriber.length - 1] ?? 0 },
      subscribersWithEveryChange: complete,
      missing,
      missingSuperseded: superseded,
      missingLost: missing - superseded,
      outOfOrder,
      badMessages,
      badMessageSamples: badSamples,
      pings,
      finalChecked: final.size,
      subscribersUpToDate: current,
      finalMismatchSamples: mismatches,
      commitTime: [...commitTimes],
    };
  }

  parentPort?.on("message", (m: ParserCommand) => {
    if (m.type === "chunks") {
      const { batch } = m;
      for (let i = 0; i < batch.length; i += 3) streams[batch[i] as number].receive(batch[i + 2] as string, batch[i + 1] as number);
    } else if (m.type === "report") {
      void report(m).then((r) => parentPort?.postMessage({ requestId: m.requestId, report: r }));
    }
  });
}

// ---------------------------------------------------------------- webhooks that create the requests

type Json = Record<string, unknown>;
const captured = (name: string): Json => JSON.parse(readFileSync(path.join(SHARED, "fixtures", "captured", `${name}.json`), "utf8")) as Json;
const clone = <T>(v: T): T => structuredClone(v);

/** A Jellyseerr approval and the *arr Grab for one torrent, as the real services send them. */
function webhooksFor(t: SimTorrent, index: number): { service: "jellyseerr" | "radarr" | "sonarr"; body: Json }[] {
  const downloadId = t.hash.toUpperCase();
  const slug = t.title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const approval = (template: Json, media: Json, extra: Json[]): Json => {
    const body = clone(template);
    body.subject = `${t.title} (${t.year})`;
    // Every Jellyseerr value is a string.
    body.media = { ...(body.media as Json), ...media };
    body.request = { ...(body.request as Json), request_id: String(20_000 + index) };
    body.extra = extra;
    return body;
  };
  if (t.kind === "movie") {
    const tmdbId = 2_500_000 + index;
    const imdbId = `tt${95_000_000 + index}`;
    const grab = clone(captured("radarr-grab"));
    grab.movie = { ...(grab.movie as Json), id: 90_000 + index, title: t.title, year: t.year, tmdbId, imdbId, folderPath: `/data/media/movies/${t.title} (${t.year})` };
    grab.remoteMovie = { ...(grab.remoteMovie as Json), tmdbId, imdbId, title: t.title, year: t.year };
    grab.release = { ...(grab.release as Json), releaseTitle: t.name, size: t.size };
    grab.downloadId = downloadId;
    return [
      { service: "jellyseerr", body: approval(captured("jellyseerr-movie-auto-approved"), { media_type: "movie", tmdbId: String(tmdbId), tvdbId: "" }, []) },
      { service: "radarr", body: grab },
    ];
  }
  const tmdbId = 3_500_000 + index;
  const tvdbId = 4_500_000 + index;
  const seasons = [...new Set(t.episodes.map((e) => e.season))];
  const grab = clone(captured("sonarr-grab"));
  grab.series = { ...(grab.series as Json), id: 95_000 + index, title: t.title, titleSlug: slug, tvdbId, tmdbId, imdbId: `tt${96_000_000 + index}`, year: t.year, type: "standard", path: `/data/media/tv/${t.title}` };
  grab.episodes = t.episodes.map((e) => ({ id: 3_000_000 + index * 100 + e.number, episodeNumber: e.number, seasonNumber: e.season, title: e.title, tvdbId: 80_000_000 + index * 100 + e.number }));
  grab.release = { ...(grab.release as Json), releaseTitle: t.name, size: t.size };
  grab.downloadId = downloadId;
  return [
    {
      service: "jellyseerr",
      body: approval(captured("jellyseerr-tv-auto-approved"), { media_type: "tv", tmdbId: String(tmdbId), tvdbId: String(tvdbId) }, [{ name: "Requested Seasons", value: seasons.join(", ") }]),
    },
    { service: "sonarr", body: grab },
  ];
}

async function postHook(port: number, service: string, body: Json): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/api/hooks/${service}?token=${encodeURIComponent(WEBHOOK_SECRET)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300 || !text.includes('"accepted"')) throw new Error(`${service} webhook answered ${res.status}: ${text.slice(0, 200)}`);
}

interface ListedRequest {
  id: number;
  title: string;
  state: string;
  progress: number | null;
}

async function listRequests(port: number): Promise<ListedRequest[]> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/requests?limit=500`, { headers: { "x-api-key": API_KEY }, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /api/v1/requests answered ${res.status}: ${text.slice(0, 200)}`);
  return (JSON.parse(text) as { requests: ListedRequest[] }).requests;
}

// ---------------------------------------------------------------- signing in

/** The Auth.js REST flow a browser's form post follows: csrf token, then the credentials callback. */
async function signIn(port: number): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  const csrf = await fetch(`${base}/api/auth/csrf`, { signal: AbortSignal.timeout(10_000) });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, username: ADMIN.username, password: ADMIN.password }),
    signal: AbortSignal.timeout(10_000),
  });
  await res.text();
  const session = res.headers.getSetCookie().find((c) => /^(__Secure-)?authjs\.session-token=/.test(c));
  if (!session) throw new Error(`sign-in gave no session cookie (status ${res.status}, location ${res.headers.get("location")})`);
  return session.split(";")[0];
}

/** Status and what a subscription stream says in its first second (to check how one without a session is answered). */
function probeSubscription(port: number, cookie: string | null): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const input = encodeURIComponent(JSON.stringify(superjson.serialize({ lastEventId: "0" })));
  return new Promise((resolve, reject) => {
    let status = 0;
    let body = "";
    let headers: http.IncomingHttpHeaders = {};
    const req = http.get({ host: "127.0.0.1", port, path: `/api/trpc/requests.onChange?input=${input}`, headers: { ...BROWSER_HEADERS, ...(cookie ? { cookie } : {}) }, agent: false }, (res) => {
      status = res.statusCode ?? 0;
      headers = res.headers;
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status, body, headers }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status, body, headers });
    }, 1_000);
    req.on("close", () => clearTimeout(timer));
    req.on("error", (err) => (status ? resolve({ status, body, headers }) : reject(err)));
  });
}

// ---------------------------------------------------------------- the server under test



// ---------------------------------------------------------------- reporting

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? "n/a" : n.toFixed(digits));

function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join("\n");
}

function ensureBuild(notes: string[]): void {
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    console.log("No Next production build (.next/BUILD_ID missing): running `npx next build` first...");
    notes.push("ran `npx next build` first (no build found)");
    const build = spawnSync("npx", ["next", "build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (build.status !== 0) throw new Error(`next build failed (exit ${build.status})`);
    return;
  }
  const built = statSync(path.join(ROOT, ".next", "BUILD_ID")).mtimeMs;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? newer(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs > built));
  // The tRPC route handler (and the routers it bundles) is compiled into .next.
  const stale = ["src/app", "src/server/trpc"].filter((d) => newer(path.join(ROOT, d)));
  if (stale.length > 0) {
    const msg = `${stale.join(" and ")} ha${stale.length > 1 ? "ve" : "s"} files newer than the Next build: the compiled route handlers may be stale (run \`npx next build\`)`;
    console.log(`warning: ${msg}`);
    notes.push(msg);
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const notes: string[] = [];
  ensureBuild(notes);

  const tmp = mkdtempSync(path.join(os.tmpdir(), "status-tracker-bench-live-"));
  const dbFile = path.join(tmp, "bench.db");
  const server = new ServerProcess();
  const sim = new Child<SimCommand, SimMessage>("--sim-child", { torrents: opts.requests } satisfies SimConfig);
  let client: Child<ClientCommand, ClientMessage> | null = null;
  let reader: Client | null = null;

  const cleanup = async () => {
    await client?.stop({ type: "stop" });
    reader?.close();
    await server.stop();
    await sim.stop({ type: "stop" });
    if (!opts.keep) rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", () => {
    server.killNow();
    sim.killNow();
    client?.killNow();
  });

  try {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const qbit = await sim.next("ready");
    console.log(`Simulated qBittorrent (child process): ${qbit.torrents.length} downloading torrents, ${qbit.torrents.filter((t) => t.kind === "tv").length} of them season packs`);

    const port = await freePort();
    const profileDir = opts.profile ? path.join(RESULTS_DIR, `profile-live-${Date.now()}`) : undefined;
    console.log(`Starting the server (production build) on 127.0.0.1:${port}, database ${dbFile}`);
    const bootStart = performance.now();
    server.start({
      entry: opts.entry,
      port,
      dbFile,
      profileDir,
      env: { WEBHOOK_SECRET, API_KEY, AUTH_SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, QBITTORRENT_URL: qbit.url, QBITTORRENT_USERNAME: qbit.username, QBITTORRENT_PASSWORD: qbit.password },
    });
    await server.waitHealthy(port);
    const bootMs = performance.now() - bootStart;
    reader = createClient({ url: `file:${dbFile}` });
    await reader.execute("PRAGMA query_only = ON");
    await reader.execute("PRAGMA busy_timeout = 5000");
    const db = reader;
    const lastChangeId = async () => Number((await db.execute("select coalesce((select seq from sqlite_sequence where name = 'changes'), 0)")).rows[0]?.[0] ?? 0);
    const checks: Check[] = [];

    // The requests, created through the webhooks (a few torrents at a time, each approval before its grab).
    console.log(`Creating ${qbit.torrents.length} requests: a Jellyseerr approval and a Radarr/Sonarr Grab each...`);
    let nextTorrent = 0;
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        while (nextTorrent < qbit.torrents.length) {
          const index = nextTorrent++;
          for (const hook of webhooksFor(qbit.torrents[index], index)) await postHook(port, hook.service, hook.body);
        }
      }),
    );
    // Until the poller has seen every download move.
    let listed: ListedRequest[] = [];
    const createdBy = Date.now() + 60_000;
    for (;;) {
      listed = await listRequests(port);
      if (listed.length === qbit.torrents.length && listed.every((r) => r.state === "downloading" && (r.progress ?? 0) > 0)) break;
      if (Date.now() > createdBy) break;
      await sleep(500);
    }
    const states: Record<string, number> = {};
    for (const r of listed) states[r.state] = (states[r.state] ?? 0) + 1;
    checks.push({
      name: `${qbit.torrents.length} requests exist and are downloading (GET /api/v1/requests)`,
      ok: listed.length === qbit.torrents.length && listed.every((r) => r.state === "downloading"),
      detail: `${listed.length} listed, states ${JSON.stringify(states)}`,
    });
    if (!checks[0].ok) throw new Error(`the requests were not all downloading after 60 s: ${checks[0].detail}\n${server.lastLog()}`);

    // Signed in like a browser; a stream without the session is refused.
    const cookie = await signIn(port);
    const anonymous = await probeSubscription(port, null);
    const signed = await probeSubscription(port, cookie);
    checks.push({
      name: "the session cookie from the Auth.js REST flow (csrf, credentials callback) opens the stream; without it: UNAUTHORIZED",
      // tRPC answers a refused SSE subscription inside the stream: 200, "connected", then a serialized error.
      ok:
        signed.status === 200 &&
        signed.body.includes("event: connected") &&
        !signed.body.includes("serialized-error") &&
        (anonymous.status === 401 || (/event: serialized-error\ndata: .*"UNAUTHORIZED"/.test(anonymous.body) && !/\nid: /.test(anonymous.body))),
      detail: `with the cookie ${signed.status}, ${signed.body.includes("event: connected") ? "connected" : JSON.stringify(signed.body.slice(0, 80))}; without ${anonymous.status}, ${/"UNAUTHORIZED"/.test(anonymous.body) ? "serialized-error UNAUTHORIZED" : JSON.stringify(anonymous.body.slice(0, 200))}`,
    });

    // The server's cost without subscribers: poller + pipeline at this rate of changes.
    const baseSeconds = 5;
    const memoryIdle = server.memory();
    const baseCpu0 = server.cpuSeconds();
    const baseId0 = await lastChangeId();
    await sleep(baseSeconds * 1000);
    const baseCpu1 = server.cpuSeconds();
    const baseId1 = await lastChangeId();
    const baseline = {
      seconds: baseSeconds,
      serverCpuPercent: baseCpu0 !== null && baseCpu1 !== null ? Math.round(((baseCpu1 - baseCpu0) / baseSeconds) * 1000) / 10 : null,
      changesPerSecond: Math.round(((baseId1 - baseId0) / baseSeconds) * 10) / 10,
    };

    // The subscribers.
    const startAfter = await lastChangeId();
    console.log(`Opening ${opts.subscribers} subscriptions (after change #${startAfter})...`);
    client = new Child<ClientCommand, ClientMessage>("--client-child", {
      port,
      cookie,
      subscribers: opts.subscribers,
      startAfter,
      connectConcurrency: 50,
    } satisfies ClientConfig);
    const connected = await client.next("connected", 180_000);
    checks.push({
      name: `all ${opts.subscribers} subscribers connected`,
      ok: connected.subscribers === opts.subscribers,
      detail: `${connected.subscribers} in ${fmt(connected.connectMs / 1000, 1)} s${connected.failures.length ? `; failures e.g. ${connected.failures.join(" | ")}` : ""}`,
    });
    const memoryConnected = server.memory();

    if (opts.warmup > 0) {
      console.log(`Warm-up: ${opts.warmup} s...`);
      await sleep(opts.warmup * 1000);
    }

    console.log(`Measuring for ${opts.seconds} s...`);
    const rssSamples: number[] = [];
    const idStart = (await lastChangeId()) + 1;
    const cpu0 = server.cpuSeconds();
    const windowStartMs = Date.now();
    client.send({ type: "window-start" });
    const windowStart = performance.now();
    while (performance.now() - windowStart < opts.seconds * 1000) {
      await sleep(Math.min(1000, opts.seconds * 1000 - (performance.now() - windowStart)));
      const m = server.memory();
      if (m.rssMiB !== null) rssSamples.push(m.rssMiB);
      if (server.exited) throw new Error(`the server exited during the run (${JSON.stringify(server.exited)}):\n${server.lastLog()}`);
    }
    const idEnd = await lastChangeId();
    const cpu1 = server.cpuSeconds();
    const windowMs = performance.now() - windowStart;
    client.send({ type: "window-end" });

    // Quiet the feed: pause the downloads, wait for their last changes, compare with the log.
    sim.send({ type: "pause" });
    await sim.next("paused");
    let quietSince = performance.now();
    let seen = await lastChangeId();
    const quietBy = performance.now() + 30_000;
    while (performance.now() - quietSince < 3_000 && performance.now() < quietBy) {
      await sleep(250);
      const id = await lastChangeId();
      if (id !== seen) {
        seen = id;
        quietSince = performance.now();
      }
    }
    const finalRows = (await db.execute("select request_id, max(id) from changes group by request_id")).rows;
    const finalIds = finalRows.map((r) => [Number(r[0]), Number(r[1])] as [number, number]);
    client.send({ type: "report", idStart, idEnd, windowStartMs, finalIds, settleMs: 10_000 });
    const report = await client.next("report", 120_000);
    const memoryEnd = server.memory();

    const windowSeconds = windowMs / 1000;
    const changeRate = report.windowChanges / windowSeconds;
    // The poller waits 1 s after the pipeline took a cycle's events: the cadence stretches when
    // the server is busy; below one change per request in 4 s it no longer keeps up.
    checks.push({
      name: "the downloads kept changing (at least one change per request every 4 s)",
      ok: changeRate >= opts.requests / 4,
      detail: `${report.windowChanges} changes committed in ${fmt(windowSeconds, 1)} s (${fmt(changeRate, 1)}/s, one per request every ${fmt(opts.requests / changeRate, 1)} s)`,
    });
    checks.push({
      name: "every stream stayed open, every message well-formed and in id order",
      ok: report.streamProblems === 0 && report.badMessages === 0 && report.outOfOrder === 0 && report.connected === opts.subscribers,
      detail: `${report.streamProblems} dropped streams, ${report.badMessages} bad messages, ${report.outOfOrder} out of order, ${report.connected} connected at the end` +
        [...report.streamProblemSamples, ...report.badMessageSamples].map((s) => `; ${s}`).join(""),
    });
    checks.push({
      name: "no change lost: a change a subscriber did not get was superseded by a later one of its request",
      ok: report.missingLost === 0,
      detail: `${report.missing} (subscriber, change) pairs missing of ${report.windowChanges * opts.subscribers}, ${report.missingSuperseded} superseded, ${report.missingLost} lost`,
    });
    checks.push({
      name: "every subscriber ends with every request's latest change (change log)",
      ok: report.subscribersUpToDate === opts.subscribers && report.finalChecked > 0,
      detail: `${report.subscribersUpToDate} of ${opts.subscribers} up to date over ${report.finalChecked} requests` + report.finalMismatchSamples.map((s) => `; ${s}`).join(""),
    });

    const rssDuring = rssSamples.length ? Math.max(...rssSamples) : null;
    const rssForTarget = Math.max(rssDuring ?? 0, memoryEnd.rssMiB ?? 0, memoryEnd.peakRssMiB ?? 0);
    const targets = {
      p99: { target: `< ${TARGET_P99_MS} ms`, value: report.latencyMs.p99, ok: report.latencyMs.p99 < TARGET_P99_MS },
      rss: { target: `peak < 400 MB (${fmt(TARGET_RSS_MIB, 1)} MiB)`, value: rssForTarget, ok: rssForTarget > 0 && rssForTarget < TARGET_RSS_MIB },
    };
    const correct = checks.every((c) => c.ok);
    const pass = correct && (!opts.targets || (targets.p99.ok && targets.rss.ok));
    const serverCpuSeconds = cpu0 !== null && cpu1 !== null ? Math.round((cpu1 - cpu0) * 100) / 100 : null;

    const result = {
      benchmark: "live",
      at: new Date().toISOString(),
      commit: gitCommit(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, node: process.version, platform: `${os.platform()} ${os.release()}`, memGiB: Math.round(os.totalmem() / 2 ** 30) },
      options: opts,
      serverBootMs: Math.round(bootMs),
      requests: listed.length,
      subscribers: opts.subscribers,
      connectMs: connected.connectMs,
      windowSeconds: Math.round(windowSeconds * 10) / 10,
      changes: {
        window: report.windowChanges,
        perSecond: Math.round(changeRate * 10) / 10,
        secondsBetweenChangesPerRequest: Math.round((opts.requests / changeRate) * 100) / 100,
        seenByNoSubscriber: report.windowChangesSeenByNone,
      },
      /** The stream's response headers (tell Next's route handler from the direct stream). */
      streamHeaders: signed.headers,
      commitTime: report.commitTime,
      messages: { window: report.messagesWindow, total: report.messagesTotal, perSecond: Math.round(report.messagesWindow / windowSeconds), bytesReceived: report.bytesReceived, contentEncoding: report.contentEncoding, pings: report.pings },
      latencyMs: report.latencyMs,
      lastSubscriberMs: report.lastSubscriberMs,
      slices: report.slices,
      coverage: {
        perSubscriber: report.perSubscriber,
        subscribersWithEveryChange: report.subscribersWithEveryChange,
        missing: report.missing,
        missingSuperseded: report.missingSuperseded,
        missingLost: report.missingLost,
        subscribersUpToDate: report.subscribersUpToDate,
        reconnects: report.reconnects,
      },
      server: {
        cpuSeconds: serverCpuSeconds,
        cpuPercent: serverCpuSeconds !== null ? Math.round((serverCpuSeconds / windowSeconds) * 1000) / 10 : null,
        withoutSubscribers: baseline,
        rssMiB: {
          beforeSubscribers: memoryIdle.rssMiB,
          subscribersConnected: memoryConnected.rssMiB,
          duringWindowMax: rssDuring,
          end: memoryEnd.rssMiB,
          peak: memoryEnd.peakRssMiB,
        },
      },
      client: { cpuSeconds: report.clientCpuSeconds, eventLoopUtilization: report.clientEventLoopUtilization, eventLoopDelayMs: report.clientEventLoopDelayMs },
      checks,
      targets,
      profileDir: profileDir ?? null,
      notes,
      pass,
    };

    const l = report.latencyMs;
    const f = report.lastSubscriberMs;
    const rss = result.server.rssMiB;
    console.log("");
    console.log(`Live updates: ${opts.subscribers} subscribers, ${listed.length} downloading requests, ${fmt(windowSeconds, 1)} s, ${result.machine.cpus} CPUs, Node ${process.version}`);
    console.log(
      table([
        ["changes committed", `${report.windowChanges} (${fmt(changeRate, 1)}/s: each request every ${fmt(opts.requests / changeRate, 2)} s)`],
        ["messages delivered", `${report.messagesWindow} (${result.messages.perSecond}/s), ${fmt(report.bytesReceived / 2 ** 20, 1)} MiB in all, encoding ${report.contentEncoding.join(", ")}`],
        ["latency p50 / p90", `${fmt(l.p50)} / ${fmt(l.p90)} ms`],
        ["latency p99", `${fmt(l.p99)} ms  (target < ${TARGET_P99_MS}) ${targets.p99.ok ? "ok" : "MISSED"}`],
        ["latency max / mean", `${fmt(l.max)} / ${fmt(l.mean)} ms`],
        ["last subscriber p50 / p99 / max", `${fmt(f.p50)} / ${fmt(f.p99)} / ${fmt(f.max)} ms`],
        ["per subscriber (min/median/max)", `${report.perSubscriber.min} / ${report.perSubscriber.median} / ${report.perSubscriber.max} of ${report.windowChanges} changes; ${report.subscribersWithEveryChange} got every one`],
        ["missing (superseded / lost)", `${report.missing} (${report.missingSuperseded} / ${report.missingLost})`],
        ["server CPU", `${fmt(serverCpuSeconds, 2)} s = ${fmt(result.server.cpuPercent)} % of one core (without subscribers ${fmt(baseline.serverCpuPercent)} % at ${fmt(baseline.changesPerSecond)} changes/s)`],
        ["server RSS", `${fmt(rss.beforeSubscribers)} MiB before, ${fmt(rss.subscribersConnected)} connected, ${fmt(rss.duringWindowMax)} max in window, ${fmt(rss.end)} end, peak ${fmt(rss.peak)} MiB (target < 400 MB = ${fmt(TARGET_RSS_MIB, 1)} MiB) ${targets.rss.ok ? "ok" : "MISSED"}`],
        ["subscriber process", `${fmt(report.clientCpuSeconds, 2)} s CPU, event loop ${fmt((report.clientEventLoopUtilization ?? NaN) * 100)} % busy, delay p50/p99/max ${fmt(report.clientEventLoopDelayMs.p50)} / ${fmt(report.clientEventLoopDelayMs.p99)} / ${fmt(report.clientEventLoopDelayMs.max)} ms`],
        ["connect", `${fmt(connected.connectMs / 1000, 2)} s for ${connected.subscribers} streams`],
      ]),
    );
    console.log("  latency per 5 s of the window (p50/p99 ms): " + report.slices.map((s) => `${fmt(s.p50, 0)}/${fmt(s.p99, 0)}`).join("  "));
    console.log("  checks:");
    for (const c of checks) console.log(`    ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
    for (const n of notes) console.log(`  note: ${n}`);
    console.log(pass ? "PASS" : "FAIL");

    const file = path.join(RESULTS_DIR, `live-${result.at.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`Written to ${path.relative(ROOT, file)}`);
    console.log(JSON.stringify(result));

    await cleanup();
    if (profileDir) console.log(`CPU profile of the server in ${path.relative(ROOT, profileDir)}`);
    return pass ? 0 : 1;
  } catch (err) {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    await cleanup();
    return 1;
  }
}

const role = process.argv[2];
if (!isMainThread && (workerData as ParserInit | undefined)?.role === "parser") {
  parserWorker(workerData as ParserInit);
} else if (!isMainThread) {
  // Some other worker imported this file: nothing to start.
} else if (role === "--sim-child" || role === "--client-child") {
  const config = JSON.parse(process.argv[3]) as unknown;
  const run = role === "--sim-child" ? simChild(config as SimConfig) : clientChild(config as ClientConfig);
  run.catch((err: unknown) => {
    process.send?.({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  });
} else if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    },
  );
}
