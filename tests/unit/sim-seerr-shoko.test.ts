import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "@/server/clock";
import { SCENARIOS, startSimStack, type SimStack } from "@/sim";
import { loadReference } from "../helpers/fixtures";

/*
 * The simulated Jellyseerr API v1 (shapes against the reference payloads, Seerr's own 403 and its
 * lack of GET /media/{id}) and Shoko API v3 (auth, files by path, unrecognised files, series by
 * external id).
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
let stack: SimStack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start() {
  stack = await startSimStack({ clock: new ManualClock(START, 0), tracker: null });
  return stack;
}

type Rec = Record<string, unknown>;

async function seerr<T = Rec>(s: SimStack, path: string, init: RequestInit & { user?: number } = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { "X-Api-Key": s.credentials.jellyseerr.apiKey, "content-type": "application/json" };
  if (init.user) headers["X-API-User"] = String(init.user);
  const res = await fetch(`${s.urls.jellyseerr}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function shoko<T = Rec>(s: SimStack, path: string, init: RequestInit = {}, key = s.credentials.shoko.apiKey): Promise<{ status: number; body: T }> {
  const res = await fetch(`${s.urls.shoko}${path}`, { ...init, headers: { apikey: key, "content-type": "application/json" } });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, body: body as T };
}

describe("Jellyseerr API", () => {
  it("status is public; everything else needs X-Api-Key and answers Seerr's 403 without it", async () => {
    const s = await start();
    const status = await fetch(`${s.urls.jellyseerr}/api/v1/status`);
    expect(await status.json()).toEqual(loadReference("jellyseerr-status"));
    const denied = await fetch(`${s.urls.jellyseerr}/api/v1/request`);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ status: 403, error: "You do not have permission to access this endpoint" });
    expect((await fetch(`${s.urls.jellyseerr}/api/v1/request`, { headers: { "X-Api-Key": "nope" } })).status).toBe(403);
    expect((await seerr(s, "/api/v1/auth/me")).body).toMatchObject({ id: 1, displayName: "admin" });
  });

  it("request detail and list have the reference's shape", async () => {
    const s = await start();
    s.runScenario("tv-season-pack");
    await s.advance(60_000);
    const run = [...s.world.runs.values()][0];
    const detail = await seerr<Rec & { media: Rec; seasons: Rec[] }>(s, `/api/v1/request/${run.requestId}`);
    const reference = loadReference("jellyseerr-request") as Rec & { media: Rec };
    expect(Object.keys(detail.body).sort()).toEqual(Object.keys(reference).sort());
    const allowedMedia = new Set([...Object.keys(reference.media), "mediaUrl"]);
    for (const key of Object.keys(detail.body.media)) expect(allowedMedia, key).toContain(key);
    expect(detail.body).toMatchObject({ status: 2, type: "tv", seasons: [expect.objectContaining({ seasonNumber: 1, status: 2 })] });
    expect(detail.body.media).toMatchObject({ status: 3, tmdbId: 198452, tvdbId: 412877, externalServiceSlug: "harrow-fen" });
    expect(String(detail.body.media.serviceUrl)).toBe(`${s.urls.sonarr}/series/harrow-fen`);
    // The download-sync job copied Sonarr's queue, one item per episode, with the episode resource.
    const downloads = detail.body.media.downloadStatus as (Rec & { episode: Rec })[];
    expect(downloads).toHaveLength(8);
    expect(downloads[0]).toMatchObject({ mediaType: "tv", status: "downloading", downloadId: expect.stringMatching(/^[0-9A-F]{40}$/) });
    expect(downloads[0].episode).toMatchObject({ seasonNumber: 1, hasFile: false, monitored: true });

    const list = await seerr<{ pageInfo: Rec; results: Rec[]; serviceErrors: Rec }>(s, "/api/v1/request?take=5&filter=processing&sort=modified");
    const listReference = loadReference("jellyseerr-request-list") as { results: Rec[] };
    expect(list.body.pageInfo).toEqual({ pages: 1, pageSize: 5, results: 1, page: 1 });
    expect(Object.keys(list.body.results[0]).sort()).toEqual(Object.keys(listReference.results[0]).sort());
    expect(list.body.results[0].media).not.toHaveProperty("seasons");
    expect(list.body.serviceErrors).toEqual({ radarr: [], sonarr: [] });
    expect((await seerr<{ results: Rec[] }>(s, "/api/v1/request?filter=available")).body.results).toHaveLength(0);
  });

  it("there is no GET /api/v1/media/{id}: 405 from Seerr's API validator; read /api/v1/tv/{tmdbId} instead", async () => {
    const s = await start();
    s.runScenario("tv-season-pack");
    await s.advance(SCENARIOS["tv-season-pack"].settleMs);
    const mediaId = s.world.seerr.mediaForKey("harrow-fen")?.id;
    const media = await seerr(s, `/api/v1/media/${mediaId}`);
    expect(media.status).toBe(405);
    expect((await seerr(s, "/api/v1/nothing")).status).toBe(404);
    const tv = await seerr<Rec & { mediaInfo: Rec & { requests: Rec[] } }>(s, "/api/v1/tv/198452");
    expect(tv.body).toMatchObject({ id: 198452, name: "Harrow Fen", numberOfSeasons: 1 });
    expect(tv.body.mediaInfo).toMatchObject({ id: mediaId, status: 5, jellyfinMediaId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(tv.body.mediaInfo.requests).toHaveLength(1);
    const list = await seerr<{ results: Rec[] }>(s, "/api/v1/media?filter=available");
    expect(list.body.results.map((m) => m.id)).toEqual([mediaId]);
    expect((await seerr(s, `/api/v1/media/${mediaId}`, { method: "DELETE" })).status).toBe(204);
    expect((await seerr(s, "/api/v1/request")).body).toMatchObject({ results: [] });
  });

  it("a household member sees only their own requests; approving and declining need an admin", async () => {
    const s = await start();
    s.runScenario("tv-season-pack", { requestedBy: "household" });
    s.runScenario("anime-season");
    await s.advance(1_000);
    const all = await seerr<{ results: (Rec & { requestedBy: Rec })[] }>(s, "/api/v1/request");
    expect(all.body.results).toHaveLength(2);
    const mine = await seerr<{ results: (Rec & { requestedBy: Rec })[] }>(s, "/api/v1/request", { user: 2 });
    expect(mine.body.results.map((r) => r.requestedBy.displayName)).toEqual(["household"]);
    const pending = all.body.results.find((r) => r.status === 1) as Rec;
    expect((await seerr(s, `/api/v1/request/${pending.id}/decline`, { method: "POST", user: 2 })).status).toBe(403);
    const declined = await seerr<Rec>(s, `/api/v1/request/${pending.id}/decline`, { method: "POST" });
    expect(declined.body.status).toBe(3);
    const count = await seerr<Rec>(s, "/api/v1/request/count");
    expect(count.body).toMatchObject({ total: 2, tv: 2, declined: 1 });
  });
});

describe("Shoko API", () => {
  it("POST /api/auth gives a key per device; 401 for bad credentials, 400 without a device", async () => {
    const s = await start();
    const { username, password, apiKey } = s.credentials.shoko;
    const post = (body: unknown) => fetch(`${s.urls.shoko}/api/auth`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const ok = await post({ user: username, pass: password, device: "status-tracker" });
    expect(await ok.json()).toEqual({ apikey: apiKey });
    const other = (await (await post({ user: username, pass: password, device: "laptop" })).json()) as { apikey: string };
    expect(other.apikey).not.toBe(apiKey);
    expect((await (await post({ user: username, pass: password, device: "laptop" })).json()) as Rec).toEqual(other);
    expect((await post({ user: username, pass: "wrong", device: "x" })).status).toBe(401);
    expect((await post({ user: username, pass: password })).status).toBe(400);
    expect((await shoko(s, "/api/v3/ImportFolder", {}, "bad-key")).status).toBe(401);
    expect((await shoko(s, "/api/v3/ImportFolder", {}, other.apikey)).status).toBe(200);
    expect((await fetch(`${s.urls.shoko}/api/v3/Init/Status`)).status).toBe(200);
  });

  it("import folders, files by path and by id with cross-references, series by AniDB and TMDB id", async () => {
    const s = await start();
    s.runScenario("anime-movie");
    s.runScenario("fault-shoko-unmatched");
    await s.advance(SCENARIOS["anime-movie"].settleMs);
    const folders = await shoko<Rec[]>(s, "/api/v3/ImportFolder");
    expect(folders.body.map((f) => f.Path)).toEqual(["/data/anime/shows/", "/data/anime/movies/"]);
    const byPath = await shoko<(Rec & { SeriesIDs: Rec[]; Locations: Rec[] })[]>(s, `/api/v3/File/PathEndsWith?path=${encodeURIComponent("Kazemachi The Wind Post (2020)/Kazemachi The Wind Post (2020) [Bluray-1080p].mkv")}`);
    expect(byPath.body).toHaveLength(1);
    const [file] = byPath.body;
    expect(Object.keys(file)).toEqual(Object.keys((loadReference("shoko-file-pathendswith") as Rec[])[0]));
    expect(file.Locations[0]).not.toHaveProperty("AbsolutePath");
    const seriesId = ((file.SeriesIDs[0] as Rec).SeriesID as Rec).ID;
    const byId = await shoko<Rec>(s, `/api/v3/File/${file.ID}?include=XRefs,AbsolutePaths`);
    expect(byId.body.SeriesIDs).toEqual(file.SeriesIDs);
    expect(await shoko<Rec>(s, `/api/v3/File/${file.ID}`)).toMatchObject({ body: expect.not.objectContaining({ SeriesIDs: expect.anything() }) });
    const series = await shoko<Rec & { IDs: Rec }>(s, "/api/v3/Series/AniDB/15120/Series");
    expect(series.body.IDs).toMatchObject({ ID: seriesId, AniDB: 15120, TMDB: { Movie: [728154], Show: [] } });
    expect((await shoko(s, "/api/v3/Tmdb/Movie/1284410/Shoko/Series")).status).toBe(404);
    const unrecognised = await shoko<{ Total: number; List: Rec[] }>(s, "/api/v3/File?include_only=Unrecognized&include=XRefs,AbsolutePaths");
    expect(Object.keys(unrecognised.body.List[0])).toEqual(Object.keys((loadReference("shoko-file-unrecognized") as { List: Rec[] }).List[0]));
    expect((await shoko(s, "/api/v3/Action/RunImport")).status).toBe(200);
    expect((await shoko(s, "/api/v3/Action/RunImport", { method: "POST" })).status).toBe(405);
  });
});
