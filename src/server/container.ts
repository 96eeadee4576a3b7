import type { AppConfig } from "./env";
import type { Clock } from "./clock";
import type { Db } from "./db/client";
import type { Logger } from "./logger";
import type { ChangeBus } from "./realtime/bus";
import type { ChangeFeed } from "./realtime/feed";
import type { PipelineRunner } from "./pipeline/runner";
import type { WebhookIngest } from "./webhooks/ingest";
import type { RestApi } from "./api/rest";
import type { Secrets } from "./secrets";
import type { Scheduler } from "./pollers/scheduler";
import type { SignInService } from "./auth/sign-in";
import type { QbittorrentClient } from "./clients/qbittorrent";
import type { SonarrClient } from "./clients/sonarr";
import type { RadarrClient } from "./clients/radarr";
import type { JellyfinClient } from "./clients/jellyfin";
import type { ShokoClient } from "./clients/shoko";
import type { JellyseerrClient } from "./clients/jellyseerr";
import type { LibraryVerifier } from "./pollers/library";
import type { QbittorrentPollerJob } from "./pollers/qbittorrent";
import type { AdminActions } from "./actions";
import type { DemoStack } from "./demo";

/** One client per configured service; undefined when the service is off. */
export interface ServiceClients {
  qbittorrent?: QbittorrentClient;
  sonarr?: SonarrClient;
  radarr?: RadarrClient;
  jellyfin?: JellyfinClient;
  shoko?: ShokoClient;
  jellyseerr?: JellyseerrClient;
}

/**
 * Everything the long-lived server built, in one place. Next compiles route handlers into
 * their own module graph, so a module-level singleton would not be shared with server.ts:
 * the container lives on a globalThis symbol and route handlers read it with getContainer().
 */
export interface Container {
  config: AppConfig;
  secrets: Secrets;
  clock: Clock;
  logger: Logger;
  db: Db;
  bus: ChangeBus;
  feed: ChangeFeed;
  runner: PipelineRunner;
  webhooks: WebhookIngest;
  restApi: RestApi;
  scheduler: Scheduler;
  signIn: SignInService;
  services: ServiceClients;
  /** Jellyfin verification, when Jellyfin is configured. */
  verifier: LibraryVerifier | null;
  qbittorrentJob: QbittorrentPollerJob | null;
  /** Retry, verify now, delete everywhere, library sync. */
  actions: AdminActions;
  /** The simulated stack, in demo mode. */
  demo: DemoStack | null;
  startedAt: number;
}

const KEY = Symbol.for("status-tracker.container");
type Holder = { [KEY]?: Container };

export function publishContainer(container: Container): void {
  (globalThis as Holder)[KEY] = container;
}

export function clearContainer(): void {
  delete (globalThis as Holder)[KEY];
}

export function getContainer(): Container {
  const c = (globalThis as Holder)[KEY];
  if (!c) throw new Error("The server is not initialised: start it with server.ts (npm start).");
  return c;
}
