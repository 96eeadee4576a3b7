import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb, migrateDb, type Db } from "@/server/db/client";
import { ManualClock } from "@/server/clock";
import { createLogger } from "@/server/logger";
import { Scheduler, type Timers } from "@/server/pollers/scheduler";

/** Timers driven by the test: nothing fires until the test says so. */
class ManualTimers implements Timers {
  pending: { id: number; fn: () => void; ms: number }[] = [];
  private next = 1;
  set(fn: () => void, ms: number) {
    const id = this.next++;
    this.pending.push({ id, fn, ms });
    return id;
  }
  clear(h: unknown) {
    this.pending = this.pending.filter((p) => p.id !== h);
  }
  /** Fires the earliest timer and returns its delay. */
  fire(): number {
    this.pending.sort((a, b) => a.ms - b.ms);
    const t = this.pending.shift();
    if (!t) throw new Error("no timer pending");
    t.fn();
    return t.ms;
  }
}

let dir: string;
let db: Db;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "sched-"));
  db = await openDb(`file:${join(dir, "t.db")}`);
  await migrateDb(db);
});
afterEach(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const make = (timers: ManualTimers) =>
  new Scheduler({ db, clock: new ManualClock(1_000_000), logger: createLogger({ write: () => undefined }), timers, random: () => 0.5 });

const flush = () => new Promise((r) => setImmediate(r));

describe("scheduler", () => {
  it("runs a job, records success and latency in integrations, and schedules the next run at its interval", async () => {
    const timers = new ManualTimers();
    const s = make(timers);
    let runs = 0;
    s.register({ name: "qbit", service: "qbittorrent", interval: () => 1000, run: async () => void runs++ });
    s.start();
    timers.fire();
    await flush();
    await flush();
    expect(runs).toBe(1);
    const [status] = s.status();
    expect(status.lastSuccessAt).not.toBeNull();
    expect(timers.pending.map((p) => p.ms)).toEqual([1000]);
    const row = await db.$client.execute("select last_poll_ok_at, last_error from integrations where service = 'qbittorrent'");
    expect(row.rows[0].last_poll_ok_at).not.toBeNull();
    expect(row.rows[0].last_error).toBeNull();
  });

  it("backs off exponentially while failing, shows the error, and recovers", async () => {
    const timers = new ManualTimers();
    const s = make(timers);
    let fail = true;
    s.register({ name: "arr", service: "sonarr", interval: () => 1000, run: async () => { if (fail) throw new Error("Sonarr is unreachable"); } });
    s.start();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      timers.fire();
      await flush();
      await flush();
      delays.push(timers.pending[0].ms);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
    expect(s.status()[0]).toMatchObject({ consecutiveFailures: 4, lastError: "Sonarr is unreachable" });
    const row = await db.$client.execute("select last_error from integrations where service = 'sonarr'");
    expect(row.rows[0].last_error).toBe("Sonarr is unreachable");
    fail = false;
    timers.fire();
    await flush();
    await flush();
    expect(s.status()[0]).toMatchObject({ consecutiveFailures: 0, lastError: null });
    expect(timers.pending[0].ms).toBe(1000);
  });

  it("never overlaps a job with itself: run-now during a run waits for it", async () => {
    const timers = new ManualTimers();
    const s = make(timers);
    let concurrent = 0;
    let maxConcurrent = 0;
    let release!: () => void;
    s.register({
      name: "slow",
      interval: () => 1000,
      run: () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        return new Promise<void>((r) => (release = () => { concurrent--; r(); }));
      },
    });
    s.start();
    timers.fire();
    const a = s.runNow("slow");
    const b = s.runNow("slow");
    release();
    await Promise.all([a, b]);
    expect(maxConcurrent).toBe(1);
  });

  it("stop aborts the run under way, waits for it, and schedules nothing more", async () => {
    const timers = new ManualTimers();
    const s = make(timers);
    let aborted = false;
    s.register({
      name: "long",
      interval: () => 1000,
      run: ({ signal }) => new Promise<void>((resolve) => signal.addEventListener("abort", () => { aborted = true; resolve(); })),
    });
    s.start();
    timers.fire();
    await s.stop();
    expect(aborted).toBe(true);
    expect(timers.pending).toEqual([]);
  });

  it("asks the interval again after each run (adaptive polling)", async () => {
    const timers = new ManualTimers();
    const s = make(timers);
    let busy = true;
    s.register({ name: "adaptive", interval: () => (busy ? 1000 : 15000), run: async () => undefined });
    s.start();
    timers.fire();
    await flush();
    await flush();
    expect(timers.pending[0].ms).toBe(1000);
    busy = false;
    timers.fire();
    await flush();
    await flush();
    expect(timers.pending[0].ms).toBe(15000);
  });
});
