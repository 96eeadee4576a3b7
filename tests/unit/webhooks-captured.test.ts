import { describe, it, expect } from "vitest";
import { webhookParsers } from "@/server/webhooks";
import { WEBHOOK_SERVICES, type ParsedWebhook, type WebhookService } from "@/server/webhooks/types";
import type { DomainEvent, DomainEventType } from "@/server/pipeline/events";
import { capturedFixtureNames, loadCaptured } from "../helpers/fixtures";

/*
 * Every REAL captured webhook must parse. The directory is iterated, so a newly captured file is
 * checked too: its service comes from the name prefix and its expected event type from a keyword.
 */

const RECEIVED_AT = Date.UTC(2026, 0, 1, 12, 0, 0);

type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

function single<T extends DomainEventType>(result: ParsedWebhook, type: T): EventOf<T> {
  if (result.outcome !== "events") throw new Error(`expected events, got ignored (${result.reason})`);
  expect(result.events).toHaveLength(1);
  expect(result.events[0].type).toBe(type);
  return result.events[0] as EventOf<T>;
}

/** First match wins: more specific keywords come first. */
const EXPECTED_BY_KEYWORD: [RegExp, DomainEventType | "ignored"][] = [
  [/test|health|issue/, "ignored"],
  [/approved/, "RequestApproved"],
  [/pending/, "RequestSubmitted"],
  [/declined/, "RequestDeclined"],
  [/failed/, "RequestFailed"],
  [/available|itemadded/, "AvailableHint"],
  [/manual-interaction/, "ImportBlocked"],
  [/grab/, "Grabbed"],
  [/import|download/, "Imported"],
  [/file-delete/, "FileDeleted"],
  [/delete/, "MediaDeleted"],
  [/add/, "MediaAdded"],
];

function expectedOutcome(name: string): DomainEventType | "ignored" {
  const hit = EXPECTED_BY_KEYWORD.find(([keyword]) => keyword.test(name));
  if (!hit) throw new Error(`captured fixture ${name}: add a keyword to EXPECTED_BY_KEYWORD saying what it should parse to`);
  return hit[1];
}

function serviceOf(name: string): WebhookService {
  const prefix = name.split("-")[0];
  expect(WEBHOOK_SERVICES).toContain(prefix);
  return prefix as WebhookService;
}

function parseCaptured(name: string): ParsedWebhook {
  return webhookParsers[serviceOf(name)](loadCaptured(name), RECEIVED_AT);
}

