import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "@/server/clock";
import { ServiceError, type FetchLike } from "@/server/clients/http";
import { JellyfinClient, isPlayable, jellyfinSignIn, providerIdEquals, type JellyfinItem } from "@/server/clients/jellyfin";
import { SignInService } from "@/server/auth/sign-in";
import { createLogger } from "@/server/logger";
import { ShokoClient } from "@/server/clients/shoko";
import { JellyseerrClient } from "@/server/clients/jellyseerr";
import { SCENARIOS, SIM_USERS, startSimStack, type SimStack } from "@/sim";
import { loadReference } from "../helpers/fixtures";

/*
 * The Jellyfin, Shoko and Jellyseerr clients against the simulated services over HTTP: auth as
 * the real services take it, the lookups the tracker relies on, and errors a person can read.
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
const noWait = async () => undefined;
let stack: SimStack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start() {
  stack = await startSimStack({ clock: new ManualClock(START, 0), tracker: null });
  return stack;
}

/** Records what the client puts on the wire. */
function recordingFetch(): { fetch: FetchLike; sent: { url: string; headers: Record<string, string> }[] } {
  const sent: { url: string; headers: Record<string, string> }[] = [];
  return {
    sent,
    fetch: (url, init) => {
      sent.push({ url, headers: Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v])) });
      return fetch(url, init);
    },
  };
}

const jellyfinFor = (s: SimStack, extra: Partial<ConstructorParameters<typeof JellyfinClient>[0]> = {}) =>
  new JellyfinClient({ baseUrl: s.urls.jellyfin, apiKey: s.credentials.jellyfin.apiKey, deviceId: "st-test", retryDelay: noWait, ...extra });

