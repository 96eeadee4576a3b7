import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "@/server/clock";
import { SCENARIOS, startSimStack, startWebhookCapture, type SimStack, type WebhookCapture } from "@/sim";
import { loadReference } from "../helpers/fixtures";

/*
 * The simulated Sonarr and Radarr API v3: record shapes against the reference payloads, the
 * import-blocked queue item, and commands that act on the world (a search after blocklisting
 * grabs a different release).
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
let stack: SimStack | undefined;
let capture: WebhookCapture | undefined;

afterEach(async () => {
  await stack?.stop();
  await capture?.stop();
  stack = undefined;
  capture = undefined;
});

async function start(withCapture = false) {
  capture = withCapture ? await startWebhookCapture() : undefined;
  stack = await startSimStack({ clock: new ManualClock(START, 0), tracker: capture ? { url: capture.url, webhookSecret: capture.webhookSecret } : null });
  return stack;
}

type Rec = Record<string, unknown>;

async function api<T = Rec>(s: SimStack, app: "radarr" | "sonarr", path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${s.urls[app]}${path}`, { ...init, headers: { "X-Api-Key": s.credentials[app].apiKey, "content-type": "application/json", ...init.headers } });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

function keysOf(records: Rec[]): Set<string> {
  return new Set(records.flatMap((r) => Object.keys(r)));
}

interface Paged {
  page: number;
  pageSize: number;
  sortKey: string;
  sortDirection: string;
  totalRecords: number;
  records: Rec[];
}

describe("arr auth and status", () => {
  it("answers 401 without the API key, and takes X-Api-Key, ?apikey= or a Bearer token", async () => {
    const s = await start();
    expect((await fetch(`${s.urls.radarr}/api/v3/system/status`)).status).toBe(401);
    expect((await fetch(`${s.urls.radarr}/api/v3/system/status`, { headers: { "X-Api-Key": "wrong" } })).status).toBe(401);
    expect((await fetch(`${s.urls.sonarr}/api/v3/system/status?apikey=${s.credentials.sonarr.apiKey}`)).status).toBe(200);
    expect((await fetch(`${s.urls.sonarr}/api/v3/system/status`, { headers: { authorization: `Bearer ${s.credentials.sonarr.apiKey}` } })).status).toBe(200);
    const { body } = await api(s, "sonarr", "/api/v3/system/status");
    expect(body).toMatchObject({ appName: "Sonarr", version: "4.0.19.2979" });
    expect((await api(s, "radarr", "/api/v3/system/status")).body).toMatchObject({ appName: "Radarr" });
    expect((await api(s, "radarr", "/api/v3/nothing/here")).status).toBe(404);
  });
});

describe("arr queue", () => {
  it("Sonarr: one record per episode of a pack, with the reference's keys, paged", async () => {
    const s = await start();
    s.runScenario("tv-season-pack");
    await s.advance(45_000);
    const { body } = await api<Paged>(s, "sonarr", "/api/v3/queue?pageSize=50");
    expect(body).toMatchObject({ page: 1, pageSize: 50, sortKey: "timeleft", sortDirection: "ascending", totalRecords: 8 });
    const reference = loadReference("sonarr-queue") as Paged;
    const downloadingRef = reference.records[0];
    for (const record of body.records) {
      expect(record.status).toBe("downloading");
      // Same fields as the reference's downloading record, no more, no less.
      expect(Object.keys(record).sort()).toEqual(Object.keys(downloadingRef).sort());
      expect(Object.keys(record.quality as Rec)).toEqual(Object.keys(downloadingRef.quality as Rec));
      expect(Object.keys((record.quality as Rec).quality as Rec).sort()).toEqual(Object.keys((downloadingRef.quality as Rec).quality as Rec).sort());
      expect(record.downloadId).toMatch(/^[0-9A-F]{40}$/);
      expect(record.timeleft).toMatch(/^\d\d:\d\d:\d\d$/);
    }
    // All records share the pack's download and whole-torrent numbers.
    expect(new Set(body.records.map((r) => r.downloadId)).size).toBe(1);
    expect(new Set(body.records.map((r) => r.sizeleft)).size).toBe(1);
    expect(new Set(body.records.map((r) => r.id)).size).toBe(8);
    const page2 = await api<Paged>(s, "sonarr", "/api/v3/queue?page=2&pageSize=3");
    expect(page2.body.records).toHaveLength(3);
    expect(page2.body.totalRecords).toBe(8);
    const defaults = await api<Paged>(s, "sonarr", "/api/v3/queue");
    expect(defaults.body.pageSize).toBe(10);
  });

  it("Radarr: records use the reference's keys; a stalled download is a warning without timeleft", async () => {
    const s = await start();
    s.runScenario("movie");
    s.runScenario("fault-stalled");
    await s.advance(30_000);
    const reference = loadReference("radarr-queue") as Paged;
    const allowed = keysOf(reference.records);
    const { body } = await api<Paged>(s, "radarr", "/api/v3/queue?pageSize=50");
    expect(body.records).toHaveLength(2);
    for (const record of body.records) for (const key of Object.keys(record)) expect(allowed, key).toContain(key);
    await s.advance(60_000);
    const later = await api<Paged>(s, "radarr", "/api/v3/queue?pageSize=50");
    const stalled = later.body.records.find((r) => r.status === "warning") as Rec;
    expect(Object.keys(stalled).sort()).toEqual(Object.keys(reference.records[1]).sort());
    expect(stalled).toMatchObject({ errorMessage: "The download is stalled with no connections", trackedDownloadState: "downloading", trackedDownloadStatus: "ok" });
    expect(stalled).not.toHaveProperty("timeleft");
    const completed = later.body.records.find((r) => r.status === "completed");
    // The film finished: importing (or just imported and gone).
    if (completed) expect(Object.keys(completed).sort()).toEqual(Object.keys(reference.records[0]).sort());
  });

  it("an import blocked by a rejected file: importBlocked, statusMessages and one ManualInteractionRequired", async () => {
    const s = await start(true);
    s.runScenario("fault-import-blocked");
    await s.advance(SCENARIOS["fault-import-blocked"].settleMs);
    const { body } = await api<Paged>(s, "sonarr", "/api/v3/queue?pageSize=50");
    expect(body.records).toHaveLength(10);
    for (const record of body.records) {
      expect(record).toMatchObject({ status: "completed", trackedDownloadState: "importBlocked", trackedDownloadStatus: "warning", sizeleft: 0, timeleft: "00:00:00" });
      expect(record.outputPath).toMatch(/^\/data\/torrents\/tv-sonarr\/Dead\.Reckoning\.Bay\.S01\./);
      expect(record.statusMessages).toEqual([
        { title: expect.stringMatching(/^Dead\.Reckoning\.Bay\.S01\./), messages: ["One or more episodes expected in this release were not imported or missing from the release"] },
        { title: expect.stringMatching(/S01E10.*\.mkv$/), messages: ["No audio tracks detected"] },
      ]);
    }
    expect(body.records.filter((r) => r.episodeHasFile === true)).toHaveLength(9);
    const manual = capture?.received.filter((h) => (h.body as Rec).eventType === "ManualInteractionRequired") ?? [];
    expect(manual).toHaveLength(1);
    expect(manual[0].body).toMatchObject({ downloadStatus: "Warning", downloadStatusMessages: body.records[0].statusMessages });
    const episodes = await api<Rec[]>(s, "sonarr", `/api/v3/episode?seriesId=${body.records[0].seriesId}`);
    expect(episodes.body.filter((e) => e.hasFile)).toHaveLength(9);
    expect(episodes.body.find((e) => e.episodeNumber === 10)?.hasFile).toBe(false);
  });
});

describe("arr commands, blocklist and history", () => {
  it("removing a grab with blocklist makes the next search grab a different release", async () => {
    const s = await start(true);
    s.runScenario("movie");
    await s.advance(20_000);
    const first = (await api<Paged>(s, "radarr", "/api/v3/queue")).body.records[0];
    expect(first).toBeDefined();
    const del = await api(s, "radarr", `/api/v3/queue/${first.id}?removeFromClient=true&blocklist=true&skipRedownload=true`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(s.world.qbit.get(String(first.downloadId))).toBeUndefined();
    const blocklist = await api<Paged>(s, "radarr", "/api/v3/blocklist");
    expect(blocklist.body.records.map((b) => b.sourceTitle)).toEqual([first.title]);
    expect((await api<Paged>(s, "radarr", "/api/v3/queue")).body.totalRecords).toBe(0);

    // A search by command: answered like the real one, then it does the search.
    const movieId = first.movieId as number;
    const post = await api<Rec>(s, "radarr", "/api/v3/command", { method: "POST", body: JSON.stringify({ name: "MoviesSearch", movieIds: [movieId] }) });
    expect(post.status).toBe(201);
    expect(post.body).toMatchObject({ name: "MoviesSearch", commandName: "Movies Search", status: "queued", result: "unknown", trigger: "manual", priority: "normal" });
    expect(post.body.body).toMatchObject({ movieIds: [movieId] });
    await s.advance(SCENARIOS.movie.settleMs);
    const done = await api<Rec>(s, "radarr", `/api/v3/command/${post.body.id}`);
    expect(done.body).toMatchObject({ status: "completed", result: "successful", message: "Search completed. 1 reports downloaded." });

    const history = await api<Paged>(s, "radarr", "/api/v3/history?pageSize=50");
    const grabs = history.body.records.filter((h) => h.eventType === "grabbed");
    expect(grabs).toHaveLength(2);
    expect(new Set(grabs.map((g) => g.sourceTitle)).size).toBe(2);
    expect(history.body.records.some((h) => h.eventType === "downloadFailed" && h.downloadId === first.downloadId)).toBe(true);
    const second = grabs.find((g) => g.downloadId !== first.downloadId) as Rec;
    const byId = await api<Paged>(s, "radarr", `/api/v3/history?downloadId=${second.downloadId}`);
    expect(byId.body.records.map((h) => h.eventType).sort()).toEqual(["downloadFolderImported", "grabbed"]);
    const grabWebhooks = capture?.received.filter((h) => (h.body as Rec).eventType === "Grab").map((h) => (h.body as Rec).downloadId);
    expect(grabWebhooks).toEqual([first.downloadId, second.downloadId]);
    const movie = await api<Rec[]>(s, "radarr", `/api/v3/movie?tmdbId=812403`);
    expect(movie.body[0]).toMatchObject({ hasFile: true, tmdbId: 812403, monitored: true });
  });

  it("blocklisting without skipRedownload searches again by itself", async () => {
    const s = await start();
    s.runScenario("movie");
    await s.advance(20_000);
    const first = (await api<Paged>(s, "radarr", "/api/v3/queue")).body.records[0];
    await api(s, "radarr", `/api/v3/queue/${first.id}?removeFromClient=true&blocklist=true`, { method: "DELETE" });
    await s.advance(20_000);
    const next = (await api<Paged>(s, "radarr", "/api/v3/queue")).body.records[0];
    expect(next.downloadId).not.toBe(first.downloadId);
    expect(next.title).not.toBe(first.title);
  });

  it("RefreshMonitoredDownloads and DownloadedMoviesScan import a finished download without waiting for the minute", async () => {
    const s = await start();
    s.runScenario("movie");
    // Grab at 7.5 s, done at ~52 s; Radarr's next look at the client would be at 60 s.
    await s.advance(56_000);
    const [record] = (await api<Paged>(s, "radarr", "/api/v3/queue")).body.records;
    expect(record.status).toBe("downloading");
    const refresh = await api<Rec>(s, "radarr", "/api/v3/command", { method: "POST", body: JSON.stringify({ name: "RefreshMonitoredDownloads" }) });
    expect(refresh.status).toBe(201);
    await s.advance(500);
    const [pending] = (await api<Paged>(s, "radarr", "/api/v3/queue")).body.records;
    expect(pending).toMatchObject({ status: "completed", trackedDownloadState: "importPending" });
    const scan = await api<Rec>(s, "radarr", "/api/v3/command", { method: "POST", body: JSON.stringify({ name: "downloadedmoviesscan", downloadClientId: record.downloadId }) });
    expect(scan.body.name).toBe("DownloadedMoviesScan");
    await s.advance(6_000);
    expect((await api<Paged>(s, "radarr", "/api/v3/queue")).body.totalRecords).toBe(0);
    expect((await api(s, "radarr", "/api/v3/command", { method: "POST", body: JSON.stringify({ name: "NoSuchThing" }) })).status).toBe(400);
  });

  it("Sonarr: series by tvdbId, episodes with air dates, hasFile and monitored", async () => {
    const s = await start();
    s.runScenario("airing-show");
    await s.advance(2 * 3_600_000);
    const series = await api<Rec[]>(s, "sonarr", "/api/v3/series?tvdbId=455901");
    expect(series.body).toHaveLength(1);
    expect(series.body[0]).toMatchObject({ title: "Copperline", seriesType: "standard", status: "continuing", tvdbId: 455901 });
    expect(series.body[0].nextAiring).toBeDefined();
    const episodes = await api<Rec[]>(s, "sonarr", `/api/v3/episode?seriesId=${series.body[0].id}`);
    expect(episodes.body).toHaveLength(8);
    const now = START + 2 * 3_600_000;
    for (const e of episodes.body) {
      expect(e.airDateUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(e.monitored).toBe(true);
      const aired = Date.parse(String(e.airDateUtc)) < now;
      expect(e.hasFile, `E${e.episodeNumber}`).toBe(aired);
    }
    expect(episodes.body.filter((e) => e.hasFile)).toHaveLength(3);
    const anime = await start2Anime();
    expect(anime).toMatchObject({ seriesType: "anime" });
  });
});

/** An anime series in Sonarr: type anime, tag "anime", path under /data/anime/shows, absolute numbers. */
async function start2Anime(): Promise<Rec> {
  const s = stack as SimStack;
  s.runScenario("anime-season");
  await s.advance(5_000);
  const [series] = (await api<Rec[]>(s, "sonarr", "/api/v3/series?tvdbId=421560")).body;
  expect(series.path).toBe("/data/anime/shows/Tsukiyo Couriers");
  expect(series.tags).toEqual([1]);
  expect((await api<Rec[]>(s, "sonarr", "/api/v3/tag")).body).toEqual([{ label: "anime", id: 1 }]);
  const episodes = (await api<Rec[]>(s, "sonarr", `/api/v3/episode?seriesId=${series.id}`)).body;
  expect(episodes[4].absoluteEpisodeNumber).toBe(5);
  return series;
}
