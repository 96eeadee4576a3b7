import { z } from "zod";
import { normaliseHash, type AnimeHint, type DomainEvent, type MediaInfo, type MediaRef } from "../pipeline/events";
import type { ParsedWebhook, WebhookParser } from "./types";
import {
  arrHealthResult,
  arrImagesSchema,
  arrReleaseSchema,
  arrStatusMessagesSchema,
  arrTagsSchema,
  hasAnimePathSegment,
  hasAnimeTag,
  ignoredTest,
  ignoredUntracked,
  optionalBool,
  optionalId,
  optionalText,
  parseOrThrow,
  posterUrlOf,
  readDiscriminator,
  releaseInfoOf,
  requireObjectBody,
  requiredId,
  requiredText,
} from "./util";

/*
 * Radarr v5/v6 webhooks (the payload is identical in both). Discriminator: eventType, PascalCase.
 * Radarr has no import-complete event: one Download per imported movie file.
 */

const movieSchema = z.looseObject(
  {
    id: requiredId,
    title: optionalText,
    year: optionalId,
    folderPath: optionalText,
    tmdbId: optionalId,
    imdbId: optionalText,
    overview: optionalText,
    images: arrImagesSchema,
    tags: arrTagsSchema,
  },
  { error: "expected an object" },
);
type Movie = z.output<typeof movieSchema>;

/** The release's parsed match; the same movie, used when movie.tmdbId is missing. */
const remoteMovieSchema = z.looseObject({ tmdbId: optionalId, imdbId: optionalText }).nullish();

const movieFields = { movie: movieSchema, remoteMovie: remoteMovieSchema };

interface MovieEventBody {
  movie: Movie;
  remoteMovie?: z.output<typeof remoteMovieSchema>;
}

/** Every movie event needs movie.id (schema) and a tmdbId (from movie, else remoteMovie). */
function requireTmdbId(body: MovieEventBody, ctx: z.RefinementCtx): void {
  if (body.movie.tmdbId === undefined && body.remoteMovie?.tmdbId === undefined) {
    ctx.addIssue({ code: "custom", path: ["movie", "tmdbId"], message: "expected a tmdbId, got none" });
  }
}

const movieFileSchema = z.looseObject(
  { path: requiredText },
  { error: "expected an object" },
);

const grabSchema = z.looseObject({
  ...movieFields,
  release: arrReleaseSchema,
  downloadClient: optionalText,
  downloadId: optionalText,
}).superRefine(requireTmdbId);

const downloadSchema = z.looseObject({
  ...movieFields,
  movieFile: movieFileSchema,
  // Missing in real captures (radarr-import.json); absent means a first import.
  isUpgrade: optionalBool,
  downloadId: optionalText,
}).superRefine(requireTmdbId);

const movieAddedSchema = z.looseObject(movieFields).superRefine(requireTmdbId);

const movieDeleteSchema = z.looseObject({ ...movieFields, deletedFiles: optionalBool }).superRefine(requireTmdbId);

const movieFileDeleteSchema = z.looseObject({
  ...movieFields,
  movieFile: z.looseObject({ path: optionalText }).nullish(),
  deleteReason: optionalText,
}).superRefine(requireTmdbId);

const manualInteractionSchema = z.looseObject({
  ...movieFields,
  downloadId: optionalText,
  downloadInfo: z.looseObject({ title: optionalText }).nullish(),
  downloadStatusMessages: arrStatusMessagesSchema,
  release: arrReleaseSchema,
}).superRefine(requireTmdbId);

function mediaOf({ movie, remoteMovie }: MovieEventBody): MediaRef {
  return {
    mediaType: "movie",
    radarrId: movie.id,
    tmdbId: movie.tmdbId ?? remoteMovie?.tmdbId,
    imdbId: movie.imdbId ?? remoteMovie?.imdbId,
    title: movie.title,
    year: movie.year,
  };
}

function infoOf({ movie }: MovieEventBody): MediaInfo {
  return { title: movie.title, year: movie.year, posterUrl: posterUrlOf(movie.images), overview: movie.overview };
}