describe("JellyfinClient", () => {
  it("authenticates only with the MediaBrowser header; the server refuses X-Emby-Token and ?api_key", async () => {
    const s = await start();
    const key = s.credentials.jellyfin.apiKey;
    // The simulated 12.0 server turns the legacy forms off, as the real one does.
    expect((await fetch(`${s.urls.jellyfin}/System/Info`, { headers: { "X-Emby-Token": key } })).status).toBe(401);
    expect((await fetch(`${s.urls.jellyfin}/System/Info?api_key=${key}`)).status).toBe(401);

    const wire = recordingFetch();
    const client = jellyfinFor(s, { fetch: wire.fetch });
    const info = await client.systemInfo();
    expect(info.version).toBe("10.11.11");
    expect((await client.systemInfoPublic()).serverId).toMatch(/^[0-9a-f]{32}$/);
    await client.items({ Recursive: true, IncludeItemTypes: "Movie" });
    for (const call of wire.sent) {
      expect(call.url).not.toMatch(/api_?key=/i);
      expect(call.url).not.toContain(key);
      expect(call.headers).not.toHaveProperty("x-emby-token");
      expect(call.headers).not.toHaveProperty("x-emby-authorization");
    }
    const authed = wire.sent.filter((c) => c.headers.authorization);
    expect(authed).toHaveLength(2);
    expect(authed[0].headers.authorization).toBe(
      `MediaBrowser Client="Status%20Tracker", Device="Status%20Tracker%20server", DeviceId="st-test", Version="1.0.0", Token="${key}"`,
    );
    // The public endpoint gets no credentials at all.
    expect(wire.sent.find((c) => c.url.endsWith("/System/Info/Public"))?.headers.authorization).toBeUndefined();
  });

  it("signs users in with their role, and says plainly when the password is wrong", async () => {
    const s = await start();
    const client = jellyfinFor(s);
    const [admin, household] = SIM_USERS;
    const a = await client.authenticateByName(admin.username, admin.password);
    expect(a).toMatchObject({ userId: admin.jellyfinId, name: "admin", isAdmin: true });
    expect(a.accessToken).toMatch(/^[0-9a-f]{32}$/);
    const h = await client.authenticateByName(household.username, household.password);
    expect(h).toMatchObject({ name: "household", isAdmin: false });
    expect(await client.me(h.accessToken)).toEqual({ userId: household.jellyfinId, name: "household", isAdmin: false });

    const wrong = await client.authenticateByName("admin", "not-the-password").catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ServiceError);
    expect(wrong).toMatchObject({ kind: "auth", status: 401, message: "Jellyfin did not accept that username and password" });
    expect(String((wrong as Error).message)).not.toContain("not-the-password");

    // A stable device per user: signing in again ends that user's previous token, not the other user's.
    const again = await client.authenticateByName(household.username, household.password);
    await expect(client.me(h.accessToken)).rejects.toMatchObject({ kind: "auth" });
    expect((await client.me(again.accessToken)).name).toBe("household");
    expect((await client.me(a.accessToken)).name).toBe("admin");
  });

  it("backs the sign-in page: roles from Jellyfin, a wrong password is invalid, Jellyfin down is unavailable", async () => {
    const s = await start();
    const signIn = new SignInService({ clock: new ManualClock(START), logger: createLogger({ write: () => undefined }), jellyfin: jellyfinSignIn(jellyfinFor(s, { retries: 0 })) });
    const [admin, household] = SIM_USERS;
    expect(await signIn.verify(admin.username, admin.password)).toEqual({ ok: true, user: { id: `jellyfin:${admin.jellyfinId}`, name: "admin", role: "admin" } });
    expect(await signIn.verify(household.username, household.password)).toMatchObject({ ok: true, user: { role: "member" } });
    expect(await signIn.verify(household.username, "wrong")).toEqual({ ok: false, reason: "invalid" });
    await s.setDown("jellyfin", true);
    expect(await signIn.verify(household.username, household.password)).toEqual({ ok: false, reason: "unavailable" });
  });

  it("finds a film by exact TMDB id, ignores the look-alike, and knows a playable file", async () => {
    const s = await start();
    s.runScenario("movie");
    await s.advance(SCENARIOS.movie.settleMs);
    const client = jellyfinFor(s);
    const found = await client.findByProviderId("Movie", "Tmdb", 812403, { title: "The Lantern Keeper's Daughter" });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Type: "Movie", ProviderIds: { Tmdb: "812403" } });
    expect(isPlayable(found[0])).toBe(true);
    // By another title the id is still found (the library is read newest first).
    expect((await client.findByProviderId("Movie", "Tmdb", 812403, { title: "Die Tochter des Leuchtturmwärters" })).map((i) => i.Id)).toEqual([found[0].Id]);
    expect(await client.findByProviderId("Movie", "Tmdb", 8124030, { title: "The Lantern Keeper's Daughter" })).toEqual([]);
    expect(await client.findByProviderId("Movie", "Imdb", "TT13870214")).toHaveLength(1);
  });

  it("past the newest additions, reads an ids-only index of the library, at most once per TTL", async () => {
    const s = await start();
    s.runScenario("movie");
    await s.advance(SCENARIOS.movie.settleMs);
    // 150 films added after it: the newest page no longer holds it.
    const library = s.world.jellyfin.libraries.find((l) => l.name === "Movies")!;
    for (let i = 0; i < 150; i++) {
      const id = `filler${String(i).padStart(26, "0")}`;
      s.world.jellyfin.items.set(id, { id, type: "Movie", key: "northbound-freight", name: `Filler ${i}`, libraryId: library.id, path: `/data/media/movies/Filler ${i}/Filler ${i}.mkv`, providerIds: { Tmdb: String(500_000 + i) }, dateCreated: s.world.now() + 1_000 + i, genres: [], locationType: "FileSystem" });
    }
    let now = 0;
    const wire = recordingFetch();
    const client = jellyfinFor(s, { fetch: wire.fetch, now: () => now, indexTtlMs: 60_000 });
    const first = await client.findByProviderId("Movie", "Tmdb", 812403, { title: "Die Tochter des Leuchtturmwärters" });
    expect(first.map((i) => i.Name)).toEqual(["The Lantern Keeper's Daughter"]);
    const indexReads = () => wire.sent.filter((c) => c.url.includes("StartIndex=")).length;
    expect(indexReads()).toBe(1);
    now += 30_000;
    expect(await client.findByProviderId("Movie", "Tmdb", 812403, { title: "Die Tochter des Leuchtturmwärters" })).toHaveLength(1);
    expect(indexReads()).toBe(1);
    now += 60_000;
    await client.findByProviderId("Movie", "Tmdb", 812403, { title: "Die Tochter des Leuchtturmwärters" });
    expect(indexReads()).toBe(2);
  });

  it("reads the reference payloads the way the tracker needs: decoys and Virtual episodes are not playable", () => {
    const byTmdb = (loadReference("jellyfin-items-by-tmdb") as { Items: JellyfinItem[] }).Items;
    expect(byTmdb.filter((i) => providerIdEquals(i, "Tmdb", 987654)).map((i) => i.Name)).toEqual(["The Quiet Orbit"]);
    const episodes = (loadReference("jellyfin-show-episodes") as { Items: JellyfinItem[] }).Items;
    expect(episodes.map(isPlayable)).toEqual([true, true, false]);
    expect(isPlayable({ Id: "x", Type: "Movie", LocationType: "FileSystem", MediaSources: [{ Protocol: "Http", Path: "http://example/stream" }] })).toBe(false);
    expect(isPlayable({ Id: "x", Type: "Movie", LocationType: "FileSystem", MediaSources: [] })).toBe(false);
  });

  it("lists a series' episodes with paths and asks for a library scan", async () => {
    const s = await start();
    s.runScenario("tv-season-pack");
    await s.advance(SCENARIOS["tv-season-pack"].settleMs);
    const client = jellyfinFor(s);
    const [series] = await client.findByProviderId("Series", "Tvdb", 412877, { title: "Harrow Fen" });
    const episodes = await client.episodes(series.Id, { season: 1 });
    expect(episodes).toHaveLength(8);
    expect(episodes.every(isPlayable)).toBe(true);
    expect(episodes[0].Path).toMatch(/^\/data\/media\/tv\/Harrow Fen/);
    await client.libraryRefresh();
    await client.mediaUpdated([episodes[0].Path!]);
  });

  it("a wrong API key is an auth error, an unreachable server says so", async () => {
    const s = await start();
    await expect(jellyfinFor(s, { apiKey: "wrong" }).systemInfo()).rejects.toMatchObject({ kind: "auth", status: 401 });
    await s.setDown("jellyfin", true);
    await expect(jellyfinFor(s, { retries: 0 }).systemInfoPublic()).rejects.toMatchObject({ kind: "unreachable" });
  });
});

