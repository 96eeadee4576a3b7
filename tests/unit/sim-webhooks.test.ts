import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "@/server/clock";
import { webhookParsers } from "@/server/webhooks";
import type { WebhookService } from "@/server/webhooks/types";
import type { DomainEventType } from "@/server/pipeline/events";
import { SCENARIO_NAMES, SCENARIOS, startSimStack, startWebhookCapture, type SimStack, type WebhookCapture } from "@/sim";

/*
 * Every webhook each scenario sends reaches a capture server over HTTP and parses with the
 * tracker's own parsers, giving the intended domain events. Faults (dropped, duplicated, late,
 * out of order) show up on the wire as the scenario says.
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);

/** Wire event name -> the domain event the tracker should make of it. */
const DOMAIN: Record<string, DomainEventType> = {
  MEDIA_PENDING: "RequestSubmitted",
  MEDIA_APPROVED: "RequestApproved",
  MEDIA_AUTO_APPROVED: "RequestApproved",
  MEDIA_AVAILABLE: "AvailableHint",
  MovieAdded: "MediaAdded",
  SeriesAdd: "MediaAdded",
  MovieDelete: "MediaDeleted",
  SeriesDelete: "MediaDeleted",
  Grab: "Grabbed",
  Download: "Imported",
  ManualInteractionRequired: "ImportBlocked",
  ItemAdded: "AvailableHint",
};

/** How many of each "service:event" (wire names) a scenario sends by its settle time. */
const EXPECTED: Record<string, Record<string, number>> = {
  movie: { "jellyseerr:MEDIA_AUTO_APPROVED": 1, "radarr:MovieAdded": 1, "radarr:Grab": 1, "radarr:Download": 1, "jellyfin:ItemAdded": 1, "jellyseerr:MEDIA_AVAILABLE": 1 },
  "tv-season-pack": {
    "jellyseerr:MEDIA_PENDING": 1,
    "jellyseerr:MEDIA_APPROVED": 1,
    "sonarr:SeriesAdd": 1,
    "sonarr:Grab": 1,
    // 8 per-file imports + 1 import-complete (also eventType "Download").
    "sonarr:Download": 9,
    "jellyfin:ItemAdded": 8,
    "jellyseerr:MEDIA_AVAILABLE": 1,
  },
  "anime-movie": { "jellyseerr:MEDIA_AUTO_APPROVED": 1, "radarr:MovieAdded": 1, "radarr:Grab": 1, "radarr:Download": 1, "jellyfin:ItemAdded": 1, "jellyseerr:MEDIA_AVAILABLE": 1 },
  "anime-season": { "jellyseerr:MEDIA_AUTO_APPROVED": 1, "sonarr:SeriesAdd": 1, "sonarr:Grab": 1, "sonarr:Download": 13, "jellyfin:ItemAdded": 12, "jellyseerr:MEDIA_AVAILABLE": 1 },
  "airing-show": { "jellyseerr:MEDIA_AUTO_APPROVED": 1, "sonarr:SeriesAdd": 1, "sonarr:Grab": 8, "sonarr:Download": 8, "jellyfin:ItemAdded": 8, "jellyseerr:MEDIA_AVAILABLE": 1 },
  "fault-stalled": { "jellyseerr:MEDIA_AUTO_APPROVED": 1, "radarr:MovieAdded": 1, "radarr:Grab": 1 },
  "fault-import-blocked": {
    "jellyseerr:MEDIA_AUTO_APPROVED": 1,
    "sonarr:SeriesAdd": 1,
    "sonarr:Grab": 1,
    "sonarr:Download": 9,
    "sonarr:ManualInteractionRequired": 1,
    "jellyfin:ItemAdded": 9,
  },
  "fault-no-release": { "jellyseerr:MEDIA_AUTO_APPROVED": 1, "radarr:MovieAdded": 1 },
  "fault-shoko-unmatched": { "jellyseerr:MEDIA_AUTO_APPROVED": 1, "radarr:MovieAdded": 1, "radarr:Grab": 1, "radarr:Download": 1 },
  "fault-webhook-missing": { "jellyseerr:MEDIA_AUTO_APPROVED": 1, "radarr:MovieAdded": 1, "radarr:Grab": 1, "jellyfin:ItemAdded": 1, "jellyseerr:MEDIA_AVAILABLE": 1 },
  "fault-webhook-duplicate": {
    "jellyseerr:MEDIA_AUTO_APPROVED": 2,
    "sonarr:SeriesAdd": 1,
    "sonarr:Grab": 2,
    "sonarr:Download": 8,
    "jellyfin:ItemAdded": 6,
    "jellyseerr:MEDIA_AVAILABLE": 1,
  },
  "fault-webhook-late": { "jellyseerr:MEDIA_AUTO_APPROVED": 1, "radarr:MovieAdded": 1, "radarr:Grab": 1, "radarr:Download": 1, "jellyfin:ItemAdded": 1, "jellyseerr:MEDIA_AVAILABLE": 1 },
  "fault-webhook-out-of-order": { "jellyseerr:MEDIA_AUTO_APPROVED": 1, "radarr:MovieAdded": 1, "radarr:Grab": 1, "radarr:Download": 1, "jellyfin:ItemAdded": 1, "jellyseerr:MEDIA_AVAILABLE": 1 },
  "fault-service-down": { "jellyseerr:MEDIA_AUTO_APPROVED": 1, "radarr:MovieAdded": 1, "radarr:Grab": 1, "radarr:Download": 1, "jellyfin:ItemAdded": 1, "jellyseerr:MEDIA_AVAILABLE": 1 },
  "fault-arr-down": { "jellyseerr:MEDIA_AUTO_APPROVED": 1 },
};