/** Radarr has no series type: tag first, then root folder; tags present without "anime" is a firm "no". */
export function radarrAnimeHint(movie: Pick<Movie, "tags" | "folderPath">): AnimeHint | undefined {
  if (hasAnimeTag(movie.tags)) return { isAnime: true, source: "tag" };
  if (hasAnimePathSegment(movie.folderPath)) return { isAnime: true, source: "root folder" };
  if (movie.tags !== undefined) return { isAnime: false, source: "tag" };
  return undefined;
}

function eventsResult(eventType: string, ...events: DomainEvent[]): ParsedWebhook {
  return { outcome: "events", eventType, events };
}

export const parseRadarrWebhook: WebhookParser = (body, receivedAt) => {
  const payload = requireObjectBody(body, "radarr");
  const eventType = readDiscriminator(payload, "eventType", "radarr");
  const context = `radarr ${eventType}`;

  switch (eventType) {
    case "Test":
      return ignoredTest(eventType);
    case "Health":
    case "HealthRestored":
      return arrHealthResult(payload, eventType, "radarr");

    case "Grab": {
      const grab = parseOrThrow(grabSchema, payload, context);
      return eventsResult(eventType, {
        type: "Grabbed",
        source: "radarr",
        at: receivedAt,
        media: mediaOf(grab),
        info: infoOf(grab),
        hash: normaliseHash(grab.downloadId),
        downloadClient: grab.downloadClient,
        release: releaseInfoOf(grab.release),
        episodes: [],
        anime: radarrAnimeHint(grab.movie),
      });
    }

    case "Download": {
      const imported = parseOrThrow(downloadSchema, payload, context);
      return eventsResult(eventType, {
        type: "Imported",
        source: "radarr",
        at: receivedAt,
        media: mediaOf(imported),
        info: infoOf(imported),
        hash: normaliseHash(imported.downloadId),
        files: [{ path: imported.movieFile.path, episodes: [] }],
        isUpgrade: imported.isUpgrade ?? false,
        anime: radarrAnimeHint(imported.movie),
      });
    }

    case "MovieAdded": {
      const added = parseOrThrow(movieAddedSchema, payload, context);
      return eventsResult(eventType, {
        type: "MediaAdded",
        source: "radarr",
        at: receivedAt,
        media: mediaOf(added),
        info: infoOf(added),
        anime: radarrAnimeHint(added.movie),
      });
    }

    case "MovieDelete": {
      const deleted = parseOrThrow(movieDeleteSchema, payload, context);
      return eventsResult(eventType, {
        type: "MediaDeleted",
        source: "radarr",
        at: receivedAt,
        media: mediaOf(deleted),
        deletedFiles: deleted.deletedFiles ?? false,
      });
    }

    case "MovieFileDelete": {
      const deleted = parseOrThrow(movieFileDeleteSchema, payload, context);
      return eventsResult(eventType, {
        type: "FileDeleted",
        source: "radarr",
        at: receivedAt,
        media: mediaOf(deleted),
        episodes: [],
        reason: deleted.deleteReason ?? "unknown",
        path: deleted.movieFile?.path,
      });
    }

    case "ManualInteractionRequired": {
      const blocked = parseOrThrow(manualInteractionSchema, payload, context);
      const what = blocked.downloadInfo?.title ?? blocked.release?.releaseTitle ?? "a download";
      return eventsResult(eventType, {
        type: "ImportBlocked",
        source: "radarr",
        at: receivedAt,
        media: mediaOf(blocked),
        hash: normaliseHash(blocked.downloadId),
        episodes: [],
        reason:
          blocked.downloadStatusMessages.length > 0
            ? `Import blocked: ${blocked.downloadStatusMessages.join("; ")}`
            : `Radarr needs manual interaction to import ${what}`,
      });
    }

    // Rename, ApplicationUpdate and anything newer.
    default:
      return ignoredUntracked(eventType);
  }
};