describe("ShokoClient", () => {
  const shokoFor = (s: SimStack, apiKey = s.credentials.shoko.apiKey) => new ShokoClient({ baseUrl: s.urls.shoko, apiKey, retryDelay: noWait });

  it("finds an imported file by the arr's path, through its import folder or by name when the mounts differ", async () => {
    const s = await start();
    s.runScenario("anime-movie");
    await s.advance(SCENARIOS["anime-movie"].settleMs);
    const shoko = shokoFor(s);
    expect(await shoko.version()).toBe("5.3.3.0");
    const folders = await shoko.importFolders();
    expect(folders.map((f) => f.Path)).toEqual(["/data/anime/shows/", "/data/anime/movies/"]);
    const path = "/data/anime/movies/Kazemachi The Wind Post (2020)/Kazemachi The Wind Post (2020) [Bluray-1080p].mkv";
    const match = await shoko.findFile(path);
    expect(match).toMatchObject({ absolutePath: path, linked: true, pendingCrossReferences: false, ignored: false });
    expect(match!.seriesIds).toHaveLength(1);
    expect(match!.episodeIds).toHaveLength(1);
    // Sonarr/Radarr see another mount than Shoko: found by the file name, same file.
    const elsewhere = await shoko.findFile("\\\\nas\\Media\\Anime\\movies\\Kazemachi The Wind Post (2020)\\KAZEMACHI THE WIND POST (2020) [BLURAY-1080P].MKV");
    expect(elsewhere?.file.ID).toBe(match!.file.ID);
    expect(await shoko.findFile("/data/anime/movies/Nothing Here (2020)/Nothing Here (2020).mkv")).toBeUndefined();
    expect((await shoko.file(match!.file.ID))?.Locations?.[0].AbsolutePath).toBe(path);
    expect(await shoko.file(999_999)).toBeUndefined();
  });

  it("lists unrecognised files and runs the admin actions", async () => {
    const s = await start();
    s.runScenario("fault-shoko-unmatched");
    await s.advance(30 * 60_000);
    const shoko = shokoFor(s);
    const { total, files } = await shoko.unrecognisedFiles();
    expect(total).toBe(1);
    expect(files[0].Locations?.[0].AbsolutePath).toMatch(/^\/data\/anime\/movies\/Hoshizora Relay/);
    const match = await shoko.findFile(files[0].Locations![0].AbsolutePath!);
    expect(match).toMatchObject({ linked: false, pendingCrossReferences: false, seriesIds: [] });
    await shoko.rescanFile(files[0].ID);
    await shoko.scanImportFolder(files[0].Locations![0].ImportFolderID);
    await shoko.runImport();
    await shoko.removeMissingFiles();
    await expect(shoko.rescanFile(424_242)).rejects.toMatchObject({ kind: "not_found" });
    await expect(shokoFor(s, "bad-key").importFolders()).rejects.toMatchObject({ kind: "auth" });
  });
});

