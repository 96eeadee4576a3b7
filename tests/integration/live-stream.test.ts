import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import superjson from "superjson";
import { encode } from "next-auth/jwt";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { startApp, type RunningApp } from "@/server/main";
import { appRouter } from "@/server/trpc/router";
import type { SessionUser } from "@/server/trpc/init";
import { SseSubscriptionServer } from "@/server/realtime/sse";
import { sessionUserFromCookie } from "@/server/realtime/session";
import type { RequestChange } from "@/server/realtime/feed";
import { loadCaptured } from "../helpers/fixtures";

/*
 * The change stream served from node:http (SseSubscriptionServer) against tRPC's own SSE answer
 * for the same procedure (tRPC's fetch adapter, as the Next route handler runs it): same bytes.
 * The app runs without Next (no build needed); sessions are real Auth.js cookies.
 */

const WEBHOOK_SECRET = "test-webhook-secret";
const COOKIE = "authjs.session-token";
let dir: string;
let app: RunningApp;
let live: SseSubscriptionServer;
let server: http.Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "status-tracker-live-"));
  app = await startApp({
    env: { NODE_ENV: "production", DATABASE_URL: `file:${join(dir, "test.db")}`, WEBHOOK_SECRET, API_KEY: "test-api-key", LOG_LEVEL: "error", DEMO: "0" },
    port: 0,
    hostname: "127.0.0.1",
    withNext: false,
    autoPoll: false,
    logWrite: () => undefined,
  });
  const { container } = app;
  const sessionUser = sessionUserFromCookie({ secret: () => container.secrets.authSecret });
  live = new SseSubscriptionServer({
    router: appRouter,
    endpoint: "/api/trpc",
    paths: ["requests.onChange"],
    createContext: async (req) => ({ container, user: await sessionUser(req.headers) }),
    logger: container.logger,
  });
  server = http.createServer((req, res) => {
    const path = live.match(req);
    if (!path) {
      res.writeHead(404).end();
      return;
    }
    void live.handle(req, res, path);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  live?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A session cookie as Auth.js writes it at sign-in. */
async function sessionCookie(token: Record<string, unknown>, maxAge?: number): Promise<string> {
  const value = await encode({ token, secret: app.container.secrets.authSecret, salt: COOKIE, maxAge });
  return `${COOKIE}=${value}`;
}
const admin = () => sessionCookie({ sub: "local:admin", name: "admin", role: "admin" });

const inputOf = (value: unknown) => encodeURIComponent(JSON.stringify(superjson.serialize(value)));

async function webhook(service: string, body: unknown): Promise<void> {
  const res = await fetch(`${app.url}/api/hooks/${service}?token=${WEBHOOK_SECRET}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBeLessThan(300);
  await app.container.webhooks.idle();
  await app.container.runner.idle();
}

/** Reads a stream until `done(text)` holds or it ends; then lets go of it. */
async function readUntil(res: Response, done: (text: string) => boolean, abort?: AbortController): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!done(text)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += decoder.decode(value, { stream: true });
  }
  abort?.abort();
  await reader.cancel().catch(() => undefined);
  return text;
}

function ours(query: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  return { abort, response: fetch(`${base}/api/trpc/requests.onChange${query}`, { headers, signal: abort.signal }) };
}

/** The same request answered by tRPC's fetch adapter, as the Next route handler does. */
function theirs(query: string, user: SessionUser | null, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://localhost/api/trpc/requests.onChange${query}`, { headers, signal: abort.signal }),
    router: appRouter,
    createContext: async () => ({ container: app.container, user }),
  });
  return { abort, response };
}

/** The complete frames so far (tRPC writes a frame in pieces: the last one may still be partial). */
const frames = (text: string) => text.split("\n\n\n").slice(0, -1).filter((f) => !f.startsWith("event: ping"));
const dataFrames = (text: string) => frames(text).filter((f) => f.startsWith("data: "));

