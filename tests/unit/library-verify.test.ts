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
import { createLibraryVerifier, recheckDelay, type LibraryVerifier } from "@/server/pollers/library";
import { SCENARIOS, startSimStack, type SimStack } from "@/sim";
import type { JfItem } from "@/sim/model/jellyfin";

/*
 * Library verification over the simulated stack: the services' own webhooks drive a real pipeline
 * (temp-file database, ManualClock), Jellyfin is asked over HTTP, and "available" follows only
 * from a playable file with exactly the request's ids.
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
const MIN = 60_000;

interface Harness {
  stack: SimStack;
  clock: ManualClock;
  db: Db;
  runner: PipelineRunner;
  verifier: LibraryVerifier;
  /** Whether the pipeline's "verifyInLibrary" effects run (off to look at one step at a time). */
  effects: boolean;
  /** Moves the clock in steps, feeding each webhook the services fired into the pipeline. */
  advance(ms: number, stepMs?: number, until?: () => Promise<boolean>): Promise<void>;
  settle(): Promise<void>;
  request(): Promise<typeof requests.$inferSelect>;
  episodeStates(): Promise<string[]>;
  close(): Promise<void>;
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(opts: { shoko?: boolean } = {}): Promise<Harness> {
  const clock = new ManualClock(START, 0);
  const stack = await startSimStack({ clock, tracker: null });
  const dir = mkdtempSync(join(tmpdir(), "library-verify-"));
  const db = await openDb(`file:${join(dir, "test.db")}`);
  await migrateDb(db, "./drizzle");
  const logger = createLogger({ level: "error", write: () => undefined });
  const runner = new PipelineRunner({ db, clock, logger, bus: new ChangeBus(), shokoEnabled: opts.shoko ?? false, libraryVerification: true });
  const jellyfin = new JellyfinClient({ baseUrl: stack.urls.jellyfin, apiKey: stack.credentials.jellyfin.apiKey, retries: 0 });
  const verifier = createLibraryVerifier({ db, clock, logger, runner, jellyfin });
  const pending = new Set<Promise<unknown>>();
  let delivered = 0;
  const h: Harness = {
    stack,
    clock,
    db,
    runner,
    verifier,
    effects: true,
    async settle() {
      do {
        await runner.idle();
        await Promise.allSettled([...pending]);
      } while (pending.size > 0 || runner.queueLength > 0);
    },
    async advance(ms, stepMs = 5_000, until) {
      for (let t = 0; t < ms; t += stepMs) {
        await stack.advance(Math.min(stepMs, ms - t));
        const log = stack.webhooks.log;
        while (delivered < log.length) {
          const d = log[delivered++];
          if (d.status === "dropped") continue;
          const parsed = webhookParsers[d.service](d.body, clock.now());
          if (parsed.outcome === "events") for (const e of parsed.events) void runner.submit(e);
        }
        await h.settle();
        if (until && (await until())) return;
      }
    },
    async request() {
      const [row] = await db.select().from(requests).orderBy(requests.id);
      return row;
    },
    async episodeStates() {
      const rows = await db.select().from(episodes).orderBy(episodes.season, episodes.episode);
      return rows.map((e) => e.state);
    },
    async close() {
      await h.settle();
      await stack.stop();
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  runner.onEffect((requestId, effect) => {
    if (!h.effects) return Promise.resolve();
    const p = verifier.handleEffect(requestId, effect);
    pending.add(p);
    const done = () => void pending.delete(p);
    p.then(done, done);
    return p;
  });
  harness = h;
  return h;
}

/** A Jellyfin item the scenario did not make: a look-alike or a placeholder. */
function plantItem(stack: SimStack, item: Partial<JfItem> & Pick<JfItem, "id" | "name" | "providerIds" | "locationType">): void {
  const library = stack.world.jellyfin.libraries.find((l) => l.name === "Movies")!;
  stack.world.jellyfin.items.set(item.id, {
    type: "Movie",
    key: "northbound-freight",
    libraryId: library.id,
    dateCreated: stack.world.now(),
    genres: [],
    ...item,
  });
}

describe("library verification", () => {
  it("takes a film as available only from a playable file with exactly its TMDB id", async () => {
    const h = await start();
    // Same title, another TMDB id, playable; and the right id on a Virtual placeholder.
    plantItem(h.stack, {
      id: "decoy0000000000000000000000000001",
      name: "The Lantern Keeper's Daughter",
      productionYear: 2021,
      providerIds: { Tmdb: "912403", Imdb: "tt99999999" },
      path: "/data/media/movies/The Lantern Keeper's Daughter (1987)/The Lantern Keeper's Daughter (1987).mkv",
      locationType: "FileSystem",
      size: 1_000_000,
    });
    plantItem(h.stack, { id: "decoy0000000000000000000000000002", name: "The Lantern Keeper's Daughter", providerIds: { Tmdb: "812403" }, locationType: "Virtual" });
    h.stack.runScenario("movie");
    await h.advance(SCENARIOS.movie.settleMs, 5_000, async () => (await h.request())?.state === "importing");
    let r = await h.request();
    expect(r).toMatchObject({ state: "importing", tmdbId: 812403 });

    // Imported, but Jellyfin's library monitor has not picked the file up: only the decoys exist.
    const early = await h.verifier.verify(r.id, "test");
    expect(early).toMatchObject({ found: false, emitted: false });
    expect(early.detail).toBe("Not in Jellyfin yet: no playable film with TMDB id 812403 or IMDb id tt13870214");
    expect((await h.request()).state).toBe("importing");

    // The import's own verification and Jellyfin's ItemAdded hint find the real file.
    await h.advance(5 * MIN);
    r = await h.request();
    expect(r.state).toBe("available");
    const real = h.stack.world.jellyfin.movieItemFor("lantern-keeper")!;
    expect(r.jellyfinItemId).toBe(real.id);
    const outcome = await h.verifier.verify(r.id, "admin");
    expect(outcome).toMatchObject({ found: true, matchedBy: "Jellyfin id", jellyfinItemId: real.id, emitted: false, path: real.path });
    const kinds = (await h.db.select().from(timeline).where(eq(timeline.requestId, r.id))).map((t) => t.kind);
    expect(kinds.filter((k) => k === "available")).toHaveLength(1);
  });

  it("verifies a season pack per episode, by season and episode number of the matched series", async () => {
    const h = await start();
    h.effects = false;
    h.stack.runScenario("tv-season-pack");
    await h.advance(SCENARIOS["tv-season-pack"].settleMs, 10_000);
    const r = await h.request();
    expect(r).toMatchObject({ state: "importing", tvdbId: 412877 });
    expect(await h.episodeStates()).toEqual(Array(8).fill("importing"));

    // One episode's file is gone from Jellyfin: a missing placeholder, not playable.
    const e5 = [...h.stack.world.jellyfin.items.values()].find((i) => i.type === "Episode" && i.key === "harrow-fen" && i.indexNumber === 5)!;
    const path = e5.path;
    e5.locationType = "Virtual";
    e5.path = undefined;
    const partial = await h.verifier.verify(r.id, "test");
    expect(partial).toMatchObject({ found: true, matchedBy: "TVDB id", emitted: true, missing: [{ season: 1, episode: 5 }] });
    expect(partial.episodes).toHaveLength(7);
    expect(partial.detail).toBe("Jellyfin can play 7 of 8 episodes (series matched by TVDB id)");
    await h.settle();
    expect(await h.episodeStates()).toEqual(["available", "available", "available", "available", "importing", "available", "available", "available"]);
    expect((await h.request()).state).toBe("importing");
    const [ep1] = await h.db.select().from(episodes).where(eq(episodes.episode, 1));
    expect(ep1.jellyfinId).toBe(partial.episodes[0].jellyfinId);

    // Nothing new: no event.
    expect((await h.verifier.verify(r.id, "again")).emitted).toBe(false);

    // The file is back; the periodic job finds it and the request is available.
    e5.locationType = "FileSystem";
    e5.path = path;
    h.clock.advance(5 * MIN);
    await h.verifier.job.run({ signal: new AbortController().signal });
    await h.settle();
    expect(await h.episodeStates()).toEqual(Array(8).fill("available"));
    const done = await h.request();
    expect(done.state).toBe("available");
    expect(done.jellyfinItemId).toBe(h.stack.world.jellyfin.seriesItemFor("harrow-fen")!.id);
    const [jellyfinRow] = await h.db.select().from(integrations).where(eq(integrations.service, "jellyfin"));
    expect(jellyfinRow.version).toBe("10.11.11");
  });

  it("finds an anime film shown through Shokofin (no TMDB id) by its exact title and year", async () => {
    const h = await start({ shoko: true });
    h.stack.runScenario("anime-movie");
    await h.advance(SCENARIOS["anime-movie"].settleMs, 10_000);
    const r = await h.request();
    expect(r).toMatchObject({ isAnime: true, tmdbId: 728154 });
    const item = h.stack.world.jellyfin.movieItemFor("kazemachi")!;
    expect(item.providerIds).not.toHaveProperty("Tmdb");
    // Without the Shoko poller nobody moved it out of matching; Jellyfin's word makes it available.
    expect(r.state).toBe("available");
    expect(r.jellyfinItemId).toBe(item.id);
    const outcome = await h.verifier.verify(r.id, "admin");
    expect(outcome).toMatchObject({ found: true, jellyfinItemId: item.id });

    // The title-and-year fallback refuses a same-named film of another year.
    await h.db.update(requests).set({ year: 2019, jellyfinItemId: null, state: "anime_matching" }).where(eq(requests.id, r.id));
    expect(await h.verifier.verify(r.id, "admin")).toMatchObject({ found: false });
    await h.db.update(requests).set({ year: 2020 }).where(eq(requests.id, r.id));
    expect(await h.verifier.verify(r.id, "admin")).toMatchObject({ found: true, matchedBy: "title and year", emitted: true });
  });

  it("de-duplicates checks per request: calls during a check share one follow-up", async () => {
    const h = await start();
    h.effects = false;
    h.stack.runScenario("movie");
    await h.advance(SCENARIOS.movie.settleMs, 10_000);
    const r = await h.request();
    const calls = await Promise.all([h.verifier.verify(r.id, "a"), h.verifier.verify(r.id, "b"), h.verifier.verify(r.id, "c")]);
    expect(calls[0].found).toBe(true);
    expect(calls[1]).toBe(calls[2]);
    expect((await h.request()).state).toBe("available");
  });

  it("re-checks often while a file is fresh and rarely once it is old", () => {
    expect(recheckDelay(0)).toBe(30_000);
    expect(recheckDelay(9 * MIN)).toBe(30_000);
    expect(recheckDelay(11 * MIN)).toBe(5 * MIN);
    expect(recheckDelay(2 * 24 * 60 * MIN)).toBe(30 * MIN);
  });
});
