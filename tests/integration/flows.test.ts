import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, variant, type TestServer } from "../helpers/server";
import { loadCaptured, loadReference } from "../helpers/fixtures";
import type { RequestSummary } from "@/server/api/summary";

// Shoko is configured (anime imports wait in matching for it); Jellyfin is not, so a library
// hint is the truth. Nothing here calls out to either.
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ SHOKO_URL: "http://127.0.0.1:9", SHOKO_API_KEY: "unused" });
});
afterAll(async () => s?.stop());

const byTmdb = async (tmdbId: number, mediaType = "movie"): Promise<RequestSummary[]> =>
  (await s.list("?limit=500")).filter((r) => r.tmdbId === tmdbId && r.mediaType === mediaType);
const one = async (tmdbId: number, mediaType = "movie"): Promise<RequestSummary> => {
  const found = await byTmdb(tmdbId, mediaType);
  expect(found).toHaveLength(1);
  return found[0];
};
const timelineOf = async (id: number) => (await s.detail(id)).timeline.map((t) => (t.inferred ? `(${t.kind})` : t.kind));

// ---- payload builders from the real shapes ------------------------------------------------------

const jellyseerr = (
  type: string,
  media: { type: "movie" | "tv"; tmdbId: number; tvdbId?: number },
  requestId: number,
  subject: string,
  seasons?: string,
) =>
  variant(loadCaptured(media.type === "movie" ? "jellyseerr-movie-auto-approved" : "jellyseerr-tv-auto-approved"), (p) => {
    p.notification_type = type;
    p.subject = subject;
    p.media.tmdbId = String(media.tmdbId);
    p.media.tvdbId = media.tvdbId ? String(media.tvdbId) : "";
    p.request.request_id = String(requestId);
    p.extra = seasons ? [{ name: "Requested Seasons", value: seasons }] : [];
  });

const quietOrbit = loadReference("radarr-download") as { movie: object; remoteMovie: object; downloadId: string };
const harbor = loadReference("sonarr-import-complete") as { series: object; episodes: object[]; downloadId: string };

const radarrGrabFor = (movie: object, remoteMovie: object, hash: string) =>
  variant(loadCaptured("radarr-grab"), (p) => {
    p.movie = movie;
    p.remoteMovie = remoteMovie;
    p.downloadId = hash;
  });

describe("flow 1: a regular film", () => {
  it("goes requested → approved → grabbed → imported → available with inferred steps marked", async () => {
    await s.send("jellyseerr", jellyseerr("MEDIA_PENDING", { type: "movie", tmdbId: 987654 }, 101, "The Quiet Orbit (2023)"));
    let r = await one(987654);
    expect(r).toMatchObject({ state: "requested", title: "The Quiet Orbit", year: 2023, requestedBy: "requester" });

    await s.send("jellyseerr", jellyseerr("MEDIA_APPROVED", { type: "movie", tmdbId: 987654 }, 101, "The Quiet Orbit (2023)"));
    expect((await one(987654)).state).toBe("approved");

    await s.send("radarr", radarrGrabFor(quietOrbit.movie, quietOrbit.remoteMovie, quietOrbit.downloadId));
    r = await one(987654);
    expect(r).toMatchObject({ state: "grabbing", isAnime: false });

    await s.send("radarr", loadReference("radarr-download"));
    expect((await one(987654)).state).toBe("importing");

    await s.send("jellyseerr", jellyseerr("MEDIA_AVAILABLE", { type: "movie", tmdbId: 987654 }, 101, "The Quiet Orbit (2023)"));
    r = await one(987654);
    expect(r.state).toBe("available");
    expect(r.availableAt).not.toBeNull();
    expect(await timelineOf(r.id)).toEqual([
      "requested",
      "approved",
      "(searching)",
      "grabbed",
      "(download_started)",
      "(downloaded)",
      "imported",
      "available",
    ]);
    const detail = await s.detail(r.id);
    expect(detail.timeline.find((t) => t.kind === "grabbed")?.details).toBe("Bluray-1080p from Nyaa.si (Prowlarr)");
    expect(detail.timeline.find((t) => t.kind === "imported")?.details).toContain("The Quiet Orbit (2023) [Bluray-1080p].mkv");
  });
});

