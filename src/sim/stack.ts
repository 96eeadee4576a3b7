import { ManualClock, type Clock } from "@/server/clock";
import { SimHttpServer, type Handler } from "./http";
import { SIM_SERVICES, type QbitVersion, type SimServiceName, type SimTimings } from "./model/types";
import { SIM_USERS, type SimUser } from "./model/users";
import { scenario, SCENARIOS, type ScenarioSpec, type TitlePool } from "./scenarios";
import { JellyfinService } from "./services/jellyfin";
import { JellyseerrService } from "./services/jellyseerr";
import { QbittorrentService } from "./services/qbittorrent";
import { RadarrService } from "./services/radarr";
import { ShokoService } from "./services/shoko";
import { SonarrService } from "./services/sonarr";
import { Rng } from "./util";
import { WebhookOutbox, type WebhookTarget } from "./webhooks";
import { World } from "./world";

/*
 * The whole simulated media stack: the world plus six HTTP services on 127.0.0.1, webhooks to the
 * tracker, and the switches a scenario or a test needs. `envForTracker` gives the tracker the
 * same configuration it would have for a real stack.
 */

export interface SimStackOptions {
  clock: Clock;
  /** Where webhooks go; null sends none (they are still logged in stack.webhooks.log). */
  tracker: WebhookTarget | null;
  qbitVersion?: QbitVersion;
  /** Sets a ManualClock's speed (1 = real time) and ticks the world every 250 ms. */
  speed?: number;
  /** Tick every 250 ms even without `speed` (a clock that runs by itself). */
  live?: boolean;
  timings?: Partial<SimTimings>;
  /** Fixed ports per service; default 0 (any free port). */
  ports?: Partial<Record<SimServiceName, number>>;
  sonarrImportComplete?: "packs" | "all" | "none";
  shokofinAddTmdbId?: boolean;
  /** qBittorrent WebUI\SessionTimeout, in simulated ms (default 3600 s). */
  qbitSessionTimeoutMs?: number;
  /** qBittorrent WebUI\BanDuration, in simulated ms (default 3600 s). */
  qbitBanMs?: number;
}

export interface SimCredentials {
  jellyseerr: { apiKey: string };
  radarr: { apiKey: string };
  sonarr: { apiKey: string };
  qbittorrent: { username: string; password: string };
  shoko: { username: string; password: string; apiKey: string };
  jellyfin: { apiKey: string; users: readonly SimUser[] };
}

/** Fixed demo credentials: the simulator is a demo, not a vault; fixed values make it scriptable. */
export const SIM_CREDENTIALS: SimCredentials = {
  jellyseerr: { apiKey: "MTc5NTUwMDAwMDAwMGQ0ZjVkY2UtOWQxYi00YTFkLWI3YzItc2ltamVsbHlzZWVycg==" },
  radarr: { apiKey: "5f2a9c1e7b3d4e6f8a0b1c2d3e4f5a6b" },
  sonarr: { apiKey: "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f" },
  qbittorrent: { username: "admin", password: "adminadmin" },
  shoko: { username: "admin", password: "shoko-demo-password", apiKey: "6b0f2c1e-93d4-4a7b-8e5f-1c2d3e4f5a6b" },
  jellyfin: { apiKey: "d3b07384d113edec49eaa6238ad5ff00", users: SIM_USERS },
};

export interface SimStack {
  urls: Record<SimServiceName, string>;
  credentials: SimCredentials;
  world: World;
  webhooks: WebhookOutbox;
  /** Starts a scenario now; returns its run id. `key` replays it with another catalogue title. */
  runScenario(name: string, overrides?: { key?: string; requestedBy?: string }): string;
  /** Takes a service offline ("refuse": port closed; "503": Service Unavailable) or brings it back. */
  setDown(service: SimServiceName, down: boolean, mode?: "refuse" | "503"): Promise<void>;
  /** Runs the world up to the clock's time and waits for webhooks and port changes it caused. */
  tick(): Promise<void>;
  /** ManualClock only: moves the clock forward, then tick(). */
  advance(ms: number): Promise<void>;
  setTracker(target: WebhookTarget | null): void;
  stop(): Promise<void>;
}

