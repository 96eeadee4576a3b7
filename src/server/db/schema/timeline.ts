import { sqliteTable, integer, text, index } from "drizzle-orm/sqlite-core";
import { requests } from "./requests";

/** What a person reads on the detail page, in past tense. */
export const timeline = sqliteTable(
  "timeline",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id")
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    /** "S01E04" when the entry concerns one episode. */
    episodeLabel: text("episode_label"),
    at: integer("at").notNull(),
    kind: text("kind").notNull(),
    /** The request state after this entry, if it changed it. */
    state: text("state"),
    source: text("source").notNull(),
    details: text("details"),
    inferred: integer("inferred", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("timeline_request_idx").on(t.requestId, t.at)],
);

export type TimelineRow = typeof timeline.$inferSelect;
