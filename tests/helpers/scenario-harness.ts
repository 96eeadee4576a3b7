import { ManualClock } from "@/server/clock";
import { startSimStack, envForTracker, type SimStack } from "@/sim/stack";
import { scenario } from "@/sim/scenarios";
import type { RequestDetail, RequestSummary } from "@/server/api/summary";
import { createCaller } from "@/server/trpc/router";
import { startTestServer, WEBHOOK_SECRET, type TestServer } from "./server";

/*
 * The real server and the simulated stack on one controllable clock (the pattern of
 * tests/integration/scenarios.test.ts): webhooks over HTTP, pollers against the simulated
 * services, every poller run after each step of time.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export interface Harness {
  clock: ManualClock;
  stack: SimStack;
  server: TestServer;
  /** Moves both clocks forward in steps, running every poller after each step. */
  runFor(ms: number, step: number, each?: () => Promise<void>): Promise<void>;
  /** Runs every poller once and lets what they caused settle. */
  pollAll(): Promise<void>;
  byTitle(title: string): Promise<RequestSummary[]>;
  detailOf(title: string): Promise<RequestDetail>;
  /** tRPC callers with the server's own context: the local admin and a household member. */
  admin(): ReturnType<typeof createCaller>;
  member(): ReturnType<typeof createCaller>;
  stop(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 18, 0, 0));
  const stack = await startSimStack({ clock, tracker: null });
  const server = await startTestServer({ ...envForTracker(stack), ...env }, { clock, autoPoll: false });
  stack.setTracker({ url: server.url, webhookSecret: WEBHOOK_SECRET });

  const pollAll = async () => {
    const { scheduler } = server.app.container;
    for (const job of scheduler.status()) await scheduler.runNow(job.name);
    await server.settle();
    // Events a poll caused (a verification, a webhook the sim sent in answer) settle too.
    await stack.tick();
    await server.settle();
  };

  const harness: Harness = {
    clock,
    stack,
    server,
    pollAll,
    async runFor(ms, step, each) {
      const end = clock.now() + ms;
      while (clock.now() < end) {
        await stack.advance(Math.min(step, end - clock.now()));
        await server.settle();
        await pollAll();
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
    admin: () => createCaller({ container: server.app.container, user: { id: "local:admin", name: "admin", role: "admin" } }),
    member: () => createCaller({ container: server.app.container, user: { id: "jellyfin:household", name: "household", role: "member" } }),
    async stop() {
      await server.stop();
      await stack.stop();
    },
  };
  return harness;
}

/** The catalogue title a scenario requests. */
export const titleOf = (stack: SimStack, name: string) => stack.world.catalogue.get(scenario(name).media.key).title;
