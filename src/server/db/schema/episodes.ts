import { sqliteTable, integer, text, real, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { EpisodeState } from "@/lib/states";
import { requests } from "./requests";

/** One row per TV episode in a request's scope. */
export const episodes = sqliteTable(
  "episodes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id")
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    season: integer("season").notNull(),
    episode: integer("episode").notNull(),
    title: text("title"),
    airDateUtc: integer("air_date_utc"),
    sonarrEpisodeId: integer("sonarr_episode_id"),
    tvdbId: integer("tvdb_id"),
    state: text("state").$type<EpisodeState>().notNull(),
    stateChangedAt: integer("state_changed_at").notNull(),
    downloadHash: text("download_hash"),
    /** Index of this episode's file within its torrent (for per-file progress). */
    fileIndex: integer("file_index"),
    progress: real("progress"),
    importedPath: text("imported_path"),
    jellyfinId: text("jellyfin_id"),
    stuckReason: text("stuck_reason"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("episodes_request_season_episode_uq").on(t.requestId, t.season, t.episode),
    index("episodes_hash_idx").on(t.downloadHash),
  ],
);

export type EpisodeRow = typeof episodes.$inferSelect;
export type NewEpisodeRow = typeof episodes.$inferInsert;
