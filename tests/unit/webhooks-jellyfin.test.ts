import { describe, it, expect } from "vitest";
import { parseJellyfinWebhook } from "@/server/webhooks/jellyfin";
import { WebhookParseError, type ParsedWebhook } from "@/server/webhooks/types";
import type { AvailableHint } from "@/server/pipeline/events";
import { loadReference } from "../helpers/fixtures";

const RECEIVED_AT = Date.UTC(2026, 0, 1, 12, 0, 0);

function hint(result: ParsedWebhook): AvailableHint {
  if (result.outcome !== "events") throw new Error(`expected events, got ignored (${result.reason})`);
  expect(result.events).toHaveLength(1);
  expect(result.events[0].type).toBe("AvailableHint");
  return result.events[0] as AvailableHint;
}

function parse(body: unknown): ParsedWebhook {
  return parseJellyfinWebhook(body, RECEIVED_AT);
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

const sendAll = (fields: Record<string, unknown>) => ({
  NotificationType: "ItemAdded",
  ItemId: "0123456789abcdef0123456789ABCDEF",
  UtcTimestamp: "2026-11-20T18:41:07.2210391Z",
  ...fields,
});
const template = (fields: Record<string, string>) => ({
  notificationType: "ItemAdded",
  itemId: "01234567-89ab-cdef-0123-456789abcdef",
  utc: "11/20/2026 18:36:27",
  ...fields,
});

describe("jellyfin Send All Properties (PascalCase)", () => {
  it("reference anime episode -> AvailableHint for S01E03 by series name", () => {
    const event = hint(parse(loadReference("jellyfin-webhook-itemadded-anime-sendall")));
    expect(event.source).toBe("jellyfin");
    expect(event.media).toEqual({ mediaType: "tv", title: "Starlit Relay" });
    expect(event.episodes).toEqual([{ season: 1, episode: 3 }]);
    expect(event.jellyfinItemId).toBe("7c1d2e3f4a5b46c7d8e9f0a1b2c3d4e5");
    expect(event.at).toBe(RECEIVED_AT); // our receive time, not Jellyfin's clock
  });

  it("a Movie carries its provider ids", () => {
    const event = hint(parse(sendAll({ ItemType: "Movie", Name: "The Quiet Orbit", Year: 2023, Provider_tmdb: "987654", Provider_imdb: "tt98765432" })));
    expect(event.media).toEqual({ mediaType: "movie", tmdbId: 987654, imdbId: "tt98765432", title: "The Quiet Orbit", year: 2023 });
    expect(event.episodes).toEqual([]);
    expect(event.jellyfinItemId).toBe("0123456789abcdef0123456789abcdef");
  });

  it("a Series carries its tvdb/tmdb/imdb ids", () => {
    const event = hint(parse(sendAll({ ItemType: "Series", Name: "Harbor Lights", Provider_tvdb: "456789", Provider_tmdb: "234567", Provider_imdb: "tt31234567" })));
    expect(event.media).toEqual({ mediaType: "tv", tvdbId: 456789, tmdbId: 234567, imdbId: "tt31234567", title: "Harbor Lights" });
    expect(event.episodes).toEqual([]);
  });

  it("a Season is identified by its series name only", () => {
    const event = hint(parse(sendAll({ ItemType: "Season", Name: "Season 1", SeriesName: "Harbor Lights", SeasonNumber: 1, Provider_tvdb: "999" })));
    expect(event.media).toEqual({ mediaType: "tv", title: "Harbor Lights" });
    expect(event.episodes).toEqual([]);
  });

  it("a multi-episode item expands EpisodeNumberEnd; the tvdb id stays on its first episode", () => {
    const event = hint(parse(sendAll({ ItemType: "Episode", SeriesName: "Show", SeasonNumber: 2, EpisodeNumber: 3, EpisodeNumberEnd: 5, Provider_tvdb: "777" })));
    expect(event.episodes).toEqual([{ season: 2, episode: 3, tvdbId: 777 }, { season: 2, episode: 4 }, { season: 2, episode: 5 }]);
  });
});

describe("jellyfin template (camelCase strings)", () => {
  it("reference episode -> AvailableHint with the episode's tvdb id", () => {
    const event = hint(parse(loadReference("jellyfin-webhook-itemadded-episode")));
    expect(event.media).toEqual({ mediaType: "tv", title: "Harbor Lights" });
    expect(event.episodes).toEqual([{ season: 1, episode: 2, tvdbId: 10456002 }]);
    expect(event.jellyfinItemId).toBe("e2b3c4d5e6f708192a3b4c5d6e7f8091");
    expect(event.at).toBe(RECEIVED_AT); // "11/20/2026 18:36:27" is not read as a date
  });

  it("a Movie from the template", () => {
    const event = hint(parse(template({ itemType: "Movie", name: "The Quiet Orbit", year: "2023", tmdb: "987654", tvdb: "", imdb: "" })));
    expect(event.media).toEqual({ mediaType: "movie", tmdbId: 987654, title: "The Quiet Orbit", year: 2023 });
    expect(event.jellyfinItemId).toBe("0123456789abcdef0123456789abcdef");
  });

  it("an ISO utc is used as the event time", () => {
    const event = hint(parse(template({ itemType: "Episode", seriesName: "X", seasonNumber: "1", episodeNumber: "1", utc: "2026-11-20T18:36:27Z" })));
    expect(event.at).toBe(RECEIVED_AT);
  });
});

describe("jellyfin ignored notifications", () => {
  it("other notification types", () => {
    expect(parse({ NotificationType: "PlaybackStart", ItemType: "Movie" })).toEqual({
      outcome: "ignored",
      eventType: "PlaybackStart",
      reason: "event type PlaybackStart is not tracked",
    });
    expect(parse({ notificationType: "ItemDeleted" })).toMatchObject({ outcome: "ignored", eventType: "ItemDeleted" });
  });

  it("untracked item types", () => {
    expect(parse(sendAll({ ItemType: "Audio", Name: "Song" }))).toEqual({
      outcome: "ignored",
      eventType: "ItemAdded",
      reason: "item type Audio is not tracked",
    });
    expect(parse(template({ itemType: "" }))).toMatchObject({ outcome: "ignored" });
  });

  it("an episode without numbers", () => {
    expect(parse(sendAll({ ItemType: "Episode", SeriesName: "Show" }))).toMatchObject({ outcome: "ignored", eventType: "ItemAdded" });
  });
});

describe("jellyfin malformed bodies", () => {
  it("not an object", () => {
    expect(parseError("ItemAdded")).toMatch(/^jellyfin webhook: body: expected a JSON object/);
    expect(parseError(null)).toMatch(/^jellyfin webhook: body: expected a JSON object/);
  });

  it("no NotificationType in either spelling", () => {
    const body = reference("jellyfin-webhook-itemadded-anime-sendall");
    delete body.NotificationType;
    expect(parseError(body)).toMatch(/^jellyfin webhook: NotificationType: missing/);
  });

  it("a NotificationType that is not a string", () => {
    expect(parseError({ NotificationType: 1 })).toBe("jellyfin webhook: NotificationType: expected a non-empty string, got 1");
  });

  it("an ItemId that is not a GUID", () => {
    expect(parseError(sendAll({ ItemType: "Movie", ItemId: "not-a-guid" }))).toBe('jellyfin ItemAdded: ItemId: expected a GUID, got "not-a-guid"');
  });
});