export async function startSimStack(options: SimStackOptions): Promise<SimStack> {
  const { clock } = options;
  if (options.speed !== undefined && clock instanceof ManualClock) clock.setSpeed(options.speed);
  const world = new World({
    clock,
    qbitVersion: options.qbitVersion,
    timings: options.timings,
    sonarrImportComplete: options.sonarrImportComplete,
    shokofinAddTmdbId: options.shokofinAddTmdbId,
  });
  const credentials = SIM_CREDENTIALS;
  let tracker = options.tracker;

  const servers = {} as Record<SimServiceName, SimHttpServer>;
  const url = (service: SimServiceName) => servers[service].url;
  const sonarr = new SonarrService(world, credentials.sonarr.apiKey);
  const radarr = new RadarrService(world, credentials.radarr.apiKey);
  const seerr = new JellyseerrService(
    world,
    credentials.jellyseerr.apiKey,
    { radarrUrl: () => url("radarr"), sonarrUrl: () => url("sonarr"), jellyfinUrl: () => url("jellyfin") },
    () => sonarr,
  );
  const qbit = new QbittorrentService(
    world,
    { ...credentials.qbittorrent, sessionTimeoutMs: options.qbitSessionTimeoutMs, banMs: options.qbitBanMs },
    () => servers.qbittorrent.port,
  );
  const shoko = new ShokoService(world, credentials.shoko);
  const jellyfin = new JellyfinService(world, credentials.jellyfin.apiKey, () => url("jellyfin"));
  const handlers: Record<SimServiceName, Handler> = {
    jellyseerr: (req) => seerr.handle(req),
    radarr: (req) => radarr.handle(req),
    sonarr: (req) => sonarr.handle(req),
    qbittorrent: (req) => qbit.handle(req),
    shoko: (req) => shoko.handle(req),
    jellyfin: (req) => jellyfin.handle(req),
  };

  for (const service of SIM_SERVICES) {
    servers[service] = new SimHttpServer(service, handlers[service], {
      beforeRequest: () => world.tick(),
      downMode: () => world.downMode(service),
    });
  }
  await Promise.all(SIM_SERVICES.map((service) => servers[service].start(options.ports?.[service] ?? 0)));

  // Outages (from setDown or a scenario) open and close the ports.
  let transitions: Promise<unknown> = Promise.resolve();
  world.onServiceChange((service, up, mode) => {
    const server = servers[service];
    const change = up ? server.up() : mode === "refuse" ? server.down() : server.up();
    transitions = Promise.all([transitions, change.catch(() => undefined)]);
  });

  const webhooks = new WebhookOutbox(world, () => tracker, { jellyfinUrl: () => url("jellyfin") });

  const timer = options.live || (options.speed !== undefined && options.speed > 0) ? setInterval(() => world.tick(), 250) : undefined;
  timer?.unref();

  const urls = Object.fromEntries(SIM_SERVICES.map((s) => [s, servers[s].url])) as Record<SimServiceName, string>;

  const settle = async () => {
    await transitions;
    await webhooks.idle();
  };

  return {
    urls,
    credentials,
    world,
    webhooks,
    runScenario(name, overrides) {
      return world.runScenario(scenario(name), overrides).id;
    },
    async setDown(service, down, mode = "refuse") {
      world.setServiceUp(service, !down, mode);
      await transitions;
    },
    async tick() {
      world.tick();
      await settle();
    },
    async advance(ms) {
      if (!(clock instanceof ManualClock)) throw new Error("advance() needs a ManualClock");
      clock.advance(ms);
      world.tick();
      await settle();
    },
    setTracker(target) {
      tracker = target;
    },
    async stop() {
      if (timer) clearInterval(timer);
      webhooks.close();
      await Promise.all(SIM_SERVICES.map((s) => servers[s].stop()));
    },
  };
}

/** The tracker's environment for this stack: it talks to the simulator exactly as to a real one. */
export function envForTracker(stack: Pick<SimStack, "urls" | "credentials">, tracker?: WebhookTarget | null): Record<string, string> {
  const { urls, credentials: c } = stack;
  return {
    JELLYSEERR_URL: urls.jellyseerr,
    JELLYSEERR_API_KEY: c.jellyseerr.apiKey,
    SONARR_URL: urls.sonarr,
    SONARR_API_KEY: c.sonarr.apiKey,
    RADARR_URL: urls.radarr,
    RADARR_API_KEY: c.radarr.apiKey,
    QBITTORRENT_URL: urls.qbittorrent,
    QBITTORRENT_USERNAME: c.qbittorrent.username,
    QBITTORRENT_PASSWORD: c.qbittorrent.password,
    JELLYFIN_URL: urls.jellyfin,
    JELLYFIN_API_KEY: c.jellyfin.apiKey,
    SHOKO_URL: urls.shoko,
    SHOKO_API_KEY: c.shoko.apiKey,
    ...(tracker ? { WEBHOOK_SECRET: tracker.webhookSecret } : {}),
  };
}

