import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "@/server/clock";
import { webhookParsers } from "@/server/webhooks";
import type { WebhookService } from "@/server/webhooks/types";
import { demoLoop, envForTracker, poolOf, SCENARIOS, startSimStack, startWebhookCapture, type SimStack, type WebhookCapture } from "@/sim";

/*
 * Each scenario runs to its end state in simulated time, checked through the services' own APIs
 * (what the tracker will see): a playable Jellyfin item, a torrent that stays stalled, an
 * unrecognised Shoko file, a request stuck until retried. Plus outages and the demo loop.
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let stack: SimStack | undefined;
let capture: WebhookCapture | undefined;

afterEach(async () => {
  await stack?.stop();
  await capture?.stop();
  stack = undefined;
  capture = undefined;
});

async function start() {
  stack = await startSimStack({ clock: new ManualClock(START, 0), tracker: null });
  return stack;
}

type Rec = Record<string, unknown>;

/** GET from a simulated service with its real credentials. */
async function api<T = Rec>(s: SimStack, service: "radarr" | "sonarr" | "jellyseerr" | "shoko" | "jellyfin", path: string, init: RequestInit = {}): Promise<T> {
  const c = s.credentials;
  const headers: Record<string, string> =
    service === "radarr" || service === "sonarr" || service === "jellyseerr"
      ? { "X-Api-Key": c[service].apiKey }
      : service === "shoko"
        ? { apikey: c.shoko.apiKey }
        : { authorization: `MediaBrowser Client="test", Device="test", DeviceId="test", Version="1", Token="${c.jellyfin.apiKey}"` };
  const res = await fetch(`${s.urls[service]}${path}`, { ...init, headers: { ...headers, "content-type": "application/json" } });
  expect(res.status, `${service} ${path}`).toBeLessThan(300);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

async function qbitTorrents(s: SimStack): Promise<Rec[]> {
  const login = await fetch(`${s.urls.qbittorrent}/api/v2/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `username=${s.credentials.qbittorrent.username}&password=${s.credentials.qbittorrent.password}`,
  });
  const cookie = login.headers.get("set-cookie")?.split(";")[0] ?? "";
  return (await (await fetch(`${s.urls.qbittorrent}/api/v2/torrents/info`, { headers: { cookie } })).json()) as Rec[];
}

async function seerrRequest(s: SimStack, runId: string): Promise<Rec & { media: Rec }> {
  const requestId = s.world.runs.get(runId)?.requestId;
  return api(s, "jellyseerr", `/api/v1/request/${requestId}`);
}

async function jellyfinItems(s: SimStack, type: string): Promise<(Rec & { ProviderIds: Record<string, string>; MediaSources?: Rec[] })[]> {
  return (await api<{ Items: (Rec & { ProviderIds: Record<string, string> })[] }>(s, "jellyfin", `/Items?Recursive=true&IncludeItemTypes=${type}&Fields=ProviderIds,Path,MediaSources`)).Items;
}

describe("scenario end states", () => {
  it("movie: imported, seeding, a playable Jellyfin item, Seerr COMPLETED", async () => {
    const s = await start();
    const run = s.runScenario("movie");
    await s.advance(SCENARIOS.movie.settleMs);
    const [movie] = await api<Rec[]>(s, "radarr", "/api/v3/movie?tmdbId=812403");
    expect(movie).toMatchObject({ hasFile: true, path: "/data/media/movies/The Lantern Keeper's Daughter (2021)" });
    expect((await api<Rec>(s, "radarr", "/api/v3/queue")).totalRecords).toBe(0);
    const [torrent] = await qbitTorrents(s);
    expect(torrent).toMatchObject({ state: "stalledUP", progress: 1 });
    const [item] = await jellyfinItems(s, "Movie");
    expect(item.ProviderIds.Tmdb).toBe("812403");
    expect(item.LocationType).toBe("FileSystem");
    expect(item.MediaSources).toHaveLength(1);
    const request = await seerrRequest(s, run);
    expect(request.status).toBe(5);
    expect(request.media).toMatchObject({ status: 5, jellyfinMediaId: item.Id, externalServiceId: movie.id });
  });

  it("tv-season-pack: eight episodes imported and playable, torrent moved to tv-imported", async () => {
    const s = await start();
    const run = s.runScenario("tv-season-pack");
    await s.advance(SCENARIOS["tv-season-pack"].settleMs);
    const [series] = await api<Rec[]>(s, "sonarr", "/api/v3/series?tvdbId=412877");
    const episodes = await api<Rec[]>(s, "sonarr", `/api/v3/episode?seriesId=${series.id}`);
    expect(episodes.filter((e) => e.hasFile)).toHaveLength(8);
    expect((await qbitTorrents(s))[0]).toMatchObject({ category: "tv-imported", progress: 1 });
    const jfEpisodes = await jellyfinItems(s, "Episode");
    expect(jfEpisodes.filter((e) => e.LocationType === "FileSystem")).toHaveLength(8);
    const request = await seerrRequest(s, run);
    expect(request).toMatchObject({ status: 5, modifiedBy: expect.objectContaining({ displayName: "admin" }) });
  });

  it("anime-movie: under /data/anime/movies, matched by Shoko, shown by Shokofin", async () => {
    const s = await start();
    const run = s.runScenario("anime-movie");
    await s.advance(SCENARIOS["anime-movie"].settleMs);
    const [movie] = await api<(Rec & { movieFile: Rec })[]>(s, "radarr", "/api/v3/movie?tmdbId=728154");
    expect(movie.path).toBe("/data/anime/movies/Kazemachi The Wind Post (2020)");
    expect(movie.tags).toEqual([1]);
    const files = await api<{ Total: number; List: (Rec & { SeriesIDs: Rec[] })[] }>(s, "shoko", "/api/v3/File?include=XRefs,AbsolutePaths&exclude=Unrecognized");
    expect(files.Total).toBe(1);
    const [file] = files.List;
    expect(file.SeriesIDs).toHaveLength(1);
    const [shokoSeries] = await api<(Rec & { IDs: Rec })[]>(s, "shoko", "/api/v3/Tmdb/Movie/728154/Shoko/Series");
    expect(shokoSeries.IDs).toMatchObject({ AniDB: 15120 });
    const [item] = await jellyfinItems(s, "Movie");
    expect(item.ProviderIds["Shoko File"]).toBe(String(file.ID));
    expect(item.ProviderIds["Shoko Series"]).toBe(String(shokoSeries.IDs.ID));
    expect((await seerrRequest(s, run)).status).toBe(5);
  });

  it("anime-season: twelve files matched by Shoko, twelve Shokofin episodes", async () => {
    const s = await start();
    const run = s.runScenario("anime-season");
    await s.advance(SCENARIOS["anime-season"].settleMs);
    expect((await api<{ Total: number }>(s, "shoko", "/api/v3/File?exclude=Unrecognized")).Total).toBe(12);
    expect((await api<{ Total: number }>(s, "shoko", "/api/v3/File?include_only=Unrecognized")).Total).toBe(0);
    // Shoko finds it by the Sonarr path relative to the library root.
    const found = await api<(Rec & { SeriesIDs: Rec[] })[]>(s, "shoko", `/api/v3/File/PathEndsWith/${encodeURIComponent("Tsukiyo Couriers/Season 01/Tsukiyo Couriers - S01E03 - Return to Sender [Bluray-1080p]-FLE.mkv")}`);
    expect(found).toHaveLength(1);
    expect(found[0].SeriesIDs).toHaveLength(1);
    expect((await jellyfinItems(s, "Episode")).filter((e) => e.ProviderIds["Shoko File"])).toHaveLength(12);
    expect((await seerrRequest(s, run)).status).toBe(5);
  });

  it("airing-show: aired episodes first, the rest as they air; Seerr completes only after the finale", async () => {
    const s = await start();
    const run = s.runScenario("airing-show");
    await s.advance(2 * HOUR);
    const [series] = await api<Rec[]>(s, "sonarr", "/api/v3/series?tvdbId=455901");
    const hasFile = async () => (await api<Rec[]>(s, "sonarr", `/api/v3/episode?seriesId=${series.id}`)).filter((e) => e.hasFile).length;
    expect(await hasFile()).toBe(3);
    let request = await seerrRequest(s, run);
    expect(request.status).toBe(2);
    expect(request.media.status).toBe(4);
    await s.advance(24 * HOUR);
    expect(await hasFile()).toBe(4);
    await s.advance(SCENARIOS["airing-show"].settleMs);
    expect(await hasFile()).toBe(8);
    request = await seerrRequest(s, run);
    expect(request.status).toBe(5);
    expect(request.media.status).toBe(5);
  });

  it("fault-stalled: the torrent stays stalledDL; Radarr shows a warning", async () => {
    const s = await start();
    s.runScenario("fault-stalled");
    await s.advance(SCENARIOS["fault-stalled"].settleMs);
    expect((await qbitTorrents(s))[0]).toMatchObject({ state: "stalledDL", num_seeds: 0 });
    const queue = await api<{ records: Rec[] }>(s, "radarr", "/api/v3/queue");
    expect(queue.records[0]).toMatchObject({ status: "warning", errorMessage: "The download is stalled with no connections" });
    await s.advance(24 * HOUR);
    expect((await qbitTorrents(s))[0].state).toBe("stalledDL");
  });

  it("fault-import-blocked: nine episodes in, one blocked; Seerr partially available", async () => {
    const s = await start();
    const run = s.runScenario("fault-import-blocked");
    await s.advance(SCENARIOS["fault-import-blocked"].settleMs);
    const request = await seerrRequest(s, run);
    expect(request.status).toBe(2);
    expect(request.media.status).toBe(4);
    expect((await jellyfinItems(s, "Episode")).filter((e) => e.LocationType === "FileSystem")).toHaveLength(9);
  });

  it("fault-no-release: monitored without a file, nothing grabbed", async () => {
    const s = await start();
    const run = s.runScenario("fault-no-release");
    await s.advance(SCENARIOS["fault-no-release"].settleMs);
    const [movie] = await api<Rec[]>(s, "radarr", "/api/v3/movie?tmdbId=604417");
    expect(movie).toMatchObject({ hasFile: false, monitored: true });
    expect((await api<Rec>(s, "radarr", "/api/v3/queue")).totalRecords).toBe(0);
    expect((await api<Rec>(s, "radarr", "/api/v3/history")).totalRecords).toBe(0);
    expect(await qbitTorrents(s)).toEqual([]);
    const search = await api<Rec>(s, "radarr", "/api/v3/command", { method: "POST", body: JSON.stringify({ name: "MoviesSearch", movieIds: [movie.id] }) });
    await s.advance(MINUTE);
    expect(await api<Rec>(s, "radarr", `/api/v3/command/${search.id}`)).toMatchObject({ status: "completed", message: "Search completed. 0 reports downloaded." });
    const request = await seerrRequest(s, run);
    expect(request.status).toBe(2);
    expect(request.media.status).toBe(3);
  });

  it("fault-shoko-unmatched: imported, unrecognised by Shoko, never in Jellyfin", async () => {
    const s = await start();
    const run = s.runScenario("fault-shoko-unmatched");
    await s.advance(SCENARIOS["fault-shoko-unmatched"].settleMs);
    expect((await api<Rec[]>(s, "radarr", "/api/v3/movie?tmdbId=1284410"))[0].hasFile).toBe(true);
    const unrecognised = await api<{ Total: number; List: (Rec & { Locations: Rec[] })[] }>(s, "shoko", "/api/v3/File?include_only=Unrecognized&include=XRefs,AbsolutePaths");
    expect(unrecognised.Total).toBe(1);
    expect(unrecognised.List[0].SeriesIDs).toEqual([]);
    expect(unrecognised.List[0].Locations[0]).toMatchObject({ ImportFolderID: 2, AbsolutePath: expect.stringMatching(/^\/data\/anime\/movies\/Hoshizora Relay/) });
    expect(unrecognised.List[0].Imported).toBeNull();
    // Asking AniDB again does not help a title it does not know.
    await api(s, "shoko", `/api/v3/File/${unrecognised.List[0].ID}/Rescan`, { method: "POST" });
    await s.advance(MINUTE);
    expect((await api<{ Total: number }>(s, "shoko", "/api/v3/File?include_only=Unrecognized")).Total).toBe(1);
    expect(await jellyfinItems(s, "Movie")).toHaveLength(0);
    expect((await seerrRequest(s, run)).media.status).toBe(3);
  });

  it.each(["fault-webhook-missing", "fault-webhook-duplicate", "fault-webhook-late", "fault-webhook-out-of-order"])(
    "%s: the world itself completes as without the fault",
    async (name) => {
      const s = await start();
      const run = s.runScenario(name);
      await s.advance(SCENARIOS[name as keyof typeof SCENARIOS].settleMs);
      expect((await seerrRequest(s, run)).status).toBe(5);
    },
  );

  it("fault-service-down: qBittorrent refuses connections for three minutes; the import waits; all completes", async () => {
    const s = await start();
    const run = s.runScenario("fault-service-down");
    await s.advance(30_000);
    await expect(fetch(`${s.urls.qbittorrent}/api/v2/app/version`)).rejects.toThrow();
    await s.advance(3 * MINUTE);
    expect((await fetch(`${s.urls.qbittorrent}/api/v2/app/version`)).status).toBe(403);
    await s.advance(SCENARIOS["fault-service-down"].settleMs);
    const [movie] = await api<(Rec & { movieFile: Rec })[]>(s, "radarr", "/api/v3/movie?tmdbId=703918");
    expect(movie.hasFile).toBe(true);
    // Radarr could not see the finished download until qBittorrent came back at 3 min 25 s.
    expect(Date.parse(String(movie.movieFile.dateAdded))).toBeGreaterThanOrEqual(START + 25_000 + 3 * MINUTE);
    expect((await seerrRequest(s, run)).status).toBe(5);
  });

  it("fault-arr-down: Seerr drops the request while Radarr is down; a retry sends it", async () => {
    const s = await start();
    const run = s.runScenario("fault-arr-down");
    await s.advance(10 * MINUTE);
    expect(await api<Rec[]>(s, "radarr", "/api/v3/movie")).toEqual([]);
    let request = await seerrRequest(s, run);
    expect(request.status).toBe(2);
    expect(request.media).toMatchObject({ status: 3, externalServiceId: null });
    await api(s, "jellyseerr", `/api/v1/request/${request.id}/retry`, { method: "POST" });
    await s.advance(SCENARIOS["anime-movie"].settleMs);
    request = await seerrRequest(s, run);
    expect(request.status).toBe(5);
  });
});

describe("outages and the demo loop", () => {
  it("setDown takes a service offline (refused or 503) and brings it back on the same port", async () => {
    const s = await start();
    const key = { "X-Api-Key": s.credentials.sonarr.apiKey };
    await s.setDown("sonarr", true);
    await expect(fetch(`${s.urls.sonarr}/api/v3/system/status`, { headers: key })).rejects.toThrow();
    await s.setDown("sonarr", false);
    expect((await fetch(`${s.urls.sonarr}/api/v3/system/status`, { headers: key })).status).toBe(200);
    await s.setDown("sonarr", true, "503");
    expect((await fetch(`${s.urls.sonarr}/api/v3/system/status`, { headers: key })).status).toBe(503);
    await s.setDown("sonarr", false);
    expect((await fetch(`${s.urls.sonarr}/api/v3/system/status`, { headers: key })).status).toBe(200);
  });

  it("envForTracker names every service's URL and credentials", async () => {
    const s = await start();
    const env = envForTracker(s, { url: "http://127.0.0.1:1", webhookSecret: "w" });
    expect(env).toMatchObject({
      JELLYSEERR_URL: s.urls.jellyseerr,
      JELLYSEERR_API_KEY: s.credentials.jellyseerr.apiKey,
      SONARR_URL: s.urls.sonarr,
      RADARR_URL: s.urls.radarr,
      QBITTORRENT_URL: s.urls.qbittorrent,
      QBITTORRENT_USERNAME: "admin",
      JELLYFIN_URL: s.urls.jellyfin,
      SHOKO_URL: s.urls.shoko,
      SHOKO_API_KEY: s.credentials.shoko.apiKey,
      WEBHOOK_SECRET: "w",
    });
    for (const value of Object.values(env)) expect(value).not.toBe("");
  });

  it("the demo loop leaves a title of every kind free, so a scenario asked for on demand can start", async () => {
    stack = await start();
    const world = stack.world;
    const loop = demoLoop(stack, { intervalMs: 45_000, seed: 11 });
    const pools = new Map<string, string[]>();
    for (const t of world.catalogue.all()) pools.set(poolOf(world, t.key), [...(pools.get(poolOf(world, t.key)) ?? []), t.key]);
    for (let i = 0; i < 24; i++) {
      await stack.advance(5 * MINUTE);
      for (const [pool, keys] of pools) {
        if (keys.length < 2) continue;
        const free = keys.filter((k) => !world.isTitleActive(k));
        expect(free.length, `${pool} after ${(i + 1) * 5} min`).toBeGreaterThan(0);
      }
    }
    loop.stop();
    expect(loop.started.length).toBeGreaterThan(10);
  });

  it("the demo loop keeps requests coming for hours, recycling titles, and every webhook parses", async () => {
    capture = await startWebhookCapture();
    stack = await startSimStack({ clock: new ManualClock(START, 0), tracker: { url: capture.url, webhookSecret: capture.webhookSecret } });
    const loop = demoLoop(stack, { intervalMs: 45_000, seed: 7 });
    for (let i = 0; i < 12; i++) await stack.advance(15 * MINUTE);
    loop.stop();
    expect(loop.started.length).toBeGreaterThan(20);
    const scenarios = new Set(loop.started.map((id) => stack?.world.runs.get(id)?.scenario));
    expect(scenarios.size).toBeGreaterThan(5);
    const events = new Set<string>();
    for (const hook of capture.received) {
      const parsed = webhookParsers[hook.service as WebhookService](hook.body, START);
      events.add(`${hook.service}:${parsed.eventType}`);
    }
    // Finished titles are removed to be requested again: delete webhooks appear.
    expect([...events].some((e) => e === "radarr:MovieDelete" || e === "sonarr:SeriesDelete")).toBe(true);
    expect(events).toContain("jellyseerr:MEDIA_AVAILABLE");
  });
});
