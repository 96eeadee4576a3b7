import type { DomainEvent } from "../pipeline/events";

export type WebhookService = "jellyseerr" | "sonarr" | "radarr" | "jellyfin";
export const WEBHOOK_SERVICES: readonly WebhookService[] = ["jellyseerr", "sonarr", "radarr", "jellyfin"];

/** What the service said about its own health (arr Health / HealthRestored). */
export interface ServiceHealthReport {
  level: string;
  message: string;
  restored: boolean;
}

/**
 * The result of parsing one webhook body.
 * - "events": domain events for the pipeline (may be empty when the payload concerns nothing we track).
 * - "ignored": a valid delivery we do not act on (Test, unknown event types, issues, ...), stored as ignored.
 */
export type ParsedWebhook =
  | { outcome: "events"; eventType: string; events: DomainEvent[]; health?: undefined }
  | { outcome: "ignored"; eventType: string; reason: string; health?: ServiceHealthReport };

/** Malformed input: answered with 400 and this one-line message; nothing is stored. */
export class WebhookParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookParseError";
  }
}

/** Parses an already JSON-decoded body. `receivedAt` (UTC ms) stamps events that carry no time. */
export type WebhookParser = (body: unknown, receivedAt: number) => ParsedWebhook;