function wireEvent(body: Record<string, unknown>): string {
  return String(body.eventType ?? body.notification_type ?? body.NotificationType);
}

function counts(capture: WebhookCapture): Record<string, number> {
  const out: Record<string, number> = {};
  for (const hook of capture.received) {
    const key = `${hook.service}:${wireEvent(hook.body as Record<string, unknown>)}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

function order(capture: WebhookCapture): string[] {
  return capture.received.map((h) => `${h.service}:${wireEvent(h.body as Record<string, unknown>)}`);
}

let capture: WebhookCapture;
let stack: SimStack;

beforeEach(async () => {
  capture = await startWebhookCapture("hook-secret");
  stack = await startSimStack({ clock: new ManualClock(START, 0), tracker: { url: capture.url, webhookSecret: capture.webhookSecret } });
});

afterEach(async () => {
  await stack.stop();
  await capture.stop();
});

describe("simulated webhooks", () => {
  it("cover every scenario", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...SCENARIO_NAMES].sort());
  });

  it.each(SCENARIO_NAMES)("%s: every delivery parses with the tracker's parsers into the intended events", async (name) => {
    stack.runScenario(name);
    await stack.advance(SCENARIOS[name].settleMs);

    expect(counts(capture)).toEqual(EXPECTED[name]);
    for (const hook of capture.received) {
      expect(hook.token).toBe("hook-secret");
      expect(hook.contentType).toMatch(/^application\/json/);
      const body = hook.body as Record<string, unknown>;
      const parsed = webhookParsers[hook.service as WebhookService](body, START);
      expect(parsed.outcome, `${hook.service} ${wireEvent(body)}`).toBe("events");
      if (parsed.outcome !== "events") continue;
      expect(parsed.events.map((e) => e.type)).toEqual([DOMAIN[wireEvent(body)]]);
    }
  });
});

describe("webhook payload details", () => {
  it("Jellyseerr sends every value as a string, with Requested Seasons for series", async () => {
    stack.runScenario("tv-season-pack");
    await stack.advance(20_000);
    const pending = capture.received.find((h) => (h.body as { notification_type: string }).notification_type === "MEDIA_PENDING");
    const body = pending?.body as Record<string, Record<string, unknown>>;
    expect(body.media).toMatchObject({ media_type: "tv", tmdbId: "198452", tvdbId: "412877", status: "PENDING", status4k: "UNKNOWN" });
    expect(typeof body.request.request_id).toBe("string");
    expect(body.request.requestedBy_username).toBe("household");
    expect(body.extra).toEqual([{ name: "Requested Seasons", value: "1" }]);
    expect(body.issue).toBeNull();
    expect(String(body.image)).toMatch(/^https:\/\/image\.tmdb\.org\/t\/p\/w600_and_h900_bestv2\/\w{27}\.jpg$/);
  });

  it("arr payloads carry the upper-case info-hash that qBittorrent lists in lower case", async () => {
    stack.runScenario("movie");
    await stack.advance(30_000);
    const grab = capture.received.find((h) => h.service === "radarr" && wireEvent(h.body as Record<string, unknown>) === "Grab");
    const downloadId = (grab?.body as { downloadId: string }).downloadId;
    expect(downloadId).toMatch(/^[0-9A-F]{40}$/);
    expect([...stack.world.qbit.torrents.keys()]).toEqual([downloadId.toLowerCase()]);
    expect(grab?.userAgent).toMatch(/^Radarr\/5\./);
  });

  it("Sonarr sends one Download per file of a pack, then import-complete with episodeFiles and fileCount", async () => {
    stack.runScenario("tv-season-pack");
    await stack.advance(SCENARIOS["tv-season-pack"].settleMs);
    const downloads = capture.received.filter((h) => h.service === "sonarr" && wireEvent(h.body as Record<string, unknown>) === "Download");
    const perFile = downloads.filter((h) => "episodeFile" in (h.body as object));
    const complete = downloads.filter((h) => "episodeFiles" in (h.body as object));
    expect(perFile).toHaveLength(8);
    expect(complete).toHaveLength(1);
    const body = complete[0].body as { fileCount: number; episodeFiles: unknown[]; destinationPath: string; sourcePath: string };
    expect(body.fileCount).toBe(8);
    expect(body.episodeFiles).toHaveLength(8);
    expect(body.destinationPath).toBe("/data/media/tv/Harrow Fen (2022)/Season 01");
    expect(body.sourcePath).toMatch(/^\/data\/torrents\/tv-sonarr\/Harrow\.Fen\.S01\./);
    // Import-complete comes after the last per-file import.
    expect(complete[0].seq).toBeGreaterThan(Math.max(...perFile.map((h) => h.seq)));
  });

  it("anime items arrive from Shokofin with Shoko and AniDB provider ids", async () => {
    stack.runScenario("anime-movie");
    await stack.advance(SCENARIOS["anime-movie"].settleMs);
    const item = capture.received.find((h) => h.service === "jellyfin")?.body as Record<string, unknown>;
    expect(item.NotificationType).toBe("ItemAdded");
    expect(item.ItemType).toBe("Movie");
    expect(item.ItemId).toMatch(/^[0-9a-f]{32}$/);
    expect(item).toHaveProperty("Provider_shoko series");
    expect(item).toHaveProperty("Provider_anidb");
    expect(item).not.toHaveProperty("Provider_tmdb");
  });

  it("a dropped webhook never arrives but is logged as dropped", async () => {
    stack.runScenario("fault-webhook-missing");
    await stack.advance(SCENARIOS["fault-webhook-missing"].settleMs);
    expect(order(capture)).not.toContain("radarr:Download");
    expect(stack.webhooks.log.find((d) => d.service === "radarr" && d.event === "Download")?.status).toBe("dropped");
    // The import happened all the same: only polling can tell.
    expect([...stack.world.radarr.movies.values()][0].movieFileId).toBeDefined();
  });

  it("a duplicated webhook arrives twice, byte for byte", async () => {
    stack.runScenario("fault-webhook-duplicate");
    await stack.advance(SCENARIOS["fault-webhook-duplicate"].settleMs);
    const grabs = capture.received.filter((h) => h.service === "sonarr" && wireEvent(h.body as Record<string, unknown>) === "Grab");
    expect(grabs).toHaveLength(2);
    expect(grabs[0].raw).toBe(grabs[1].raw);
  });

  it("a late webhook arrives after the event it precedes", async () => {
    stack.runScenario("fault-webhook-late");
    await stack.advance(SCENARIOS["fault-webhook-late"].settleMs);
    const seen = order(capture);
    expect(seen.indexOf("radarr:Download")).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf("radarr:Grab")).toBeGreaterThan(seen.indexOf("radarr:Download"));
  });

  it("an out-of-order webhook is overtaken: Radarr's Grab comes before Seerr's approval", async () => {
    stack.runScenario("fault-webhook-out-of-order");
    await stack.advance(SCENARIOS["fault-webhook-out-of-order"].settleMs);
    const seen = order(capture);
    expect(seen.indexOf("jellyseerr:MEDIA_AUTO_APPROVED")).toBeGreaterThan(seen.indexOf("radarr:Grab"));
  });

  it("the Jellyfin plugin batches ItemAdded on its 30 s task, after the library monitor delay", async () => {
    stack.runScenario("tv-season-pack");
    await stack.advance(SCENARIOS["tv-season-pack"].settleMs);
    const imported = capture.received.filter((h) => h.service === "sonarr" && "episodeFile" in (h.body as object));
    const items = capture.received.filter((h) => h.service === "jellyfin");
    expect(items).toHaveLength(8);
    // All eight land in the same plugin pass: consecutive deliveries.
    const seqs = items.map((h) => h.seq);
    expect(Math.max(...seqs) - Math.min(...seqs)).toBe(7);
    expect(Math.min(...seqs)).toBeGreaterThan(Math.max(...imported.map((h) => h.seq)));
  });

  it("sends nothing when the tracker is unset, and logs a failed delivery when it answers 500", async () => {
    stack.setTracker(null);
    stack.runScenario("movie");
    await stack.advance(5_000);
    expect(capture.received).toHaveLength(0);
    expect(stack.webhooks.log[0].status).toBe("skipped");
    stack.setTracker({ url: capture.url, webhookSecret: capture.webhookSecret });
    capture.respondWith(500);
    await stack.advance(20_000);
    const failed = stack.webhooks.log.filter((d) => d.status === "failed");
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].httpStatus).toBe(500);
  });
});