describe("flow 2: a regular TV season pack", () => {
  it("tracks every episode and becomes available when the last episode is in the library", async () => {
    await s.send("jellyseerr", jellyseerr("MEDIA_AUTO_APPROVED", { type: "tv", tmdbId: 234567, tvdbId: 456789 }, 42, "Harbor Lights (2024)", "1"));
    await s.send(
      "sonarr",
      variant(loadCaptured("sonarr-grab"), (p) => {
        p.series = harbor.series;
        p.episodes = harbor.episodes;
        p.downloadId = harbor.downloadId;
        p.release.releaseTitle = "Harbor.Lights.S01.1080p.WEB-DL.DDP5.1.H.264-NTb";
      }),
    );
    let r = await one(234567, "tv");
    expect(r.state).toBe("grabbing");
    expect(r.isAnime).toBe(false);
    expect(r.episodes).toMatchObject({ total: 3, byState: { grabbing: 3 } });

    // One file imported: the request stays at the least advanced episode.
    await s.send("sonarr", variant(loadReference("sonarr-download"), (p) => (p.downloadId = harbor.downloadId)));
    r = await one(234567, "tv");
    expect(r.episodes?.byState).toMatchObject({ importing: 1, grabbing: 2 });
    expect(r.state).toBe("grabbing");

    // The import-complete webhook brings the rest.
    await s.send("sonarr", loadReference("sonarr-import-complete"));
    r = await one(234567, "tv");
    expect(r.state).toBe("importing");
    expect(r.episodes?.byState.importing).toBe(3);

    // Jellyfin's per-episode hints: available only once every episode is there.
    const jfEpisode = (n: number, tvdb: number) =>
      variant(loadReference("jellyfin-webhook-itemadded-episode"), (p) => {
        p.episodeNumber = String(n);
        p.tvdb = String(tvdb);
        p.itemId = `e2b3c4d5-e6f7-0819-2a3b-4c5d6e7f809${n}`;
      });
    await s.send("jellyfin", jfEpisode(2, 10456002));
    r = await one(234567, "tv");
    expect(r.episodes?.byState).toMatchObject({ available: 1, importing: 2 });
    expect(r.state).toBe("importing");
    await s.send("jellyfin", jfEpisode(1, 10456001));
    await s.send("jellyfin", jfEpisode(3, 10456003));
    r = await one(234567, "tv");
    expect(r.state).toBe("available");
    expect(r.episodes?.byState.available).toBe(3);
    const detail = await s.detail(r.id);
    expect(detail.episodes.map((e) => [e.episode, e.title, e.state])).toEqual([
      [1, "The Lamp Room", "available"],
      [2, "Low Tide", "available"],
      [3, "Fog Signal", "available"],
    ]);
  });
});

describe("flow 3: an anime film", () => {
  it("records importing, then matching (Shoko configured), then available", async () => {
    await s.send("jellyseerr", loadCaptured("jellyseerr-movie-auto-approved"));
    const grab = loadCaptured("radarr-grab") as { movie: { id: number; tmdbId: number }; remoteMovie: object; downloadId: string };
    await s.send("radarr", grab);
    let r = await one(533514);
    expect(r).toMatchObject({ state: "grabbing", isAnime: true });

    await s.send(
      "radarr",
      variant(loadCaptured("radarr-import"), (p) => {
        p.movie = grab.movie;
        p.remoteMovie = grab.remoteMovie;
        p.downloadId = grab.downloadId;
      }),
    );
    r = await one(533514);
    expect(r.state).toBe("anime_matching");
    const kinds = await timelineOf(r.id);
    expect(kinds.slice(-2)).toEqual(["imported", "matching"]);

    await s.send("jellyseerr", jellyseerr("MEDIA_AVAILABLE", { type: "movie", tmdbId: 533514 }, 69, "Violet Evergarden: The Movie (2020)"));
    expect((await one(533514)).state).toBe("available");
  });
});

