import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startApp, type RunningApp } from "@/server/main";
import type { Clock } from "@/server/clock";
import type { RequestDetail, RequestSummary } from "@/server/api/summary";

export const WEBHOOK_SECRET = "test-webhook-secret";
export const API_KEY = "test-api-key";

export interface TestServer {
  url: string;
  app: RunningApp;
  dbFile: string;
  /** Posts a webhook body (object or raw string) with the secret as ?token=. */
  hook(service: string, body: unknown, init?: { token?: string | null; headers?: Record<string, string> }): Promise<Response>;
  /** Posts and waits until the pipeline has processed it; fails on a non-2xx answer. */
  send(service: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  list(query?: string): Promise<RequestSummary[]>;
  detail(id: number): Promise<RequestDetail>;
  settle(): Promise<void>;
  stop(): Promise<void>;
  restart(extraEnv?: Record<string, string>): Promise<void>;
}

/**
 * The whole server (Next included, production build) in this process, on a free loopback
 * port, with a fresh temp-file database. Tests talk to it over real HTTP.
 */
export async function startTestServer(extraEnv: Record<string, string> = {}, opts: { clock?: Clock; autoPoll?: boolean } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "status-tracker-it-"));
  const dbFile = join(dir, "test.db");
  const envFor = (extra: Record<string, string>) => ({
    NODE_ENV: "production",
    DATABASE_URL: `file:${dbFile}`,
    WEBHOOK_SECRET,
    API_KEY,
    LOG_LEVEL: "error",
    DEMO: "0",
    ...extra,
  });
  const start = (extra: Record<string, string>) =>
    startApp({ env: envFor(extra), port: 0, hostname: "127.0.0.1", logWrite: () => undefined, clock: opts.clock, autoPoll: opts.autoPoll });
  let app = await start(extraEnv);

  const server: TestServer = {
    get url() {
      return app.url;
    },
    get app() {
      return app;
    },
    dbFile,
    async hook(service, body, init = {}) {
      const token = init.token === undefined ? WEBHOOK_SECRET : init.token;
      const q = token === null ? "" : `?token=${encodeURIComponent(token)}`;
      return fetch(`${app.url}/api/hooks/${service}${q}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...init.headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    },
    async send(service, body) {
      const res = await server.hook(service, body);
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status >= 300) throw new Error(`${service} webhook answered ${res.status}: ${JSON.stringify(json)}`);
      await server.settle();
      return { status: res.status, json };
    },
    async list(query = "") {
      const res = await fetch(`${app.url}/api/v1/requests${query}`, { headers: { "x-api-key": API_KEY } });
      if (res.status !== 200) throw new Error(`list answered ${res.status}`);
      return ((await res.json()) as { requests: RequestSummary[] }).requests;
    },
    async detail(id) {
      const res = await fetch(`${app.url}/api/v1/requests/${id}`, { headers: { "x-api-key": API_KEY } });
      if (res.status !== 200) throw new Error(`detail answered ${res.status}`);
      return (await res.json()) as RequestDetail;
    },
    async settle() {
      await app.container.webhooks.idle();
      await app.container.runner.idle();
    },
    async stop() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart(extra = extraEnv) {
      await app.close();
      app = await start(extra);
    },
  };
  return server;
}

/** A deep copy of a fixture with changes applied, for variants the captures do not cover. */
export function variant<T>(fixture: T, change: (copy: any) => void): T {
  const copy = structuredClone(fixture);
  change(copy);
  return copy;
}
