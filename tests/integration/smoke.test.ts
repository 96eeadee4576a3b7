import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server";
import { loadCaptured } from "../helpers/fixtures";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.stop());

describe("smoke", () => {
  it("health answers and a webhook creates a request", async () => {
    expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
    await s.send("jellyseerr", loadCaptured("jellyseerr-movie-auto-approved"));
    const list = await s.list();
    expect(list).toHaveLength(1);
    expect(list[0].state).toBe("approved");
  });
});
