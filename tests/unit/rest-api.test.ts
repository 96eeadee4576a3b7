import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, migrateDb, type Db } from "@/server/db/client";
import { episodes, requests, timeline, type NewRequestRow } from "@/server/db/schema";
import { createRestApi, type RestApi } from "@/server/api/rest";
import { computeRequestProgress, type EpisodeStateGroup, type RequestDetail, type RequestSummary } from "@/server/api/summary";
import type { EpisodeState } from "@/lib/states";

const KEY = "k";
const T0 = Date.UTC(2025, 0, 1);
const minutes = (n: number) => T0 + n * 60_000;

let dir: string;
let db: Db;
let api: RestApi;
const ids: Record<string, number> = {};

function get(path: string, key: string | null = KEY): Request {
  return new Request(`http://x${path}`, { headers: key === null ? {} : { "x-api-key": key } });
}

async function insertRequest(name: string, row: Partial<NewRequestRow> & Pick<NewRequestRow, "mediaType" | "state">, createdAt: number) {
  const [inserted] = await db
    .insert(requests)
    .values({ title: name, stateChangedAt: createdAt, createdAt, updatedAt: createdAt, ...row })
    .returning({ id: requests.id });
  ids[name] = inserted.id;
}

async function listTitles(query: string): Promise<string[]> {
  const res = await api.listRequests(get(`/api/v1/requests${query}`));
  expect(res.status).toBe(200);
  const body = (await res.json()) as { requests: RequestSummary[] };
  return body.requests.map((r) => r.title);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rest-api-"));
  db = await openDb("file:" + join(dir, "test.db"));
  await migrateDb(db, "./drizzle");
  api = createRestApi({ db, apiKey: () => KEY });

  await insertRequest("Old Movie", { mediaType: "movie", state: "available", year: 1999, tmdbId: 1, availableAt: minutes(5) }, minutes(0));
  await insertRequest("Searching Movie", { mediaType: "movie", state: "searching", tmdbId: 2 }, minutes(10));
  await insertRequest("Failed Movie", { mediaType: "movie", state: "failed", stuckReason: "Radarr: add failed" }, minutes(20));
  await insertRequest(
    "Show",
    { mediaType: "tv", state: "downloading", tvdbId: 7, isAnime: true, requestedBy: "alice" },
    minutes(30),
  );
  // Same createdAt as "Show": the larger id comes first.
  await insertRequest("Downloading Movie", { mediaType: "movie", state: "downloading", progress: 0.25 }, minutes(30));

  const showId = ids["Show"];
  const ep = (season: number, episode: number, state: (typeof episodes.$inferInsert)["state"], progress: number | null = null) => ({
    requestId: showId,
    season,
    episode,
    state,
    progress,
    title: `Episode ${episode}`,
    airDateUtc: minutes(-1000 + episode),
    stateChangedAt: minutes(31),
    updatedAt: minutes(31),
  });
  // Inserted out of order, to check the detail sorts them.
  await db.insert(episodes).values([
    ep(2, 1, "wanted"),
    ep(1, 3, "downloading", 0.5),
    ep(1, 1, "available"),
    ep(1, 2, "downloaded"),
  ]);
  await db.insert(timeline).values([
    { requestId: showId, at: minutes(32), kind: "grabbed", state: "grabbing", source: "sonarr", details: "1080p" },
    { requestId: showId, at: minutes(30), kind: "approved", state: "approved", source: "jellyseerr" },
    { requestId: showId, at: minutes(33), kind: "imported", source: "sonarr", episodeLabel: "S01E01", inferred: true },
  ]);
});