/** Key fields, asserted explicitly for the captures we know. */
const KEY_FIELDS: Record<string, (result: ParsedWebhook) => void> = {
  "jellyseerr-movie-auto-approved": (result) => {
    const event = single(result, "RequestApproved");
    expect(event.autoApproved).toBe(true);
    expect(event.source).toBe("jellyseerr");
    expect(event.at).toBe(RECEIVED_AT);
    expect(event.media).toMatchObject({ mediaType: "movie", tmdbId: 533514, jellyseerrRequestId: 69 });
    expect(event.media.tvdbId).toBeUndefined(); // "" in the payload
    expect(event.info.title).toBe("Violet Evergarden: The Movie");
    expect(event.info.year).toBe(2020);
    expect(event.info.posterUrl).toBe("https://image.tmdb.org/t/p/w600_and_h900_bestv2/A9R6bukzzRmOzxvDQsXdQpeNm8l.jpg");
    expect(event.info.overview).toMatch(/^As the world moves on/);
    expect(event.requestedBy).toBe("requester");
    expect(event.seasons).toEqual([]);
  },
  "jellyseerr-tv-auto-approved": (result) => {
    const event = single(result, "RequestApproved");
    expect(event.autoApproved).toBe(true);
    expect(event.media).toMatchObject({ mediaType: "tv", tvdbId: 414057, tmdbId: 154494, jellyseerrRequestId: 68 });
    expect(event.info.title).toBe("Lycoris Recoil");
    expect(event.info.year).toBe(2022);
    expect(event.seasons).toEqual([1]);
  },
  "radarr-grab": (result) => {
    const event = single(result, "Grabbed");
    expect(event.hash).toBe("c2c60f66c126652a86f7f2ee73dc83d4e255929e");
    expect(event.media).toMatchObject({ mediaType: "movie", radarrId: 52, tmdbId: 533514, imdbId: "tt8652818", year: 2020 });
    expect(event.anime).toEqual({ isAnime: true, source: "tag" });
    expect(event.release).toEqual({
      quality: "Bluray-1080p",
      title: "[The-Nut] Violet Evergarden The Movie 2020 [BD][1080p 10bit AV1]",
      indexer: "Nyaa.si (Prowlarr)",
      size: 1181116032,
      releaseGroup: "The-Nut",
    });
    expect(event.downloadClient).toBe("qBittorrent (VPN)");
    expect(event.info.posterUrl).toBe("https://image.tmdb.org/t/p/original/4b7uAGVtgA85Yd911yOJqIsHigx.jpg");
    expect(event.episodes).toEqual([]);
    expect(event.at).toBe(RECEIVED_AT);
  },
  "radarr-import": (result) => {
    const event = single(result, "Imported");
    expect(event.media).toMatchObject({ mediaType: "movie", radarrId: 51, tmdbId: 1052946 });
    expect(event.files).toEqual([
      {
        path: "/data/anime/movies/Violet Evergarden - Recollections (2021)/Violet.Evergarden.Recollections.2022.1080p.NF.WEB-DL.AAC2.0.x264-GST.mkv",
        episodes: [],
      },
    ]);
    expect(event.isUpgrade).toBe(false); // no isUpgrade in the capture
    expect(event.info.overview).toBeUndefined(); // no overview in the capture
    expect(event.hash).toBe("327cce10156316f79c005b0e953b9e8498e066eb");
    expect(event.anime).toEqual({ isAnime: true, source: "tag" });
    expect(event.at).toBe(RECEIVED_AT); // our receive time, not the arr's clock
  },
  "sonarr-grab": (result) => {
    const event = single(result, "Grabbed");
    expect(event.episodes).toHaveLength(13);
    expect(event.episodes[0]).toMatchObject({ season: 1, episode: 1, title: "Easy does it", sonarrEpisodeId: 739, tvdbId: 8916235 });
    expect(event.episodes[12]).toMatchObject({ season: 1, episode: 13, sonarrEpisodeId: 751 });
    expect(event.anime).toEqual({ isAnime: true, source: "series type" });
    expect(event.media).toMatchObject({ mediaType: "tv", sonarrId: 23, tvdbId: 414057, tmdbId: 154494, imdbId: "tt16755706" });
    expect(event.hash).toBe("3f92992e2fbeb6ebb251304236bf5e0b600a91c3");
    expect(event.release.quality).toBe("Bluray-1080p");
    expect(event.release.size).toBe(33930242048);
  },
  "sonarr-import": (result) => {
    const event = single(result, "Imported");
    expect(event.files).toHaveLength(13);
    expect(event.isUpgrade).toBe(false);
    expect(event.hash).toBe("3f92992e2fbeb6ebb251304236bf5e0b600a91c3");
    expect(event.media).toMatchObject({ mediaType: "tv", sonarrId: 23, tvdbId: 414057 });
    expect(event.anime).toEqual({ isAnime: true, source: "series type" });
    const ninth = event.files.find((file) => file.path.includes("S01E09"));
    expect(ninth?.episodes).toEqual([expect.objectContaining({ season: 1, episode: 9, sonarrEpisodeId: 747 })]);
    // Every file holds exactly the episode its name says.
    event.files.forEach((file, index) => {
      expect(file.episodes.map((e) => e.episode)).toEqual([index + 1]);
    });
  },
};

describe("captured webhooks (every file in fixtures/captured)", () => {
  const names = capturedFixtureNames();

  it("finds the captured fixtures", () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  it("has a captured file for every key-field check", () => {
    for (const name of Object.keys(KEY_FIELDS)) expect(names).toContain(name);
  });

  for (const name of names) {
    it(`${name} parses to the expected outcome`, () => {
      const result = parseCaptured(name);
      const expected = expectedOutcome(name);
      if (expected === "ignored") {
        expect(result.outcome).toBe("ignored");
        return;
      }
      if (result.outcome !== "events") throw new Error(`expected ${expected}, got ignored (${result.reason})`);
      expect(result.events.length).toBeGreaterThan(0);
      for (const event of result.events) {
        expect(event.type).toBe(expected);
        expect(event.source).toBe(serviceOf(name));
        expect(Number.isFinite(event.at)).toBe(true);
      }
    });

    if (KEY_FIELDS[name]) {
      it(`${name} key fields`, () => KEY_FIELDS[name](parseCaptured(name)));
    }
  }
});
