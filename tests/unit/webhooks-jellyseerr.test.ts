import { describe, it, expect } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { parseJellyseerrWebhook, requestedSeasons, splitSubject } from "@/server/webhooks/jellyseerr";
import { WebhookParseError, type ParsedWebhook } from "@/server/webhooks/types";
import type { DomainEvent, DomainEventType } from "@/server/pipeline/events";
import { loadReference, sharedDir } from "../helpers/fixtures";

const RECEIVED_AT = Date.UTC(2026, 0, 1, 12, 0, 0);

type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

function single<T extends DomainEventType>(result: ParsedWebhook, type: T): EventOf<T> {
  if (result.outcome !== "events") throw new Error(`expected events, got ignored (${result.reason})`);
  expect(result.events).toHaveLength(1);
  expect(result.events[0].type).toBe(type);
  return result.events[0] as EventOf<T>;
}

function parse(body: unknown): ParsedWebhook {
  return parseJellyseerrWebhook(body, RECEIVED_AT);
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

const harborLights = { mediaType: "tv", tmdbId: 234567, tvdbId: 456789 };

/** Expectations for every reference jellyseerr-webhook-*.json. */
const REFERENCE_CHECKS: Record<string, (result: ParsedWebhook) => void> = {
  "jellyseerr-webhook-media-pending": (result) => {
    const event = single(result, "RequestSubmitted");
    expect(event.media).toEqual({ ...harborLights, jellyseerrRequestId: 42 });
    expect(event.info.title).toBe("Harbor Lights");
    expect(event.info.year).toBe(2024);
    expect(event.requestedBy).toBe("mira");
    expect(event.seasons).toEqual([1, 2]);
    expect(event.at).toBe(RECEIVED_AT);
    expect(event.source).toBe("jellyseerr");
  },
  "jellyseerr-webhook-media-approved": (result) => {
    const event = single(result, "RequestApproved");
    expect(event.autoApproved).toBe(false);
    expect(event.media).toEqual({ ...harborLights, jellyseerrRequestId: 42 });
    expect(event.seasons).toEqual([1, 2]);
  },
  "jellyseerr-webhook-media-auto-approved": (result) => {
    const event = single(result, "RequestApproved");
    expect(event.autoApproved).toBe(true);
    expect(event.media).toEqual({ mediaType: "movie", tmdbId: 987654, jellyseerrRequestId: 43 });
    expect(event.info).toEqual({
      title: "The Quiet Orbit",
      year: 2023,
      posterUrl: "https://image.tmdb.org/t/p/w600_and_h900_bestv2/qOrB1tV6nMw3xK8pL2sD9fG4hJc.jpg",
      overview: "A maintenance crew on a decommissioned station hears a signal from Earth that should not exist.",
    });
    expect(event.requestedBy).toBe("jon");
    expect(event.seasons).toEqual([]);
  },
  "jellyseerr-webhook-media-declined": (result) => {
    const event = single(result, "RequestDeclined");
    expect(event.media.jellyseerrRequestId).toBe(45);
    expect(event.seasons).toEqual([3]);
  },
  "jellyseerr-webhook-media-failed": (result) => {
    const event = single(result, "RequestFailed");
    expect(event.reason).toBe("Jellyseerr could not add it to Radarr");
    expect(event.media).toEqual({ mediaType: "movie", tmdbId: 412233, jellyseerrRequestId: 44 });
    expect(event.info.title).toBe("Paper Cranes");
    expect(event.info.year).toBe(1998);
  },
  "jellyseerr-webhook-media-available": (result) => {
    const event = single(result, "AvailableHint");
    expect(event.media).toEqual({ ...harborLights, jellyseerrRequestId: 42 });
    expect(event.episodes).toEqual([]);
    expect(event.jellyfinItemId).toBeUndefined();
  },
  "jellyseerr-webhook-test": (result) => {
    expect(result).toEqual({ outcome: "ignored", eventType: "TEST_NOTIFICATION", reason: "test notification" });
  },
  "jellyseerr-webhook-issue-created": (result) => {
    expect(result).toEqual({ outcome: "ignored", eventType: "ISSUE_CREATED", reason: "event type ISSUE_CREATED is not tracked" });
  },
};

describe("jellyseerr reference payloads", () => {
  const names = fs
    .readdirSync(path.join(sharedDir(), "reference", "payloads"))
    .filter((file) => file.startsWith("jellyseerr-webhook-") && file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length));

  it("has a check for every jellyseerr-webhook-*.json", () => {
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(names.sort()).toEqual(Object.keys(REFERENCE_CHECKS).sort());
  });

  for (const name of Object.keys(REFERENCE_CHECKS)) {
    it(name, () => REFERENCE_CHECKS[name](parse(loadReference(name))));
  }
});

