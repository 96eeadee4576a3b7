import { z } from "zod";
import type { DomainEvent, MediaInfo, MediaRef } from "../pipeline/events";
import type { WebhookParser } from "./types";
import {
  ignoredTest,
  ignoredUntracked,
  optionalId,
  optionalText,
  parseOrThrow,
  readDiscriminator,
  requireObjectBody,
  requiredId,
} from "./util";

/*
 * Jellyseerr / Overseerr / Seerr webhook, default JSON template. Discriminator: notification_type.
 * The template renders every value as a string ("603", "" when missing); media/request are null when
 * the notification has none (TEST_NOTIFICATION, issues). Newer templates may send numbers: accept both.
 */

const mediaSchema = z
  .looseObject(
    {
      media_type: z.enum(["movie", "tv"], {
        error: (issue) => `expected "movie" or "tv", got ${issue.input === undefined ? "nothing" : JSON.stringify(issue.input)}`,
      }),
      tmdbId: optionalId,
      tvdbId: optionalId,
    },
    { error: "expected an object" },
  )
  .superRefine((media, ctx) => {
    if (media.tmdbId === undefined && media.tvdbId === undefined) {
      ctx.addIssue({ code: "custom", path: ["tmdbId"], message: "expected a tmdbId or tvdbId, got neither" });
    }
  });

/** PENDING/APPROVED/DECLINED must name their request: it is how later events find it. */
const requestWithIdSchema = z.looseObject(
  { request_id: requiredId, requestedBy_username: optionalText },
  { error: "expected an object" },
);
const optionalRequestSchema = z
  .looseObject({ request_id: optionalId, requestedBy_username: optionalText })
  .nullish();

const commonFields = {
  subject: optionalText,
  message: optionalText,
  image: optionalText,
  media: mediaSchema,
  // Shape varies (series: "Requested Seasons"; issues: "Affected Season"); read leniently below.
  extra: z.unknown().optional(),
};
const requestNotificationSchema = z.looseObject({ ...commonFields, request: requestWithIdSchema });
const mediaNotificationSchema = z.looseObject({ ...commonFields, request: optionalRequestSchema });
type MediaNotification = z.output<typeof mediaNotificationSchema>;

/** "Violet Evergarden: The Movie (2020)" -> title and year; Jellyseerr builds subject as "{title} ({year})". */
export function splitSubject(subject: string | undefined): { title?: string; year?: number } {
  if (!subject) return {};
  const match = /^(.*\S)\s*\((\d{4})\)$/.exec(subject);
  return match ? { title: match[1], year: Number(match[2]) } : { title: subject };
}

/** extra: [{ name: "Requested Seasons", value: "1, 2, 3" }] -> [1, 2, 3]. Never fails: extra is informational. */
export function requestedSeasons(extra: unknown): number[] {
  if (!Array.isArray(extra)) return [];
  const entry = extra.find(
    (item): item is { value: unknown } =>
      typeof item === "object" && item !== null && String((item as { name?: unknown }).name).trim() === "Requested Seasons",
  );
  const value = entry?.value;
  const parts = Array.isArray(value) ? value.map(String) : typeof value === "number" ? [String(value)] : typeof value === "string" ? value.split(",") : [];
  return parts.map((part) => part.trim()).filter((part) => /^\d+$/.test(part)).map(Number);
}

function describe(notification: MediaNotification) {
  const { media, request } = notification;
  const { title, year } = splitSubject(notification.subject);
  const ref: MediaRef = {
    mediaType: media.media_type,
    tmdbId: media.tmdbId,
    tvdbId: media.tvdbId,
    jellyseerrRequestId: request?.request_id,
  };
  const info: MediaInfo = { title, year, posterUrl: notification.image, overview: notification.message };
  return {
    media: ref,
    info,
    requestedBy: request?.requestedBy_username,
    seasons: media.media_type === "tv" ? requestedSeasons(notification.extra) : [],
  };
}

export const parseJellyseerrWebhook: WebhookParser = (body, receivedAt) => {
  const payload = requireObjectBody(body, "jellyseerr");
  const eventType = readDiscriminator(payload, "notification_type", "jellyseerr");
  const context = `jellyseerr ${eventType}`;
  // Jellyseerr payloads carry no time of their own.
  const base = { source: "jellyseerr" as const, at: receivedAt };
  let event: DomainEvent;

  switch (eventType) {
    case "TEST_NOTIFICATION":
      return ignoredTest(eventType);

    case "MEDIA_PENDING":
      event = { ...base, type: "RequestSubmitted", ...describe(parseOrThrow(requestNotificationSchema, payload, context)) };
      break;
    case "MEDIA_APPROVED":
    case "MEDIA_AUTO_APPROVED":
      event = {
        ...base,
        type: "RequestApproved",
        ...describe(parseOrThrow(requestNotificationSchema, payload, context)),
        autoApproved: eventType === "MEDIA_AUTO_APPROVED",
      };
      break;
    case "MEDIA_DECLINED":
      event = { ...base, type: "RequestDeclined", ...describe(parseOrThrow(requestNotificationSchema, payload, context)) };
      break;
    case "MEDIA_FAILED": {
      const failed = describe(parseOrThrow(mediaNotificationSchema, payload, context));
      const arr = failed.media.mediaType === "movie" ? "Radarr" : "Sonarr";
      event = { ...base, type: "RequestFailed", ...failed, reason: `Jellyseerr could not add it to ${arr}` };
      break;
    }
    case "MEDIA_AVAILABLE": {
      const { media } = describe(parseOrThrow(mediaNotificationSchema, payload, context));
      // Sent once every requested season is available: the hint is about the whole request.
      event = { ...base, type: "AvailableHint", media, episodes: [] };
      break;
    }

    // ISSUE_*, MEDIA_AUTO_REQUESTED (never reaches webhooks) and anything newer.
    default:
      return ignoredUntracked(eventType);
  }
  return { outcome: "events", eventType, events: [event] };
};
