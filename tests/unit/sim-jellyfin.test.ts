import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "@/server/clock";
import { SCENARIOS, SIM_USERS, startSimStack, type SimStack } from "@/sim";

/*
 * The simulated Jellyfin: AuthenticateByName for the demo users, only the MediaBrowser
 * Authorization scheme (12.0: X-Emby-Token and ?api_key are off), items that carry ProviderIds,
 * Path and MediaSources only when asked, and AnyProviderIdEquals ignored as the real server does.
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
let stack: SimStack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(options: { shokofinAddTmdbId?: boolean } = {}) {
  stack = await startSimStack({ clock: new ManualClock(START, 0), tracker: null, ...options });
  return stack;
}

function mediaBrowser(token?: string, deviceId = "status-tracker-test"): string {
  const fields = [`Client="StatusTracker"`, `Device="server"`, `DeviceId="${deviceId}"`, `Version="1.0.0"`];
  if (token) fields.push(`Token="${token}"`);
  return `MediaBrowser ${fields.join(", ")}`;
}

type Rec = Record<string, unknown>;

async function jf<T = Rec>(s: SimStack, path: string, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(`${s.urls.jellyfin}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body: body as T, text };
}

async function authenticate(s: SimStack, username: string, password: string, deviceId?: string) {
  return jf<{ User: Rec & { Policy: Rec }; AccessToken: string; ServerId: string; SessionInfo: Rec }>(
    s,
    "/Users/AuthenticateByName",
    { authorization: mediaBrowser(undefined, deviceId), "content-type": "application/json" },
    { method: "POST", body: JSON.stringify({ Username: username, Pw: password }) },
  );
}

describe("Jellyfin auth", () => {
  it("signs in the administrator and the household member, with Policy.IsAdministrator", async () => {
    const s = await start();
    const [admin, household] = SIM_USERS;
    const a = await authenticate(s, admin.username, admin.password);
    expect(a.status).toBe(200);
    expect(a.body.User.Policy.IsAdministrator).toBe(true);
    expect(a.body.User.Name).toBe("admin");
    expect(a.body.AccessToken).toMatch(/^[0-9a-f]{32}$/);
    expect(a.body.ServerId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.body.SessionInfo).toMatchObject({ Client: "StatusTracker", DeviceId: "status-tracker-test", UserName: "admin" });
    const h = await authenticate(s, household.username, household.password);
    expect(h.status).toBe(200);
    expect(h.body.User.Policy.IsAdministrator).toBe(false);

    const me = await jf<Rec>(s, "/Users/Me", { authorization: mediaBrowser(h.body.AccessToken) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ Name: "household", Id: household.jellyfinId });
    // An API key has no user: /Users/Me is 400.
    expect((await jf(s, "/Users/Me", { authorization: mediaBrowser(s.credentials.jellyfin.apiKey) })).status).toBe(400);
  });

  it("401 for a wrong password; 400 without the client fields in the header", async () => {
    const s = await start();
    const wrong = await authenticate(s, "admin", "nope");
    expect(wrong.status).toBe(401);
    expect(wrong.text).toBe("Error processing request.");
    const bare = await jf(s, "/Users/AuthenticateByName", { "content-type": "application/json" }, { method: "POST", body: JSON.stringify({ Username: "admin", Pw: SIM_USERS[0].password }) });
    expect(bare.status).toBe(400);
  });

  it("rejects the legacy X-Emby-Token, X-MediaBrowser-Token, ?api_key and the Emby scheme; accepts ?ApiKey", async () => {
    const s = await start();
    const key = s.credentials.jellyfin.apiKey;
    expect((await jf(s, "/System/Info", { "X-Emby-Token": key })).status).toBe(401);
    expect((await jf(s, "/System/Info", { "X-MediaBrowser-Token": key })).status).toBe(401);
    expect((await jf(s, `/System/Info?api_key=${key}`)).status).toBe(401);
    expect((await jf(s, "/System/Info", { authorization: mediaBrowser(key).replace("MediaBrowser", "Emby") })).status).toBe(401);
    expect((await jf(s, "/System/Info", { "X-Emby-Authorization": mediaBrowser(key) })).status).toBe(401);
    expect((await jf(s, "/System/Info", { authorization: mediaBrowser(key) })).status).toBe(200);
    expect((await jf(s, `/System/Info?ApiKey=${key}`)).status).toBe(200);
    const pub = await jf<Rec>(s, "/System/Info/Public");
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({ ProductName: "Jellyfin Server", StartupWizardCompleted: true });
  });

  it("logging in again on the same device ends that user's earlier token there", async () => {
    const s = await start();
    const first = await authenticate(s, "household", SIM_USERS[1].password, "phone");
    const second = await authenticate(s, "household", SIM_USERS[1].password, "phone");
    expect((await jf(s, "/Users/Me", { authorization: mediaBrowser(first.body.AccessToken) })).status).toBe(401);
    expect((await jf(s, "/Users/Me", { authorization: mediaBrowser(second.body.AccessToken) })).status).toBe(200);
  });
});

describe("Jellyfin items", () => {
  it("HasTmdbId returns every film with a Tmdb id, AnyProviderIdEquals is ignored: the caller compares", async () => {
    const s = await start();
    s.runScenario("movie");
    s.runScenario("fault-webhook-missing");
    const auth = { authorization: mediaBrowser(s.credentials.jellyfin.apiKey) };
    // Before the library monitor's delay there is nothing.
    await s.advance(70_000);
    expect((await jf<{ Items: Rec[] }>(s, "/Items?Recursive=true&IncludeItemTypes=Movie", auth)).body.Items).toHaveLength(0);
    await s.advance(SCENARIOS.movie.settleMs);
    const query = "/Items?Recursive=true&IncludeItemTypes=Movie&HasTmdbId=true&AnyProviderIdEquals=tmdb.812403&Fields=ProviderIds,Path,MediaSources";
    const { body } = await jf<{ Items: (Rec & { ProviderIds: Record<string, string> })[]; TotalRecordCount: number }>(s, query, auth);
    expect(body.TotalRecordCount).toBe(2);
    const match = body.Items.filter((i) => i.ProviderIds.Tmdb === "812403");
    expect(match).toHaveLength(1);
    const [item] = match;
    expect(item).toMatchObject({ Type: "Movie", LocationType: "FileSystem", MediaType: "Video", ProviderIds: { Tmdb: "812403", Imdb: "tt13870214" } });
    expect(item.Path).toBe("/data/media/movies/The Lantern Keeper's Daughter (2021)/The Lantern Keeper's Daughter (2021) [WEBDL-1080p].mkv");
    expect(item.MediaSources).toEqual([expect.objectContaining({ Protocol: "File", Path: item.Path, Container: "mkv" })]);
    // Without Fields, no ProviderIds, Path or MediaSources.
    const plain = await jf<{ Items: Rec[] }>(s, "/Items?Recursive=true&IncludeItemTypes=Movie", auth);
    expect(plain.body.Items[0]).not.toHaveProperty("ProviderIds");
    expect(plain.body.Items[0]).not.toHaveProperty("Path");
    const search = await jf<{ Items: Rec[] }>(s, "/Items?Recursive=true&IncludeItemTypes=Movie&SearchTerm=lantern", auth);
    expect(search.body.Items.map((i) => i.Name)).toEqual(["The Lantern Keeper's Daughter"]);
    const byId = await jf<Rec>(s, `/Items/${item.Id}`, auth);
    expect(byId.body).toHaveProperty("ProviderIds");
    // No parent and not recursive: the libraries.
    const root = await jf<{ Items: Rec[] }>(s, "/Items", auth);
    expect(root.body.Items.every((i) => i.Type === "CollectionFolder")).toBe(true);
  });

  it("series episodes: Virtual placeholders for missing ones (API key only), real ones with paths", async () => {
    const s = await start();
    s.runScenario("fault-import-blocked");
    await s.advance(SCENARIOS["fault-import-blocked"].settleMs);
    const key = { authorization: mediaBrowser(s.credentials.jellyfin.apiKey) };
    const series = await jf<{ Items: (Rec & { ProviderIds: Record<string, string> })[] }>(s, "/Items?Recursive=true&IncludeItemTypes=Series&HasTvdbId=true&Fields=ProviderIds,Path", key);
    const show = series.body.Items.find((i) => i.ProviderIds.Tvdb === "360412") as Rec;
    expect(show.Path).toBe("/data/media/tv/Dead Reckoning Bay (2019)");
    const all = await jf<{ Items: Rec[] }>(s, `/Shows/${show.Id}/Episodes?season=1&Fields=Path,ProviderIds`, key);
    expect(all.body.Items).toHaveLength(10);
    const virtual = all.body.Items.filter((e) => e.LocationType === "Virtual");
    expect(virtual.map((e) => e.IndexNumber)).toEqual([10]);
    expect(virtual[0]).not.toHaveProperty("Path");
    const present = await jf<{ Items: Rec[] }>(s, `/Shows/${show.Id}/Episodes?season=1&isMissing=false`, key);
    expect(present.body.Items).toHaveLength(9);
    const household = await authenticate(s, "household", SIM_USERS[1].password);
    const asUser = await jf<{ Items: Rec[] }>(s, `/Shows/${show.Id}/Episodes?season=1`, { authorization: mediaBrowser(household.body.AccessToken) });
    expect(asUser.body.Items).toHaveLength(9);
  });

  it("anime from Shokofin: VFS paths, Shoko/AniDB ids, no Tmdb unless AddTMDBId", async () => {
    const s = await start();
    s.runScenario("anime-season");
    await s.advance(SCENARIOS["anime-season"].settleMs);
    const key = { authorization: mediaBrowser(s.credentials.jellyfin.apiKey) };
    const episodes = await jf<{ Items: (Rec & { ProviderIds: Record<string, string>; Path: string })[] }>(s, "/Items?Recursive=true&IncludeItemTypes=Episode&Fields=ProviderIds,Path", key);
    expect(episodes.body.Items).toHaveLength(12);
    for (const e of episodes.body.Items) {
      expect(Object.keys(e.ProviderIds).sort()).toEqual(["AniDB", "Shoko Episode", "Shoko File", "Shoko Series"]);
      expect(e.Path).toMatch(/^\/config\/Shokofin\/VFS\/[0-9a-f-]{36}\/Tsukiyo Couriers \[Shoko Series=\d+\]\/Season 01\/Tsukiyo Couriers S01E\d\d \[Shoko Series=\d+\] \[Shoko File=\d+\]\.mkv$/);
    }
    expect((await jf<{ Items: Rec[] }>(s, "/Items?Recursive=true&IncludeItemTypes=Series&HasTmdbId=true", key)).body.Items).toHaveLength(0);
    await s.stop();
    const withTmdb = await start({ shokofinAddTmdbId: true });
    withTmdb.runScenario("anime-movie");
    await withTmdb.advance(SCENARIOS["anime-movie"].settleMs);
    const movies = await jf<{ Items: (Rec & { ProviderIds: Record<string, string> })[] }>(withTmdb, "/Items?Recursive=true&IncludeItemTypes=Movie&HasTmdbId=true&Fields=ProviderIds", {
      authorization: mediaBrowser(withTmdb.credentials.jellyfin.apiKey),
    });
    expect(movies.body.Items[0].ProviderIds).toMatchObject({ Tmdb: "728154", AniDB: expect.any(String) });
  });

  it("POST /Library/Refresh is for administrators and picks up new files before the monitor would", async () => {
    const s = await start();
    s.runScenario("movie");
    const [admin, household] = SIM_USERS;
    const adminToken = (await authenticate(s, admin.username, admin.password)).body.AccessToken;
    const householdToken = (await authenticate(s, household.username, household.password)).body.AccessToken;
    // Radarr imports at ~1 min 5 s; the library monitor would add it a minute later.
    await s.advance(70_000);
    expect(s.world.radarr.movieByKey("lantern-keeper")?.movieFileId).toBeDefined();
    expect((await jf(s, "/Library/Refresh", { authorization: mediaBrowser(householdToken) }, { method: "POST" })).status).toBe(403);
    expect((await jf(s, "/Library/Refresh", { authorization: mediaBrowser(adminToken) }, { method: "POST" })).status).toBe(204);
    await s.advance(10_000);
    const items = await jf<{ Items: Rec[] }>(s, "/Items?Recursive=true&IncludeItemTypes=Movie", { authorization: mediaBrowser(adminToken) });
    expect(items.body.Items).toHaveLength(1);
    expect(items.body.Items[0]).toHaveProperty("UserData");
  });
});
