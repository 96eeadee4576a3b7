import { describe, expect, it } from "vitest";
import {
  episodeCode,
  episodeCountsSentence,
  formatBytes,
  formatDuration,
  formatEta,
  formatLocalDate,
  formatLocalDateTime,
  formatPercent,
  formatRelative,
  formatSpeed,
  isStuck,
  mediaBadge,
  percentOf,
  stageLabel,
  stageSpans,
  stageTone,
  timelinePhrase,
  titleInitials,
  UNKNOWN_ETA_SECONDS,
} from "@/lib/format";

const NOW = Date.parse("2026-11-24T12:00:00.000Z");

describe("durations and relative times", () => {
  it("shows the two largest units, rounded down", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(59_999)).toBe("59 s");
    expect(formatDuration(60_000)).toBe("1 min");
    expect(formatDuration(3_599_000)).toBe("59 min");
    expect(formatDuration(2 * 3600_000 + 5 * 60_000 + 59_000)).toBe("2 h 5 min");
    expect(formatDuration(3 * 3600_000)).toBe("3 h");
    expect(formatDuration(3 * 86_400_000 + 4 * 3600_000 + 10 * 60_000)).toBe("3 d 4 h");
    expect(formatDuration(-1)).toBe("–");
    expect(formatDuration(Number.NaN)).toBe("–");
  });

  it("says how long ago or how soon", () => {
    expect(formatRelative(new Date(NOW - 10_000).toISOString(), NOW)).toBe("just now");
    expect(formatRelative(new Date(NOW - 5 * 60_000).toISOString(), NOW)).toBe("5 min ago");
    expect(formatRelative(new Date(NOW - (2 * 3600_000 + 30 * 60_000)).toISOString(), NOW)).toBe("2 h ago");
    expect(formatRelative(new Date(NOW + 3 * 86_400_000).toISOString(), NOW)).toBe("in 3 d");
    expect(formatRelative(null, NOW)).toBe("never");
    expect(formatRelative("not a date", NOW)).toBe("–");
  });
});

describe("local times", () => {
  it("renders in the given time zone, with the year only when it is not this year", () => {
    const iso = "2026-11-24T23:30:00.000Z";
    expect(formatLocalDateTime(iso, { timeZone: "UTC", now: NOW })).toBe("Tue 24 Nov, 23:30");
    // Past midnight in Berlin: the day changes with the zone.
    expect(formatLocalDateTime(iso, { timeZone: "Europe/Berlin", now: NOW })).toBe("Wed 25 Nov, 00:30");
    expect(formatLocalDateTime("2025-03-01T08:05:00.000Z", { timeZone: "UTC", now: NOW })).toBe("Sat 1 Mar 2025, 08:05");
    expect(formatLocalDateTime(null)).toBe("–");
  });

  it("renders air dates without a time", () => {
    expect(formatLocalDate("2026-12-03T00:00:00.000Z", { timeZone: "UTC" })).toBe("3 Dec 2026");
    expect(formatLocalDate(undefined)).toBe("–");
  });
});

describe("sizes, speeds, ETA and percent", () => {
  it("uses decimal units with sensible precision", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1_181_116_032)).toBe("1.18 GB");
    expect(formatBytes(45_600_000)).toBe("45.6 MB");
    expect(formatBytes(640_000_000)).toBe("640 MB");
    expect(formatBytes(null)).toBe("–");
    expect(formatSpeed(4_200_000)).toBe("4.20 MB/s");
    expect(formatSpeed(0)).toBeNull();
    expect(formatSpeed(null)).toBeNull();
  });

  it("hides an ETA that is unknown", () => {
    expect(formatEta(720)).toBe("12 min left");
    expect(formatEta(30)).toBe("30 s left");
    expect(formatEta(UNKNOWN_ETA_SECONDS)).toBeNull();
    expect(formatEta(0)).toBeNull();
    expect(formatEta(null)).toBeNull();
  });

  it("rounds percent down so that 100% means done", () => {
    expect(percentOf(0.999)).toBe(99);
    expect(percentOf(1)).toBe(100);
    expect(percentOf(1.2)).toBe(100);
    expect(percentOf(-0.1)).toBe(0);
    expect(percentOf(0.4261)).toBe(42);
    expect(percentOf(null)).toBeNull();
    expect(formatPercent(0.5)).toBe("50%");
    expect(formatPercent(undefined)).toBe("–");
  });
});

describe("stages", () => {
  it("labels every stage in words a person reads", () => {
    expect(stageLabel("grabbing")).toBe("Grabbed");
    expect(stageLabel("anime_matching")).toBe("Matching");
    expect(stageLabel("available")).toBe("Ready");
    expect(stageLabel("timeout")).toBe("Timed out");
    expect(stageLabel("match_failed")).toBe("Match failed");
    expect(stageTone("available")).toBe("success");
    expect(stageTone("failed")).toBe("danger");
    expect(stageTone("downloading")).toBe("active");
    expect(stageTone("requested")).toBe("neutral");
  });

  it("is stuck only with a reason and while unfinished", () => {
    expect(isStuck({ state: "downloading", stuckReason: "Download stalled: no seeds" })).toBe(true);
    expect(isStuck({ state: "downloading", stuckReason: null })).toBe(false);
    expect(isStuck({ state: "available", stuckReason: "old reason" })).toBe(false);
  });

  it("names media, episodes and initials", () => {
    expect(mediaBadge("movie", false)).toBe("Movie");
    expect(mediaBadge("tv", null)).toBe("TV");
    expect(mediaBadge("tv", true)).toBe("Anime");
    expect(episodeCode(1, 4)).toBe("S01E04");
    expect(titleInitials("Violet Evergarden: The Movie")).toBe("VE");
    expect(titleInitials("The Quiet Orbit")).toBe("QO");
    expect(titleInitials("86")).toBe("8");
  });

  it("sums episodes per stage in one sentence", () => {
    expect(episodeCountsSentence({ available: 3, downloaded: 1, importing: 1, downloading: 4, grabbing: 1, unaired: 2 })).toBe(
      "3 ready, 2 downloaded, 4 downloading, 1 grabbed, 2 unaired",
    );
    expect(episodeCountsSentence({})).toBe("No episodes yet");
  });

  it("speaks in the past tense", () => {
    expect(timelinePhrase("grabbed")).toBe("Grabbed a release");
    expect(timelinePhrase("download_started")).toBe("Started downloading");
    expect(timelinePhrase("something_new")).toBe("Something new");
  });

  it("measures the time spent in each stage", () => {
    const t = (min: number) => new Date(NOW - min * 60_000).toISOString();
    const entries = [
      { at: t(60), state: "approved" },
      { at: t(50), state: null },
      { at: t(45), state: "grabbing" },
      { at: t(40), state: "downloading" },
    ];
    expect(stageSpans(entries, NOW, false)).toEqual([
      { index: 0, state: "approved", durationMs: 15 * 60_000, current: false },
      { index: 2, state: "grabbing", durationMs: 5 * 60_000, current: false },
      { index: 3, state: "downloading", durationMs: 40 * 60_000, current: true },
    ]);
    expect(stageSpans(entries, NOW, true).at(-1)).toEqual({ index: 3, state: "downloading", durationMs: 0, current: false });
  });
});