// ================================================================ demo loop

export interface DemoLoopOptions {
  /** Simulated time between new requests. Default 45 s. */
  intervalMs?: number;
  /** Share of fault scenarios among new requests (0..1). Default 0.25. */
  faultShare?: number;
  seed?: number;
  /** Scenarios to leave out (e.g. outages that would disturb a shared demo). */
  exclude?: string[];
}

const DEMO_WEIGHTS: Record<string, number> = { movie: 4, "tv-season-pack": 3, "anime-movie": 2, "anime-season": 2, "airing-show": 1 };

/**
 * Keeps a dashboard alive: starts a scenario every `intervalMs` (films, TV, anime, now and then a
 * fault), replaying scenarios with free catalogue titles and recycling finished ones.
 */
export function demoLoop(stack: Pick<SimStack, "world">, options: DemoLoopOptions = {}): { stop(): void; started: string[] } {
  const { world } = stack;
  const interval = options.intervalMs ?? 45_000;
  const faultShare = options.faultShare ?? 0.25;
  const rng = new Rng(options.seed ?? 20261120);
  const excluded = new Set(options.exclude ?? []);
  const specs = (Object.values(SCENARIOS) as ScenarioSpec[]).filter((s) => !excluded.has(s.name));
  const normal = specs.filter((s) => !s.fault);
  const faults = specs.filter((s) => s.fault);
  const started: string[] = [];
  let stopped = false;

  const pickSpec = (): ScenarioSpec | undefined => {
    const list = faults.length > 0 && rng.next() < faultShare ? faults : normal;
    if (list.length === 0) return undefined;
    const weights = list.map((s) => DEMO_WEIGHTS[s.name] ?? 1);
    let roll = rng.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < list.length; i++) if ((roll -= weights[i]) < 0) return list[i];
    return list[list.length - 1];
  };

  const startOne = () => {
    if (stopped) return;
    const spec = pickSpec();
    // One free title per kind stays free, so a scenario asked for on demand can always start.
    const key = spec && pickFreeTitle(world, spec, rng, { keepFree: 1 });
    if (spec && key) {
      try {
        started.push(world.runScenario(spec, { key }).id);
      } catch {
        // A title that became busy in between: try again next round.
      }
    }
    world.after(interval, "demo loop", startOne);
  };
  startOne();
  return {
    started,
    stop() {
      stopped = true;
    },
  };
}


/** Which kind of title a catalogue entry is, as scenarios ask for them. */
export function poolOf(world: World, key: string): TitlePool {
  const t = world.catalogue.get(key);
  if (t.kind === "movie") return t.anime ? "anime-film" : "film";
  if (t.status === "continuing") return "airing";
  return t.anime ? "anime-series" : "series";
}

/**
 * A free title of the scenario's kind, or the oldest finished one, removed to be requested again.
 * `keepFree` free titles are left alone (the oldest finished one is recycled instead).
 */
export function pickFreeTitle(world: World, spec: ScenarioSpec, rng: Rng, opts: { keepFree?: number } = {}): string | undefined {
  const pool = world.catalogue.all().filter((t) => poolOf(world, t.key) === spec.pool);
  const free = pool.filter((t) => !world.isTitleActive(t.key));
  // A kind with a single title is not held back: the loop would never show it.
  const keep = Math.min(opts.keepFree ?? 0, pool.length - 1);
  if (free.length > keep) return rng.pick(free).key;
  const now = world.now();
  const finished = [...world.runs.values()]
    .filter((run) => poolOf(world, run.key) === spec.pool && world.isTitleActive(run.key) && world.runForKey(run.key)?.id === run.id)
    .filter((run) => world.seerr.mediaForKey(run.key)?.status === 5 || now - run.startedAt >= scenario(run.scenario).settleMs)
    .sort((a, b) => a.startedAt - b.startedAt);
  const oldest = finished[0];
  if (!oldest) return undefined;
  world.removeTitle(oldest.key);
  return oldest.key;
}
