/**
 * Webhook ingestion benchmark: `npm run bench:ingest [-- --count 10000 --concurrency 50]`.
 *
 * Starts the real production server (`node --import tsx server.ts`, Next production build) as a
 * child process on a loopback port with a fresh temp-file database, then posts a realistic MIXED
 * stream of Jellyseerr / Radarr / Sonarr / Jellyfin webhooks built from the captured and reference
 * payloads (ids varied so every body is distinct and the webhooks of one simulated request
 * correlate with each other), with a fixed number in flight. Measures:
 *  - latency: from sending the request to having read the whole 2xx response (the ack);
 *  - throughput: webhooks acknowledged per second over the measured run;
 *  - drain: how long after the last ack the asynchronous pipeline needs until no inbox row is
 *    pending (read with a separate read-only libSQL connection on the same file);
 *  - server RSS at the end;
 *  - correctness: no failed inbox rows, every simulated request exists exactly once in a state its
 *    webhooks allow (database and REST API).
 * Prints a table and one JSON line, writes bench/results/ingest-<timestamp>.json, exits non-zero on
 * any error or missed target (>= 500 webhooks/s, p99 < 50 ms).
 *
 * Options: --count N (10000) --concurrency C (50) --warmup W (200) --seed S (1)
 *          --profile (write a V8 CPU profile of the server to bench/results/)
 *          --keep (keep the temp database directory) --no-targets (report, do not fail on targets)
 *          --entry FILE (start FILE instead of server.ts, same environment: for experiments)
 * Only ever talks to 127.0.0.1.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createClient, type Client } from "@libsql/client";
import { freePort, gitCommit, ROOT, ServerProcess } from "./server-process";

// ---------------------------------------------------------------- options

const SHARED = process.env.SHARED_DIR ? path.resolve(process.env.SHARED_DIR) : path.resolve(ROOT, "../shared");
const RESULTS_DIR = path.join(ROOT, "bench", "results");

const TARGET_THROUGHPUT = 500; // webhooks/s
const TARGET_P99_MS = 50;
const DRAIN_LIMIT_MS = 120_000;
const WEBHOOK_SECRET = "bench-webhook-secret";
const API_KEY = "bench-api-key";

interface Options {
  count: number;
  concurrency: number;
  warmup: number;
  seed: number;
  profile: boolean;
  keep: boolean;
  targets: boolean;
  /** Server entry to start instead of server.ts (experiments: same env, same protocol). */
  entry: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { count: 10_000, concurrency: 50, warmup: 200, seed: 1, profile: false, keep: false, targets: true, entry: "server.ts" };
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
      case "--count": opts.count = value(); break;
      case "--concurrency": opts.concurrency = Math.max(1, value()); break;
      case "--warmup": opts.warmup = value(); break;
      case "--seed": opts.seed = value(); break;
      case "--profile": opts.profile = true; break;
      case "--keep": opts.keep = true; break;
      case "--no-targets": opts.targets = false; break;
      case "--entry": opts.entry = inline ?? argv[++i]; break;
      case "--help":
      case "-h":
        console.log("usage: npm run bench:ingest -- [--count N] [--concurrency C] [--warmup W] [--seed S] [--profile] [--keep] [--no-targets] [--entry FILE]");
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default:
        throw new Error(`unknown option ${arg} (try --help)`);
    }
  }
  if (opts.count < 1) throw new Error("--count must be at least 1");
  return opts;
}

// ---------------------------------------------------------------- payload templates

type Json = Record<string, unknown>;

function readJson(dir: string, name: string): Json {
  const file = path.join(SHARED, dir, `${name}.json`);
  return JSON.parse(readFileSync(file, "utf8")) as Json;
}
const captured = (name: string) => readJson("fixtures/captured", name);
const reference = (name: string) => readJson("reference/payloads", name);

export function loadTemplates() {
  return {
    jsMovieApproved: [captured("jellyseerr-movie-auto-approved"), reference("jellyseerr-webhook-media-auto-approved")],
    jsTvApproved: [captured("jellyseerr-tv-auto-approved"), reference("jellyseerr-webhook-media-approved")],
    jsAvailable: reference("jellyseerr-webhook-media-available"),
    radarrGrab: [captured("radarr-grab"), reference("radarr-grab")],
    radarrDownload: [captured("radarr-import"), reference("radarr-download")],
    sonarrGrab: [captured("sonarr-grab"), reference("sonarr-grab")],
    sonarrImport: [captured("sonarr-import"), reference("sonarr-import-complete")],
    jellyfinTemplate: reference("jellyfin-webhook-itemadded-episode"),
    jellyfinSendAll: reference("jellyfin-webhook-itemadded-anime-sendall"),
  };
}
type Templates = ReturnType<typeof loadTemplates>;

