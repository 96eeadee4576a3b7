import { sqliteTable, integer, text, real, index } from "drizzle-orm/sqlite-core";
import type { RequestState, MediaType } from "@/lib/states";

/** One row per requested movie or TV request (one Jellyseerr request, or one untracked grab). */
export const requests = sqliteTable(
  "requests",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    mediaType: text("media_type").$type<MediaType>().notNull(),
    title: text("title").notNull(),
    year: integer("year"),
    posterUrl: text("poster_url"),
    overview: text("overview"),
    // correlation ids
    jellyseerrRequestId: integer("jellyseerr_request_id"),
    jellyseerrMediaId: integer("jellyseerr_media_id"),
    tmdbId: integer("tmdb_id"),
    tvdbId: integer("tvdb_id"),
    imdbId: text("imdb_id"),
    radarrId: integer("radarr_id"),
    sonarrId: integer("sonarr_id"),
    shokoSeriesId: integer("shoko_series_id"),
    jellyfinItemId: text("jellyfin_item_id"),
    // anime: one precedence rule (arr series type / tag, then root-folder path); the source is kept
    isAnime: integer("is_anime", { mode: "boolean" }),
    animeSource: text("anime_source"),
    requestedBy: text("requested_by"),
    /** Season numbers asked for (TV); empty means "whatever the arr grabs". */
    requestedSeasons: text("requested_seasons", { mode: "json" }).$type<number[]>().notNull().default([]),
    /** Where the request came from: jellyseerr, radarr, sonarr, library. */
    origin: text("origin").notNull().default("jellyseerr"),
    state: text("state").$type<RequestState>().notNull(),
    stateChangedAt: integer("state_changed_at").notNull(),
    /** A sentence a person understands, e.g. "Sonarr: No files found are eligible for import". */
    stuckReason: text("stuck_reason"),
    /** Download progress 0..1 while grabbing/downloading, else null. */
    progress: real("progress"),
    quality: text("quality"),
    releaseTitle: text("release_title"),
    indexer: text("indexer"),
    importedPath: text("imported_path"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    availableAt: integer("available_at"),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("requests_state_idx").on(t.state),
    index("requests_tmdb_idx").on(t.tmdbId),
    index("requests_tvdb_idx").on(t.tvdbId),
    index("requests_jellyseerr_idx").on(t.jellyseerrRequestId),
    index("requests_radarr_idx").on(t.radarrId),
    index("requests_sonarr_idx").on(t.sonarrId),
    index("requests_created_idx").on(t.createdAt),
  ],
);

export type RequestRow = typeof requests.$inferSelect;
export type NewRequestRow = typeof requests.$inferInsert;
