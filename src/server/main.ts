import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseConfig, secretsOf, type AppConfig, type SecretName } from "./env";
import { createLogger, type Logger } from "./logger";
import { startDemoStack } from "./demo";
import { QbittorrentClient } from "./clients/qbittorrent";
import { SonarrClient } from "./clients/sonarr";
import { RadarrClient } from "./clients/radarr";
import { JellyfinClient, jellyfinSignIn } from "./clients/jellyfin";
import { ShokoClient } from "./clients/shoko";
import { JellyseerrClient } from "./clients/jellyseerr";
import { createLibraryVerifier } from "./pollers/library";
import { qbittorrentPoller } from "./pollers/qbittorrent";
import { arrPollers } from "./pollers/arr";
import { shokoPoller } from "./pollers/shoko";
import type { ServiceClients } from "./container";
import { createHash } from "node:crypto";
import { systemClock, type Clock } from "./clock";
import { migrateDb, openDb } from "./db/client";
import { ChangeBus } from "./realtime/bus";
import { ChangeFeed } from "./realtime/feed";
import { PipelineRunner } from "./pipeline/runner";
import { WebhookIngest } from "./webhooks/ingest";
import { webhookParsers } from "./webhooks";
import { createRestApi } from "./api/rest";
import { resolveSecrets } from "./secrets";
import { clearContainer, publishContainer, type Container } from "./container";
import { Scheduler } from "./pollers/scheduler";
import { timeoutJob } from "./pollers/timeouts";
import { maintenanceJob } from "./pollers/maintenance";
import { SignInService } from "./auth/sign-in";
import { createAdminActions } from "./actions";
import { SseSubscriptionServer } from "./realtime/sse";
import { sessionUserFromCookie } from "./realtime/session";
import { appRouter } from "./trpc/router";

/**
 * The one composition root: parses config, opens and migrates the database, builds the
 * pipeline, ingestion and APIs, publishes them for route handlers, then starts Next and listens.
 * Only this file constructs things.
 */

export interface StartOptions {
  /** Environment to read the configuration from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Overrides the configured port; 0 picks a free one (tests). */
  port?: number;
  hostname?: string;
  /** Run Next in development mode (next dev). */
  dev?: boolean;
  /** Serve pages and route handlers through Next (default true). */
  withNext?: boolean;
  clock?: Clock;
  /** Where log lines go (default stdout). */
  logWrite?: (line: string) => void;
  migrationsFolder?: string;
  /** Run pollers on their timers (default true); tests turn this off and call scheduler.runNow. */
  autoPoll?: boolean;
}

export interface RunningApp {
  url: string;
  port: number;
  container: Container;
  close(): Promise<void>;
}

