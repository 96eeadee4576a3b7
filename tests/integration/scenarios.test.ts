import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "@/server/clock";
import { startSimStack, envForTracker, type SimStack } from "@/sim/stack";
import { scenario } from "@/sim/scenarios";
import type { RequestDetail, RequestSummary } from "@/server/api/summary";
import { startTestServer, WEBHOOK_SECRET, type TestServer } from "../helpers/server";

/*
 * Every scenario of the simulated stack, through the real server (webhooks over HTTP, pollers
 * against the simulated services), on one controllable clock shared by both. Each scenario is
 * judged at its settle time by what a person would call true.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface Harness {
  clock: ManualClock;
  stack: SimStack;
  server: TestServer;
  /** Moves both clocks forward in steps, running every poller after each step. */
  runFor(ms: number, step: number, each?: () => Promise<void>): Promise<void>;
  byTitle(title: string): Promise<RequestSummary[]>;
  detailOf(title: string): Promise<RequestDetail>;
  stop(): Promise<void>;
}

async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 18, 0, 0));
  const stack = await startSimStack({ clock, tracker: null });
  const server = await startTestServer({ ...envForTracker(stack), ...env }, { clock, autoPoll: false });
  stack.setTracker({ url: server.url, webhookSecret: WEBHOOK_SECRET });
  const { scheduler } = server.app.container;

  const pollAll = async () => {
    for (const job of scheduler.status()) await scheduler.runNow(job.name);
    await server.settle();
  };

  const harness: Harness = {
    clock,
    stack,
    server,
    async runFor(ms, step, each) {
      const end = clock.now() + ms;
      while (clock.now() < end) {
        await stack.advance(Math.min(step, end - clock.now()));
        await server.settle();
        await pollAll();
        // Events a poll caused (a verification, a webhook the sim sent in answer) settle too.
        await stack.tick();
        await server.settle();
        if (each) await each();
      }
    },
    async byTitle(title) {
      return (await server.list("?limit=500")).filter((r) => r.title === title);
    },
    async detailOf(title) {
      const [r] = await harness.byTitle(title);
      if (!r) throw new Error(`no request for ${title}`);
      return server.detail(r.id);
    },
    async stop() {
      await server.stop();
      await stack.stop();
    },
  };
  return harness;
}

const titleOf = (stack: SimStack, name: string) => stack.world.catalogue.get(scenario(name).media.key).title;