describe("flow 4: an anime TV season", () => {
  it("season pack: grabbing → importing → anime_matching → available, 13 episodes", async () => {
    await s.send("jellyseerr", loadCaptured("jellyseerr-tv-auto-approved"));
    await s.send("sonarr", loadCaptured("sonarr-grab"));
    let r = await one(154494, "tv");
    expect(r).toMatchObject({ state: "grabbing", isAnime: true, requestedBy: "requester" });
    expect(r.episodes?.total).toBe(13);

    await s.send("sonarr", loadCaptured("sonarr-import"));
    r = await one(154494, "tv");
    expect(r.state).toBe("anime_matching");
    expect(r.episodes?.byState.anime_matching).toBe(13);
    const kinds = await timelineOf(r.id);
    expect(kinds).toContain("imported");
    expect(kinds.indexOf("imported")).toBeLessThan(kinds.indexOf("matching"));

    await s.send("jellyseerr", jellyseerr("MEDIA_AVAILABLE", { type: "tv", tmdbId: 154494, tvdbId: 414057 }, 68, "Lycoris Recoil (2022)", "1"));
    r = await one(154494, "tv");
    expect(r.state).toBe("available");
    expect(r.episodes?.byState.available).toBe(13);
  });
});

describe("out of order, duplicates, repeats", () => {
  const film = { type: "movie" as const, tmdbId: 777001 };
  const movie = { id: 901, title: "Late Letters", year: 2021, tmdbId: 777001, folderPath: "/data/media/movies/Late Letters (2021)", tags: [] };
  const hash = "AB".repeat(20);
  const importBody = variant(loadReference("radarr-download"), (p) => {
    p.movie = movie;
    p.remoteMovie = { tmdbId: 777001, title: "Late Letters", year: 2021 };
    p.downloadId = hash;
  });

  it("an import before its grab skips nothing silently, and the late grab changes nothing", async () => {
    await s.send("jellyseerr", jellyseerr("MEDIA_AUTO_APPROVED", film, 501, "Late Letters (2021)"));
    await s.send("radarr", importBody);
    let r = await one(777001);
    expect(r.state).toBe("importing");
    expect(await timelineOf(r.id)).toEqual(["requested", "approved", "(searching)", "(grabbed)", "(download_started)", "(downloaded)", "imported"]);

    await s.send("radarr", radarrGrabFor(movie, { tmdbId: 777001, title: "Late Letters", year: 2021 }, hash));
    r = await one(777001);
    expect(r.state).toBe("importing");
    expect(await timelineOf(r.id)).toHaveLength(7);
  });

  it("the same delivery twice is stored and processed once", async () => {
    const res = await s.hook("radarr", importBody);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "duplicate" });
  });

  it("a completion reported twice (another delivery of the same import) is absorbed", async () => {
    const again = variant(importBody, (p) => (p.movieFile.dateAdded = "2026-11-21T00:00:00Z"));
    const { status } = await s.send("radarr", again);
    expect(status).toBe(202);
    const r = await one(777001);
    expect(r.state).toBe("importing");
    expect(await timelineOf(r.id)).toHaveLength(7);
  });
});

