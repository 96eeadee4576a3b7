import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server";
import { capturedFixtureNames, loadCaptured } from "../helpers/fixtures";
import type { RequestSummary } from "@/server/api/summary";

/**
 * Every webhook captured from the real deployment, unmodified, posted over HTTP in the order
 * a real stack sends them, each driving the transition it should. A new capture without an
 * expectation here fails the suite, so none goes untested.
 */
const service = (name: string) => name.split("-")[0];

const find = (list: RequestSummary[], key: Partial<RequestSummary>) =>
  list.filter((r) => Object.entries(key).every(([k, v]) => r[k as keyof RequestSummary] === v));

const expectations: Record<string, (list: RequestSummary[]) => void> = {
  "jellyseerr-movie-auto-approved": (list) => {
    expect(find(list, { tmdbId: 533514 })).toMatchObject([{ state: "approved", title: "Violet Evergarden: The Movie", year: 2020 }]);
  },
  "radarr-grab": (list) => {
    expect(find(list, { tmdbId: 533514 })).toMatchObject([{ state: "grabbing", isAnime: true }]);
  },
  "jellyseerr-tv-auto-approved": (list) => {
    expect(find(list, { tvdbId: 414057 })).toMatchObject([{ state: "approved", mediaType: "tv", title: "Lycoris Recoil" }]);
  },
  "sonarr-grab": (list) => {
    expect(find(list, { tvdbId: 414057 })).toMatchObject([{ state: "grabbing", isAnime: true, episodes: { total: 13 } }]);
  },
  "sonarr-import": (list) => {
    const [r] = find(list, { tvdbId: 414057 });
    expect(r.state).toBe("importing");
    expect(r.episodes?.byState.importing).toBe(13);
  },
  // A different film from the grab: an import for something never requested is tracked too.
  "radarr-import": (list) => {
    expect(find(list, { tmdbId: 1052946 })).toMatchObject([{ state: "importing", title: "Violet Evergarden: Recollections", requestedBy: null }]);
  },
};
const ORDER = Object.keys(expectations);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.stop());

describe("captured webhooks from a real deployment", () => {
  it("has an expectation for every captured file", () => {
    expect(capturedFixtureNames().filter((n) => !ORDER.includes(n))).toEqual([]);
  });

  for (const name of ORDER) {
    it(`${name} is accepted and drives its transition`, async () => {
      const { status } = await s.send(service(name), loadCaptured(name));
      expect(status).toBe(202);
      expectations[name](await s.list());
    });
  }

  it("left no delivery failed or pending", async () => {
    const rows = await s.app.container.db.$client.execute("select status, count(*) as n from inbox group by status");
    expect(rows.rows.map((r) => [r.status, Number(r.n)])).toEqual([["processed", ORDER.length]]);
  });
});