describe("JellyseerrClient", () => {
  const seerrFor = (s: SimStack, apiKey = s.credentials.jellyseerr.apiKey) => new JellyseerrClient({ baseUrl: s.urls.jellyseerr, apiKey, retryDelay: noWait });

  it("reads the version, pages through requests, reads one request and a title's media", async () => {
    const s = await start();
    s.runScenario("movie");
    s.runScenario("tv-season-pack");
    await s.advance(2 * 60_000);
    const seerr = seerrFor(s);
    expect((await seerr.status()).version).toBe("3.1.0");
    const first = await seerr.requests({ take: 1 });
    expect(first).toMatchObject({ total: 2, pages: 2, page: 1 });
    const all = await seerr.allRequests({ take: 1 });
    expect(all.map((r) => r.type).sort()).toEqual(["movie", "tv"]);
    const tv = all.find((r) => r.type === "tv")!;
    const one = await seerr.request(tv.id);
    expect(one?.media).toMatchObject({ tmdbId: 198452, tvdbId: 412877 });
    expect(one?.media?.seasons?.map((x) => x.seasonNumber)).toEqual([1]);
    expect(await seerr.request(9_999)).toBeUndefined();
    const media = await seerr.mediaByTmdbId("movie", 812403);
    expect(media).toMatchObject({ mediaType: "movie", tmdbId: 812403 });
    expect(media?.requests?.map((r) => r.type)).toEqual(["movie"]);
    expect(await seerr.mediaByTmdbId("movie", 424242)).toBeUndefined();
  });

  it("deletes a request and a title's media; a wrong key is an auth error", async () => {
    const s = await start();
    s.runScenario("movie");
    await s.advance(60_000);
    const seerr = seerrFor(s);
    const [request] = (await seerr.requests()).requests;
    const mediaId = request.media!.id;
    await seerr.deleteRequest(request.id);
    expect(await seerr.request(request.id)).toBeUndefined();
    await seerr.deleteRequest(request.id); // already gone: fine
    await seerr.deleteMedia(mediaId);
    expect(await seerr.mediaByTmdbId("movie", 812403)).toBeUndefined();
    await expect(seerrFor(s, "wrong").requests()).rejects.toMatchObject({ kind: "auth", status: 403 });
  });
});