const clone = <T>(v: T): T => structuredClone(v);

/** Deterministic PRNG (mulberry32), so a seed reproduces the same workload. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (input: string, length: number) => createHash("sha256").update(input).digest("hex").slice(0, length);
/** Sonarr/Radarr downloadId: the torrent's info hash, 40 hex, UPPER case. */
const torrentHash = (input: string) => createHash("sha1").update(input).digest("hex").toUpperCase();
const guid = (input: string) => {
  const h = hex(input, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

type Service = "jellyseerr" | "sonarr" | "radarr" | "jellyfin";
type Step = "approved" | "grab" | "import" | "library" | "available";

interface Webhook {
  service: Service;
  /** e.g. "radarr Grab", for the mix report. */
  label: string;
  step: Step;
  body: Buffer;
}

interface Flow {
  index: number;
  mediaType: "movie" | "tv";
  tmdbId: number;
  title: string;
  steps: Webhook[];
  /** How many steps have been acknowledged. */
  done: number;
  busy: boolean;
}

const MOVIE_TITLES = ["The Quiet Orbit", "Violet Evergarden: The Movie", "Paper Lanterns", "North of Nowhere", "Glass Harbour"];
const SHOW_TITLES = ["Harbor Lights", "Lycoris Recoil", "Starlit Relay", "Salt and Signal", "The Long Field"];
const EPISODES_PER_PACK = 10;

/**
 * Builds one simulated request's webhooks, in the order the real services send them.
 *  movie: Jellyseerr approved -> Radarr Grab -> Radarr Download -> (Jellyseerr MEDIA_AVAILABLE | Jellyfin Movie ItemAdded | nothing)
 *  tv:    Jellyseerr approved ("Requested Seasons") -> Sonarr Grab (season pack, 10 episodes)
 *         -> Sonarr Download (import complete, 10 files) -> 0-3 Jellyfin Episode ItemAdded -> (Jellyseerr MEDIA_AVAILABLE | nothing)
 */
function makeFlow(t: Templates, index: number, random: () => number, seed: number): Flow {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const variant = Math.floor(random() * 2); // captured (anime) or reference (standard) shapes
  const mediaType = random() < 0.45 ? "movie" : "tv";
  const key = `bench-${seed}-${index}`;
  const requestId = 10_000 + index;
  const year = 1990 + (index % 36);
  const username = pick(["jon", "mira", "requester", "ana"]);
  // A distinct title per simulated request: Jellyfin episode items correlate by series name.
  const title = `${pick(mediaType === "movie" ? MOVIE_TITLES : SHOW_TITLES)} ${index}`;
  const steps: Webhook[] = [];
  const add = (service: Service, label: string, step: Step, body: Json) =>
    steps.push({ service, label, step, body: Buffer.from(JSON.stringify(body)) });

  const jellyseerr = (template: Json, type: string, media: Json, extra: Json[]): Json => {
    const body = clone(template);
    body.notification_type = type;
    body.subject = `${title} (${year})`;
    // Every Jellyseerr value is a string.
    body.media = { ...(body.media as Json), ...media };
    const request = body.request as Json;
    body.request = { ...request, request_id: String(requestId), requestedBy_username: username, requestedBy_email: `${username}@example.org` };
    body.extra = extra;
    return body;
  };

  if (mediaType === "movie") {
    const tmdbId = 2_000_000 + index;
    const radarrId = 50_000 + index;
    const imdbId = `tt${90_000_000 + index}`;
    const hash = torrentHash(key);
    const media = { media_type: "movie", tmdbId: String(tmdbId), tvdbId: "", status: "PENDING" };
    add("jellyseerr", "jellyseerr MEDIA_AUTO_APPROVED", "approved", jellyseerr(t.jsMovieApproved[variant], "MEDIA_AUTO_APPROVED", media, []));

    const movie = (template: Json): Json => {
      const body = clone(template);
      body.movie = { ...(body.movie as Json), id: radarrId, title, year, tmdbId, imdbId };
      body.remoteMovie = { ...(body.remoteMovie as Json), tmdbId, imdbId, title, year };
      body.downloadId = hash;
      return body;
    };
    const grab = movie(t.radarrGrab[variant]);
    (grab.release as Json).releaseTitle = `${title.replace(/\W+/g, ".")}.${year}.1080p.BluRay.x264-GRP`;
    add("radarr", "radarr Grab", "grab", grab);

    const download = movie(t.radarrDownload[variant]);
    const folder = `/data/media/movies/${title} (${year})`;
    (download.movie as Json).folderPath = variant === 0 ? `/data/anime/movies/${title} (${year})` : folder;
    const fileName = `${title.replace(/\W+/g, ".")}.${year}.1080p.BluRay.x264-GRP.mkv`;
    download.movieFile = { ...(download.movieFile as Json), id: 300_000 + index, relativePath: fileName, path: `${folder}/${fileName}` };
    add("radarr", "radarr Download", "import", download);

    const ending = random();
    if (ending < 0.5) {
      const available = jellyseerr(t.jsAvailable, "MEDIA_AVAILABLE", { ...media, status: "AVAILABLE" }, []);
      available.event = "Movie Request Now Available";
      add("jellyseerr", "jellyseerr MEDIA_AVAILABLE", "available", available);
    } else if (ending < 0.75) {
      const item = clone(t.jellyfinSendAll);
      Object.assign(item, {
        ItemType: "Movie",
        ItemId: hex(`${key}-item`, 32),
        Name: title,
        Year: year,
        Provider_tmdb: String(tmdbId),
        Provider_imdb: imdbId,
        UtcTimestamp: new Date().toISOString(),
      });
      for (const k of ["SeriesName", "SeriesId", "SeasonId", "SeriesPremiereDate", "SeasonNumber", "SeasonNumber00", "SeasonNumber000", "EpisodeNumber", "EpisodeNumber00", "EpisodeNumber000"]) {
        delete item[k];
      }
      add("jellyfin", "jellyfin ItemAdded (Movie)", "available", item);
    }
    return { index, mediaType, tmdbId, title, steps, done: 0, busy: false };
  }

  const tmdbId = 3_000_000 + index;
  const tvdbId = 4_000_000 + index;
  const sonarrId = 60_000 + index;
  const season = 1 + Math.floor(random() * 3);
  const hash = torrentHash(key);
  const media = { media_type: "tv", tmdbId: String(tmdbId), tvdbId: String(tvdbId), status: "PENDING" };
  const approvedType = random() < 0.7 ? "MEDIA_AUTO_APPROVED" : "MEDIA_APPROVED";
  add(
    "jellyseerr",
    `jellyseerr ${approvedType}`,
    "approved",
    jellyseerr(t.jsTvApproved[variant], approvedType, media, [{ name: "Requested Seasons", value: String(season) }]),
  );

  const episodeTvdb = (n: number) => 70_000_000 + index * 100 + n;
  const episodeList: Json[] = [];
  for (let n = 1; n <= EPISODES_PER_PACK; n++) {
    episodeList.push({
      id: 1_000_000 + index * 100 + n,
      episodeNumber: n,
      seasonNumber: season,
      title: `Episode ${n}`,
      airDate: `${year}-01-${String(n).padStart(2, "0")}`,
      airDateUtc: `${year}-01-${String(n).padStart(2, "0")}T01:00:00Z`,
      seriesId: sonarrId,
      tvdbId: episodeTvdb(n),
    });
  }
  const seriesPath = variant === 0 ? `/data/anime/shows/${title}` : `/data/media/tv/${title} (${year})`;
  const series = (template: Json): Json => {
    const body = clone(template);
    body.series = { ...(body.series as Json), id: sonarrId, title, tvdbId, tmdbId, imdbId: `tt${80_000_000 + index}`, year, path: seriesPath };
    body.episodes = episodeList;
    body.downloadId = hash;
    return body;
  };
  const release = `${title.replace(/\W+/g, ".")}.S${String(season).padStart(2, "0")}.1080p.WEB-DL.x264-GRP`;
  const grab = series(t.sonarrGrab[variant]);
  grab.release = { ...(grab.release as Json), releaseTitle: release, size: 20_000_000_000 + index };
  add("sonarr", "sonarr Grab (season pack)", "grab", grab);

  const imported = series(t.sonarrImport[variant]);
  const fileTemplate = ((imported.episodeFiles as Json[])[0] ?? {}) as Json;
  imported.episodeFiles = episodeList.map((e, i) => {
    const se = `S${String(season).padStart(2, "0")}E${String(e.episodeNumber).padStart(2, "0")}`;
    const relativePath = `Season ${String(season).padStart(2, "0")}/${title} - ${se} - Episode ${i + 1} [WEBDL-1080p].mkv`;
    return { ...fileTemplate, id: 500_000 + index * 100 + i, relativePath, path: `${seriesPath}/${relativePath}` };
  });
  imported.sourcePath = `/data/downloads/complete/${release}`;
  imported.destinationPath = `${seriesPath}/Season ${String(season).padStart(2, "0")}`;
  add("sonarr", "sonarr Download (import complete)", "import", imported);

  const jellyfinEpisodes = Math.floor(random() * 4);
  for (let n = 1; n <= jellyfinEpisodes; n++) {
    if (random() < 0.5) {
      const item = clone(t.jellyfinTemplate);
      Object.assign(item, {
        itemId: guid(`${key}-e${n}`),
        itemType: "Episode",
        name: `Episode ${n}`,
        year: String(year),
        seriesName: title,
        seriesId: guid(`${key}-series`),
        seasonNumber: String(season),
        episodeNumber: String(n),
        episodeNumberEnd: "",
        tvdb: String(episodeTvdb(n)),
      });
      add("jellyfin", "jellyfin ItemAdded (Episode, template)", "library", item);
    } else {
      const item = clone(t.jellyfinSendAll);
      Object.assign(item, {
        ItemId: hex(`${key}-e${n}`, 32),
        ItemType: "Episode",
        Name: `Episode ${n}`,
        Year: year,
        SeriesName: title,
        SeriesId: hex(`${key}-series`, 32),
        SeasonNumber: season,
        SeasonNumber00: String(season).padStart(2, "0"),
        EpisodeNumber: n,
        EpisodeNumber00: String(n).padStart(2, "0"),
        Provider_tvdb: String(episodeTvdb(n)),
        UtcTimestamp: new Date().toISOString(),
      });
      add("jellyfin", "jellyfin ItemAdded (Episode, send-all)", "library", item);
    }
  }
  if (random() < 0.5) {
    const available = jellyseerr(t.jsAvailable, "MEDIA_AVAILABLE", { ...media, status: "AVAILABLE" }, [
      { name: "Requested Seasons", value: String(season) },
    ]);
    add("jellyseerr", "jellyseerr MEDIA_AVAILABLE", "available", available);
  }
  return { index, mediaType, tmdbId, title, steps, done: 0, busy: false };
}

/** The request states a flow may be in once the pipeline has processed its acknowledged steps. */
function allowedStates(flow: Flow): string[] {
  if (flow.done === 0) return [];
  const last = flow.steps[flow.done - 1].step;
  switch (last) {
    case "approved": return ["approved"];
    case "grab": return ["grabbing"];
    case "import": return ["importing"];
    // Some episodes seen in Jellyfin, the rest still importing.
    case "library": return ["importing", "available"];
    case "available": return ["available"];
  }
}

/**
 * Hands out the next webhook to send: a random step-ready flow out of a pool of active ones,
 * never two steps of one flow at once (each step is sent after the previous one was acknowledged,
 * as the real services would), replacing finished flows with new ones.
 */
export class Workload {
  readonly flows: Flow[] = [];
  private ready: Flow[] = [];
  private readonly random: () => number;
  readonly mix = new Map<string, number>();

  constructor(private readonly templates: Templates, private readonly seed: number, private readonly pool: number) {
    this.random = rng(seed);
    for (let i = 0; i < pool; i++) this.ready.push(this.newFlow());
  }

  private newFlow(): Flow {
    const flow = makeFlow(this.templates, this.flows.length, this.random, this.seed);
    this.flows.push(flow);
    return flow;
  }

  next(): { flow: Flow; hook: Webhook } {
    if (this.ready.length === 0) this.ready.push(this.newFlow());
    const i = Math.floor(this.random() * this.ready.length);
    const flow = this.ready[i];
    this.ready[i] = this.ready[this.ready.length - 1];
    this.ready.pop();
    flow.busy = true;
    const hook = flow.steps[flow.done];
    return { flow, hook };
  }

  acknowledged(flow: Flow, ok: boolean): void {
    flow.busy = false;
    if (ok) flow.done++;
    if (flow.done < flow.steps.length && ok) this.ready.push(flow);
    else this.ready.push(this.newFlow());
  }

  count(hook: Webhook): void {
    this.mix.set(hook.label, (this.mix.get(hook.label) ?? 0) + 1);
  }
}

// ---------------------------------------------------------------- HTTP

interface Reply {
  status: number;
  body: string;
  ms: number;
}

function post(agent: http.Agent, port: number, service: Service, body: Buffer): Promise<Reply> {
  return new Promise((resolve) => {
    const start = performance.now();
    const req = http.request(
      {
        agent,
        host: "127.0.0.1",
        port,
        method: "POST",
        path: `/api/hooks/${service}?token=${encodeURIComponent(WEBHOOK_SECRET)}`,
        headers: { "content-type": "application/json", "content-length": body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ms: performance.now() - start }));
        res.on("error", (err) => resolve({ status: 0, body: String(err), ms: performance.now() - start }));
      },
    );
    req.on("error", (err) => resolve({ status: 0, body: `${err.name}: ${err.message}`, ms: performance.now() - start }));
    req.end(body);
  });
}

