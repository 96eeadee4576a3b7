import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { ManualClock } from "@/server/clock";
import { createLogger } from "@/server/logger";
import { migrateDb, openDb, type Db } from "@/server/db/client";
import { episodes, integrations, requests, timeline } from "@/server/db/schema";
import { ChangeBus } from "@/server/realtime/bus";
import { PipelineRunner } from "@/server/pipeline/runner";
import { webhookParsers } from "@/server/webhooks";
import { JellyfinClient } from "@/server/clients/jellyfin";
import { ShokoClient } from "@/server/clients/shoko";
import { createLibraryVerifier, type LibraryVerifier } from "@/server/pollers/library";
import { shokoPoller } from "@/server/pollers/shoko";
import type { JobSpec } from "@/server/pollers/scheduler";
import { SCENARIOS, startSimStack, type SimStack } from "@/sim";

/*
 * The Shoko poller over the simulated stack: the services' webhooks drive a real pipeline
 * (temp-file database, ManualClock) with Shoko and Jellyfin configured; the poller asks Shoko
 * about each imported anime file and the verifier asks Jellyfin.
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
const MIN = 60_000;

interface Harness {
  stack: SimStack;
  clock: ManualClock;
  db: Db;
  poller: JobSpec;
  verifier: LibraryVerifier;
  /** Moves the clock in steps, feeding the services' webhooks to the pipeline and running the poller. */
  advance(ms: number, stepMs?: number): Promise<void>;
  poll(): Promise<void>;
  request(): Promise<typeof requests.$inferSelect>;
  episodeStates(): Promise<string[]>;
  timelineOf(id: number): Promise<{ kind: string; details: string | null; source: string }[]>;
  close(): Promise<void>;
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(): Promise<Harness> {
  const clock = new ManualClock(START, 0);
  const stack = await startSimStack({ clock, tracker: null });
  const dir = mkdtempSync(join(tmpdir(), "shoko-poller-"));
  const db = await openDb(`file:${join(dir, "test.db")}`);
  await migrateDb(db, "./drizzle");
  const logger = createLogger({ level: "error", write: () => undefined });
  const runner = new PipelineRunner({ db, clock, logger, bus: new ChangeBus(), shokoEnabled: true, libraryVerification: true });
  const jellyfin = new JellyfinClient({ baseUrl: stack.urls.jellyfin, apiKey: stack.credentials.jellyfin.apiKey, retries: 0 });
  const shoko = new ShokoClient({ baseUrl: stack.urls.shoko, apiKey: stack.credentials.shoko.apiKey, retries: 0, now: () => clock.now() });
  const verifier = createLibraryVerifier({ db, clock, logger, runner, jellyfin });
  const poller = shokoPoller({ db, clock, logger, runner, shoko });
  const pending = new Set<Promise<unknown>>();
  runner.onEffect((requestId, effect) => {
    const p = verifier.handleEffect(requestId, effect);
    pending.add(p);
    const done = () => void pending.delete(p);
    p.then(done, done);
    return p;
  });
  const settle = async () => {
    do {
      await runner.idle();
      await Promise.allSettled([...pending]);
    } while (pending.size > 0 || runner.queueLength > 0);
  };
  let delivered = 0;
  const h: Harness = {
    stack,
    clock,
    db,
    poller,
    verifier,
    async poll() {
      await poller.run({ signal: new AbortController().signal });
      await settle();
    },
    async advance(ms, stepMs = 10_000) {
      for (let t = 0; t < ms; t += stepMs) {
        await stack.advance(Math.min(stepMs, ms - t));
        const log = stack.webhooks.log;
        while (delivered < log.length) {
          const d = log[delivered++];
          if (d.status === "dropped") continue;
          const parsed = webhookParsers[d.service](d.body, clock.now());
          if (parsed.outcome === "events") for (const e of parsed.events) void runner.submit(e);
        }
        await settle();
        await h.poll();
      }
    },
    async request() {
      const [row] = await db.select().from(requests).orderBy(requests.id);
      return row;
    },
    async episodeStates() {
      return (await db.select().from(episodes).orderBy(episodes.season, episodes.episode)).map((e) => e.state);
    },
    async timelineOf(id) {
      return (await db.select().from(timeline).where(eq(timeline.requestId, id)).orderBy(timeline.id)).map((t) => ({ kind: t.kind, details: t.details, source: t.source }));
    },
    async close() {
      await settle();
      await stack.stop();
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  harness = h;
  return h;
}

describe("Shoko poller", () => {
  it("an unrecognised anime file ends in match_failed, with a reason a person understands", async () => {
    const h = await start();
    h.stack.runScenario("fault-shoko-unmatched");
    // Until the grace period is over, Shoko is still matching as far as anyone can tell.
    await h.advance(8 * MIN);
    let r = await h.request();
    expect(r).toMatchObject({ isAnime: true, state: "anime_matching", stuckReason: null });
    expect(r.importedPath).toMatch(/^\/data\/anime\/movies\/Hoshizora Relay/);
    await h.advance(20 * MIN);
    r = await h.request();
    const name = r.importedPath!.split("/").pop();
    expect(r.state).toBe("match_failed");
    expect(r.stuckReason).toBe(`Shoko could not match ${name} to an AniDB episode`);
    const failed = (await h.timelineOf(r.id)).filter((t) => t.kind === "failed");
    expect(failed).toEqual([{ kind: "failed", source: "shoko", details: `Shoko could not match ${name} to an AniDB episode` }]);
    // Told once: later polls change nothing.
    await h.advance(30 * MIN, 5 * MIN);
    expect((await h.timelineOf(r.id)).filter((t) => t.kind === "failed")).toHaveLength(1);
    const [row] = await h.db.select().from(integrations).where(eq(integrations.service, "shoko"));
    expect(row.version).toBe("5.3.3.0");
  });

  it("a matched anime film is linked to its Shoko series, then found in Jellyfin by that id", async () => {
    const h = await start();
    h.stack.runScenario("anime-movie");
    await h.advance(SCENARIOS["anime-movie"].settleMs);
    const r = await h.request();
    const series = h.stack.world.shoko.seriesForKey("kazemachi")!;
    expect(r).toMatchObject({ state: "available", shokoSeriesId: series.id, jellyfinItemId: h.stack.world.jellyfin.movieItemFor("kazemachi")!.id });
    const kinds = (await h.timelineOf(r.id)).map((t) => t.kind);
    expect(kinds).toEqual(expect.arrayContaining(["imported", "matching", "matched", "available"]));
    expect(kinds.filter((k) => k === "matched")).toHaveLength(1);
    await h.db.update(requests).set({ jellyfinItemId: null }).where(eq(requests.id, r.id));
    expect(await h.verifier.verify(r.id, "admin")).toMatchObject({ found: true, matchedBy: "Shoko series id" });
  });

  it("an anime season: every file linked by Shoko, every episode verified in Jellyfin", async () => {
    const h = await start();
    h.stack.runScenario("anime-season");
    await h.advance(SCENARIOS["anime-season"].settleMs);
    const r = await h.request();
    expect(r).toMatchObject({ isAnime: true, state: "available", shokoSeriesId: h.stack.world.shoko.seriesForKey("tsukiyo-couriers")!.id });
    expect(await h.episodeStates()).toEqual(Array(12).fill("available"));
    // Files Shoko linked in the same poll are told as one step, not one line per file.
    expect((await h.timelineOf(r.id)).filter((t) => t.kind === "matched")).toHaveLength(1);
    const eps = await h.db.select().from(episodes).where(eq(episodes.requestId, r.id));
    expect(eps.every((e) => e.jellyfinId !== null)).toBe(true);
  });

  it("a file Shoko never sees is named once the grace period is over", async () => {
    const h = await start();
    // Jellyfin is away, so nothing but Shoko could settle this request.
    await h.stack.setDown("jellyfin", true);
    h.stack.runScenario("movie");
    for (let i = 0; i < 60 && (await h.request())?.state !== "importing"; i++) await h.advance(10_000);
    let r = await h.request();
    expect(r.state).toBe("importing");
    // Tagged anime, but imported outside every Shoko import folder.
    await h.db.update(requests).set({ isAnime: true, animeSource: "tag" }).where(eq(requests.id, r.id));
    await h.advance(10 * MIN, MIN);
    expect((await h.request()).stuckReason).toBeNull();
    await h.advance(10 * MIN, MIN);
    r = await h.request();
    const name = r.importedPath!.split("/").pop();
    expect(r.stuckReason).toBe(`Shoko has not picked up ${name}: check that its folder is inside one of Shoko's import folders`);
    await h.advance(20 * MIN, 5 * MIN);
    expect((await h.timelineOf(r.id)).filter((t) => t.kind === "stuck")).toEqual([{ kind: "stuck", source: "shoko", details: r.stuckReason }]);
  });
});
