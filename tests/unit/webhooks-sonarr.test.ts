import { describe, it, expect } from "vitest";
import { parseSonarrWebhook } from "@/server/webhooks/sonarr";
import { WebhookParseError, type ParsedWebhook } from "@/server/webhooks/types";
import type { DomainEvent, DomainEventType } from "@/server/pipeline/events";
import { loadCaptured, loadReference } from "../helpers/fixtures";

const RECEIVED_AT = Date.UTC(2026, 0, 1, 12, 0, 0);

type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

function single<T extends DomainEventType>(result: ParsedWebhook, type: T): EventOf<T> {
  if (result.outcome !== "events") throw new Error(`expected events, got ignored (${result.reason})`);
  expect(result.events).toHaveLength(1);
  expect(result.events[0].type).toBe(type);
  return result.events[0] as EventOf<T>;
}

function parse(body: unknown): ParsedWebhook {
  return parseSonarrWebhook(body, RECEIVED_AT);
}

/** A deep copy of a reference payload to change for one test. */
function reference(name: string): Record<string, any> {
  return structuredClone(loadReference(name)) as Record<string, any>;
}

function parseError(body: unknown): string {
  try {
    parse(body);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookParseError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a WebhookParseError");
}

const series = { id: 5, title: "Show", tvdbId: 100, type: "standard", path: "/data/tv/Show" };

describe("sonarr Grab", () => {
  it("reference sonarr-grab -> Grabbed with all episodes and a lower-case hash", () => {
    const event = single(parse(loadReference("sonarr-grab")), "Grabbed");
    expect(event.source).toBe("sonarr");
    expect(event.at).toBe(RECEIVED_AT); // a grab carries no time of its own
    expect(event.hash).toBe("8c6f2e9b7d41a3f05e2b9c7d1a4f6e3b2c9d8a71");
    expect(event.media).toEqual({
      mediaType: "tv",
      sonarrId: 12,
      tvdbId: 456789,
      tmdbId: 234567,
      imdbId: "tt31234567",
      title: "Harbor Lights",
      year: 2024,
    });
    expect(event.info).toEqual({
      title: "Harbor Lights",
      year: 2024,
      posterUrl: "https://artworks.thetvdb.com/banners/v4/series/456789/posters/6702.jpg",
      overview: undefined,
    });
    expect(event.episodes.map((e) => [e.season, e.episode, e.sonarrEpisodeId])).toEqual([
      [1, 1, 1001],
      [1, 2, 1002],
      [1, 3, 1003],
    ]);
    expect(event.episodes[1]).toEqual({
      season: 1,
      episode: 2,
      title: "Low Tide",
      sonarrEpisodeId: 1002,
      tvdbId: 10456002,
      airDateUtc: Date.UTC(2024, 8, 13, 1),
    });
    expect(event.release).toEqual({
      quality: "WEBDL-1080p",
      title: "Harbor.Lights.S01.1080p.WEB-DL.DDP5.1.H.264-NTb",
      indexer: "TorrentLeech (Prowlarr)",
      size: 4534600000,
      releaseGroup: "NTb",
    });
    expect(event.downloadClient).toBe("qBittorrent");
    expect(event.anime).toEqual({ isAnime: false, source: "series type" });
  });

  it("a grab without downloadId has no hash", () => {
    const body = reference("sonarr-grab");
    delete body.downloadId;
    expect(single(parse(body), "Grabbed").hash).toBeUndefined();
  });

  it("tmdbId 0 means unknown", () => {
    const event = single(parse({ eventType: "Grab", series: { ...series, tmdbId: 0 } }), "Grabbed");
    expect(event.media.tmdbId).toBeUndefined();
    expect(event.media.tvdbId).toBe(100);
    expect(event.episodes).toEqual([]);
    expect(event.release).toEqual({});
  });

  it("ignores unknown keys anywhere", () => {
    const body = { ...(loadCaptured("sonarr-grab") as object), _note: "hand-added", series: { ...series, malIds: [1], whatever: { a: 1 } } };
    expect(single(parse(body), "Grabbed").media.sonarrId).toBe(5);
  });
});

describe("sonarr Download, per-file shape", () => {
  it("reference sonarr-download -> Imported with one file and its episodes", () => {
    const event = single(parse(loadReference("sonarr-download")), "Imported");
    expect(event.isUpgrade).toBe(false);
    expect(event.hash).toBe("8c6f2e9b7d41a3f05e2b9c7d1a4f6e3b2c9d8a71");
    expect(event.at).toBe(RECEIVED_AT);
    expect(event.files).toHaveLength(1);
    expect(event.files[0].path).toBe(
      "/data/media/tv/Harbor Lights (2024)/Season 01/Harbor Lights (2024) - S01E01 - The Lamp Room [WEBDL-1080p][EAC3 5.1][h264]-NTb.mkv",
    );
    expect(event.files[0].episodes).toEqual([expect.objectContaining({ season: 1, episode: 1, sonarrEpisodeId: 1001 })]);
  });

  it("reference sonarr-download-upgrade -> isUpgrade true", () => {
    const event = single(parse(loadReference("sonarr-download-upgrade")), "Imported");
    expect(event.isUpgrade).toBe(true);
    expect(event.files[0].episodes.map((e) => e.episode)).toEqual([2]);
  });

  it("without dateAdded, at is the receive time", () => {
    const body = reference("sonarr-download");
    delete body.episodeFile.dateAdded;
    expect(single(parse(body), "Imported").at).toBe(RECEIVED_AT);
  });

  it("needs episodeFile.path", () => {
    const body = reference("sonarr-download");
    delete body.episodeFile;
    expect(parseError(body)).toBe("sonarr Download: episodeFile: expected an object");
    const noPath = reference("sonarr-download");
    delete noPath.episodeFile.path;
    expect(parseError(noPath)).toBe("sonarr Download: episodeFile.path: expected a string");
  });
});

describe("sonarr Download, import-complete shape", () => {
  it("reference sonarr-import-complete -> one Imported with 3 files", () => {
    const event = single(parse(loadReference("sonarr-import-complete")), "Imported");
    expect(event.isUpgrade).toBe(false);
    expect(event.files).toHaveLength(3);
    expect(event.files.map((f) => f.episodes.map((e) => e.sonarrEpisodeId))).toEqual([[1001], [1002], [1003]]);
    expect(event.files[2].path).toContain("S01E03 - Fog Signal");
    expect(event.at).toBe(RECEIVED_AT);
  });

  it("matches files by SxxEyy even when files and episodes are in different orders", () => {
    const body = reference("sonarr-import-complete");
    body.episodeFiles.reverse();
    const event = single(parse(body), "Imported");
    expect(event.files.map((f) => f.episodes.map((e) => e.episode))).toEqual([[3], [2], [1]]);
  });

  it("reads path when relativePath has no SxxEyy", () => {
    const body = {
      eventType: "Download",
      series,
      episodes: [
        { id: 1, seasonNumber: 1, episodeNumber: 1 },
        { id: 2, seasonNumber: 1, episodeNumber: 2 },
      ],
      episodeFiles: [
        { relativePath: "Season 1/ep-b.mkv", path: "/data/tv/Show/Season 1/Show.S01E02.mkv" },
        { relativePath: "Season 1/ep-a.mkv", path: "/data/tv/Show/Season 1/Show.S01E01.mkv" },
      ],
      fileCount: 2,
    };
    const event = single(parse(body), "Imported");
    expect(event.files.map((f) => f.episodes.map((e) => e.sonarrEpisodeId))).toEqual([[2], [1]]);
  });

  it("puts both episodes of a multi-episode file on that file", () => {
    const body = {
      eventType: "Download",
      series,
      episodes: [1, 2, 3].map((n) => ({ id: 10 + n, seasonNumber: 1, episodeNumber: n })),
      episodeFiles: [{ path: "/d/Show.S01E01E02.mkv" }, { path: "/d/Show.S01E03.mkv" }],
    };
    const event = single(parse(body), "Imported");
    expect(event.files.map((f) => f.episodes.map((e) => e.sonarrEpisodeId))).toEqual([[11, 12], [13]]);
  });

  it("falls back to index alignment only when the counts are equal", () => {
    const episodes = [1, 2].map((n) => ({ id: 20 + n, seasonNumber: 1, episodeNumber: n }));
    const files = [{ path: "/d/Show - 01.mkv" }, { path: "/d/Show - 02.mkv" }];
    const aligned = single(parse({ eventType: "Download", series, episodes, episodeFiles: files }), "Imported");
    expect(aligned.files.map((f) => f.episodes.map((e) => e.sonarrEpisodeId))).toEqual([[21], [22]]);

    const unequal = single(parse({ eventType: "Download", series, episodes, episodeFiles: files.slice(0, 1) }), "Imported");
    expect(unequal.files).toEqual([{ path: "/d/Show - 01.mkv", episodes: [] }]);
  });

  it("an episode named by the file but missing from episodes[] is still reported", () => {
    const event = single(
      parse({ eventType: "Download", series, episodes: [], episodeFiles: [{ path: "/d/Show.S02E07.mkv" }] }),
      "Imported",
    );
    expect(event.files[0].episodes).toEqual([{ season: 2, episode: 7 }]);
  });
});

describe("sonarr ManualInteractionRequired", () => {
  it("reference -> ImportBlocked with Sonarr's reason", () => {
    const event = single(parse(loadReference("sonarr-manual-interaction-required")), "ImportBlocked");
    expect(event.reason).toMatch(/^Import blocked: /);
    expect(event.reason).toContain("Not an upgrade");
    expect(event.hash).toBe("e3a9c1b7d5f2048a6c8e0b2d4f6a8c0e2b4d6f81");
    expect(event.episodes.map((e) => e.episode)).toEqual([3]);
    expect(event.media.sonarrId).toBe(12);
  });

  it("joins several messages with '; '", () => {
    const body = reference("sonarr-manual-interaction-required");
    body.downloadStatusMessages = [
      { title: "a", messages: ["First problem"] },
      { title: "b", messages: ["Second problem", "Third problem"] },
    ];
    expect(single(parse(body), "ImportBlocked").reason).toBe("Import blocked: First problem; Second problem; Third problem");
  });

  it("without messages, names the download", () => {
    const body = reference("sonarr-manual-interaction-required");
    delete body.downloadStatusMessages;
    expect(single(parse(body), "ImportBlocked").reason).toBe(
      "Sonarr needs manual interaction to import Harbor.Lights.S01E03.1080p.WEB-DL.DDP5.1.H.264-NTb",
    );
  });
});

describe("sonarr series and file events", () => {
  it("SeriesAdd -> MediaAdded", () => {
    const event = single(parse({ eventType: "SeriesAdd", series: { ...series, type: "anime" } }), "MediaAdded");
    expect(event.media).toMatchObject({ mediaType: "tv", sonarrId: 5, tvdbId: 100 });
    expect(event.info.title).toBe("Show");
    expect(event.anime).toEqual({ isAnime: true, source: "series type" });
  });

  it("SeriesDelete -> MediaDeleted", () => {
    expect(single(parse({ eventType: "SeriesDelete", series, deletedFiles: true }), "MediaDeleted").deletedFiles).toBe(true);
    expect(single(parse({ eventType: "SeriesDelete", series }), "MediaDeleted").deletedFiles).toBe(false);
  });

  it("EpisodeFileDelete -> FileDeleted", () => {
    const event = single(
      parse({
        eventType: "EpisodeFileDelete",
        series,
        episodes: [{ id: 9, seasonNumber: 1, episodeNumber: 4 }],
        episodeFile: { path: "/data/tv/Show/Season 1/Show.S01E04.mkv" },
        deleteReason: "upgrade",
      }),
      "FileDeleted",
    );
    expect(event.reason).toBe("upgrade");
    expect(event.path).toBe("/data/tv/Show/Season 1/Show.S01E04.mkv");
    expect(event.episodes).toEqual([expect.objectContaining({ season: 1, episode: 4, sonarrEpisodeId: 9 })]);

    const noReason = single(parse({ eventType: "EpisodeFileDelete", series }), "FileDeleted");
    expect(noReason.reason).toBe("unknown");
    expect(noReason.path).toBeUndefined();
  });
});

describe("sonarr anime rule", () => {
  const anime = (s: Record<string, unknown>) => single(parse({ eventType: "SeriesAdd", series: { id: 1, tvdbId: 2, ...s } }), "MediaAdded").anime;

  it("series type anime wins", () => {
    expect(anime({ type: "anime", tags: [], path: "/tv/X" })).toEqual({ isAnime: true, source: "series type" });
  });
  it("then an anime tag (any case)", () => {
    expect(anime({ type: "standard", tags: ["Anime"] })).toEqual({ isAnime: true, source: "tag" });
  });
  it("then an anime root-folder segment", () => {
    expect(anime({ type: "standard", path: "/data/anime/shows/X" })).toEqual({ isAnime: true, source: "root folder" });
  });
  it("a non-anime type is a firm no; 'animation' is not an anime segment", () => {
    expect(anime({ type: "standard", path: "/data/animation/X", tags: ["kids"] })).toEqual({ isAnime: false, source: "series type" });
  });
  it("nothing known -> undefined", () => {
    expect(anime({ path: "/data/tv/X" })).toBeUndefined();
  });
});

describe("sonarr ignored events", () => {
  it("Test -> ignored as a test notification", () => {
    expect(parse(loadReference("sonarr-test"))).toEqual({ outcome: "ignored", eventType: "Test", reason: "test notification" });
  });

  it("Health and HealthRestored carry the health report", () => {
    const body = { eventType: "Health", level: "warning", message: "Download client qBittorrent is unavailable", type: "DownloadClientCheck" };
    const health = parse(body);
    expect(health).toMatchObject({ outcome: "ignored", eventType: "Health" });
    expect(health.health).toEqual({ level: "warning", message: "Download client qBittorrent is unavailable", restored: false });
    expect(parse({ ...body, eventType: "HealthRestored" }).health?.restored).toBe(true);
  });

  it.each(["Rename", "ApplicationUpdate", "SomethingFromSonarrV6"])("%s -> ignored, not tracked", (eventType) => {
    expect(parse({ eventType, series })).toEqual({
      outcome: "ignored",
      eventType,
      reason: `event type ${eventType} is not tracked`,
    });
  });
});

describe("sonarr malformed bodies", () => {
  it.each([[null], [[1, 2]], ["Grab"], [42]])("not an object: %j", (body) => {
    expect(parseError(body)).toMatch(/^sonarr webhook: body: expected a JSON object/);
  });

  it("missing or empty eventType", () => {
    expect(parseError({ series })).toBe("sonarr webhook: eventType: expected a string");
    expect(parseError({ eventType: "", series })).toBe("sonarr webhook: eventType: expected a non-empty string");
  });

  it("Grab without series.id", () => {
    const body = reference("sonarr-grab");
    delete body.series.id;
    expect(parseError(body)).toBe("sonarr Grab: series.id: expected a number");
  });

  it("Grab without series", () => {
    expect(parseError({ eventType: "Grab" })).toBe("sonarr Grab: series: expected an object");
  });

  it("Grab without tvdbId or tmdbId", () => {
    expect(parseError({ eventType: "Grab", series: { id: 1, tvdbId: 0 } })).toBe(
      "sonarr Grab: series.tvdbId: expected a tvdbId or tmdbId, got neither",
    );
  });

  it("an episode without its season number names the episode", () => {
    const body = reference("sonarr-grab");
    delete body.episodes[1].seasonNumber;
    expect(parseError(body)).toBe("sonarr Grab: episodes[1].seasonNumber: expected a number");
  });
});
