import { describe, it, expect } from "vitest";
import { parseRadarrWebhook } from "@/server/webhooks/radarr";
import { WebhookParseError, type ParsedWebhook } from "@/server/webhooks/types";
import type { DomainEvent, DomainEventType } from "@/server/pipeline/events";
import { loadReference } from "../helpers/fixtures";

const RECEIVED_AT = Date.UTC(2026, 0, 1, 12, 0, 0);

type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

function single<T extends DomainEventType>(result: ParsedWebhook, type: T): EventOf<T> {
  if (result.outcome !== "events") throw new Error(`expected events, got ignored (${result.reason})`);
  expect(result.events).toHaveLength(1);
  expect(result.events[0].type).toBe(type);
  return result.events[0] as EventOf<T>;
}

function parse(body: unknown): ParsedWebhook {
  return parseRadarrWebhook(body, RECEIVED_AT);
}

function reference(name: string): Record<string, any> {
  return structuredClone(loadReference(name)) as Record<string, any>;
}

function parseError(body: unknown): string {
  try {
    parse(body);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookParseError);
    expect((error as Error).message).not.toContain("\n");
    return (error as Error).message;
  }
  throw new Error("expected a WebhookParseError");
}

const movie = { id: 7, title: "Film", year: 2001, tmdbId: 555, folderPath: "/data/movies/Film (2001)" };

describe("radarr Grab", () => {
  it("reference radarr-grab -> Grabbed", () => {
    const event = single(parse(loadReference("radarr-grab")), "Grabbed");
    expect(event.source).toBe("radarr");
    expect(event.at).toBe(RECEIVED_AT);
    expect(event.media).toEqual({
      mediaType: "movie",
      radarrId: 77,
      tmdbId: 987654,
      imdbId: "tt98765432",
      title: "The Quiet Orbit",
      year: 2023,
    });
    expect(event.info).toEqual({
      title: "The Quiet Orbit",
      year: 2023,
      posterUrl: "https://image.tmdb.org/t/p/original/aBcDeFgHiJkLmNoP.jpg",
      overview: "A maintenance crew on a decommissioned station hears a signal from Earth that should not exist.",
    });
    expect(event.hash).toBe("3fa91c0d57e2b84a6c1d9e0f2b7a5c3d8e6f4a19");
    expect(event.release).toMatchObject({ quality: "Bluray-1080p", releaseGroup: "GRP", size: 10234567890 });
    expect(event.episodes).toEqual([]);
    expect(event.anime).toEqual({ isAnime: false, source: "tag" }); // tags ["jellyseerr"]
  });

  it("takes tmdbId from remoteMovie when movie has none", () => {
    const event = single(parse({ eventType: "Grab", movie: { id: 3 }, remoteMovie: { tmdbId: 42, imdbId: "tt1" } }), "Grabbed");
    expect(event.media).toMatchObject({ radarrId: 3, tmdbId: 42, imdbId: "tt1" });
    expect(event.anime).toBeUndefined(); // no tags, no anime folder
  });
});

describe("radarr Download", () => {
  it("reference radarr-download -> Imported with one file", () => {
    const event = single(parse(loadReference("radarr-download")), "Imported");
    expect(event.media.tmdbId).toBe(987654);
    expect(event.files).toEqual([
      { path: "/data/media/movies/The Quiet Orbit (2023)/The Quiet Orbit (2023) [Bluray-1080p].mkv", episodes: [] },
    ]);
    expect(event.isUpgrade).toBe(false);
    expect(event.hash).toBe("3fa91c0d57e2b84a6c1d9e0f2b7a5c3d8e6f4a19");
    expect(event.at).toBe(RECEIVED_AT);
  });

  it("isUpgrade true is kept; missing isUpgrade means false", () => {
    const upgrade = reference("radarr-download");
    upgrade.isUpgrade = true;
    expect(single(parse(upgrade), "Imported").isUpgrade).toBe(true);
    const missing = reference("radarr-download");
    delete missing.isUpgrade;
    expect(single(parse(missing), "Imported").isUpgrade).toBe(false);
  });

  it("needs movieFile", () => {
    const body = reference("radarr-download");
    delete body.movieFile;
    expect(parseError(body)).toBe("radarr Download: movieFile: expected an object");
  });
});

