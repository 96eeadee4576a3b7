import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "@/server/clock";
import { startTestServer, type TestServer } from "../helpers/server";
import { loadCaptured } from "../helpers/fixtures";

const HOUR = 3_600_000;
const clock = new ManualClock(Date.UTC(2026, 10, 25, 8, 0, 0));
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({}, { clock });
});
afterAll(async () => s?.stop());

describe("timeouts", () => {
  it("a request nobody picks up times out with a reason, and revives when the grab arrives", async () => {
    await s.send("jellyseerr", loadCaptured("jellyseerr-movie-auto-approved"));
    await s.app.container.scheduler.runNow("timeouts");
    expect((await s.list())[0].state).toBe("approved");

    clock.advance(3 * HOUR);
    await s.app.container.scheduler.runNow("timeouts");
    let [r] = await s.list();
    expect(r.state).toBe("timeout");
    expect(r.stuckReason).toBe("Approved 2 hours ago, but Radarr has not reported a search or a grab: check that Radarr's webhook points here");
    expect(r.stuckReason).toBe((await s.detail(r.id)).timeline.at(-1)?.details);

    // Still checked: the truth revives it.
    await s.send("radarr", loadCaptured("radarr-grab"));
    [r] = await s.list();
    expect(r.state).toBe("grabbing");
    expect(r.stuckReason).toBeNull();
  });
});

describe("maintenance", () => {
  it("prunes the change log and settled webhooks past retention, keeps failed ones", async () => {
    const c = s.app.container.db.$client;
    const count = async (sql: string) => Number((await c.execute(sql)).rows[0][0]);
    const before = { changes: await count("select count(*) from changes"), inbox: await count("select count(*) from inbox") };
    expect(before.changes).toBeGreaterThan(0);
    await c.execute({ sql: "insert into inbox (service, event_type, received_at, dedupe_key, body, status) values ('radarr','Grab',?, 'old-failed', '{}', 'failed')", args: [clock.now()] });
    clock.advance(31 * 24 * HOUR);
    await s.app.container.scheduler.runNow("maintenance");
    expect(await count("select count(*) from changes")).toBe(0);
    expect(await count("select count(*) from inbox")).toBe(1);
    expect(await count("select count(*) from requests")).toBe(1);
  });
});
