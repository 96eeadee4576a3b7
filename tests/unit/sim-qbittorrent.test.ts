import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "@/server/clock";
import { startSimStack, type QbitVersion, type SimStack } from "@/sim";

/*
 * The simulated qBittorrent WebAPI: login styles per version, the session cookie, expiry and the
 * brute-force ban, torrent states over simulated time, per-file progress of a season pack, and
 * sync/maindata's incremental updates. No sleeps: a ManualClock is advanced.
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
let stack: SimStack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(qbitVersion: QbitVersion = "4.5", extra: { qbitBanMs?: number; qbitSessionTimeoutMs?: number } = {}) {
  stack = await startSimStack({ clock: new ManualClock(START, 0), tracker: null, qbitVersion, ...extra });
  return stack;
}

function form(fields: Record<string, string>): RequestInit {
  return { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() };
}

async function login(s: SimStack, password = s.credentials.qbittorrent.password) {
  const res = await fetch(`${s.urls.qbittorrent}/api/v2/auth/login`, form({ username: s.credentials.qbittorrent.username, password }));
  const setCookie = res.headers.get("set-cookie");
  return { status: res.status, text: await res.text(), setCookie, cookie: setCookie?.split(";")[0] };
}

async function get(s: SimStack, path: string, cookie?: string) {
  return fetch(`${s.urls.qbittorrent}${path}`, { headers: cookie ? { cookie } : {} });
}

async function getJson<T = unknown>(s: SimStack, path: string, cookie: string): Promise<T> {
  const res = await get(s, path, cookie);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

type Info = Record<string, unknown> & { hash: string; state: string; progress: number };

describe("qBittorrent auth", () => {
  it("4.5: 200 Ok./Fails., a SID cookie, and 403 Forbidden without it", async () => {
    const s = await start("4.5");
    const noSession = await get(s, "/api/v2/app/version");
    expect(noSession.status).toBe(403);
    expect(await noSession.text()).toBe("Forbidden");
    // Unknown endpoints are refused the same way without a session.
    expect((await get(s, "/api/v2/nope/nothing")).status).toBe(403);

    const bad = await login(s, "wrong");
    expect(bad).toMatchObject({ status: 200, text: "Fails.", setCookie: null });

    const ok = await login(s);
    expect(ok.status).toBe(200);
    expect(ok.text).toBe("Ok.");
    expect(ok.setCookie).toMatch(/^SID=[^;]+; HttpOnly; path=\/; SameSite=Strict$/);
    const version = await get(s, "/api/v2/app/version", ok.cookie);
    expect(await version.text()).toBe("v4.5.2");
    expect(await (await get(s, "/api/v2/app/webapiVersion", ok.cookie)).text()).toBe("2.8.19");
    expect((await get(s, "/api/v2/nope/nothing", ok.cookie)).status).toBe(404);
    // Login is POST-only.
    expect((await get(s, "/api/v2/auth/login", ok.cookie)).status).toBe(405);
  });

  it("5.2: 200 with an empty body or 401, and the cookie is QBT_SID_<port>", async () => {
    const s = await start("5.2");
    const bad = await login(s, "wrong");
    expect(bad.status).toBe(401);
    const ok = await login(s);
    expect(ok.status).toBe(200);
    expect(ok.text).toBe("");
    const port = new URL(s.urls.qbittorrent).port;
    expect(ok.setCookie).toMatch(new RegExp(`^QBT_SID_${port}=`));
    expect(await (await get(s, "/api/v2/app/version", ok.cookie)).text()).toBe("v5.2.3");
  });

  it("sessions expire after the idle timeout", async () => {
    const s = await start("4.5", { qbitSessionTimeoutMs: 3_600_000 });
    const { cookie } = await login(s);
    await s.advance(3_000_000);
    expect((await get(s, "/api/v2/app/version", cookie)).status).toBe(200);
    // Activity slides the window; an idle hour ends it.
    await s.advance(3_599_000);
    expect((await get(s, "/api/v2/app/version", cookie)).status).toBe(200);
    await s.advance(3_601_000);
    expect((await get(s, "/api/v2/app/version", cookie)).status).toBe(403);
  });

  it("bans the IP after 5 failed logins, keeps existing sessions, and lifts the ban later", async () => {
    const s = await start("4.5", { qbitBanMs: 600_000 });
    const { cookie } = await login(s);
    // A held session short-circuits login, so fail from a cookie-less client.
    for (let i = 0; i < 5; i++) expect((await login(s, "wrong")).text).toBe("Fails.");
    const banned = await login(s);
    expect(banned.status).toBe(403);
    expect(banned.text).toBe("Your IP address has been banned after too many failed authentication attempts.");
    expect((await get(s, "/api/v2/app/version", cookie)).status).toBe(200);
    await s.advance(600_001);
    expect((await login(s)).text).toBe("Ok.");
  });

  it("rejects a cross-site Origin and a Host header with another port (401)", async () => {
    const s = await start();
    const { cookie } = await login(s);
    const res = await fetch(`${s.urls.qbittorrent}/api/v2/app/version`, { headers: { cookie: cookie as string, origin: "http://evil.example" } });
    expect(res.status).toBe(401);
  });
});

describe("qBittorrent torrents", () => {
  it("a film goes metaDL -> stalledDL -> downloading -> uploading -> stalledUP", async () => {
    const s = await start();
    const { cookie } = await login(s);
    s.runScenario("movie");
    const states: string[] = [];
    let sample: Info | undefined;
    for (let t = 0; t < 300; t++) {
      await s.advance(1_000);
      const [info] = await getJson<Info[]>(s, "/api/v2/torrents/info", cookie as string);
      if (!info) continue;
      if (states[states.length - 1] !== info.state) states.push(info.state);
      if (info.state === "metaDL") sample = info;
    }
    expect(states).toEqual(["metaDL", "stalledDL", "downloading", "uploading", "stalledUP"]);
    // Without metadata: no size, total_size -1, no content path (qbittorrent-real.md gotcha 12).
    expect(sample).toMatchObject({ size: 0, total_size: -1, content_path: "", progress: 0, eta: 8640000 });
    const [done] = await getJson<Info[]>(s, "/api/v2/torrents/info", cookie as string);
    expect(done).toMatchObject({ progress: 1, amount_left: 0, eta: 8640000, priority: 0, category: "radarr", save_path: "/data/torrents/radarr" });
    expect(done.hash).toMatch(/^[0-9a-f]{40}$/);
    expect(done.content_path).toBe(`/data/torrents/radarr/${done.name}`);
    // 4.5.2's exact key set: alphabetical, no 5.x additions.
    expect(Object.keys(done)).toEqual([...Object.keys(done)].sort());
    expect(done).not.toHaveProperty("has_metadata");
  });

  it("5.x names a stopped torrent stoppedUP and treats the old 'paused' filter as 'all'", async () => {
    const s = await start("5.x");
    const { cookie } = await login(s);
    s.runScenario("movie");
    await s.advance(3 * 3_600_000);
    const [info] = await getJson<Info[]>(s, "/api/v2/torrents/info", cookie as string);
    expect(info.state).toBe("stoppedUP");
    expect(info).toHaveProperty("has_metadata", true);
    expect(await getJson<Info[]>(s, "/api/v2/torrents/info?filter=stopped", cookie as string)).toHaveLength(1);
    expect(await getJson<Info[]>(s, "/api/v2/torrents/info?filter=running", cookie as string)).toHaveLength(0);
    expect(await getJson<Info[]>(s, "/api/v2/torrents/info?filter=paused", cookie as string)).toHaveLength(1);
  });

  it("a stalled torrent stays stalledDL with no seeds", async () => {
    const s = await start();
    const { cookie } = await login(s);
    s.runScenario("fault-stalled");
    await s.advance(5 * 3_600_000);
    const [info] = await getJson<Info[]>(s, "/api/v2/torrents/info?filter=stalled_downloading", cookie as string);
    expect(info).toMatchObject({ state: "stalledDL", num_seeds: 0, dlspeed: 0, eta: 8640000 });
    expect(info.progress).toBeCloseTo(0.37, 2);
  });

  it("filters by hashes (any case), category and state", async () => {
    const s = await start();
    const { cookie } = await login(s);
    s.runScenario("movie");
    s.runScenario("tv-season-pack");
    await s.advance(60_000);
    const all = await getJson<Info[]>(s, "/api/v2/torrents/info", cookie as string);
    expect(all).toHaveLength(2);
    const movie = all.find((t) => t.category === "radarr") as Info;
    const byHash = await getJson<Info[]>(s, `/api/v2/torrents/info?hashes=${movie.hash.toUpperCase()}`, cookie as string);
    expect(byHash.map((t) => t.hash)).toEqual([movie.hash]);
    expect(await getJson<Info[]>(s, "/api/v2/torrents/info?category=tv-sonarr", cookie as string)).toHaveLength(1);
    expect(await getJson<Info[]>(s, "/api/v2/torrents/info?category=nothing", cookie as string)).toHaveLength(0);
  });

  it("a season pack reports per-file progress that adds up to the torrent's", async () => {
    const s = await start();
    const { cookie } = await login(s);
    s.runScenario("tv-season-pack");
    // Approval at 8 s, search, metadata, then about 40 s of downloading.
    let info: Info | undefined;
    for (let t = 0; t < 120 && !(info && info.progress > 0.4); t++) {
      await s.advance(1_000);
      [info] = await getJson<Info[]>(s, "/api/v2/torrents/info", cookie as string);
    }
    expect(info?.state).toBe("downloading");
    const files = await getJson<{ name: string; size: number; progress: number; index: number; is_seed?: boolean; piece_range: number[] }[]>(
      s,
      `/api/v2/torrents/files?hash=${info?.hash}`,
      cookie as string,
    );
    const videos = files.filter((f) => f.name.endsWith(".mkv"));
    expect(videos).toHaveLength(8);
    expect(files[0].name).toMatch(/\.nfo$/);
    expect(files[0].progress).toBe(1);
    expect(files[0]).toHaveProperty("is_seed", false);
    expect(files[1]).not.toHaveProperty("is_seed");
    for (const f of videos) expect(f.name).toMatch(/^Harrow\.Fen\.S01\.1080p\.WEB-DL\.DDP5\.1\.H\.264-NTb\/Harrow\.Fen\.S01E0\d\./);
    // Files progress in parallel and unevenly.
    expect(new Set(videos.map((f) => f.progress.toFixed(3))).size).toBeGreaterThan(4);
    const bytes = files.reduce((sum, f) => sum + f.size * f.progress, 0);
    expect(bytes / (info?.completed as number)).toBeCloseTo(1, 3);
    await s.advance(120_000);
    const after = await getJson<{ progress: number }[]>(s, `/api/v2/torrents/files?hash=${info?.hash}`, cookie as string);
    expect(after.every((f) => f.progress === 1)).toBe(true);
  });

  it("files: [] while fetching metadata, 404 for an unknown hash", async () => {
    const s = await start();
    const { cookie } = await login(s);
    s.runScenario("movie");
    await s.advance(8_000);
    const [info] = await getJson<Info[]>(s, "/api/v2/torrents/info", cookie as string);
    expect(info.state).toBe("metaDL");
    expect(await getJson(s, `/api/v2/torrents/files?hash=${info.hash}`, cookie as string)).toEqual([]);
    expect((await get(s, `/api/v2/torrents/files?hash=${"0".repeat(40)}`, cookie)).status).toBe(404);
  });
});

describe("qBittorrent sync/maindata", () => {
  it("answers rid 0 in full, then only what changed, and lists removed torrents", async () => {
    const s = await start();
    const { cookie } = await login(s);
    s.runScenario("movie");
    await s.advance(20_000);
    type Maindata = { rid: number; full_update?: boolean; torrents?: Record<string, Record<string, unknown>>; torrents_removed?: string[]; server_state?: Record<string, unknown>; categories?: unknown };
    const full = await getJson<Maindata>(s, "/api/v2/sync/maindata?rid=0", cookie as string);
    expect(full.full_update).toBe(true);
    expect(full.rid).toBe(1);
    const [hash] = Object.keys(full.torrents ?? {});
    expect(full.torrents?.[hash]).toHaveProperty("name");
    expect(full.torrents?.[hash]).not.toHaveProperty("hash");
    expect(full.server_state).toHaveProperty("refresh_interval", 1500);

    // Nothing happened in between: an almost empty reply.
    const idle = await getJson<Maindata>(s, `/api/v2/sync/maindata?rid=${full.rid}`, cookie as string);
    expect(idle).toEqual({ rid: 2 });

    await s.advance(5_000);
    const delta = await getJson<Maindata>(s, `/api/v2/sync/maindata?rid=${idle.rid}`, cookie as string);
    expect(delta.rid).toBe(3);
    expect(delta.full_update).toBeUndefined();
    const changed = delta.torrents?.[hash] ?? {};
    expect(changed).toHaveProperty("progress");
    expect(changed).toHaveProperty("downloaded");
    expect(changed).not.toHaveProperty("name");
    expect(changed).not.toHaveProperty("save_path");

    // An old rid still in the session's history gets a delta from there; an unknown one a full update.
    const fromOld = await getJson<Maindata>(s, `/api/v2/sync/maindata?rid=${full.rid}`, cookie as string);
    expect(fromOld.full_update).toBeUndefined();
    const unknown = await getJson<Maindata>(s, "/api/v2/sync/maindata?rid=99999", cookie as string);
    expect(unknown.full_update).toBe(true);

    const del = await fetch(`${s.urls.qbittorrent}/api/v2/torrents/delete`, { ...form({ hashes: hash, deleteFiles: "true" }), headers: { cookie: cookie as string, "content-type": "application/x-www-form-urlencoded" } });
    expect(del.status).toBe(200);
    const removed = await getJson<Maindata>(s, `/api/v2/sync/maindata?rid=${unknown.rid}`, cookie as string);
    expect(removed.torrents_removed).toEqual([hash]);
    expect(removed.torrents).toBeUndefined();
  });

  it("reports Sonarr's post-import category change as a one-field delta", async () => {
    const s = await start();
    const { cookie } = await login(s);
    s.runScenario("tv-season-pack");
    await s.advance(70_000);
    type Maindata = { rid: number; torrents?: Record<string, Record<string, unknown>> };
    let last = await getJson<Maindata>(s, "/api/v2/sync/maindata?rid=0", cookie as string);
    let category: unknown;
    for (let i = 0; i < 30 && category === undefined; i++) {
      await s.advance(10_000);
      last = await getJson<Maindata>(s, `/api/v2/sync/maindata?rid=${last.rid}`, cookie as string);
      category = Object.values(last.torrents ?? {})[0]?.category;
    }
    expect(category).toBe("tv-imported");
  });
});
