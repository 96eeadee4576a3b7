import { sqliteTable, integer, text, index } from "drizzle-orm/sqlite-core";

export type ChangeKind = "request" | "progress" | "deleted";

/** The durable realtime change log: a monotonic id per committed change, for resumable streams. */
export const changes = sqliteTable(
  "changes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id").notNull(),
    kind: text("kind").$type<ChangeKind>().notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("changes_request_idx").on(t.requestId)],
);

export type ChangeRow = typeof changes.$inferSelect;
