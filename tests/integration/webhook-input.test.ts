import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { startTestServer, WEBHOOK_SECRET, type TestServer } from "../helpers/server";
import { loadCaptured, loadReference } from "../helpers/fixtures";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.stop());

/** Rows in the tables a bad delivery must not touch. */
async function counts() {
  const c = s.app.container.db.$client;
  const row = async (sql: string) => Number((await c.execute(sql)).rows[0][0]);
  return {
    inbox: await row("select count(*) from inbox"),
    requests: await row("select count(*) from requests"),
    timeline: await row("select count(*) from timeline"),
  };
}

describe("webhook authentication", () => {
  const body = loadCaptured("jellyseerr-movie-auto-approved");

  it("answers 401 without the secret, or with a wrong one, and stores nothing", async () => {
    const before = await counts();
    const missing = await s.hook("jellyseerr", body, { token: null });
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toMatch(/webhook secret/);
    expect((await s.hook("jellyseerr", body, { token: "nope" })).status).toBe(401);
    expect((await s.hook("jellyseerr", body, { token: null, headers: { authorization: "Bearer nope" } })).status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ["Bearer", { authorization: `Bearer ${WEBHOOK_SECRET}` }],
    ["Basic password", { authorization: `Basic ${Buffer.from(`sonarr:${WEBHOOK_SECRET}`).toString("base64")}` }],
    ["X-Webhook-Token", { "x-webhook-token": WEBHOOK_SECRET }],
  ])("accepts the secret as %s", async (_name, headers) => {
    const body = { ...(loadReference("sonarr-test") as object), instanceName: `Sonarr ${_name}` };
    const res = await s.hook("sonarr", body, { token: null, headers });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ignored", eventType: "Test" });
  });
});

describe("malformed input answers 4xx with a reason and changes nothing", () => {
  it.each([
    ["invalid JSON", "sonarr", "{not json", 400, /not valid JSON/],
    ["an empty body", "radarr", "", 400, /Empty body/],
    ["a JSON array", "jellyseerr", "[1,2]", 400, /./],
    ["a Grab without its series", "sonarr", JSON.stringify({ eventType: "Grab" }), 400, /sonarr Grab: series/],
    ["no event type", "radarr", JSON.stringify({ movie: { id: 1 } }), 400, /eventType/],
    ["a Jellyseerr request without media", "jellyseerr", JSON.stringify({ notification_type: "MEDIA_PENDING", media: null, request: null }), 400, /media/],
    ["an unknown service", "plex", "{}", 404, /Unknown webhook service/],
  ])("%s", async (_name, service, body, status, message) => {
    const before = await counts();
    const res = await s.hook(service, body);
    expect(res.status).toBe(status);
    expect((await res.json()).error).toMatch(message);
    expect(await counts()).toEqual(before);
  });

  it("a 5 MiB body answers 413", async () => {
    const before = await counts();
    const huge = JSON.stringify({ eventType: "Grab", padding: "x".repeat(5 * 1024 * 1024) });
    const res = await s.hook("sonarr", huge);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/too large/);
    expect(await counts()).toEqual(before);
  });
});

describe("valid deliveries we do not act on", () => {
  it("stores unknown event types and tests as ignored, with 200", async () => {
    const res = await s.hook("radarr", { eventType: "SomethingNew", movie: { id: 1 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ignored" });
    const test = await s.hook("jellyseerr", loadReference("jellyseerr-webhook-test"));
    expect(await test.json()).toMatchObject({ status: "ignored", eventType: "TEST_NOTIFICATION" });
    const stored = await s.app.container.db.$client.execute("select status from inbox where event_type in ('SomethingNew','TEST_NOTIFICATION')");
    expect(stored.rows.map((r) => r.status)).toEqual(["ignored", "ignored"]);
  });

  it("records an arr health report on the integration", async () => {
    await s.send("sonarr", { eventType: "Health", level: "warning", message: "Indexers unavailable due to failures", type: "IndexerStatusCheck" });
    const row = await s.app.container.db.$client.execute("select health_message, last_webhook_event from integrations where service = 'sonarr'");
    expect(row.rows[0]).toMatchObject({ health_message: "warning: Indexers unavailable due to failures", last_webhook_event: "Health" });
  });

  it("accepts Jellyfin's text/plain bodies", async () => {
    const res = await s.hook("jellyfin", loadReference("jellyfin-webhook-itemadded-anime-sendall"), { headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(202);
  });
});

describe("nothing is lost", () => {
  it("a delivery stored but not processed before a stop is processed at the next start", async () => {
    // Simulate a crash between storing and processing: a pending row written straight to the inbox.
    const body = JSON.stringify(loadCaptured("jellyseerr-tv-auto-approved"));
    const direct = createClient({ url: `file:${s.dbFile}` });
    await direct.execute({
      sql: "insert into inbox (service, event_type, received_at, dedupe_key, body, status) values ('jellyseerr', 'MEDIA_AUTO_APPROVED', ?, 'crash-test', ?, 'pending')",
      args: [Date.now(), body],
    });
    direct.close();
    await s.restart();
    await s.settle();
    const lycoris = (await s.list()).find((r) => r.tvdbId === 414057);
    expect(lycoris?.state).toBe("approved");
    const row = await s.app.container.db.$client.execute("select status from inbox where dedupe_key = 'crash-test'");
    expect(row.rows[0].status).toBe("processed");
  });

  it("a webhook posted over HTTP reaches a subscriber of the server's change bus", async () => {
    const seen: number[] = [];
    const unsubscribe = s.app.container.bus.subscribe((c) => seen.push(c.requestId));
    await s.send("jellyseerr", loadCaptured("jellyseerr-movie-auto-approved"));
    unsubscribe();
    expect(seen.length).toBeGreaterThan(0);
  });
});

describe("read-only REST API over HTTP", () => {
  it("needs the API key", async () => {
    expect((await fetch(`${s.url}/api/v1/requests`)).status).toBe(401);
    expect((await fetch(`${s.url}/api/v1/requests`, { headers: { "x-api-key": "wrong" } })).status).toBe(401);
  });
  it("answers 404 for an unknown request and health without a key", async () => {
    expect((await fetch(`${s.url}/api/v1/requests/99999`, { headers: { "x-api-key": "test-api-key" } })).status).toBe(404);
    expect(await (await fetch(`${s.url}/api/health`)).json()).toMatchObject({ status: "ok", database: "ok" });
  });
});
