import type { WebhookParser, WebhookService } from "./types";
import { parseJellyfinWebhook } from "./jellyfin";
import { parseJellyseerrWebhook } from "./jellyseerr";
import { parseRadarrWebhook } from "./radarr";
import { parseSonarrWebhook } from "./sonarr";

/** One parser per service; the route picks by the :service path segment. */
export const webhookParsers: Record<WebhookService, WebhookParser> = {
  jellyseerr: parseJellyseerrWebhook,
  sonarr: parseSonarrWebhook,
  radarr: parseRadarrWebhook,
  jellyfin: parseJellyfinWebhook,
};

export { parseJellyfinWebhook, parseJellyseerrWebhook, parseRadarrWebhook, parseSonarrWebhook };
