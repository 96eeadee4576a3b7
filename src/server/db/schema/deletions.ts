import { sqliteTable, integer, text, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { MediaType } from "@/lib/states";
import { requests } from "./requests";

/** running: steps left to do; done: every step done; stopped: a step failed and waits for a retry. */
export type DeletionStatus = "running" | "done" | "stopped";
/** Who deleted: the admin's "delete everywhere", or the arr (its MovieDelete / SeriesDelete webhook). */
export type DeletionSource = "admin" | "radarr" | "sonarr";
export type DeletionStepName = "qbittorrent" | "radarr" | "sonarr" | "shoko" | "jellyfin" | "jellyseerr";
/** skipped: nothing for this service to do (not configured, not anime, ...), with the reason. */
export type DeletionStepStatus = "pending" | "running" | "done" | "skipped" | "failed";

/** The ids a deletion job works with, resolved before it starts (and completed by a retried step). */
export interface DeletionIds {
  hashes: string[];
  radarrId: number | null;
  sonarrId: number | null;
  tmdbId: number | null;
  tvdbId: number | null;
  jellyseerrRequestId: number | null;
  jellyseerrMediaId: number | null;
  jellyfinItemId: string | null;
  isAnime: boolean | null;
  /** Library files of the request (what Shoko and Jellyfin should forget). */
  paths: string[];
}

/**
 * The deletions audit log: who deleted what, when, and each service's result. A request is never
 * hard-deleted, so the row keeps pointing at it; title and media type are copied for reading.
 */
export const deletions = sqliteTable(
  "deletions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id")
      .notNull()
      .references(() => requests.id),
    title: text("title").notNull(),
    mediaType: text("media_type").$type<MediaType>().notNull(),
    source: text("source").$type<DeletionSource>().notNull(),
    /** The admin's name, or "Radarr" / "Sonarr" for deletions done there. */
    deletedBy: text("deleted_by").notNull(),
    deletedFiles: integer("deleted_files", { mode: "boolean" }).notNull(),
    status: text("status").$type<DeletionStatus>().notNull(),
    ids: text("ids", { mode: "json" }).$type<DeletionIds>().notNull(),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (t) => [index("deletions_request_idx").on(t.requestId), index("deletions_started_idx").on(t.startedAt)],
);

/** One service's part of a deletion, in the order the job runs them. */
export const deletionSteps = sqliteTable(
  "deletion_steps",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deletionId: integer("deletion_id")
      .notNull()
      .references(() => deletions.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    step: text("step").$type<DeletionStepName>().notNull(),
    status: text("status").$type<DeletionStepStatus>().notNull(),
    /** What the service did, checked afterwards; or why it failed or was skipped. */
    message: text("message"),
    attempts: integer("attempts").notNull().default(0),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
  },
  (t) => [uniqueIndex("deletion_steps_uq").on(t.deletionId, t.step)],
);

export type DeletionRow = typeof deletions.$inferSelect;
export type DeletionStepRow = typeof deletionSteps.$inferSelect;
