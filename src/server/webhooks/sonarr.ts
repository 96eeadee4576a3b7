import { z } from "zod";
import {
  normaliseHash,
  type AnimeHint,
  type DomainEvent,
  type EpisodeRef,
  type ImportedFile,
  type MediaInfo,
  type MediaRef,
} from "../pipeline/events";
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
  optionalUtcMs,
  parseOrThrow,
  parseSeasonEpisodes,
  posterUrlOf,
  readDiscriminator,
  releaseInfoOf,
  requireObjectBody,
  requiredId,
  requiredInt,
  requiredText,
} from "./util";

/*
 * Sonarr v4 webhooks (Settings -> Connect -> Webhook). Discriminator: eventType, PascalCase.
 * Nulls are omitted by Sonarr, so every field is optional unless the event is meaningless without it.
 */

const seriesSchema = z
  .looseObject(
    {
      id: requiredId,
      title: optionalText,
      path: optionalText,
      tvdbId: optionalId,
      tmdbId: optionalId,
      imdbId: optionalText,
      type: optionalText,
      year: optionalId,
      overview: optionalText,
      images: arrImagesSchema,
      tags: arrTagsSchema,
    },
    { error: "expected an object" },
  )
  .superRefine((series, ctx) => {
    // Without a tvdb or tmdb id nothing ties the series to a request.
    if (series.tvdbId === undefined && series.tmdbId === undefined) {
      ctx.addIssue({ code: "custom", path: ["tvdbId"], message: "expected a tvdbId or tmdbId, got neither" });
    }
  });
type Series = z.output<typeof seriesSchema>;

const episodeSchema = z.looseObject({
  id: optionalId,
  seasonNumber: requiredInt,
  episodeNumber: requiredInt,
  title: optionalText,
  tvdbId: optionalId,
  airDateUtc: optionalUtcMs,
});

const episodesSchema = z
  .array(episodeSchema)
  .nullish()
  .transform((episodes): EpisodeRef[] =>
    (episodes ?? []).map((e) => ({
      season: e.seasonNumber,
      episode: e.episodeNumber,
      title: e.title,
      sonarrEpisodeId: e.id,
      tvdbId: e.tvdbId,
      airDateUtc: e.airDateUtc,
    })),
  );

const episodeFileSchema = z.looseObject(
  { path: requiredText, relativePath: optionalText },
  { error: "expected an object" },
);

const grabSchema = z.looseObject({
  series: seriesSchema,
  episodes: episodesSchema,
  release: arrReleaseSchema,
  downloadClient: optionalText,
  downloadId: optionalText,
});

/** "On File Import" / "On File Upgrade": one event per imported file. */
const fileImportSchema = z.looseObject({
  series: seriesSchema,
  episodes: episodesSchema,
  episodeFile: episodeFileSchema,
  isUpgrade: optionalBool,
  downloadId: optionalText,
});

/** "On Import Complete": also eventType "Download", one event per release with all its files. */
const importCompleteSchema = z.looseObject({
  series: seriesSchema,
  episodes: episodesSchema,
  episodeFiles: z.array(episodeFileSchema),
  downloadId: optionalText,
});

const seriesAddSchema = z.looseObject({ series: seriesSchema });

const seriesDeleteSchema = z.looseObject({ series: seriesSchema, deletedFiles: optionalBool });

const episodeFileDeleteSchema = z.looseObject({
  series: seriesSchema,
  episodes: episodesSchema,
  episodeFile: z.looseObject({ path: optionalText }).nullish(),
  deleteReason: optionalText,
});

const manualInteractionSchema = z.looseObject({
  series: seriesSchema,
  episodes: episodesSchema,
  downloadId: optionalText,
  downloadInfo: z.looseObject({ title: optionalText }).nullish(),
  downloadStatusMessages: arrStatusMessagesSchema,
  release: arrReleaseSchema,
});

function mediaOf(series: Series): MediaRef {
  return {
    mediaType: "tv",
    sonarrId: series.id,
    tvdbId: series.tvdbId,
    tmdbId: series.tmdbId,
    imdbId: series.imdbId,
    title: series.title,
    year: series.year,
  };
}

function infoOf(series: Series): MediaInfo {
  return { title: series.title, year: series.year, posterUrl: posterUrlOf(series.images), overview: series.overview };
}

/** One precedence rule: series type, then tag, then root folder; a non-anime type is a firm "no". */
export function sonarrAnimeHint(series: Pick<Series, "type" | "tags" | "path">): AnimeHint | undefined {
  if (series.type?.toLowerCase() === "anime") return { isAnime: true, source: "series type" };
  if (hasAnimeTag(series.tags)) return { isAnime: true, source: "tag" };
  if (hasAnimePathSegment(series.path)) return { isAnime: true, source: "root folder" };
  if (series.type !== undefined) return { isAnime: false, source: "series type" };
  return undefined;
}

/**
 * Which episodes each file of an import-complete payload holds: SxxEyy from relativePath, then path;
 * when neither names an episode, the file at index i holds episodes[i] if the counts are equal.
 */