afterAll(() => {
  db?.$client.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("auth", () => {
  it("401 without a key", async () => {
    const res = await api.listRequests(get("/api/v1/requests", null));
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect((await res.json()).error).toMatch(/X-Api-Key/);
  });

  it("401 with a wrong key, on the list and the detail", async () => {
    for (const res of [await api.listRequests(get("/api/v1/requests", "nope")), await api.getRequest(get("/api/v1/requests/1", "nope"), "1")]) {
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatch(/X-Api-Key/);
    }
  });

  it("401 for any key while none is configured", async () => {
    const unconfigured = createRestApi({ db, apiKey: () => "" });
    expect((await unconfigured.listRequests(get("/api/v1/requests", "x"))).status).toBe(401);
  });
});

describe("GET /api/v1/requests", () => {
  it("400 naming the parameter for bad values", async () => {
    for (const [query, param] of [
      ["?state=bogus", "state"],
      ["?state=available,bogus", "state"],
      ["?limit=0", "limit"],
      ["?limit=501", "limit"],
      ["?limit=abc", "limit"],
      ["?active=maybe", "active"],
    ]) {
      const res = await api.listRequests(get(`/api/v1/requests${query}`));
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect((await res.json()).error).toMatch(new RegExp(`^${param}:`));
    }
  });

  it("lists newest first (createdAt desc, then id desc) with no-store JSON", async () => {
    const res = await api.listRequests(get("/api/v1/requests"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const titles = ((await res.json()) as { requests: RequestSummary[] }).requests.map((r) => r.title);
    expect(titles).toEqual(["Downloading Movie", "Show", "Failed Movie", "Searching Movie", "Old Movie"]);
  });

  it("filters by one state or a comma-separated list", async () => {
    expect(await listTitles("?state=searching")).toEqual(["Searching Movie"]);
    expect(await listTitles("?state=available,failed")).toEqual(["Failed Movie", "Old Movie"]);
  });

  it("filters by active", async () => {
    expect(await listTitles("?active=true")).toEqual(["Downloading Movie", "Show", "Searching Movie"]);
    expect(await listTitles("?active=false")).toEqual(["Failed Movie", "Old Movie"]);
    expect(await listTitles("?active=true&state=available")).toEqual([]);
  });

  it("limits", async () => {
    expect(await listTitles("?limit=2")).toEqual(["Downloading Movie", "Show"]);
  });

  it("summarises a TV request with episode counts and progress", async () => {
    const res = await api.listRequests(get("/api/v1/requests?state=downloading"));
    const body = (await res.json()) as { requests: RequestSummary[] };
    const show = body.requests.find((r) => r.title === "Show")!;
    expect(show).toMatchObject({
      id: ids["Show"],
      mediaType: "tv",
      state: "downloading",
      stateLabel: "Downloading",
      isAnime: true,
      tvdbId: 7,
      requestedBy: "alice",
      createdAt: new Date(minutes(30)).toISOString(),
      availableAt: null,
    });
    expect(show.episodes?.total).toBe(4);
    expect(show.episodes?.byState).toMatchObject({ available: 1, downloaded: 1, downloading: 1, wanted: 1, failed: 0 });
    // (1 + 1 + 0.5 + 0) / 4
    expect(show.progress).toBeCloseTo(0.625);

    const movie = body.requests.find((r) => r.title === "Downloading Movie")!;
    expect(movie.episodes).toBeNull();
    expect(movie.progress).toBe(0.25);
  });

  it("summarises a finished movie", async () => {
    const res = await api.listRequests(get("/api/v1/requests?state=available"));
    const [movie] = ((await res.json()) as { requests: RequestSummary[] }).requests;
    expect(movie).toMatchObject({
      title: "Old Movie",
      year: 1999,
      tmdbId: 1,
      stateLabel: "Ready",
      progress: 1,
      episodes: null,
      isAnime: null,
      availableAt: new Date(minutes(5)).toISOString(),
    });
  });
});

describe("GET /api/v1/requests/{id}", () => {
  it("returns the summary, episodes by season and episode, and the timeline in order", async () => {
    const id = String(ids["Show"]);
    const res = await api.getRequest(get(`/api/v1/requests/${id}`), id);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const detail = (await res.json()) as RequestDetail;
    expect(detail.title).toBe("Show");
    expect(detail.progress).toBeCloseTo(0.625);
    expect(detail.episodeCounts?.total).toBe(4);
    expect(detail.episodes.map((e) => [e.season, e.episode, e.state])).toEqual([
      [1, 1, "available"],
      [1, 2, "downloaded"],
      [1, 3, "downloading"],
      [2, 1, "wanted"],
    ]);
    expect(detail.episodes[2]).toEqual({
      season: 1,
      episode: 3,
      title: "Episode 3",
      state: "downloading",
      progress: 0.5,
      airDate: new Date(minutes(-997)).toISOString(),
    });
    expect(detail.timeline).toEqual([
      { at: new Date(minutes(30)).toISOString(), kind: "approved", state: "approved", source: "jellyseerr", details: null, inferred: false, episode: null },
      { at: new Date(minutes(32)).toISOString(), kind: "grabbed", state: "grabbing", source: "sonarr", details: "1080p", inferred: false, episode: null },
      { at: new Date(minutes(33)).toISOString(), kind: "imported", state: null, source: "sonarr", details: null, inferred: true, episode: "S01E01" },
    ]);
  });

  it("returns a movie with no episodes", async () => {
    const id = String(ids["Old Movie"]);
    const detail = (await (await api.getRequest(get(`/api/v1/requests/${id}`), id)).json()) as RequestDetail;
    expect(detail).toMatchObject({ title: "Old Movie", episodeCounts: null, episodes: [], timeline: [] });
  });

  it("404 for an unknown id, 400 for a non-numeric one", async () => {
    const missing = await api.getRequest(get("/api/v1/requests/999999"), "999999");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toBeTruthy();

    for (const id of ["abc", "1.5", "-1", "0"]) {
      const res = await api.getRequest(get(`/api/v1/requests/${id}`), id);
      expect(res.status, id).toBe(400);
      expect((await res.json()).error).toMatch(/^id:/);
    }
  });
});

describe("GET /api/health", () => {
  it("200 without a key", async () => {
    const res = await api.health(new Request("http://x/api/health"));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", database: "ok" });
    expect(new Date(body.time).toISOString()).toBe(body.time);
  });

  it("503 when the database fails", async () => {
    const brokenDb = await openDb("file:" + join(dir, "broken.db"));
    brokenDb.$client.close();
    const res = await createRestApi({ db: brokenDb, apiKey: () => KEY }).health(new Request("http://x/api/health"));
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.status).toBe("error");
    expect(typeof body.database).toBe("string");
  });
});

describe("computeRequestProgress", () => {
  const groups = (...g: [EpisodeState, number, number?][]): EpisodeStateGroup[] =>
    g.map(([state, count, progressSum = 0]) => ({ state, count, progressSum }));

  it("prefers the request's own progress column, clamped", () => {
    expect(computeRequestProgress({ state: "downloading", mediaType: "movie", progress: 0.4 }, null)).toBe(0.4);
    expect(computeRequestProgress({ state: "downloading", mediaType: "tv", progress: 1.2 }, groups(["wanted", 3]))).toBe(1);
  });

  it("averages episodes while a TV request is grabbing or downloading", () => {
    const eps = groups(["available", 1], ["importing", 1], ["downloading", 2, 0.5], ["unaired", 1], ["failed", 1], ["wanted", 2]);
    // (1 + 1 + 0.5 + 0 + 0 + 0) / 8
    expect(computeRequestProgress({ state: "downloading", mediaType: "tv", progress: null }, eps)).toBeCloseTo(2.5 / 8);
    expect(computeRequestProgress({ state: "grabbing", mediaType: "tv", progress: null }, groups(["grabbing", 2]))).toBe(0);
    expect(computeRequestProgress({ state: "downloading", mediaType: "tv", progress: null }, [])).toBeNull();
  });

  it("is null before grabbing and 1 from downloaded on", () => {
    const eps = groups(["wanted", 2]);
    for (const state of ["requested", "approved", "searching"] as const) {
      expect(computeRequestProgress({ state, mediaType: "tv", progress: null }, eps)).toBeNull();
    }
    for (const state of ["downloaded", "importing", "anime_matching", "available"] as const) {
      expect(computeRequestProgress({ state, mediaType: "tv", progress: null }, eps)).toBe(1);
      expect(computeRequestProgress({ state, mediaType: "movie", progress: null }, null)).toBe(1);
    }
    expect(computeRequestProgress({ state: "downloading", mediaType: "movie", progress: null }, null)).toBeNull();
    expect(computeRequestProgress({ state: "timeout", mediaType: "movie", progress: null }, null)).toBeNull();
  });
});