describe("a second season requested later", () => {
  it("creates a second request and leaves the first one available", async () => {
    const show = { type: "tv" as const, tmdbId: 880001, tvdbId: 990001 };
    const series = { id: 77, title: "Night Ferry", tvdbId: 990001, tmdbId: 880001, type: "standard", path: "/data/media/tv/Night Ferry" };
    const ep = (season: number, n: number) => ({ id: season * 100 + n, seasonNumber: season, episodeNumber: n, title: `S${season} E${n}` });
    const grab = (season: number, hash: string) =>
      variant(loadCaptured("sonarr-grab"), (p) => {
        p.series = series;
        p.episodes = [ep(season, 1), ep(season, 2)];
        p.downloadId = hash;
      });

    await s.send("jellyseerr", jellyseerr("MEDIA_AUTO_APPROVED", show, 601, "Night Ferry (2020)", "1"));
    await s.send("sonarr", grab(1, "C1".repeat(20)));
    await s.send("jellyseerr", jellyseerr("MEDIA_AVAILABLE", show, 601, "Night Ferry (2020)", "1"));
    let all = await byTmdb(880001, "tv");
    expect(all.map((r) => r.state)).toEqual(["available"]);

    await s.send("jellyseerr", jellyseerr("MEDIA_AUTO_APPROVED", show, 602, "Night Ferry (2020)", "2"));
    all = await byTmdb(880001, "tv");
    expect(all.map((r) => r.state)).toEqual(["approved", "available"]);

    await s.send("sonarr", grab(2, "C2".repeat(20)));
    all = await byTmdb(880001, "tv");
    expect(all.map((r) => [r.state, r.episodes?.total])).toEqual([
      ["grabbing", 2],
      ["available", 2],
    ]);
    const season2 = await s.detail(all[0].id);
    expect(season2.episodes.every((e) => e.season === 2)).toBe(true);
  });
});

describe("a request for something already available", () => {
  it("is created directly as available, pointing at the earlier request", async () => {
    const film = { type: "movie" as const, tmdbId: 777002 };
    await s.send("jellyseerr", jellyseerr("MEDIA_AUTO_APPROVED", film, 701, "Old Harbour (1990)"));
    await s.send("jellyseerr", jellyseerr("MEDIA_AVAILABLE", film, 701, "Old Harbour (1990)"));
    await s.send("jellyseerr", jellyseerr("MEDIA_AUTO_APPROVED", film, 702, "Old Harbour (1990)"));
    const all = await byTmdb(777002);
    expect(all.map((r) => r.state)).toEqual(["available", "available"]);
    const detail = await s.detail(all[0].id);
    expect(detail.timeline.at(-1)?.details).toMatch(/^Already in the library \(request #\d+\)$/);
  });
});

describe("a declined request", () => {
  it("ends declined, and is not active", async () => {
    const film = { type: "movie" as const, tmdbId: 777003 };
    await s.send("jellyseerr", jellyseerr("MEDIA_PENDING", film, 801, "Never Mind (2001)"));
    await s.send("jellyseerr", jellyseerr("MEDIA_DECLINED", film, 801, "Never Mind (2001)"));
    const r = await one(777003);
    expect(r.state).toBe("declined");
    expect((await s.list("?active=true")).some((x) => x.id === r.id)).toBe(false);
    expect(await timelineOf(r.id)).toEqual(["requested", "declined"]);
  });
});

describe("tracking without Jellyseerr", () => {
  it("a grab for something never requested is tracked too", async () => {
    const movie = { id: 333, title: "Found Footage", year: 2019, tmdbId: 777004, tags: [], folderPath: "/data/media/movies/Found Footage (2019)" };
    await s.send("radarr", radarrGrabFor(movie, { tmdbId: 777004, title: "Found Footage", year: 2019 }, "DD".repeat(20)));
    const r = await one(777004);
    expect(r).toMatchObject({ state: "grabbing", title: "Found Footage", requestedBy: null });
  });

  it("a film deleted in Radarr is marked deleted", async () => {
    await s.send(
      "radarr",
      variant(loadReference("radarr-download"), (p) => {
        p.eventType = "MovieDelete";
        p.movie.id = 333;
        p.movie.tmdbId = 777004;
        p.deletedFiles = true;
      }),
    );
    expect((await one(777004)).state).toBe("deleted");
  });
});
