import { sqliteTable, integer, text, real, index, primaryKey } from "drizzle-orm/sqlite-core";
import { requests } from "./requests";

/** One row per torrent a request is waiting on; the hash is lower-case. */
export const downloads = sqliteTable(
  "downloads",
  {
    hash: text("hash").notNull(),
    requestId: integer("request_id")
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    name: text("name"),
    clientState: text("client_state"),
    progress: real("progress").notNull().default(0),
    size: integer("size"),
    bytesLeft: integer("bytes_left"),
    speed: integer("speed"),
    eta: integer("eta"),
    seeds: integer("seeds"),
    category: text("category"),
    savePath: text("save_path"),
    contentPath: text("content_path"),
    quality: text("quality"),
    indexer: text("indexer"),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    completedAt: integer("completed_at"),
  },
  (t) => [primaryKey({ columns: [t.hash, t.requestId] }), index("downloads_request_idx").on(t.requestId)],
);

export type DownloadRow = typeof downloads.$inferSelect;
