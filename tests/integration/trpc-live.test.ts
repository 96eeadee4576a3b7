import { afterAll, beforeAll, describe, expect, it } from "vitest";
import superjson from "superjson";
import { startTestServer, type TestServer } from "../helpers/server";
import { loadCaptured } from "../helpers/fixtures";
import { createCaller } from "@/server/trpc/router";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ ADMIN_USERNAME: "admin", ADMIN_PASSWORD: "correct horse battery" });
});
afterAll(async () => s?.stop());

/** Signs in like a browser does and returns the session cookie header. */
async function signIn(username: string, password: string): Promise<string | null> {
  const csrfRes = await fetch(`${s.url}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const cookies = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await fetch(`${s.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, username, password }),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("authjs.session-token="));
  return session ? session.split(";")[0] : null;
}

const query = (path: string, input: unknown, cookie?: string) =>
  fetch(`${s.url}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`, {
    headers: cookie ? { cookie } : {},
  });

describe("sign-in and the tRPC API over HTTP", () => {
  let cookie: string;

  it("refuses a wrong password and signs in the local admin", async () => {
    expect(await signIn("admin", "wrong")).toBeNull();
    cookie = (await signIn("admin", "correct horse battery"))!;
    expect(cookie).toMatch(/^authjs\.session-token=/);
  });

  it("answers 401 without a session and data with one", async () => {
    expect((await query("requests.list", {})).status).toBe(401);
    await s.send("jellyseerr", loadCaptured("jellyseerr-movie-auto-approved"));
    const res = await query("requests.list", {}, cookie);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: { json: { title: string; state: string }[] } } };
    expect(body.result.data.json.map((r) => [r.title, r.state])).toEqual([["Violet Evergarden: The Movie", "approved"]]);
    expect((await query("admin.integrations", undefined, cookie)).status).toBe(200);
  });

  it("streams a change to a subscriber within a second, and resumes from a last event id", async () => {
    const abort = new AbortController();
    const res = await fetch(`${s.url}/api/trpc/requests.onChange`, { headers: { cookie }, signal: abort.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const started = Date.now();
    const posted = s.send("radarr", loadCaptured("radarr-grab"));
    while (!/"state":"grabbing"/.test(text) && Date.now() - started < 5000) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    await posted;
    abort.abort();
    expect(text).toMatch(/"state":"grabbing"/);
    expect(Date.now() - started).toBeLessThan(1000);
    const id = Number(/\nid: ?(\d+)/.exec(text)?.[1]);
    expect(id).toBeGreaterThan(0);

    // A client that missed the change reconnects with the id before it and gets exactly it.
    const resume = await fetch(`${s.url}/api/trpc/requests.onChange?input=${encodeURIComponent(JSON.stringify(superjson.serialize({ lastEventId: String(id - 1) })))}`, {
      headers: { cookie },
      signal: AbortSignal.timeout(3000),
    });
    const r2 = resume.body!.getReader();
    let text2 = "";
    while (!/\nid: ?\d+/.test(text2)) text2 += decoder.decode((await r2.read()).value);
    await r2.cancel();
    expect(Number(/\nid: ?(\d+)/.exec(text2)?.[1])).toBe(id);
  });
});

describe("roles", () => {
  it("a household member may read but not call an admin procedure", async () => {
    const member = createCaller({ container: s.app.container, user: { id: "jellyfin:2", name: "household", role: "member" } });
    await expect(member.requests.list({ mine: false, limit: 10 })).resolves.toBeInstanceOf(Array);
    await expect(member.admin.integrations()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(member.admin.stuck()).rejects.toMatchObject({ code: "FORBIDDEN" });
    const anonymous = createCaller({ container: s.app.container, user: null });
    await expect(anonymous.requests.list({ mine: false, limit: 10 })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("history searches finished requests", async () => {
    const admin = createCaller({ container: s.app.container, user: { id: "local:admin", name: "admin", role: "admin" } });
    const page = await admin.requests.history({ search: "violet", limit: 10, mine: false });
    expect(page.items).toEqual([]); // still active
    const integrations = await admin.admin.integrations();
    expect(integrations.find((i) => i.service === "radarr")).toMatchObject({ configured: false, lastWebhookEvent: "Grab" });
  });
});