describe("radarr other events", () => {
  it("MovieAdded -> MediaAdded", () => {
    const event = single(parse({ eventType: "MovieAdded", movie: { ...movie, tags: ["anime"] }, addMethod: "manual" }), "MediaAdded");
    expect(event.media).toMatchObject({ mediaType: "movie", radarrId: 7, tmdbId: 555 });
    expect(event.anime).toEqual({ isAnime: true, source: "tag" });
  });

  it("MovieDelete -> MediaDeleted", () => {
    const event = single(parse({ eventType: "MovieDelete", movie, deletedFiles: true, movieFolderSize: 5 }), "MediaDeleted");
    expect(event.deletedFiles).toBe(true);
    expect(event.media.radarrId).toBe(7);
  });

  it("MovieFileDelete -> FileDeleted", () => {
    const event = single(
      parse({ eventType: "MovieFileDelete", movie, movieFile: { path: "/data/movies/Film (2001)/Film.mkv" }, deleteReason: "missingFromDisk" }),
      "FileDeleted",
    );
    expect(event).toMatchObject({ reason: "missingFromDisk", path: "/data/movies/Film (2001)/Film.mkv", episodes: [] });
  });

  it("ManualInteractionRequired -> ImportBlocked", () => {
    const event = single(
      parse({
        eventType: "ManualInteractionRequired",
        movie,
        downloadId: "ABCDEF0123456789ABCDEF0123456789ABCDEF01",
        downloadInfo: { title: "Film.2001.1080p" },
        downloadStatusMessages: [{ title: "Film.2001.1080p", messages: ["No files found are eligible for import"] }],
      }),
      "ImportBlocked",
    );
    expect(event.reason).toBe("Import blocked: No files found are eligible for import");
    expect(event.hash).toBe("abcdef0123456789abcdef0123456789abcdef01");
    expect(event.episodes).toEqual([]);

    const noMessages = single(
      parse({ eventType: "ManualInteractionRequired", movie, downloadInfo: { title: "Film.2001.1080p" } }),
      "ImportBlocked",
    );
    expect(noMessages.reason).toBe("Radarr needs manual interaction to import Film.2001.1080p");
  });
});

describe("radarr anime rule", () => {
  const anime = (m: Record<string, unknown>) => single(parse({ eventType: "MovieAdded", movie: { id: 1, tmdbId: 2, ...m } }), "MediaAdded").anime;

  it("tag first, then root folder, then a firm no when tags are known", () => {
    expect(anime({ tags: ["ANIME"], folderPath: "/movies/X" })).toEqual({ isAnime: true, source: "tag" });
    expect(anime({ tags: [], folderPath: "/data/anime/movies/X" })).toEqual({ isAnime: true, source: "root folder" });
    expect(anime({ folderPath: "D:\\Anime\\X" })).toEqual({ isAnime: true, source: "root folder" });
    expect(anime({ tags: [], folderPath: "/data/movies/X" })).toEqual({ isAnime: false, source: "tag" });
    expect(anime({ folderPath: "/data/movies/X" })).toBeUndefined();
  });
});

describe("radarr ignored events", () => {
  it("reference radarr-test -> ignored", () => {
    expect(parse(loadReference("radarr-test"))).toEqual({ outcome: "ignored", eventType: "Test", reason: "test notification" });
  });

  it("HealthRestored -> ignored with health", () => {
    const result = parse({ eventType: "HealthRestored", level: "ok", message: "Indexers are available again" });
    expect(result.outcome).toBe("ignored");
    expect(result.health).toEqual({ level: "ok", message: "Indexers are available again", restored: true });
  });

  it.each(["Rename", "ApplicationUpdate", "Unknown"])("%s -> ignored", (eventType) => {
    expect(parse({ eventType })).toEqual({ outcome: "ignored", eventType, reason: `event type ${eventType} is not tracked` });
  });
});

describe("radarr malformed bodies", () => {
  it("not an object", () => {
    expect(parseError([])).toMatch(/^radarr webhook: body: expected a JSON object/);
  });

  it("missing eventType", () => {
    expect(parseError({ movie })).toBe("radarr webhook: eventType: expected a string");
  });

  it("Grab without movie.id", () => {
    const body = reference("radarr-grab");
    delete body.movie.id;
    expect(parseError(body)).toBe("radarr Grab: movie.id: expected a number");
  });

  it("Grab without any tmdbId", () => {
    expect(parseError({ eventType: "Grab", movie: { id: 1, tmdbId: 0 } })).toBe("radarr Grab: movie.tmdbId: expected a tmdbId, got none");
  });
});