describe("jellyseerr value forms", () => {
  it("accepts numbers instead of strings (newer templates)", () => {
    const body = reference("jellyseerr-webhook-media-pending");
    body.media.tmdbId = 234567;
    body.media.tvdbId = 456789;
    body.request.request_id = 42;
    body.extra = [{ name: "Requested Seasons", value: 2 }];
    const event = single(parse(body), "RequestSubmitted");
    expect(event.media).toEqual({ ...harborLights, jellyseerrRequestId: 42 });
    expect(event.seasons).toEqual([2]);
  });

  it("accepts null for an unknown id", () => {
    const body = reference("jellyseerr-webhook-media-auto-approved");
    body.media.tvdbId = null;
    expect(single(parse(body), "RequestApproved").media.tvdbId).toBeUndefined();
  });

  it("MEDIA_FAILED for a series names Sonarr", () => {
    const body = reference("jellyseerr-webhook-media-pending");
    body.notification_type = "MEDIA_FAILED";
    expect(single(parse(body), "RequestFailed").reason).toBe("Jellyseerr could not add it to Sonarr");
  });

  it("MEDIA_AVAILABLE without a request is still a hint", () => {
    const body = reference("jellyseerr-webhook-media-available");
    body.request = null;
    expect(single(parse(body), "AvailableHint").media.jellyseerrRequestId).toBeUndefined();
  });

  it("empty strings become undefined", () => {
    const body = reference("jellyseerr-webhook-media-auto-approved");
    body.subject = "";
    body.image = "";
    body.request.requestedBy_username = "";
    const event = single(parse(body), "RequestApproved");
    expect(event.info.title).toBeUndefined();
    expect(event.info.posterUrl).toBeUndefined();
    expect(event.requestedBy).toBeUndefined();
  });

  it("ignores unknown notification types", () => {
    expect(parse({ notification_type: "MEDIA_AUTO_REQUESTED", media: null })).toMatchObject({ outcome: "ignored" });
    expect(parse({ notification_type: "ISSUE_COMMENT" })).toMatchObject({ outcome: "ignored", eventType: "ISSUE_COMMENT" });
  });
});

describe("splitSubject / requestedSeasons", () => {
  it("splits a trailing year", () => {
    expect(splitSubject("Violet Evergarden: The Movie (2020)")).toEqual({ title: "Violet Evergarden: The Movie", year: 2020 });
    expect(splitSubject("Blade Runner (1982) (2017)")).toEqual({ title: "Blade Runner (1982)", year: 2017 });
    expect(splitSubject("No Year Here")).toEqual({ title: "No Year Here" });
    expect(splitSubject(undefined)).toEqual({});
  });

  it("parses the Requested Seasons list", () => {
    expect(requestedSeasons([{ name: "Requested Seasons", value: "1, 2, 3" }])).toEqual([1, 2, 3]);
    expect(requestedSeasons([{ name: "Affected Season", value: "1" }])).toEqual([]);
    expect(requestedSeasons([])).toEqual([]);
    expect(requestedSeasons(null)).toEqual([]);
    expect(requestedSeasons("garbage")).toEqual([]);
  });
});

describe("jellyseerr malformed bodies", () => {
  it("not an object", () => {
    expect(parseError("MEDIA_PENDING")).toMatch(/^jellyseerr webhook: body: expected a JSON object/);
  });

  it("missing notification_type", () => {
    const body = reference("jellyseerr-webhook-media-pending");
    delete body.notification_type;
    expect(parseError(body)).toBe("jellyseerr webhook: notification_type: expected a string");
  });

  it("MEDIA_PENDING without media", () => {
    const body = reference("jellyseerr-webhook-media-pending");
    body.media = null;
    expect(parseError(body)).toBe("jellyseerr MEDIA_PENDING: media: expected an object");
    delete body.media;
    expect(parseError(body)).toBe("jellyseerr MEDIA_PENDING: media: expected an object");
  });

  it("MEDIA_AVAILABLE with neither tmdbId nor tvdbId", () => {
    const body = reference("jellyseerr-webhook-media-available");
    body.media.tmdbId = "";
    body.media.tvdbId = "";
    expect(parseError(body)).toBe("jellyseerr MEDIA_AVAILABLE: media.tmdbId: expected a tmdbId or tvdbId, got neither");
  });

  it("MEDIA_APPROVED without a request id", () => {
    const body = reference("jellyseerr-webhook-media-approved");
    body.request.request_id = "";
    expect(parseError(body)).toBe("jellyseerr MEDIA_APPROVED: request.request_id: expected a number");
    body.request = null;
    expect(parseError(body)).toBe("jellyseerr MEDIA_APPROVED: request: expected an object");
  });

  it("a request id that is not a number", () => {
    const body = reference("jellyseerr-webhook-media-declined");
    body.request.request_id = "forty";
    expect(parseError(body)).toBe('jellyseerr MEDIA_DECLINED: request.request_id: expected a number, got "forty"');
  });

  it("an unknown media_type", () => {
    const body = reference("jellyseerr-webhook-media-pending");
    body.media.media_type = "music";
    expect(parseError(body)).toBe('jellyseerr MEDIA_PENDING: media.media_type: expected "movie" or "tv", got "music"');
  });
});
