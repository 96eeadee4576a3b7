import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { and, asc, eq } from "drizzle-orm";
import { ManualClock } from "@/server/clock";
import { createLogger } from "@/server/logger";
import { migrateDb, openDb, type Db } from "@/server/db/client";
import { downloads, episodes, integrations, requests, timeline } from "@/server/db/schema";
import { ChangeBus } from "@/server/realtime/bus";
import { PipelineRunner } from "@/server/pipeline/runner";
import { Scheduler } from "@/server/pollers/scheduler";
import { arrPollers } from "@/server/pollers/arr";
import { RadarrClient } from "@/server/clients/radarr";
import { SonarrClient } from "@/server/clients/sonarr";
import { webhookParsers } from "@/server/webhooks";
import type { WebhookService } from "@/server/webhooks/types";
import { startSimStack, type SimStack } from "@/sim";

/*
 * The Sonarr/Radarr poller against the simulated stack over real HTTP, with a temp-file database
 * and the real pipeline. The simulator's webhooks reach the pipeline through the real parsers (a
 * small receiver stands in for the webhook route); the poller runs through the real scheduler.
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Harness {
  stack: SimStack;
  db: Db;
  runner: PipelineRunner;
  scheduler: Scheduler;
  clock: ManualClock;
  radarr: RadarrClient;
  sonarr: SonarrClient;
  webhookErrors: string[];
  /** Advances the world in steps, running both pollers after each. */
  step(totalMs: number, everyMs: number, after?: () => Promise<void>): Promise<void>;
  poll(): Promise<void>;
  stop(): Promise<void>;
}

let current: Harness | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

