import { z } from "zod";
import {
  arrHistoryFields,
  arrImagesSchema,
  arrMediaFileSchema,
  arrQueueFields,
  optBool,
  optInt,
  optional,
  optNumber,
  optText,
  optUtcMs,
  tagIds,
  withHash,
} from "../arr/schemas";

export const sonarrSeasonSchema = z.looseObject({
  seasonNumber: z.number().int(),
  monitored: optBool,
  statistics: optional(
    z.looseObject({
      episodeFileCount: optInt,
      episodeCount: optInt,
      totalEpisodeCount: optInt,
      sizeOnDisk: optNumber,
      nextAiring: optUtcMs,
      previousAiring: optUtcMs,
    }),
  ),
});

/** Sonarr v4 SeriesResource (GET /api/v3/series/{id}, /api/v3/series?tvdbId=). */
export const sonarrSeriesSchema = z.looseObject({
  id: z.number().int(),
  title: optText,
  year: optInt,
  tvdbId: optInt,
  tmdbId: optInt,
  imdbId: optText,
  overview: optText,
  /** continuing, ended, upcoming, deleted */
  status: optText,
  /** standard, daily, anime */
  seriesType: optText,
  monitored: optBool,
  path: optText,
  rootFolderPath: optText,
  tags: tagIds,
  seasons: optional(z.array(sonarrSeasonSchema)).transform((s) => s ?? []),
  images: arrImagesSchema,
  nextAiring: optUtcMs,
  previousAiring: optUtcMs,
  added: optUtcMs,
});
export type SonarrSeries = z.output<typeof sonarrSeriesSchema>;

/** Sonarr v4 EpisodeResource (GET /api/v3/episode?seriesId=), with its file when includeEpisodeFile=true. */
export const sonarrEpisodeSchema = z.looseObject({
  id: z.number().int(),
  seriesId: optInt,
  tvdbId: optInt,
  seasonNumber: z.number().int(),
  episodeNumber: z.number().int(),
  absoluteEpisodeNumber: optInt,
  title: optText,
  /** "yyyy-MM-dd", local to the network. */
  airDate: optText,
  /** Absent for episodes without a date (TBA). */
  airDateUtc: optUtcMs,
  /** The ground truth for "this episode is in the library". */
  hasFile: optBool,
  monitored: optBool,
  episodeFileId: optInt,
  episodeFile: optional(arrMediaFileSchema),
  /** A download for it is under way. */
  grabbed: optBool,
});
export type SonarrEpisode = z.output<typeof sonarrEpisodeSchema>;

/**
 * GET /api/v3/queue record: one per episode of a download (a season pack gives one per episode,
 * all with the same downloadId), with the series and episode when includeSeries/includeEpisode.
 */
export const sonarrQueueRecordSchema = z
  .looseObject({
    ...arrQueueFields,
    seriesId: optInt,
    episodeId: optInt,
    seasonNumber: optInt,
    episodeHasFile: optBool,
    series: optional(sonarrSeriesSchema),
    episode: optional(sonarrEpisodeSchema),
  })
  .transform(withHash);
export type SonarrQueueRecord = z.output<typeof sonarrQueueRecordSchema>;

/** GET /api/v3/history/series (unpaged, newest first): one row per episode. */
export const sonarrHistoryRecordSchema = z.looseObject({ ...arrHistoryFields, seriesId: optInt, episodeId: optInt }).transform(withHash);
export type SonarrHistoryRecord = z.output<typeof sonarrHistoryRecordSchema>;
