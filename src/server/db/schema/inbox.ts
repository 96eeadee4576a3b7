import { sqliteTable, integer, text, index, uniqueIndex } from "drizzle-orm/sqlite-core";

export type InboxStatus = "pending" | "processed" | "ignored" | "failed";

/** Every webhook as received. Nothing is processed that was not stored here first. */
export const inbox = sqliteTable(
  "inbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    service: text("service").notNull(),
    eventType: text("event_type").notNull(),
    receivedAt: integer("received_at").notNull(),
    /** sha256 of service + raw body: the same delivery twice is stored once. */
    dedupeKey: text("dedupe_key").notNull(),
    body: text("body").notNull(),
    status: text("status").$type<InboxStatus>().notNull(),
    error: text("error"),
    processedAt: integer("processed_at"),
    attempts: integer("attempts").notNull().default(0),
  },
  (t) => [uniqueIndex("inbox_dedupe_uq").on(t.dedupeKey), index("inbox_status_idx").on(t.status)],
);

export type InboxRow = typeof inbox.$inferSelect;