export function episodesPerFile(
  files: { path: string; relativePath?: string }[],
  episodes: EpisodeRef[],
): ImportedFile[] {
  return files.map((file, index) => {
    const parsed = parseSeasonEpisodes(file.relativePath) ?? parseSeasonEpisodes(file.path);
    if (parsed) {
      const inFile = parsed.episodes.map(
        (number) =>
          episodes.find((e) => e.season === parsed.season && e.episode === number) ?? {
            season: parsed.season,
            episode: number,
          },
      );
      return { path: file.path, episodes: inFile };
    }
    const aligned = files.length === episodes.length ? [episodes[index]] : [];
    return { path: file.path, episodes: aligned };
  });
}


function eventsResult(eventType: string, ...events: DomainEvent[]): ParsedWebhook {
  return { outcome: "events", eventType, events };
}

function parseDownload(payload: Record<string, unknown>, receivedAt: number): DomainEvent {
  const context = "sonarr Download";
  // Both shapes share eventType "Download"; only import-complete has an episodeFiles array.
  if (Array.isArray(payload.episodeFiles)) {
    const body = parseOrThrow(importCompleteSchema, payload, `${context} (import complete)`);
    return {
      type: "Imported",
      source: "sonarr",
      at: receivedAt,
      media: mediaOf(body.series),
      info: infoOf(body.series),
      hash: normaliseHash(body.downloadId),
      files: episodesPerFile(body.episodeFiles, body.episodes),
      // Import-complete carries no isUpgrade; upgrades are reported per file.
      isUpgrade: false,
      anime: sonarrAnimeHint(body.series),
    };
  }
  const body = parseOrThrow(fileImportSchema, payload, context);
  return {
    type: "Imported",
    source: "sonarr",
    at: receivedAt,
    media: mediaOf(body.series),
    info: infoOf(body.series),
    hash: normaliseHash(body.downloadId),
    files: [{ path: body.episodeFile.path, episodes: body.episodes }],
    isUpgrade: body.isUpgrade ?? false,
    anime: sonarrAnimeHint(body.series),
  };
}

export const parseSonarrWebhook: WebhookParser = (body, receivedAt) => {
  const payload = requireObjectBody(body, "sonarr");
  const eventType = readDiscriminator(payload, "eventType", "sonarr");
  const context = `sonarr ${eventType}`;

  switch (eventType) {
    case "Test":
      return ignoredTest(eventType);
    case "Health":
    case "HealthRestored":
      return arrHealthResult(payload, eventType, "sonarr");

    case "Grab": {
      const grab = parseOrThrow(grabSchema, payload, context);
      return eventsResult(eventType, {
        type: "Grabbed",
        source: "sonarr",
        at: receivedAt,
        media: mediaOf(grab.series),
        info: infoOf(grab.series),
        hash: normaliseHash(grab.downloadId),
        downloadClient: grab.downloadClient,
        release: releaseInfoOf(grab.release),
        episodes: grab.episodes,
        anime: sonarrAnimeHint(grab.series),
      });
    }

    case "Download":
      return eventsResult(eventType, parseDownload(payload, receivedAt));

    case "SeriesAdd": {
      const { series } = parseOrThrow(seriesAddSchema, payload, context);
      return eventsResult(eventType, {
        type: "MediaAdded",
        source: "sonarr",
        at: receivedAt,
        media: mediaOf(series),
        info: infoOf(series),
        anime: sonarrAnimeHint(series),
      });
    }

    case "SeriesDelete": {
      const deleted = parseOrThrow(seriesDeleteSchema, payload, context);
      return eventsResult(eventType, {
        type: "MediaDeleted",
        source: "sonarr",
        at: receivedAt,
        media: mediaOf(deleted.series),
        deletedFiles: deleted.deletedFiles ?? false,
      });
    }

    case "EpisodeFileDelete": {
      const deleted = parseOrThrow(episodeFileDeleteSchema, payload, context);
      return eventsResult(eventType, {
        type: "FileDeleted",
        source: "sonarr",
        at: receivedAt,
        media: mediaOf(deleted.series),
        episodes: deleted.episodes,
        reason: deleted.deleteReason ?? "unknown",
        path: deleted.episodeFile?.path,
      });
    }

    case "ManualInteractionRequired": {
      const blocked = parseOrThrow(manualInteractionSchema, payload, context);
      const what = blocked.downloadInfo?.title ?? blocked.release?.releaseTitle ?? "a download";
      return eventsResult(eventType, {
        type: "ImportBlocked",
        source: "sonarr",
        at: receivedAt,
        media: mediaOf(blocked.series),
        hash: normaliseHash(blocked.downloadId),
        episodes: blocked.episodes,
        reason:
          blocked.downloadStatusMessages.length > 0
            ? `Import blocked: ${blocked.downloadStatusMessages.join("; ")}`
            : `Sonarr needs manual interaction to import ${what}`,
      });
    }

    // Rename, ApplicationUpdate and anything newer.
    default:
      return ignoredUntracked(eventType);
  }
};
