import { z } from "zod";
import type { ReleaseInfo } from "../pipeline/events";
import { WebhookParseError, type ParsedWebhook, type ServiceHealthReport, type WebhookService } from "./types";

/*
 * Shared zod helpers for the webhook parsers.
 *
 * Services disagree on types: Jellyseerr renders every value as a string ("603", "" for missing),
 * newer Seerr templates may send real numbers, the arr apps omit nulls, Jellyfin templates render
 * everything as text. These helpers absorb that so the per-service schemas can stay declarative.
 */

// ---------------------------------------------------------------- numbers and ids

function toInteger(value: unknown): number | undefined | "invalid" {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return Number.isInteger(value) ? value : "invalid";
  if (typeof value === "string") {
    const text = value.trim();
    if (text === "") return undefined;
    return /^-?\d+$/.test(text) ? Number(text) : "invalid";
  }
  return "invalid";
}

/** An integer that arrives as a number, a numeric string, "", null or not at all -> number | undefined. */
const looseInteger = z.unknown().transform((value, ctx): number | undefined => {
  const n = toInteger(value);
  if (n === "invalid") {
    ctx.issues.push({ code: "custom", message: `expected a number, got ${describeValue(value)}`, input: value });
    return z.NEVER;
  }
  return n;
});

/** Optional integer (season numbers, sizes, years where 0 is meaningful). */
export const optionalInt = looseInteger.optional();

/** Required integer: missing, null or "" is an error ("expected a number"). */
export const requiredInt = looseInteger.transform((n, ctx): number => {
  if (n === undefined) {
    ctx.issues.push({ code: "custom", message: "expected a number", input: n });
    return z.NEVER;
  }
  return n;
});

/** A required id (arr series.id, movie.id, Jellyseerr request_id). */
export const requiredId = requiredInt;

/**
 * An optional external id or year: string or number, "" -> undefined.
 * 0 also means unknown: the arr apps send tmdbId 0 / year 0 when they have none (see their Test payloads).
 */
export const optionalId = looseInteger.transform((n) => (n === 0 ? undefined : n)).optional();

/** Sizes in bytes exceed 2^31 but stay exact in a double; accept numeric strings as well. */
export const optionalSize = optionalInt;

// ---------------------------------------------------------------- text, booleans, dates

/** Optional trimmed string; "" and null -> undefined. */
export const optionalText = z
  .string({ error: (issue) => `expected a string, got ${describeValue(issue.input)}` })
  .nullish()
  .transform((s) => {
    const text = s?.trim();
    return text ? text : undefined;
  });

/** A string the event cannot do without. */
export const requiredText = z
  .string({ error: (issue) => (issue.input === undefined ? "expected a string" : `expected a string, got ${describeValue(issue.input)}`) })
  .trim()
  .min(1, { error: "expected a non-empty string" });

/** Optional boolean; arr payloads send real booleans, templates may send "true"/"false". */
export const optionalBool = z.unknown().transform((value, ctx): boolean | undefined => {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  ctx.issues.push({ code: "custom", message: `expected a boolean, got ${describeValue(value)}`, input: value });
  return z.NEVER;
}).optional();

/**
 * ISO 8601 date or date-time -> UTC ms. A string without a zone is read as UTC: the fields we read
 * are UTC by definition (airDateUtc, dateAdded, Jellyfin UtcTimestamp). Anything else (e.g. a
 * culture-formatted "11/20/2026 18:36:27") gives undefined: Date.parse would read it as local time.
 */
export function isoToUtcMs(value: string | undefined | null): number | undefined {
  if (!value) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(value.trim());
  if (!match) return undefined;
  const [, date, time, fraction, zone] = match;
  if (!time) {
    const dayMs = Date.parse(`${date}T00:00:00Z`);
    return Number.isNaN(dayMs) ? undefined : dayMs;
  }
  // .NET writes 7 fractional digits; keep milliseconds only.
  const millis = fraction ? `.${fraction.slice(0, 3).padEnd(3, "0")}` : "";
  const offset = !zone || zone.toUpperCase() === "Z" ? "Z" : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const ms = Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}${millis}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Optional ISO date -> UTC ms; never fails (a date we cannot read is just unknown). */
export const optionalUtcMs = z
  .unknown()
  .transform((value) => (typeof value === "string" ? isoToUtcMs(value) : undefined))
  .optional();

// ---------------------------------------------------------------- episode numbers in file names

export interface SeasonEpisodes {
  season: number;
  episodes: number[];
}

/** The longest span one file name may claim, so "S01E01-1080" is not read as 1080 episodes. */
const MAX_EPISODES_PER_FILE = 30;

/**
 * SxxEyy from a file name or path (only the last path segment is read).
 * Multi-episode names: S01E01E02, S01E01-E02, S01E01-02 (ranges are expanded: S01E01-E03 -> 1,2,3).
 */
export function parseSeasonEpisodes(fileNameOrPath: string | undefined | null): SeasonEpisodes | undefined {
  if (!fileNameOrPath) return undefined;
  const fileName = fileNameOrPath.split(/[\\/]/).pop() ?? "";
  const match = /(?:^|[^a-z0-9])s(\d{1,4})[ ._-]?e(\d{1,4})(?!\d)((?:(?:[ ._]?e|-e?)\d{1,4}(?!\d))*)/i.exec(fileName);
  if (!match) return undefined;
  const season = Number(match[1]);
  const episodes = [Number(match[2])];
  for (const part of match[3].matchAll(/([ ._]?e|-e?)(\d{1,4})/gi)) {
    const previous = episodes[episodes.length - 1];
    const next = Number(part[2]);
    if (next <= previous || next - episodes[0] >= MAX_EPISODES_PER_FILE) break;
    // A dash means a range (S01E01-E03 = 1..3); a bare E lists one more episode.
    const isRange = part[1].startsWith("-");
    for (let e = isRange ? previous + 1 : next; e <= next; e++) episodes.push(e);
  }
  return { season, episodes };
}