describe("scenarios through the real server and the simulated stack", () => {
  let h: Harness;
  const finals = new Map<string, RequestDetail>();
  const seasonPackProgress: number[][] = [];

  const SCENARIOS = [
    "movie",
    "tv-season-pack",
    "anime-movie",
    "anime-season",
    "airing-show",
    "fault-stalled",
    "fault-import-blocked",
    "fault-no-release",
    "fault-shoko-unmatched",
    "fault-webhook-missing",
    "fault-webhook-duplicate",
    "fault-webhook-late",
    "fault-webhook-out-of-order",
  ];

  beforeAll(async () => {
    // A search that finds nothing for an hour is shown as stuck (the default is a day).
    h = await startHarness({ STATE_TIMEOUTS: "searching=1h" });
    const started = h.clock.now();
    for (const name of SCENARIOS) h.stack.runScenario(name);

    const judged = new Set<string>();
    const judge = async () => {
      const elapsed = h.clock.now() - started;
      for (const name of SCENARIOS) {
        if (judged.has(name) || elapsed < scenario(name).settleMs) continue;
        judged.add(name);
        finals.set(name, await h.detailOf(titleOf(h.stack, name)));
      }
      const pack = (await h.byTitle(titleOf(h.stack, "tv-season-pack")))[0];
      if (pack?.state === "downloading") {
        const detail = await h.server.detail(pack.id);
        seasonPackProgress.push(detail.episodes.map((e) => e.progress ?? 0));
      }
    };
    await h.runFor(45 * MINUTE, 5_000, judge);
    await h.runFor(2 * HOUR + MINUTE - (h.clock.now() - started), MINUTE, judge);
    finals.set("airing-show@2h", await h.detailOf(titleOf(h.stack, "airing-show")));
    await h.runFor(33 * DAY - (h.clock.now() - started), 3 * HOUR, judge);
    // What each scenario ended as, for a person reading the test output.
    for (const [name, d] of finals) {
      const eps = d.episodeCounts ? ` (${Object.entries(d.episodeCounts.byState).filter(([, n]) => n > 0).map(([st, n]) => `${n} ${st}`).join(", ")})` : "";
      console.log(`scenario ${name}: ${d.state}${eps}${d.stuckReason ? `: ${d.stuckReason}` : ""}`);
    }
  }, 600_000);

  afterAll(async () => {
    await h?.stop();
  });

  const final = (name: string) => {
    const d = finals.get(name);
    if (!d) throw new Error(`${name} was never judged`);
    return d;
  };

  it.each(["movie", "tv-season-pack", "anime-movie", "anime-season"])("%s ends available", (name) => {
    const d = final(name);
    expect(d.state).toBe("available");
    expect(d.stuckReason).toBeNull();
    if (d.mediaType === "tv") expect(d.episodes.every((e) => e.state === "available")).toBe(true);
  });

  it("anime goes through matching before it is available", () => {
    for (const name of ["anime-movie", "anime-season"]) {
      const d = final(name);
      expect(d.isAnime).toBe(true);
      expect(d.timeline.some((t) => t.state === "anime_matching")).toBe(true);
    }
  });

  it("a season pack shows per-episode progress while it downloads", () => {
    const spread = seasonPackProgress.filter((p) => p.some((x) => x > 0 && x < 1) && new Set(p).size > 1);
    expect(spread.length).toBeGreaterThan(0);
  });

  it("an airing show is available with its upcoming episodes, and the later ones arrive", () => {
    const early = final("airing-show@2h");
    expect(early.state).toBe("available");
    const unaired = early.episodes.filter((e) => e.state === "unaired");
    expect(unaired.length).toBe(5);
    expect(early.episodes.filter((e) => e.state === "available").length).toBe(3);
    const late = final("airing-show");
    expect(late.state).toBe("available");
    expect(late.episodes.every((e) => e.state === "available")).toBe(true);
  });

  it("a stalled torrent is shown stuck with its reason", () => {
    const d = final("fault-stalled");
    expect(d.state).toBe("downloading");
    expect(d.stuckReason).toMatch(/stalled/i);
  });

  it("an import blocked by Sonarr carries Sonarr's reason", () => {
    const d = final("fault-import-blocked");
    expect(d.stuckReason).toMatch(/Import blocked/i);
    expect(d.stuckReason).toMatch(/No audio tracks detected/);
    expect(d.episodes.filter((e) => e.state === "available" || e.state === "importing").length).toBeGreaterThanOrEqual(9);
  });

  it("a search that finds nothing times out with a reason", () => {
    const d = final("fault-no-release");
    expect(d.state).toBe("timeout");
    expect(d.stuckReason).toBeTruthy();
  });

  it("an anime file Shoko cannot match is match_failed with the reason", () => {
    const d = final("fault-shoko-unmatched");
    expect(d.state).toBe("match_failed");
    expect(d.stuckReason).toMatch(/Shoko/);
  });

  it.each(["fault-webhook-missing", "fault-webhook-late", "fault-webhook-out-of-order", "fault-webhook-duplicate"])(
    "%s still ends available, tracked once",
    async (name) => {
      const d = final(name);
      expect(d.state).toBe("available");
      expect(await h.byTitle(d.title)).toHaveLength(1);
    },
  );

  it("duplicated webhooks leave no duplicate timeline entries", () => {
    const d = final("fault-webhook-duplicate");
    const grabbed = d.timeline.filter((t) => t.kind === "grabbed");
    expect(grabbed.length).toBe(1);
  });

  it("a lost import webhook is recovered by polling Radarr", () => {
    const d = final("fault-webhook-missing");
    expect(d.timeline.some((t) => t.kind === "imported")).toBe(true);
  });
});

describe("a service that is down for a while, then recovers", () => {
  let h: Harness;
  afterAll(async () => {
    await h?.stop();
  });

  it("qBittorrent down mid-download: shown unhealthy, then the film completes", async () => {
    h = await startHarness();
    h.stack.runScenario("fault-service-down");
    let sawUnhealthy = false;
    await h.runFor(40 * MINUTE, 5_000, async () => {
      const q = h.server.app.container.scheduler.status().find((s) => s.name === "qbittorrent");
      if (q && q.consecutiveFailures > 0 && q.lastError) sawUnhealthy = true;
    });
    expect(sawUnhealthy).toBe(true);
    const d = await h.detailOf(titleOf(h.stack, "fault-service-down"));
    expect(d.state).toBe("available");
    const q = h.server.app.container.scheduler.status().find((s) => s.name === "qbittorrent");
    expect(q?.consecutiveFailures).toBe(0);
  }, 300_000);
});

describe("an arr that is down when the request is sent", () => {
  let h: Harness;
  afterAll(async () => {
    await h?.stop();
  });

  it("the approved request that never reached Radarr times out with a reason", async () => {
    h = await startHarness({ STATE_TIMEOUTS: "approved=1h" });
    h.stack.runScenario("fault-arr-down");
    await h.runFor(2 * HOUR, MINUTE);
    const d = await h.detailOf(titleOf(h.stack, "fault-arr-down"));
    expect(d.state).toBe("timeout");
    expect(d.stuckReason).toBeTruthy();
  }, 300_000);
});