export async function startApp(opts: StartOptions = {}): Promise<RunningApp> {
  let config: AppConfig = parseConfig(opts.env ?? process.env);
  const logger: Logger = createLogger({ level: config.logLevel, secrets: secretsOf(config), write: opts.logWrite });
  const clock = opts.clock ?? systemClock;

  // Demo mode: the simulated stack stands in for the real services, configured the same way.
  const demo = config.demo
    ? await startDemoStack({ speed: config.demoSpeed, requestIntervalMs: config.demoRequestIntervalMs, logger: logger.child("demo") })
    : null;
  if (demo) {
    config = { ...config, services: demo.services };
    logger.addSecrets(secretsOf(config));
  }

  const db = await openDb(config.databaseUrl, config.databaseAuthToken);
  await migrateDb(db, opts.migrationsFolder ?? "./drizzle");
  const { secrets, generated } = await resolveSecrets(db, config);
  logger.addSecrets(Object.values(secrets));

  const bus = new ChangeBus();
  const runner: PipelineRunner = new PipelineRunner({
    db,
    clock,
    logger: logger.child("pipeline"),
    bus,
    shokoEnabled: config.services.shoko !== undefined,
    libraryVerification: config.services.jellyfin !== undefined,
    gate: (): Promise<void> => webhooks.quiet(),
  });
  const webhooks: WebhookIngest = new WebhookIngest({
    db,
    clock,
    logger: logger.child("webhooks"),
    runner,
    parsers: webhookParsers,
    webhookSecret: () => secrets.webhookSecret,
  });
  const restApi = createRestApi({ db, apiKey: () => secrets.apiKey, logger: logger.child("api") });

  const scheduler = new Scheduler({ db, clock, logger: logger.child("pollers") });
  scheduler.register({ name: "timeouts", interval: () => 60_000, run: timeoutJob({ db, clock, runner, thresholds: config.timeouts }) });
  scheduler.register({ name: "maintenance", interval: () => 3_600_000, run: maintenanceJob({ db, clock }) });
  const services = buildServiceClients(config, secrets.authSecret);
  const verifier = services.jellyfin
    ? createLibraryVerifier({ db, clock, logger: logger.child("library"), runner, jellyfin: services.jellyfin })
    : null;
  if (verifier) {
    runner.onEffect(verifier.handleEffect);
    scheduler.register(verifier.job);
  }
  const qbittorrentJob = services.qbittorrent
    ? qbittorrentPoller({ db, clock, logger: logger.child("qbittorrent"), runner, client: services.qbittorrent, bus })
    : null;
  if (qbittorrentJob) scheduler.register(qbittorrentJob);
  for (const job of arrPollers({ db, clock, logger: logger.child("arr"), runner, sonarr: services.sonarr, radarr: services.radarr })) {
    scheduler.register(job);
  }
  if (services.shoko) scheduler.register(shokoPoller({ db, clock, logger: logger.child("shoko"), runner, shoko: services.shoko }));
  const actions = createAdminActions({ db, clock, logger: logger.child("actions"), runner, services, verifier });
  runner.onEffect(actions.handleEffect);
  scheduler.register(actions.commandJob);

  const feed = new ChangeFeed({ db, bus });
  const signIn = new SignInService({
    clock,
    logger: logger.child("auth"),
    admin: config.admin,
    jellyfin: services.jellyfin ? jellyfinSignIn(services.jellyfin) : undefined,
  });
  const container: Container = { config, secrets, clock, logger, db, bus, feed, runner, webhooks, restApi, scheduler, signIn, services, verifier, qbittorrentJob, demo, actions, startedAt: clock.now() };
  publishContainer(container);

  // The live change stream is served straight from node:http (in tRPC's wire format): each change is
  // serialised once for every subscriber, where Next's route pipeline costs ~0.8 ms per message per
  // subscriber (docs/BENCHMARKS.md, live updates).
  const sessionUser = sessionUserFromCookie({ secret: () => secrets.authSecret });
  const liveStream = new SseSubscriptionServer({
    router: appRouter,
    endpoint: "/api/trpc",
    paths: ["requests.onChange"],
    createContext: async (req) => ({ container, user: await sessionUser(req.headers) }),
    logger: logger.child("live"),
  });

  // Deliveries stored but not processed before the last stop are processed now.
  webhooks.wake();

  // Listen first (so port 0 resolves), then let Next handle requests once it is ready.
  let handle: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null = null;
  const server: Server = createServer((req, res) => {
    // Webhooks take the short path: the services wait on us, and Next's route pipeline costs
    // about 2 ms of CPU per request, which would cap ingestion near 450/s (docs/BENCHMARKS.md).
    const hook = WEBHOOK_PATH.exec(req.url ?? "");
    if (hook && (req.method === "POST" || req.method === "PUT")) {
      serveWebhook(req, res, webhooks, hook[1]).catch((err: unknown) => {
        logger.error("webhook request failed", { error: err instanceof Error ? err.message : String(err) });
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "Internal error" }));
      });
      return;
    }
    const livePath = liveStream.match(req);
    if (livePath) {
      liveStream.handle(req, res, livePath).catch((err: unknown) => {
        logger.error("live stream failed", { error: err instanceof Error ? err.message : String(err) });
        res.destroy();
      });
      return;
    }
    if (!handle) {
      res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
      res.end(JSON.stringify({ error: "Starting up" }));
      return;
    }
    handle(req, res).catch((err: unknown) => {
      logger.error("request failed", { url: req.url, error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const hostname = opts.hostname ?? config.host;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? config.port, hostname, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;

  if (opts.withNext !== false) {
    const { default: next } = await import("next");
    const app = next({ dev: opts.dev ?? !config.production, dir: process.cwd(), hostname: hostname ?? "localhost", port });
    await app.prepare();
    const nextHandle = app.getRequestHandler();
    handle = (req, res) => nextHandle(req, res);
  }

  if (opts.autoPoll !== false) scheduler.start();
  demo?.connect(`http://127.0.0.1:${port}`, secrets.webhookSecret);
  logger.info(`Status Tracker is listening on ${url}`);
  printSetup(logger, url, config, generated.map((name) => SECRET_ENV_NAMES[name]));
  if (demo) {
    const who = demo.signIns.map((s) => `${s.username} / ${s.password} (${s.role})`).join(", ");
    logger.info(`Demo mode: a simulated media stack feeds the tracker (${config.demoSpeed}x real time). Sign in with ${who}.`);
  }

  let closed = false;
  return {
    url,
    port,
    container,
    async close() {
      if (closed) return;
      closed = true;
      liveStream.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      await demo?.stop();
      await scheduler.stop();
      await actions.idle();
      services.qbittorrent?.close();
      await webhooks.stop();
      await runner.idle();
      db.$client.close();
      clearContainer();
    },
  };
}

/** A client for every configured service; a service without a URL is off. */
function buildServiceClients(config: AppConfig, installSecret: string): ServiceClients {
  const s = config.services;
  // Jellyfin keys sessions by device id: stable per installation, and no secret in it.
  const deviceId = createHash("sha256").update(`status-tracker:${installSecret}`).digest("hex").slice(0, 32);
  return {
    qbittorrent: s.qbittorrent && new QbittorrentClient({ baseUrl: s.qbittorrent.url, username: s.qbittorrent.username, password: s.qbittorrent.password }),
    sonarr: s.sonarr && new SonarrClient({ baseUrl: s.sonarr.url, apiKey: s.sonarr.apiKey ?? "" }),
    radarr: s.radarr && new RadarrClient({ baseUrl: s.radarr.url, apiKey: s.radarr.apiKey ?? "" }),
    jellyfin: s.jellyfin && new JellyfinClient({ baseUrl: s.jellyfin.url, apiKey: s.jellyfin.apiKey, deviceId }),
    shoko: s.shoko && new ShokoClient({ baseUrl: s.shoko.url, apiKey: s.shoko.apiKey ?? "" }),
    jellyseerr: s.jellyseerr && new JellyseerrClient({ baseUrl: s.jellyseerr.url, apiKey: s.jellyseerr.apiKey ?? "" }),
  };
}

const WEBHOOK_PATH = /^\/api\/hooks\/([^/?#]+)\/?(?:\?|$)/;

/** Hands a Node request to the webhook ingestion and writes its JSON answer. */
async function serveWebhook(req: IncomingMessage, res: ServerResponse, webhooks: WebhookIngest, service: string): Promise<void> {
  const answer = await webhooks.handle(service, {
    url: req.url ?? "/",
    header: (name) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(", ") : v;
    },
    readBody: (limit) => readNodeBody(req, limit),
  });
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, { "content-type": "application/json", "cache-control": "no-store", "content-length": Buffer.byteLength(body) });
  res.end(body);
  // A body left unread (refused: too large, no secret) is drained so the connection can be reused.
  if (!req.readableEnded) req.resume();
}

/** The request body, or null as soon as it exceeds `limit` bytes (declared or actual). */
function readNodeBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  if (Number(req.headers["content-length"]) > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, size)));
    req.once("error", reject);
  });
}

const SECRET_ENV_NAMES: Record<SecretName, string> = { authSecret: "AUTH_SECRET", webhookSecret: "WEBHOOK_SECRET", apiKey: "API_KEY" };

function printSetup(logger: Logger, url: string, config: AppConfig, generatedSecrets: string[]): void {
  const configured = Object.keys(config.services);
  logger.info(configured.length > 0 ? `Services configured: ${configured.join(", ")}` : "No media services configured.");
  logger.info(`Webhook URLs: ${url}/api/hooks/{jellyseerr|sonarr|radarr|jellyfin}?token=<WEBHOOK_SECRET>`);
  if (generatedSecrets.length > 0) {
    logger.info(`Generated and stored in the database: ${generatedSecrets.join(", ")} (set them in the environment to choose your own).`);
  }
}
