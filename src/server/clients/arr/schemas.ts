import { z } from "zod";
import { normaliseHash } from "../../pipeline/events";

/*
 * Response shapes shared by Sonarr v4 and Radarr v5 (API v3). Both omit null properties and add
 * fields between versions, so every object is loose and every field the tracker does not need to
 * function is optional; null and missing both read as undefined. Enum values are kept as strings:
 * a state a newer version adds must not fail a whole queue page.
 */

/** A value that may be missing or null: both become undefined. */
export const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v): z.output<T> | undefined => v ?? undefined);

export const optText = optional(z.string());
export const optNumber = optional(z.number());
export const optInt = optional(z.number().int());
export const optBool = optional(z.boolean());

/** An ISO 8601 date-time ("2026-11-20T18:32:06Z") -> UTC ms; unreadable dates are unknown, not errors. */
export const optUtcMs = z
  .unknown()
  .transform((value): number | undefined => {
    if (typeof value !== "string" || value.trim() === "") return undefined;
    const text = value.trim();
    // The arr writes UTC with a Z; a bare date-time is read as UTC too, never as local time.
    const withZone = /(?:z|[+-]\d\d:?\d\d)$/i.test(text) || !text.includes("T") ? text : `${text}Z`;
    const ms = Date.parse(withZone);
    return Number.isNaN(ms) ? undefined : ms;
  })
  .optional();

/** Tag ids on a series or movie (labels come from GET /api/v3/tag). */
export const tagIds = optional(z.array(z.unknown())).transform((tags) => (tags ?? []).filter((t): t is number => typeof t === "number"));

/** `{quality: {id, name, ...}, revision}` -> the quality's name, e.g. "WEBDL-1080p". */
export const qualityName = optional(z.looseObject({ quality: optional(z.looseObject({ name: optText })) })).transform((q) => q?.quality?.name);

export const statusMessages = optional(z.array(z.looseObject({ title: optText, messages: optional(z.array(z.unknown())) }))).transform((entries) =>
  (entries ?? []).map((e) => ({
    title: e.title,
    messages: (e.messages ?? []).filter((m): m is string => typeof m === "string" && m.trim() !== ""),
  })),
);
export type ArrStatusMessage = z.output<typeof statusMessages>[number];

export const arrSystemStatusSchema = z.looseObject({
  appName: optText,
  instanceName: optText,
  version: z.string(),
  branch: optText,
  startTime: optUtcMs,
  urlBase: optText,
});
export type ArrSystemStatus = z.output<typeof arrSystemStatusSchema>;

export const arrTagSchema = z.looseObject({ id: z.number().int(), label: z.string() });
export type ArrTag = z.output<typeof arrTagSchema>;

/** POST /api/v3/command and GET /api/v3/command/{id}. */
export const arrCommandSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  commandName: optText,
  message: optText,
  /** queued, started, completed, failed, aborted, cancelled, orphaned */
  status: optText,
  /** unknown, successful, unsuccessful */
  result: optText,
  queued: optUtcMs,
  started: optUtcMs,
  ended: optUtcMs,
});
export type ArrCommand = z.output<typeof arrCommandSchema>;

/** `{page, pageSize, totalRecords, records}` around any record schema. */
export function pagedSchema<T extends z.ZodType>(record: T) {
  return z.looseObject({
    page: optInt,
    pageSize: optInt,
    totalRecords: optInt,
    records: optional(z.array(record)).transform((r): z.output<T>[] => r ?? []),
  });
}

/** The queue fields both apps write; each app adds its media ids and included resources. */
export const arrQueueFields = {
  /** Hash of the tracked download (and episode); stable while tracked. 0 when the arr omitted it. */
  id: optInt.transform((v) => v ?? 0),
  title: optText,
  size: optNumber,
  sizeleft: optNumber,
  /** "hh:mm:ss" or "d.hh:mm:ss"; absent when unknown. */
  timeleft: optText,
  estimatedCompletionTime: optUtcMs,
  added: optUtcMs,
  quality: qualityName,
  /** unknown, queued, paused, downloading, completed, failed, warning, delay, downloadClientUnavailable, fallback */
  status: optText,
  /** ok, warning, error */
  trackedDownloadStatus: optText,
  /** downloading, importBlocked, importPending, importing, imported, failedPending, failed, ignored */
  trackedDownloadState: optText,
  statusMessages,
  errorMessage: optText,
  /** Upper-case info-hash for torrents; other ids for usenet. */
  downloadId: optText,
  protocol: optText,
  downloadClient: optText,
  indexer: optText,
  outputPath: optText,
};

/** Adds the lower-case hash the rest of the tracker speaks. */
export const withHash = <T extends { downloadId?: string }>(record: T): T & { hash?: string } => ({ ...record, hash: normaliseHash(record.downloadId) });

/** The history fields both apps write. */
export const arrHistoryFields = {
  id: optInt.transform((v) => v ?? 0),
  /** grabbed, downloadFolderImported, downloadFailed, downloadIgnored, ... */
  eventType: z.string(),
  date: optUtcMs,
  sourceTitle: optText,
  downloadId: optText,
  quality: qualityName,
  /** Keys camelCased by the arr, values strings (importedPath, droppedPath, message, ...). */
  data: optional(z.record(z.string(), z.unknown())).transform((data) =>
    Object.fromEntries(Object.entries(data ?? {}).filter((e): e is [string, string] => typeof e[1] === "string")),
  ),
};

export const arrHistoryRecordSchema = z
  .looseObject({ ...arrHistoryFields, movieId: optInt, seriesId: optInt, episodeId: optInt })
  .transform(withHash);
export type ArrHistoryRecord = z.output<typeof arrHistoryRecordSchema>;

/** A library file as both apps describe it (movieFile / episodeFile). */
export const arrMediaFileSchema = z.looseObject({
  id: optInt,
  path: optText,
  relativePath: optText,
  size: optNumber,
  dateAdded: optUtcMs,
  quality: qualityName,
  releaseGroup: optText,
  sceneName: optText,
});
export type ArrMediaFile = z.output<typeof arrMediaFileSchema>;

export const arrImagesSchema = optional(z.array(z.looseObject({ coverType: optText, url: optText, remoteUrl: optText }))).transform((i) => i ?? []);
