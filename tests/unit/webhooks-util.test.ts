import { describe, it, expect } from "vitest";
import { z } from "zod";
import {
  formatIssuePath,
  isoToUtcMs,
  optionalId,
  optionalInt,
  optionalText,
  parseOrThrow,
  parseSeasonEpisodes,
  requiredId,
  zodErrorLine,
} from "@/server/webhooks/util";
import { WebhookParseError } from "@/server/webhooks/types";

describe("optionalId", () => {
  it.each([
    ["603", 603],
    [603, 603],
    [" 42 ", 42],
    ["", undefined],
    [null, undefined],
    [undefined, undefined],
    [0, undefined], // arr "unknown"
    ["0", undefined],
  ])("%j -> %j", (input, expected) => {
    expect(optionalId.parse(input)).toBe(expected);
  });

  it.each([["abc"], [1.5], [true], [{}]])("rejects %j", (input) => {
    expect(optionalId.safeParse(input).success).toBe(false);
  });

  it("may be missing from an object", () => {
    expect(z.looseObject({ tmdbId: optionalId }).parse({})).toEqual({});
  });
});

describe("optionalInt / requiredId", () => {
  it("keeps 0 (season 0 = specials)", () => {
    expect(optionalInt.parse(0)).toBe(0);
    expect(optionalInt.parse("0")).toBe(0);
  });

  it("requiredId rejects missing and empty values with 'expected a number'", () => {
    const schema = z.looseObject({ id: requiredId });
    for (const body of [{}, { id: "" }, { id: null }]) {
      const result = schema.safeParse(body);
      expect(result.success).toBe(false);
      if (!result.success) expect(zodErrorLine(result.error)).toBe("id: expected a number");
    }
    expect(schema.parse({ id: "7" })).toEqual({ id: 7 });
  });
});

describe("optionalText", () => {
  it("trims and turns empty into undefined", () => {
    expect(optionalText.parse("  Lycoris Recoil ")).toBe("Lycoris Recoil");
    expect(optionalText.parse("")).toBeUndefined();
    expect(optionalText.parse("   ")).toBeUndefined();
    expect(optionalText.parse(null)).toBeUndefined();
    expect(optionalText.parse(undefined)).toBeUndefined();
  });

  it("rejects non-strings", () => {
    expect(optionalText.safeParse(5).success).toBe(false);
  });
});

describe("isoToUtcMs", () => {
  it("reads .NET's 7 fractional digits", () => {
    expect(isoToUtcMs("2026-01-22T04:36:40.2551822Z")).toBe(Date.UTC(2026, 0, 22, 4, 36, 40, 255));
  });

  it("applies an offset", () => {
    expect(isoToUtcMs("2026-11-20T19:41:07.2210345+01:00")).toBe(Date.UTC(2026, 10, 20, 18, 41, 7, 221));
    expect(isoToUtcMs("2026-11-20T19:41:07+0100")).toBe(Date.UTC(2026, 10, 20, 18, 41, 7));
  });

  it("reads a date without a zone as UTC, and a bare date as UTC midnight", () => {
    expect(isoToUtcMs("2024-09-13T01:00:00")).toBe(Date.UTC(2024, 8, 13, 1));
    expect(isoToUtcMs("2024-09-12")).toBe(Date.UTC(2024, 8, 12));
  });

  it("gives undefined for culture-formatted or broken dates", () => {
    expect(isoToUtcMs("11/20/2026 18:36:27")).toBeUndefined();
    expect(isoToUtcMs("20.11.2026 18:36:27")).toBeUndefined();
    expect(isoToUtcMs("2026-13-45T99:99:99Z")).toBeUndefined();
    expect(isoToUtcMs("")).toBeUndefined();
    expect(isoToUtcMs(undefined)).toBeUndefined();
  });
});

describe("parseSeasonEpisodes", () => {
  it.each([
    ["Lycoris.Recoil.S01E09.REPACK.1080p.BluRay.mkv", { season: 1, episodes: [9] }],
    ["Season 01/Harbor Lights (2024) - S01E02 - Low Tide [WEBDL-1080p].mkv", { season: 1, episodes: [2] }],
    ["/data/tv/Show/Season 1/show.s02e10.mkv", { season: 2, episodes: [10] }],
    ["Show - S01E01E02 - Pilot.mkv", { season: 1, episodes: [1, 2] }],
    ["Show - S01E01-E02 - Pilot.mkv", { season: 1, episodes: [1, 2] }],
    ["Show - S01E01-E03 - Pilot.mkv", { season: 1, episodes: [1, 2, 3] }],
    ["Show - S01E01-03 - Pilot.mkv", { season: 1, episodes: [1, 2, 3] }],
    ["Show.S01E05-720p.mkv", { season: 1, episodes: [5] }],
    ["Show.S03E100.mkv", { season: 3, episodes: [100] }],
  ])("%s", (name, expected) => {
    expect(parseSeasonEpisodes(name)).toEqual(expected);
  });

  it("reads only the file name, not the folders", () => {
    expect(parseSeasonEpisodes("/data/S01E05 folder/readme.mkv")).toBeUndefined();
  });

  it.each([["Show - 05 [1080p].mkv"], ["Movie.2020.1080p.mkv"], [""], [undefined]])("no SxxEyy in %j", (name) => {
    expect(parseSeasonEpisodes(name)).toBeUndefined();
  });
});

describe("error lines", () => {
  it("formats paths with array indices", () => {
    expect(formatIssuePath(["episodes", 0, "seasonNumber"])).toBe("episodes[0].seasonNumber");
    expect(formatIssuePath([])).toBe("");
  });

  it("parseOrThrow throws one WebhookParseError line with context and path", () => {
    const schema = z.looseObject({ series: z.looseObject({ id: requiredId }, { error: "expected an object" }) });
    expect(() => parseOrThrow(schema, { series: {} }, "sonarr Grab")).toThrow(
      new WebhookParseError("sonarr Grab: series.id: expected a number"),
    );
    try {
      parseOrThrow(schema, { series: { id: "x" } }, "sonarr Grab");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WebhookParseError);
      expect((error as Error).message).toBe('sonarr Grab: series.id: expected a number, got "x"');
      expect((error as Error).message).not.toContain("\n");
    }
  });

  it("counts further problems instead of listing them", () => {
    const schema = z.looseObject({ a: requiredId, b: requiredId });
    const result = schema.safeParse({});
    expect(result.success).toBe(false);
    if (!result.success) expect(zodErrorLine(result.error)).toBe("a: expected a number (and 1 more problem)");
  });
});
