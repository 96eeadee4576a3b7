import { ManualClock } from "./clock";
import type { AppConfig } from "./env";
import type { Logger } from "./logger";
import { demoLoop, pickFreeTitle, startSimStack, type SimStack } from "@/sim/stack";
import { scenario } from "@/sim/scenarios";
import { Rng } from "@/sim/util";

/**
 * Demo mode: the simulated media stack (src/sim) on loopback ports, configured into the tracker
 * exactly as a real stack would be (URLs, API keys, webhooks with the secret), plus a steady
 * stream of new requests so the dashboard is alive.
 */

export interface DemoStack {
  stack: SimStack;
  /** Service configuration for the tracker: the simulator's URLs and credentials. */
  services: AppConfig["services"];
  /** Points the simulator's webhooks at the tracker and starts the stream of requests. */
  connect(trackerUrl: string, webhookSecret: string): void;
  /** The sign-ins a visitor can use (Jellyfin users of the simulated server). */
  signIns: { username: string; password: string; role: "admin" | "household" }[];
  /** Starts a scenario now with a free title; null when every title of its kind is busy. */
  startScenario(name: string, requestedBy?: string): { runId: string; title: string; mediaType: "movie" | "tv" } | null;
  stop(): Promise<void>;
}

/** Scenarios that take a whole service offline: left out so a shared demo stays usable. */
const DEMO_EXCLUDED = ["fault-service-down", "fault-arr-down"];
/** Started at once, so the first look already shows every stage. */
const DEMO_OPENING = ["movie", "tv-season-pack", "anime-season", "fault-stalled", "anime-movie", "fault-import-blocked"];

export async function startDemoStack(opts: { speed: number; requestIntervalMs: number; logger: Logger }): Promise<DemoStack> {
  // The simulator keeps its own clock so it can run faster than real time; the tracker keeps the
  // real one, as it would with a real stack.
  const clock = new ManualClock(Date.now());
  const stack = await startSimStack({ clock, tracker: null, speed: opts.speed });
  const { urls, credentials: c } = stack;
  const services: AppConfig["services"] = {
    jellyseerr: { url: urls.jellyseerr, apiKey: c.jellyseerr.apiKey },
    sonarr: { url: urls.sonarr, apiKey: c.sonarr.apiKey },
    radarr: { url: urls.radarr, apiKey: c.radarr.apiKey },
    qbittorrent: { url: urls.qbittorrent, username: c.qbittorrent.username, password: c.qbittorrent.password },
    jellyfin: { url: urls.jellyfin, apiKey: c.jellyfin.apiKey },
    shoko: { url: urls.shoko, apiKey: c.shoko.apiKey },
  };
  let loop: { stop(): void } | null = null;
  const rng = new Rng(Date.now() % 1_000_000);
  return {
    stack,
    services,
    signIns: c.jellyfin.users.map((u) => ({ username: u.username, password: u.password, role: u.isAdministrator ? "admin" : "household" })),
    startScenario(name, requestedBy) {
      const spec = scenario(name);
      const key = pickFreeTitle(stack.world, spec, rng);
      if (!key) return null;
      // Seerr knows only its own users: an unknown name requests as the household member.
      const who = c.jellyfin.users.some((u) => u.username === requestedBy) ? requestedBy : undefined;
      const run = stack.world.runScenario(spec, { key, requestedBy: who });
      return { runId: run.id, title: stack.world.catalogue.get(key).title, mediaType: run.mediaType };
    },
    connect(trackerUrl, webhookSecret) {
      stack.setTracker({ url: trackerUrl, webhookSecret });
      if (loop) return;
      for (const name of DEMO_OPENING) {
        try {
          stack.runScenario(name);
        } catch (err) {
          opts.logger.warn("demo scenario did not start", { scenario: name, error: err instanceof Error ? err.message : String(err) });
        }
      }
      // The loop's interval is in simulated time.
      loop = demoLoop(stack, { intervalMs: opts.requestIntervalMs * opts.speed, exclude: DEMO_EXCLUDED });
    },
    async stop() {
      loop?.stop();
      await stack.stop();
    },
  };
}
