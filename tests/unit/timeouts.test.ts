import { describe, expect, it } from "vitest";
import { DEFAULT_TIMEOUTS, findTimedOut, parseTimeouts } from "@/server/pollers/timeouts";

const H = 3_600_000;
const now = 100 * H;
const row = (id: number, state: string, hoursAgo: number, updatedHoursAgo = hoursAgo) => ({
  id,
  state: state as never,
  mediaType: "movie" as const,
  stateChangedAt: now - hoursAgo * H,
  updatedAt: now - updatedHoursAgo * H,
});

describe("timeouts", () => {
  it("finds requests that sat longer than their state's threshold, with a reason a person understands", () => {
    const found = findTimedOut([row(1, "approved", 3), row(2, "approved", 1), row(3, "downloaded", 2), row(4, "available", 500), row(5, "requested", 500)], DEFAULT_TIMEOUTS, now);
    expect(found.map((f) => f.requestId)).toEqual([1, 3]);
    expect(found[0].reason).toBe("Approved 2 hours ago, but Radarr has not reported a search or a grab: check that Radarr's webhook points here");
    expect(found[1].reason).toBe("Downloaded 1 hour ago, but Radarr has not imported it");
  });

  it("a download's clock restarts with progress", () => {
    expect(findTimedOut([row(1, "downloading", 30, 1)], DEFAULT_TIMEOUTS, now)).toEqual([]);
    expect(findTimedOut([row(1, "downloading", 30, 7)], DEFAULT_TIMEOUTS, now)[0].reason).toBe("No download progress for 6 hours");
  });

  it("parses overrides and names a bad one", () => {
    expect(parseTimeouts("downloading=12h, importing=90m")).toMatchObject({ downloading: 12 * H, importing: 1.5 * H, approved: 2 * H });
    expect(() => parseTimeouts("downloading=soon")).toThrow(/"downloading=soon" is not of the form/);
    expect(() => parseTimeouts("available=1h")).toThrow(/not of the form/);
  });
});