// ---------------------------------------------------------------- errors

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value.length > 40 ? `"${value.slice(0, 40)}..."` : JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return typeof value === "undefined" ? "nothing" : `${typeof value} ${String(value)}`;
}

/** "episodes[0].seasonNumber" */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** A zod error as one line: "series.id: expected a number" (further issues are counted, not listed). */
export function zodErrorLine(error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  if (!first) return "invalid input";
  const path = formatIssuePath(first.path);
  const line = path ? `${path}: ${first.message}` : first.message;
  return rest.length > 0 ? `${line} (and ${rest.length} more problem${rest.length > 1 ? "s" : ""})` : line;
}

/** Parses or throws a WebhookParseError prefixed with its context, e.g. "sonarr Grab: series.id: expected a number". */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, context: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new WebhookParseError(`${context}: ${zodErrorLine(result.error)}`);
  return result.data;
}

/** The body must be a JSON object; arrays, strings and null are rejected up front. */
export function requireObjectBody(body: unknown, service: WebhookService): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new WebhookParseError(`${service} webhook: body: expected a JSON object, got ${describeValue(body)}`);
  }
  return body as Record<string, unknown>;
}

/** Reads the service's discriminator, or throws "sonarr webhook: eventType: expected a string". */
const discriminatorSchemas = new Map<string, z.ZodType<Record<string, string>>>();

/** The event-type field; its schema is built once per key (this runs for every delivery). */
export function readDiscriminator(body: Record<string, unknown>, key: string, service: WebhookService): string {
  let schema = discriminatorSchemas.get(key);
  if (!schema) {
    schema = z.looseObject({ [key]: requiredText }) as unknown as z.ZodType<Record<string, string>>;
    discriminatorSchemas.set(key, schema);
  }
  return parseOrThrow(schema, body, `${service} webhook`)[key];
}

// ---------------------------------------------------------------- results

export function ignoredUntracked(eventType: string): ParsedWebhook {
  return { outcome: "ignored", eventType, reason: `event type ${eventType} is not tracked` };
}

export function ignoredTest(eventType: string): ParsedWebhook {
  return { outcome: "ignored", eventType, reason: "test notification" };
}

// ---------------------------------------------------------------- Sonarr / Radarr shared pieces

export const arrImagesSchema = z
  .array(z.looseObject({ coverType: optionalText, remoteUrl: optionalText }))
  .nullish()
  .transform((images) => images ?? []);

/** The poster's remote (TMDB/TVDB) URL; the local /MediaCover url is useless outside the arr. */
export function posterUrlOf(images: { coverType?: string; remoteUrl?: string }[]): string | undefined {
  return images.find((image) => image.coverType?.toLowerCase() === "poster" && image.remoteUrl)?.remoteUrl;
}

/** Tag labels; anything that is not a string is dropped rather than failing the delivery. */
export const arrTagsSchema = z
  .array(z.unknown())
  .nullish()
  .transform((tags) => (tags == null ? undefined : tags.filter((tag): tag is string => typeof tag === "string")));

export function hasAnimeTag(tags: string[] | undefined): boolean {
  return tags?.some((tag) => tag.trim().toLowerCase() === "anime") ?? false;
}

/** "/data/anime/shows/X" has an "anime" segment; "/data/animeX" does not. */
export function hasAnimePathSegment(path: string | undefined): boolean {
  return path?.split(/[\\/]/).some((segment) => segment.toLowerCase() === "anime") ?? false;
}

export const arrReleaseSchema = z
  .looseObject({
    quality: optionalText,
    releaseTitle: optionalText,
    indexer: optionalText,
    size: optionalSize,
    releaseGroup: optionalText,
  })
  .nullish();

export function releaseInfoOf(release: z.output<typeof arrReleaseSchema>): ReleaseInfo {
  return {
    quality: release?.quality,
    title: release?.releaseTitle,
    indexer: release?.indexer,
    size: release?.size,
    releaseGroup: release?.releaseGroup,
  };
}

/** ManualInteractionRequired carries its reasons in downloadStatusMessages[].messages[]. */
export const arrStatusMessagesSchema = z
  .array(z.looseObject({ title: optionalText, messages: z.array(z.unknown()).nullish() }))
  .nullish()
  .transform((entries) =>
    (entries ?? []).flatMap((entry) =>
      (entry.messages ?? []).filter((m): m is string => typeof m === "string" && m.trim() !== "").map((m) => m.trim()),
    ),
  );

const arrHealthSchema = z.looseObject({ level: optionalText, message: optionalText });

/** Health / HealthRestored: not a request event, but the service's own state worth keeping. */
export function arrHealthResult(body: unknown, eventType: string, service: WebhookService): ParsedWebhook {
  const { level, message } = parseOrThrow(arrHealthSchema, body, `${service} ${eventType}`);
  const restored = eventType === "HealthRestored";
  const health: ServiceHealthReport = { level: level ?? "unknown", message: message ?? "", restored };
  return { outcome: "ignored", eventType, reason: restored ? "health check restored" : "health check failed", health };
}
