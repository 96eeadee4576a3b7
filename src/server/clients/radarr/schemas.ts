import { z } from "zod";
import {
  arrHistoryFields,
  arrImagesSchema,
  arrMediaFileSchema,
  arrQueueFields,
  optBool,
  optInt,
  optional,
  optText,
  optUtcMs,
  tagIds,
  withHash,
} from "../arr/schemas";

/** Radarr v5 MovieResource (GET /api/v3/movie/{id}, /api/v3/movie?tmdbId=). */
export const radarrMovieSchema = z.looseObject({
  id: z.number().int(),
  title: optText,
  year: optInt,
  tmdbId: optInt,
  imdbId: optText,
  overview: optText,
  /** tba, announced, inCinemas, released, deleted */
  status: optText,
  monitored: optBool,
  isAvailable: optBool,
  /** The ground truth for "the film is in the library". */
  hasFile: optBool,
  movieFileId: optInt,
  movieFile: optional(arrMediaFileSchema),
  path: optText,
  rootFolderPath: optText,
  folderName: optText,
  tags: tagIds,
  images: arrImagesSchema,
  added: optUtcMs,
});
export type RadarrMovie = z.output<typeof radarrMovieSchema>;

/** GET /api/v3/queue record (one per download), with the movie when includeMovie=true. */
export const radarrQueueRecordSchema = z
  .looseObject({ ...arrQueueFields, movieId: optInt, movie: optional(radarrMovieSchema) })
  .transform(withHash);
export type RadarrQueueRecord = z.output<typeof radarrQueueRecordSchema>;

/** GET /api/v3/history/movie?movieId= (unpaged, newest first). */
export const radarrHistoryRecordSchema = z.looseObject({ ...arrHistoryFields, movieId: optInt }).transform(withHash);
export type RadarrHistoryRecord = z.output<typeof radarrHistoryRecordSchema>;
