import { z } from "zod";
import type { AvailableHint, EpisodeRef, MediaRef } from "../pipeline/events";
import { WebhookParseError, type ParsedWebhook, type WebhookParser } from "./types";
import { ignoredUntracked, optionalId, optionalInt, optionalText, parseOrThrow, requireObjectBody } from "./util";

/*
 * Jellyfin webhook plugin, Generic destination. Two body shapes reach us:
 *  - "Send All Properties": PascalCase keys, typed values, ItemId as 32 hex, UtcTimestamp ISO 8601;
 *  - the recommended template: camelCase keys, every value a string, itemId as a hyphenated GUID,
 *    utc in a culture-dependent format.
 * Both are normalised into one JellyfinItemNotification before mapping.
 */

/** Hyphenated or 32-hex GUID -> 32 lower-case hex, the form Jellyfin's API and Seerr use. */
const jellyfinItemId = optionalText.transform((id, ctx): string | undefined => {
  if (id === undefined) return undefined;
  const hex = id.replace(/[{}-]/g, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) {
    ctx.issues.push({ code: "custom", message: `expected a GUID, got ${JSON.stringify(id)}`, input: id });
    return z.NEVER;
  }
  return hex;
});

interface JellyfinItemNotification {
  itemType?: string;
  itemId?: string;
  name?: string;
  year?: number;
  seriesName?: string;
  seasonNumber?: number;
  episodeNumber?: number;
  episodeNumberEnd?: number;
  tmdbId?: number;
  tvdbId?: number;
  imdbId?: string;
}

const sendAllPropertiesSchema = z
  .looseObject({
    ItemType: optionalText,
    ItemId: jellyfinItemId,
    Name: optionalText,
    Year: optionalId,
    SeriesName: optionalText,
    SeasonNumber: optionalInt,
    EpisodeNumber: optionalInt,
    EpisodeNumberEnd: optionalInt,
    Provider_tmdb: optionalId,
    Provider_tvdb: optionalId,
    Provider_imdb: optionalText,
  })
  .transform(
    (b): JellyfinItemNotification => ({
      itemType: b.ItemType,
      itemId: b.ItemId,
      name: b.Name,
      year: b.Year,
      seriesName: b.SeriesName,
      seasonNumber: b.SeasonNumber,
      episodeNumber: b.EpisodeNumber,
      episodeNumberEnd: b.EpisodeNumberEnd,
      tmdbId: b.Provider_tmdb,
      tvdbId: b.Provider_tvdb,
      imdbId: b.Provider_imdb,
    }),
  );

const templateSchema = z
  .looseObject({
    itemType: optionalText,
    itemId: jellyfinItemId,
    name: optionalText,
    year: optionalId,
    seriesName: optionalText,
    seasonNumber: optionalInt,
    episodeNumber: optionalInt,
    episodeNumberEnd: optionalInt,
    tmdb: optionalId,
    tvdb: optionalId,
    imdb: optionalText,
    // Culture-formatted ("11/20/2026 18:36:27"): usually unreadable, then the receive time stands in.
  })
  .transform(
    (b): JellyfinItemNotification => ({
      itemType: b.itemType,
      itemId: b.itemId,
      name: b.name,
      year: b.year,
      seriesName: b.seriesName,
      seasonNumber: b.seasonNumber,
      episodeNumber: b.episodeNumber,
      episodeNumberEnd: b.episodeNumberEnd,
      tmdbId: b.tmdb,
      tvdbId: b.tvdb,
      imdbId: b.imdb,
    }),
  );

/** Longest multi-episode file we believe (EpisodeNumberEnd beyond that is metadata noise). */
const MAX_EPISODES_PER_ITEM = 30;

function episodeRange(season: number, first: number, last: number | undefined, tvdbId: number | undefined): EpisodeRef[] {
  const end = last !== undefined && last > first && last - first < MAX_EPISODES_PER_ITEM ? last : first;
  const episodes: EpisodeRef[] = [];
  for (let episode = first; episode <= end; episode++) episodes.push({ season, episode });
  // The item's tvdb id is that of its (first) episode, not of the whole range.
  episodes[0].tvdbId = tvdbId;
  return episodes;
}

/** Picks the shape by its discriminator's spelling; a body with neither is malformed. */
function readShape(payload: Record<string, unknown>): { notificationType: string; schema: z.ZodType<JellyfinItemNotification> } {
  const sendAll = "NotificationType" in payload;
  if (!sendAll && !("notificationType" in payload)) {
    throw new WebhookParseError("jellyfin webhook: NotificationType: missing (neither NotificationType nor notificationType is set)");
  }
  const key = sendAll ? "NotificationType" : "notificationType";
  const value = payload[key];
  if (typeof value !== "string" || value.trim() === "") {
    throw new WebhookParseError(`jellyfin webhook: ${key}: expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  return { notificationType: value.trim(), schema: sendAll ? sendAllPropertiesSchema : templateSchema };
}

const TRACKED_ITEM_TYPES = new Set(["Movie", "Series", "Season", "Episode"]);

export const parseJellyfinWebhook: WebhookParser = (body, receivedAt): ParsedWebhook => {
  const payload = requireObjectBody(body, "jellyfin");
  const { notificationType: eventType, schema } = readShape(payload);
  if (eventType !== "ItemAdded") return ignoredUntracked(eventType);

  const item = parseOrThrow(schema, payload, `jellyfin ${eventType}`);
  if (!item.itemType || !TRACKED_ITEM_TYPES.has(item.itemType)) {
    return { outcome: "ignored", eventType, reason: `item type ${item.itemType ?? "(none)"} is not tracked` };
  }

  let media: MediaRef;
  let episodes: EpisodeRef[] = [];
  switch (item.itemType) {
    case "Movie":
      media = { mediaType: "movie", tmdbId: item.tmdbId, imdbId: item.imdbId, title: item.name, year: item.year };
      break;
    case "Series":
      media = { mediaType: "tv", tvdbId: item.tvdbId, tmdbId: item.tmdbId, imdbId: item.imdbId, title: item.name };
      break;
    case "Season":
      // A season's provider ids are the season's own, not the series': correlate by series name.
      media = { mediaType: "tv", title: item.seriesName };
      break;
    default: {
      // Episode: Provider_* are the EPISODE's ids, so only the series name identifies the show.
      if (item.seasonNumber === undefined || item.episodeNumber === undefined) {
        // Jellyfin announces unidentified episodes too; a hint with no episode would mean "whole show".
        return { outcome: "ignored", eventType, reason: "episode item without season or episode number" };
      }
      media = { mediaType: "tv", title: item.seriesName };
      episodes = episodeRange(item.seasonNumber, item.episodeNumber, item.episodeNumberEnd, item.tvdbId);
    }
  }

  const hint: AvailableHint = {
    type: "AvailableHint",
    source: "jellyfin",
    // Our receive time orders the timeline; the plugin's own timestamps are culture-formatted or skewed.
    at: receivedAt,
    media,
    episodes,
    jellyfinItemId: item.itemId,
  };
  return { outcome: "events", eventType, events: [hint] };
};