describe("the change stream served from node:http", () => {
  it("refuses a stream without a session exactly as tRPC does", async () => {
    const query = `?input=${inputOf({ lastEventId: "0" })}`;
    const mine = await ours(query).response;
    expect(mine.status).toBe(200);
    expect(mine.headers.get("content-type")).toBe("text/event-stream");
    expect(mine.headers.get("cache-control")).toBe("no-cache, no-transform");
    const text = await readUntil(mine, () => false);
    expect(text).toMatch(/^event: connected\ndata: \{"reconnectAfterInactivityMs":25000\}\n\n\nevent: serialized-error\ndata: .*"UNAUTHORIZED"/);
    // Outside production the error shape carries a stack trace, which differs by call site.
    const withoutStack = (t: string) => t.replace(/,"stack":"(?:[^"\\]|\\.)*"/, "");
    expect(withoutStack(text)).toBe(withoutStack(await readUntil(await theirs(query, null).response, () => false)));
  });

  it("refuses a tampered or expired session cookie", async () => {
    const good = await admin();
    const expired = await sessionCookie({ sub: "local:admin", name: "admin", role: "admin" }, -60);
    for (const cookie of [`${good.slice(0, -4)}AAAA`, expired]) {
      const text = await readUntil(await ours(`?input=${inputOf({ lastEventId: "0" })}`, { cookie }).response, () => false);
      expect(text).toContain('"code":"UNAUTHORIZED"');
    }
  });

  it("streams each committed change with its id, byte for byte as tRPC does", async () => {
    await webhook("jellyseerr", loadCaptured("jellyseerr-movie-auto-approved"));
    await webhook("radarr", loadCaptured("radarr-grab"));
    const ids = await app.container.feed.idsAfter(0);
    expect(ids.length).toBeGreaterThanOrEqual(2);

    // Both backfill from the start: the same frames in the same order.
    const query = `?input=${inputOf({ lastEventId: "0" })}`;
    const cookie = await admin();
    const mine = ours(query, { cookie });
    const text = await readUntil(await mine.response, (t) => dataFrames(t).length >= 1, mine.abort);
    const reference = theirs(query, { id: "local:admin", name: "admin", role: "admin" });
    const expected = await readUntil(await reference.response, (t) => dataFrames(t).length >= 1, reference.abort);
    expect(frames(text)[0]).toBe(frames(expected)[0]);
    expect(dataFrames(text)[0]).toBe(dataFrames(expected)[0]);

    // Coalesced backfill: one frame for the movie, its latest change, with the commit time.
    const [frame] = dataFrames(text);
    const id = Number(/\nid: (\d+)$/.exec(frame)?.[1]);
    expect(id).toBe(ids[ids.length - 1]);
    const change = superjson.deserialize<RequestChange>(JSON.parse(frame.slice("data: ".length, frame.indexOf("\nid: "))));
    expect(change).toMatchObject({ changeId: id, kind: "request", request: { title: "Violet Evergarden: The Movie", state: "grabbing" } });
    expect(Date.parse(change.at)).toBeGreaterThan(0);
  });

  it("delivers a change committed while connected, to a member too", async () => {
    const cookie = await sessionCookie({ sub: "jellyfin:7", name: "household", role: "member" });
    const latest = await app.container.feed.latestId();
    const stream = ours(`?input=${inputOf({ lastEventId: String(latest) })}`, { cookie });
    const res = await stream.response;
    const reading = readUntil(res, (t) => dataFrames(t).length >= 1, stream.abort);
    await webhook("sonarr", loadCaptured("sonarr-grab"));
    const text = await reading;
    const change = superjson.deserialize<RequestChange>(JSON.parse(dataFrames(text)[0].slice(6, dataFrames(text)[0].indexOf("\nid: "))));
    expect(change.changeId).toBeGreaterThan(latest);
  });

  it("resumes after a last event id, from the input or a reconnecting EventSource's Last-Event-ID", async () => {
    const ids = await app.container.feed.idsAfter(0);
    const before = ids[ids.length - 2];
    const cookie = await admin();
    for (const [query, headers] of [
      [`?input=${inputOf({ lastEventId: String(before) })}`, { cookie }],
      [`?input=${inputOf({})}`, { cookie, "last-event-id": String(before) }],
    ] as const) {
      const stream = ours(query, headers);
      const text = await readUntil(await stream.response, (t) => dataFrames(t).length >= 1, stream.abort);
      expect(dataFrames(text)[0]).toMatch(new RegExp(`\\nid: ${ids[ids.length - 1]}$`));
    }
  });

  it("lets go of the feed when the client goes away", async () => {
    await vi.waitFor(() => expect(live.connections).toBe(0));
    const listeners = app.container.bus.listenerCount();
    const stream = ours(`?input=${inputOf({})}`, { cookie: await admin() });
    const reader = (await stream.response).body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("event: connected");
    await vi.waitFor(() => expect(app.container.bus.listenerCount()).toBe(listeners + 1));
    stream.abort.abort();
    await vi.waitFor(() => {
      expect(live.connections).toBe(0);
      expect(app.container.bus.listenerCount()).toBe(listeners);
    });
  });
});

describe("the feed", () => {
  it("coalesces what a reader has not pulled yet into each request's latest change", async () => {
    const abort = new AbortController();
    const feed = app.container.feed.subscribe(await app.container.feed.latestId(), abort.signal);
    const first = feed.next();
    await webhook("jellyseerr", loadCaptured("jellyseerr-tv-auto-approved"));
    const a = (await first).value as RequestChange;
    // Two more changes of the same request before the next pull: only the second arrives.
    await webhook("sonarr", loadCaptured("sonarr-import"));
    await webhook("sonarr", { ...(loadCaptured("sonarr-grab") as object), downloadId: "AB".repeat(20) });
    const ids = await app.container.feed.idsAfter(a.changeId, [a.requestId]);
    const b = (await feed.next()).value as RequestChange;
    abort.abort();
    await feed.return(undefined);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(b.requestId).toBe(a.requestId);
    expect(b.changeId).toBe(ids[ids.length - 1]);
  });
});
