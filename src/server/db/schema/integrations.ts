import { sqliteTable, integer, text } from "drizzle-orm/sqlite-core";

/** Per service: what was last heard from it and whether polling it works. */
export const integrations = sqliteTable("integrations", {
  service: text("service").primaryKey(),
  lastWebhookAt: integer("last_webhook_at"),
  lastWebhookEvent: text("last_webhook_event"),
  lastPollAt: integer("last_poll_at"),
  lastPollOkAt: integer("last_poll_ok_at"),
  lastPollErrorAt: integer("last_poll_error_at"),
  lastError: text("last_error"),
  latencyMs: integer("latency_ms"),
  version: text("version"),
  /** Latest health message the service reported about itself (arr Health webhook). */
  healthMessage: text("health_message"),
  updatedAt: integer("updated_at").notNull(),
});

export type IntegrationRow = typeof integrations.$inferSelect;

/** Small key/value store: secrets generated on first start, so they survive restarts. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});