async function getJson(port: number, urlPath: string, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, { headers, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, json };
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- the server under test


// ---------------------------------------------------------------- the run

interface Phase {
  latencies: number[];
  errors: { status: number; body: string; label: string }[];
  statuses: Map<string, number>;
  wallMs: number;
  sent: number;
}

async function runPhase(
  total: number,
  concurrency: number,
  workload: Workload,
  agent: http.Agent,
  port: number,
  server: ServerProcess,
  countMix: boolean,
): Promise<Phase> {
  const phase: Phase = { latencies: [], errors: [], statuses: new Map(), wallMs: 0, sent: 0 };
  let issued = 0;
  const started = performance.now();
  const worker = async () => {
    while (issued < total) {
      if (server.exited) throw new Error(`the server exited during the run (${JSON.stringify(server.exited)}):\n${server.lastLog()}`);
      issued++;
      const { flow, hook } = workload.next();
      if (countMix) workload.count(hook);
      const reply = await post(agent, port, hook.service, hook.body);
      phase.sent++;
      const ok = reply.status >= 200 && reply.status < 300;
      if (ok) {
        phase.latencies.push(reply.ms);
        let status = "?";
        try {
          status = String((JSON.parse(reply.body) as { status?: unknown }).status);
        } catch {
          // not JSON
        }
        phase.statuses.set(status, (phase.statuses.get(status) ?? 0) + 1);
        if (status !== "accepted") phase.errors.push({ status: reply.status, body: reply.body.slice(0, 300), label: hook.label });
      } else {
        phase.errors.push({ status: reply.status, body: reply.body.slice(0, 300), label: hook.label });
      }
      workload.acknowledged(flow, ok);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  phase.wallMs = performance.now() - started;
  return phase;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

async function scalar(db: Client, sql: string): Promise<number> {
  const rs = await db.execute(sql);
  return Number(rs.rows[0]?.[0] ?? 0);
}

async function waitForDrain(db: Client, limitMs: number): Promise<{ drainMs: number; pendingLeft: number }> {
  const start = performance.now();
  for (;;) {
    const pending = await scalar(db, "select count(*) from inbox where status = 'pending'");
    const elapsed = performance.now() - start;
    if (pending === 0) return { drainMs: elapsed, pendingLeft: 0 };
    if (elapsed > limitMs) return { drainMs: elapsed, pendingLeft: pending };
    await sleep(50);
  }
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const IMPOSSIBLE_STATES = ["requested", "failed", "timeout", "match_failed", "declined", "deleted", "anime_matching", "searching"];

async function checkCorrectness(db: Client, port: number, workload: Workload): Promise<Check[]> {
  const checks: Check[] = [];
  const failed = await scalar(db, "select count(*) from inbox where status = 'failed'");
  const failedSample = failed > 0 ? (await db.execute("select id, service, event_type, error from inbox where status = 'failed' limit 3")).rows : [];
  checks.push({ name: "no failed inbox rows", ok: failed === 0, detail: failed === 0 ? "0 failed" : `${failed} failed, e.g. ${JSON.stringify(failedSample)}` });

  const pending = await scalar(db, "select count(*) from inbox where status = 'pending'");
  checks.push({ name: "no pending inbox rows", ok: pending === 0, detail: `${pending} pending` });

  // Every flow whose first webhook was acknowledged is one Jellyseerr request in a state its webhooks allow.
  const started = workload.flows.filter((f) => f.done > 0);
  const rows = (await db.execute("select id, media_type, tmdb_id, state, origin, stuck_reason from requests")).rows;
  const byKey = new Map<string, typeof rows>();
  for (const row of rows) {
    const k = `${row.media_type}:${row.tmdb_id}`;
    byKey.set(k, [...(byKey.get(k) ?? []), row]);
  }
  const problems: string[] = [];
  const stateCounts: Record<string, number> = {};
  for (const row of rows) stateCounts[String(row.state)] = (stateCounts[String(row.state)] ?? 0) + 1;
  for (const flow of started) {
    const found = byKey.get(`${flow.mediaType}:${flow.tmdbId}`) ?? [];
    const allowed = allowedStates(flow);
    if (found.length !== 1) problems.push(`${flow.title}: ${found.length} requests`);
    else if (!allowed.includes(String(found[0].state))) {
      problems.push(`${flow.title}: state ${found[0].state} after ${flow.steps[flow.done - 1].label}, expected ${allowed.join("/")}`);
    } else if (found[0].origin !== "jellyseerr") problems.push(`${flow.title}: origin ${found[0].origin}`);
    else if (found[0].stuck_reason !== null) problems.push(`${flow.title}: stuck: ${found[0].stuck_reason}`);
  }
  const stray = rows.length - started.length;
  checks.push({
    name: "every simulated request tracked once, in an allowed state (database)",
    ok: problems.length === 0 && stray === 0,
    detail:
      `${rows.length} requests for ${started.length} simulated; states ${JSON.stringify(stateCounts)}` +
      (stray !== 0 ? `; ${stray} unexpected extra rows` : "") +
      (problems.length > 0 ? `; ${problems.length} problems, e.g. ${problems.slice(0, 3).join(" | ")}` : ""),
  });

  // The same through the REST API (newest 500).
  const flowByKey = new Map(started.map((f) => [`${f.mediaType}:${f.tmdbId}`, f]));
  const res = await getJson(port, "/api/v1/requests?limit=500", { "x-api-key": API_KEY });
  if (res.status !== 200) {
    checks.push({ name: "REST API lists the requests", ok: false, detail: `GET /api/v1/requests answered ${res.status}: ${JSON.stringify(res.json).slice(0, 200)}` });
    return checks;
  }
  const list = (res.json as { requests: { id: number; title: string; mediaType: string; tmdbId: number | null; state: string; stuckReason: string | null; episodes: { total: number } | null }[] }).requests;
  const restProblems: string[] = [];
  for (const r of list) {
    const flow = flowByKey.get(`${r.mediaType}:${r.tmdbId}`);
    if (IMPOSSIBLE_STATES.includes(r.state)) restProblems.push(`#${r.id} ${r.title}: impossible state ${r.state}`);
    else if (!flow) restProblems.push(`#${r.id} ${r.title}: not a simulated request`);
    else if (!allowedStates(flow).includes(r.state)) restProblems.push(`#${r.id} ${r.title}: ${r.state}, expected ${allowedStates(flow).join("/")}`);
    else if (r.stuckReason !== null) restProblems.push(`#${r.id} ${r.title}: stuck: ${r.stuckReason}`);
    else if (r.mediaType === "tv" && flow.done >= 2 && r.episodes?.total !== EPISODES_PER_PACK) {
      restProblems.push(`#${r.id} ${r.title}: ${r.episodes?.total ?? 0} episodes, expected ${EPISODES_PER_PACK}`);
    }
  }
  const expectedListed = Math.min(500, started.length);
  checks.push({
    name: "REST API: requests exist, none in an impossible state",
    ok: list.length === expectedListed && restProblems.length === 0,
    detail: `${list.length} listed (expected ${expectedListed})` + (restProblems.length > 0 ? `; ${restProblems.length} problems, e.g. ${restProblems.slice(0, 3).join(" | ")}` : ""),
  });
  return checks;
}

// ---------------------------------------------------------------- reporting

const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? "n/a" : n.toFixed(digits));

function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join("\n");
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const notes: string[] = [];

  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    console.log("No Next production build (.next/BUILD_ID missing): running `npx next build` first...");
    notes.push("ran `npx next build` first (no build found)");
    const build = spawnSync("npx", ["next", "build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (build.status !== 0) throw new Error(`next build failed (exit ${build.status})`);
  } else {
    const built = statSync(path.join(ROOT, ".next", "BUILD_ID")).mtimeMs;
    const newer = (dir: string): boolean =>
      readdirSync(dir, { withFileTypes: true }).some((e) =>
        e.isDirectory() ? newer(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs > built,
      );
    if (newer(path.join(ROOT, "src", "app"))) {
      const msg = "src/app has files newer than the Next build: route handlers may be stale (run `npx next build`)";
      console.log(`warning: ${msg}`);
      notes.push(msg);
    }
  }

  const templates = loadTemplates();
  const tmp = mkdtempSync(path.join(os.tmpdir(), "status-tracker-bench-"));
  const dbFile = path.join(tmp, "bench.db");
  const port = await freePort();
  const server = new ServerProcess();
  let reader: Client | null = null;
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });

  const cleanup = async () => {
    agent.destroy();
    reader?.close();
    await server.stop();
    if (!opts.keep) rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the server`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", () => server.killNow());

  try {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const profileDir = opts.profile ? path.join(RESULTS_DIR, `profile-${Date.now()}`) : undefined;
    console.log(`Starting the server (production build) on 127.0.0.1:${port}, database ${dbFile}`);
    const bootStart = performance.now();
    server.start({ entry: opts.entry, port, dbFile, profileDir, env: { WEBHOOK_SECRET, API_KEY } });
    await server.waitHealthy(port);
    const bootMs = performance.now() - bootStart;

    reader = createClient({ url: `file:${dbFile}`, concurrency: 1 } as Parameters<typeof createClient>[0]);
    await reader.execute("PRAGMA query_only = ON");
    await reader.execute("PRAGMA busy_timeout = 5000");

    // Enough flows that 50 in flight never wait for one another.
    const workload = new Workload(templates, opts.seed, opts.concurrency * 3);

    if (opts.warmup > 0) {
      console.log(`Warm-up: ${opts.warmup} webhooks (not measured)...`);
      const warm = await runPhase(opts.warmup, opts.concurrency, workload, agent, port, server, false);
      if (warm.errors.length > 0) throw new Error(`warm-up failed: ${JSON.stringify(warm.errors.slice(0, 3))}`);
      const drained = await waitForDrain(reader, DRAIN_LIMIT_MS);
      if (drained.pendingLeft > 0) throw new Error(`warm-up did not drain: ${drained.pendingLeft} pending`);
    }

    const cpuBefore = server.cpuSeconds();
    const clientCpuBefore = process.cpuUsage();
    const processedBefore = await scalar(reader, "select count(*) from inbox where status <> 'pending'");
    console.log(`Measured run: ${opts.count} webhooks, ${opts.concurrency} in flight...`);
    const measureStart = performance.now();
    const run = await runPhase(opts.count, opts.concurrency, workload, agent, port, server, true);
    const pendingAtEnd = await scalar(reader, "select count(*) from inbox where status = 'pending'");
    const cpuAfterSend = server.cpuSeconds();
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const { drainMs, pendingLeft } = await waitForDrain(reader, DRAIN_LIMIT_MS);
    const totalMs = performance.now() - measureStart;
    const cpuAfterDrain = server.cpuSeconds();
    const processed = (await scalar(reader, "select count(*) from inbox where status <> 'pending'")) - processedBefore;
    const memory = server.memory();
    const checks = await checkCorrectness(reader, port, workload);

    const sorted = [...run.latencies].sort((a, b) => a - b);
    const throughput = (run.latencies.length / run.wallMs) * 1000;
    const latency = {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? NaN,
      mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
    };
    const processingRate = (processed / totalMs) * 1000;
    const targets = {
      throughput: { target: `>= ${TARGET_THROUGHPUT}/s`, ok: throughput >= TARGET_THROUGHPUT },
      p99: { target: `< ${TARGET_P99_MS} ms`, ok: latency.p99 < TARGET_P99_MS },
    };
    const errorsOk = run.errors.length === 0;
    const correct = checks.every((c) => c.ok) && pendingLeft === 0;
    const pass = errorsOk && correct && (!opts.targets || (targets.throughput.ok && targets.p99.ok));

    const result = {
      benchmark: "ingest",
      at: new Date().toISOString(),
      commit: gitCommit(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, node: process.version, platform: `${os.platform()} ${os.release()}`, memGiB: Math.round(os.totalmem() / 2 ** 30) },
      options: { count: opts.count, concurrency: opts.concurrency, warmup: opts.warmup, seed: opts.seed, entry: opts.entry },
      serverBootMs: Math.round(bootMs),
      sent: run.sent,
      ok: run.latencies.length,
      errors: run.errors.length,
      errorSamples: run.errors.slice(0, 5),
      replies: Object.fromEntries(run.statuses),
      wallMs: Math.round(run.wallMs),
      throughputPerSec: Math.round(throughput * 10) / 10,
      latencyMs: Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, Math.round(v * 100) / 100])),
      pendingAtEndOfSend: pendingAtEnd,
      drainMs: Math.round(drainMs),
      pendingAfterDrainLimit: pendingLeft,
      processed,
      processingRatePerSec: Math.round(processingRate * 10) / 10,
      serverCpuSeconds: {
        sending: cpuBefore !== null && cpuAfterSend !== null ? Math.round((cpuAfterSend - cpuBefore) * 100) / 100 : null,
        draining: cpuAfterSend !== null && cpuAfterDrain !== null ? Math.round((cpuAfterDrain - cpuAfterSend) * 100) / 100 : null,
      },
      /** CPU the load generator itself used while sending (it shares the machine with the server). */
      clientCpuSeconds: Math.round(((clientCpu.user + clientCpu.system) / 1e6) * 100) / 100,
      serverRssMiB: memory.rssMiB,
      serverPeakRssMiB: memory.peakRssMiB,
      simulatedRequests: workload.flows.filter((f) => f.done > 0).length,
      mix: Object.fromEntries([...workload.mix.entries()].sort((a, b) => b[1] - a[1])),
      checks,
      targets,
      profileDir: profileDir ?? null,
      notes,
      pass,
    };

    console.log("");
    console.log(`Webhook ingestion: ${opts.count} webhooks, ${opts.concurrency} in flight, ${result.machine.cpus} CPUs, Node ${process.version}`);
    console.log(
      table([
        ["throughput", `${fmt(throughput)} webhooks/s  (target >= ${TARGET_THROUGHPUT}) ${targets.throughput.ok ? "ok" : "MISSED"}`],
        ["latency p50", `${fmt(latency.p50, 2)} ms`],
        ["latency p90", `${fmt(latency.p90, 2)} ms`],
        ["latency p99", `${fmt(latency.p99, 2)} ms  (target < ${TARGET_P99_MS}) ${targets.p99.ok ? "ok" : "MISSED"}`],
        ["latency max", `${fmt(latency.max, 2)} ms`],
        ["errors", `${run.errors.length} of ${run.sent}  replies ${JSON.stringify(result.replies)}`],
        ["send phase", `${fmt(run.wallMs / 1000, 2)} s, ${pendingAtEnd} still pending at its end`],
        ["drain after last ack", `${fmt(drainMs / 1000, 2)} s${pendingLeft > 0 ? ` (GAVE UP, ${pendingLeft} pending)` : ""}`],
        ["processing rate", `${fmt(processingRate)} webhooks/s (${processed} processed, first send to empty inbox)`],
        ["server CPU", `${fmt(result.serverCpuSeconds.sending, 2)} s sending + ${fmt(result.serverCpuSeconds.draining, 2)} s draining (load generator: ${fmt(result.clientCpuSeconds, 2)} s)`],
        ["server RSS", `${fmt(memory.rssMiB)} MiB at the end (peak ${fmt(memory.peakRssMiB)} MiB)`],
        ["simulated requests", String(result.simulatedRequests)],
      ]),
    );
    console.log("  mix:");
    console.log(table(Object.entries(result.mix).map(([k, v]) => [`  ${k}`, `${v} (${fmt((v / run.sent) * 100)}%)`])));
    console.log("  checks:");
    for (const c of checks) console.log(`    ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
    for (const e of run.errors.slice(0, 5)) console.log(`    error: ${e.label} -> ${e.status} ${e.body}`);
    console.log(pass ? "PASS" : "FAIL");

    const file = path.join(RESULTS_DIR, `ingest-${result.at.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`Written to ${path.relative(ROOT, file)}`);
    console.log(JSON.stringify(result));

    await cleanup();
    if (profileDir) console.log(`CPU profile of the server in ${path.relative(ROOT, profileDir)}`);
    return pass ? 0 : 1;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    await cleanup();
    return 1;
  }
}

// Runs when executed (npm run bench:ingest); importing the module only exposes the workload.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