async function harness(opts: { drop?: (service: string, body: Record<string, unknown>) => boolean } = {}): Promise<Harness> {
  const clock = new ManualClock(START, 0);
  const dir = mkdtempSync(join(tmpdir(), "arr-poller-"));
  const db = await openDb(`file:${join(dir, "t.db")}`);
  await migrateDb(db);
  const logger = createLogger({ write: () => undefined });
  const runner = new PipelineRunner({ db, clock, logger, bus: new ChangeBus(), shokoEnabled: false, libraryVerification: false });

  // Webhooks from the simulated services, through the real parsers, into the pipeline.
  const webhookErrors: string[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const service = /^\/api\/hooks\/([a-z]+)/.exec(req.url ?? "")?.[1] as WebhookService;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        if (!opts.drop?.(service, body)) {
          const parsed = webhookParsers[service](body, clock.now());
          if (parsed.outcome === "events") for (const event of parsed.events) await runner.submit(event);
        }
        res.end("{}");
      } catch (err) {
        webhookErrors.push(`${service}: ${err instanceof Error ? err.message : String(err)}`);
        res.statusCode = 400;
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const stack = await startSimStack({ clock, tracker: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, webhookSecret: "unused" } });

  const noWait = async () => undefined;
  const radarr = new RadarrClient({ baseUrl: stack.urls.radarr, apiKey: stack.credentials.radarr.apiKey, retryDelay: noWait });
  const sonarr = new SonarrClient({ baseUrl: stack.urls.sonarr, apiKey: stack.credentials.sonarr.apiKey, retryDelay: noWait });
  const scheduler = new Scheduler({ db, clock, logger, random: () => 0.5 });
  for (const job of arrPollers({ db, clock, logger, runner, sonarr, radarr })) scheduler.register(job);

  const poll = async () => {
    for (const name of ["sonarr", "radarr"]) {
      const status = await scheduler.runNow(name);
      if (status.lastError) throw new Error(`${name} poll failed: ${status.lastError}`);
    }
    await runner.idle();
  };
  const h: Harness = {
    stack,
    db,
    runner,
    scheduler,
    clock,
    radarr,
    sonarr,
    webhookErrors,
    poll,
    async step(totalMs, everyMs, after) {
      for (let done = 0; done < totalMs; done += everyMs) {
        await stack.advance(Math.min(everyMs, totalMs - done));
        await poll();
        await after?.();
      }
    },
    async stop() {
      await scheduler.stop();
      await stack.stop();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  current = h;
  return h;
}

const movieRequest = async (db: Db, tmdbId: number) => {
  const rows = await db.select().from(requests).where(and(eq(requests.mediaType, "movie"), eq(requests.tmdbId, tmdbId)));
  expect(rows).toHaveLength(1);
  return rows[0];
};
const tvRequest = async (db: Db, tvdbId: number) => {
  const rows = await db.select().from(requests).where(and(eq(requests.mediaType, "tv"), eq(requests.tvdbId, tvdbId)));
  expect(rows).toHaveLength(1);
  return rows[0];
};
const episodesOf = (db: Db, requestId: number) => db.select().from(episodes).where(eq(episodes.requestId, requestId)).orderBy(asc(episodes.season), asc(episodes.episode));
const timelineOf = (db: Db, requestId: number) => db.select().from(timeline).where(eq(timeline.requestId, requestId)).orderBy(asc(timeline.id));

describe("import blocked (Sonarr season pack with a rejected file)", () => {
  it("the request carries the arr's reason as a sentence a person understands, said once", async () => {
    const h = await harness();
    h.stack.runScenario("fault-import-blocked");
    await h.step(40 * MINUTE, 30_000);
    const r = await tvRequest(h.db, 360412);
    expect(r.stuckReason).toBe("Import blocked: No audio tracks detected (S01E10)");
    expect(r.state).toBe("downloaded");
    const eps = await episodesOf(h.db, r.id);
    expect(eps.find((e) => e.episode === 10)).toMatchObject({ state: "downloaded", stuckReason: "Import blocked: No audio tracks detected (S01E10)" });
    expect(eps.filter((e) => e.episode !== 10).every((e) => e.state === "available" && e.stuckReason === null)).toBe(true);

    // More runs over a blocked queue say nothing new.
    const before = (await timelineOf(h.db, r.id)).length;
    await h.step(10 * MINUTE, 30_000);
    const entries = await timelineOf(h.db, r.id);
    expect(entries).toHaveLength(before);
    // The Grab webhook arrived: no recovered grab on top of it.
    expect(entries.filter((t) => t.kind === "grabbed")).toHaveLength(1);
    expect(entries.filter((t) => t.kind === "stuck").at(-1)).toMatchObject({ source: "sonarr", details: "Import blocked: No audio tracks detected (S01E10)" });
    expect(h.webhookErrors).toEqual([]);
  });
});

describe("missed Download webhook (Radarr)", () => {
  it("polling sees the import, the request moves on to available", async () => {
    const h = await harness();
    h.stack.runScenario("fault-webhook-missing");
    const tmdbId = h.stack.world.catalogue.movie("glass-harbour").tmdbId;
    const seen: string[] = [];
    await h.step(30 * MINUTE, 15_000, async () => {
      const rows = await h.db.select({ state: requests.state }).from(requests).where(eq(requests.tmdbId, tmdbId));
      if (rows[0] && seen.at(-1) !== rows[0].state) seen.push(rows[0].state);
    });
    expect(h.stack.webhooks.log.filter((d) => d.service === "radarr" && d.event === "Download").map((d) => d.status)).toEqual(["dropped"]);

    const r = await movieRequest(h.db, tmdbId);
    const movie = h.stack.world.radarr.movieByKey("glass-harbour")!;
    const file = h.stack.world.radarr.movieFiles.get(movie.movieFileId!)!;
    // Grabbed from the webhook within the first step; imported only by polling; then Jellyfin's hint.
    expect(seen).toEqual(["grabbing", "importing", "available"]);
    expect(r).toMatchObject({ state: "available", importedPath: file.path, radarrId: movie.id, stuckReason: null });
    const entries = await timelineOf(h.db, r.id);
    const imported = entries.find((t) => t.kind === "imported")!;
    expect(imported).toMatchObject({ source: "radarr", inferred: false, at: file.dateAdded, details: `Imported ${file.relativePath}` });
    const [dl] = await h.db.select().from(downloads).where(eq(downloads.requestId, r.id));
    const grab = [...h.stack.world.radarr.tracked.values()].find((td) => td.mediaId === movie.id)!;
    expect(dl.hash).toBe(grab.downloadId.toLowerCase());
  });
});

describe("airing show (Sonarr)", () => {
  it("knows its unaired episodes with air dates, is available when the aired ones are, and picks up the next one", async () => {
    const h = await harness();
    h.stack.runScenario("airing-show");
    await h.step(10 * MINUTE, 15_000);
    await h.step(50 * MINUTE, MINUTE);
    const tvdbId = h.stack.world.catalogue.series("copperline").tvdbId;
    let r = await tvRequest(h.db, tvdbId);
    expect(r.state).toBe("available");
    const catalogue = h.stack.world.catalogue.series("copperline").seasons[0].episodes;
    let eps = await episodesOf(h.db, r.id);
    expect(eps.map((e) => [e.episode, e.title, e.airDateUtc, e.state])).toEqual(
      catalogue.map((c) => [c.number, c.title, c.airDateUtc, c.number <= 3 ? "available" : "unaired"]),
    );
    expect(eps.every((e) => e.sonarrEpisodeId !== null)).toBe(true);
    const expecting = (await timelineOf(h.db, r.id)).find((t) => t.details?.startsWith("Expecting"));
    // The three aired episodes came with their Grab webhooks; the list adds the five to come.
    expect(expecting?.details).toBe(`Expecting 5 episodes, S01E04–S01E08; 5 not aired yet, next S01E04 on ${new Date(catalogue[3].airDateUtc!).toISOString().slice(0, 10)}`);

    // The fourth episode airs: the show is looking for it again before its release is out.
    const airs = catalogue[3].airDateUtc!;
    await h.stack.advance(airs + 5 * MINUTE - h.clock.now());
    await h.poll();
    r = await tvRequest(h.db, tvdbId);
    expect(r.state).toBe("searching");
    expect((await episodesOf(h.db, r.id))[3].state).toBe("wanted");
    expect((await timelineOf(h.db, r.id)).at(-1)).toMatchObject({ kind: "searching", details: "Aired: S01E04", source: "sonarr" });

    // Its release shows up, downloads and reaches the library.
    await h.step(2 * HOUR, MINUTE);
    r = await tvRequest(h.db, tvdbId);
    eps = await episodesOf(h.db, r.id);
    expect(r.state).toBe("available");
    expect(eps.map((e) => e.state)).toEqual(["available", "available", "available", "available", "unaired", "unaired", "unaired", "unaired"]);
    expect(h.webhookErrors).toEqual([]);
  });
});

describe("missed Grab webhook (Sonarr season pack)", () => {
  it("the queue entry becomes the grab: hash, release, quality and every episode", async () => {
    const h = await harness({ drop: (service, body) => service === "sonarr" && body.eventType === "Grab" });
    h.stack.runScenario("tv-season-pack");
    await h.step(MINUTE, 15_000);
    const r = await tvRequest(h.db, h.stack.world.catalogue.series("harrow-fen").tvdbId);
    const [tracked] = [...h.stack.world.sonarr.tracked.values()];
    expect(r).toMatchObject({ state: "grabbing", quality: "WEBDL-1080p", releaseTitle: tracked.release.title.replace(/\.mkv$/, ""), indexer: tracked.release.indexer });
    const [dl] = await h.db.select().from(downloads).where(eq(downloads.requestId, r.id));
    expect(dl.hash).toBe(tracked.downloadId.toLowerCase());
    const eps = await episodesOf(h.db, r.id);
    expect(eps).toHaveLength(8);
    expect(eps.every((e) => e.state === "grabbing" && e.downloadHash === dl.hash && e.airDateUtc !== null)).toBe(true);
    const kinds = (await timelineOf(h.db, r.id)).map((t) => `${t.kind}:${t.source}`);
    expect(kinds).toEqual(["requested:jellyseerr", "approved:jellyseerr", "searching:sonarr", "note:sonarr", "grabbed:sonarr"]);

    await h.step(30 * MINUTE, MINUTE);
    expect((await tvRequest(h.db, r.tvdbId!)).state).toBe("available");
  });
});

describe("no release (Radarr)", () => {
  it("nothing to recover, nothing stuck from the arr, one cheap check a minute", async () => {
    const h = await harness();
    h.stack.runScenario("fault-no-release");
    await h.step(MINUTE, 15_000);
    const callsBefore = h.radarr.stats.calls;
    await h.step(2 * HOUR, MINUTE);
    const r = await movieRequest(h.db, h.stack.world.catalogue.movie("salt-and-static").tmdbId);
    expect(r).toMatchObject({ state: "searching", stuckReason: null });
    expect((await timelineOf(h.db, r.id)).some((t) => t.kind === "grabbed" || t.kind === "stuck")).toBe(false);
    // Per run: the queue, and the movie's file check.
    expect((h.radarr.stats.calls - callsBefore) / 120).toBeLessThanOrEqual(2);
  });
});

describe("a Sonarr that is down", () => {
  it("fails the job (the scheduler shows it unhealthy), leaves Radarr's alone, and recovers", async () => {
    const h = await harness();
    const [sonarrJob] = arrPollers({ db: h.db, clock: h.clock, logger: createLogger({ write: () => undefined }), runner: h.runner, sonarr: h.sonarr });
    expect(sonarrJob).toMatchObject({ name: "sonarr", service: "sonarr" });
    expect(sonarrJob.interval()).toBe(60_000);

    h.stack.runScenario("tv-season-pack");
    await h.step(MINUTE, 15_000);
    await h.stack.setDown("sonarr", true);
    const failed = await h.scheduler.runNow("sonarr");
    expect(failed.consecutiveFailures).toBe(1);
    expect(failed.lastError).toMatch(/^Sonarr is unreachable at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
    const [row] = await h.db.select().from(integrations).where(eq(integrations.service, "sonarr"));
    expect(row.lastPollErrorAt).not.toBeNull();
    expect(row.lastError).toBe(failed.lastError);
    expect((await h.scheduler.runNow("radarr")).lastError).toBeNull();

    await h.stack.setDown("sonarr", false);
    const recovered = await h.scheduler.runNow("sonarr");
    expect(recovered).toMatchObject({ consecutiveFailures: 0, lastError: null });
    const [after] = await h.db.select().from(integrations).where(eq(integrations.service, "sonarr"));
    expect(after.lastError).toBeNull();
    expect(after.lastPollOkAt).not.toBeNull();
  });

  it("polls every 15 s while a request is under way, every minute otherwise", async () => {
    const h = await harness();
    const jobs = arrPollers({ db: h.db, clock: h.clock, logger: createLogger({ write: () => undefined }), runner: h.runner, sonarr: h.sonarr, radarr: h.radarr });
    expect(jobs.map((j) => j.name)).toEqual(["sonarr", "radarr"]);
    h.stack.runScenario("movie");
    await h.stack.advance(10_000);
    for (const job of jobs) await job.run({ signal: new AbortController().signal });
    expect(jobs.map((j) => j.interval())).toEqual([60_000, 15_000]);
  });
});
