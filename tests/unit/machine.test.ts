import { describe, expect, it } from "vitest";
import { decide, deriveTvRequestState } from "@/server/pipeline/machine";
import type { RequestState } from "@/lib/states";
import { ctx, eps, ev, existing, HASH, movie, run, show } from "../helpers/machine-fixtures";

const kinds = (r: ReturnType<typeof run>) => r.decisions.flatMap((d) => d.timeline.map((t) => (t.inferred ? `(${t.kind})` : t.kind)));

describe("movie transitions (table)", () => {
  const table: { name: string; events: () => Parameters<typeof run>[0]; c?: Parameters<typeof run>[1]; state: RequestState; timeline?: string[] }[] = [
    {
      name: "regular film end to end",
      events: () => [ev.approved(), ev.added(), ev.grab(), ev.progress(0.3), ev.progress(0.7), ev.completed(), ev.imported(), ev.hint()],
      state: "available",
      timeline: ["requested", "approved", "searching", "grabbed", "download_started", "downloaded", "imported", "available"],
    },
    {
      name: "pending, then approved by an admin",
      events: () => [ev.submitted(), ev.approved()],
      state: "approved",
      timeline: ["requested", "approved"],
    },
    {
      name: "an import before its grab fills in the skipped steps as inferred",
      events: () => [ev.approved(), ev.imported()],
      state: "importing",
      timeline: ["requested", "approved", "(searching)", "(grabbed)", "(download_started)", "(downloaded)", "imported"],
    },
    {
      name: "a completion seen twice is absorbed",
      events: () => [ev.approved(), ev.grab(), ev.completed(), ev.completed(), ev.progress(1)],
      state: "downloaded",
      timeline: ["requested", "approved", "(searching)", "grabbed", "(download_started)", "downloaded"],
    },
    {
      name: "a late grab after the import is absorbed, no regression",
      events: () => [ev.approved(), ev.imported(), ev.grab()],
      state: "importing",
      timeline: ["requested", "approved", "(searching)", "(grabbed)", "(download_started)", "(downloaded)", "imported"],
    },
    {
      name: "a grab of another release after the import is an upgrade, no regression",
      events: () => [ev.approved(), ev.imported(), ev.grab(movie, "aaaa")],
      state: "importing",
    },
    {
      name: "the same grab twice leaves one entry",
      events: () => [ev.approved(), ev.grab(), ev.grab()],
      state: "grabbing",
      timeline: ["requested", "approved", "(searching)", "grabbed"],
    },
    {
      name: "an already complete torrent goes straight to downloaded",
      events: () => [ev.approved(), ev.grab(), ev.progress(1, HASH, "stalledUP")],
      state: "downloaded",
    },
    {
      name: "qBittorrent 5 stoppedDL with progress counts as downloading",
      events: () => [ev.approved(), ev.grab(), ev.progress(0.2, HASH, "stoppedDL")],
      state: "downloading",
    },
    {
      name: "metaDL at zero is downloading (fetching metadata)",
      events: () => [ev.approved(), ev.grab(), ev.progress(0, HASH, "metaDL")],
      state: "downloading",
    },
    {
      name: "declined",
      events: () => [ev.submitted(), ev.declined()],
      state: "declined",
      timeline: ["requested", "declined"],
    },
    {
      name: "declined when first seen",
      events: () => [ev.declined()],
      state: "declined",
      timeline: ["requested", "declined"],
    },
    {
      name: "Jellyseerr failure before anything happened",
      events: () => [ev.approved(), ev.failed()],
      state: "failed",
    },
    {
      name: "a Jellyseerr failure arriving after the grab does not regress",
      events: () => [ev.approved(), ev.grab(), ev.failed()],
      state: "grabbing",
    },
    {
      name: "anime film with Shoko: importing, then matching, then available",
      events: () => [ev.approved(), ev.grab(movie, HASH, [], true), ev.completed(), ev.imported(), ev.hint()],
      c: { shokoEnabled: true },
      state: "available",
      timeline: ["requested", "approved", "(searching)", "grabbed", "(download_started)", "downloaded", "imported", "matching", "available"],
    },
    {
      name: "anime film without Shoko configured skips matching",
      events: () => [ev.approved(), ev.grab(movie, HASH, [], true), ev.imported()],
      state: "importing",
    },
    {
      name: "with Jellyfin configured a hint only triggers verification",
      events: () => [ev.approved(), ev.grab(), ev.imported(), ev.hint()],
      c: { libraryVerification: true },
      state: "importing",
    },
    {
      name: "verification forces available from any state",
      events: () => [ev.approved(), ev.grab(), ev.seen()],
      c: { libraryVerification: true },
      state: "available",
    },
    {
      name: "Shoko match failure, then a match revives it",
      events: () => [ev.approved(), ev.grab(movie, HASH, [], true), ev.imported(), ev.matchFailed(), ev.matched(true)],
      c: { shokoEnabled: true },
      state: "anime_matching",
    },
    {
      name: "import blocked keeps the state at downloaded with a reason",
      events: () => [ev.approved(), ev.grab(), ev.blocked()],
      state: "downloaded",
    },
    {
      name: "deleted in Radarr",
      events: () => [ev.approved(), ev.grab(), ev.deleted()],
      state: "deleted",
    },
    {
      name: "a file deleted for an upgrade changes nothing",
      events: () => [ev.approved(), ev.imported(), ev.hint(), ev.fileDeleted("upgrade")],
      state: "available",
    },
    {
      name: "a file deleted by hand after it was available is a failure",
      events: () => [ev.approved(), ev.imported(), ev.hint(), ev.fileDeleted("manual")],
      state: "failed",
    },
    {
      name: "an upgrade grab on an available film does not regress it",
      events: () => [ev.approved(), ev.imported(), ev.hint(), ev.grab(movie, "bbbb")],
      state: "available",
    },
    {
      name: "a re-grab replaces a stalled release and steps back to grabbing",
      events: () => [ev.approved(), ev.grab(), ev.progress(0.1), ev.grab(movie, "cccc")],
      state: "grabbing",
    },
  ];

  for (const row of table) {
    it(row.name, () => {
      const r = run(row.events(), row.c);
      expect(r.snap.request.state).toBe(row.state);
      if (row.timeline) expect(kinds(r)).toEqual(row.timeline);
    });
  }
});

describe("movie details", () => {
  it("keeps the ids, release and progress; clears speed and ETA on completion", () => {
    const r = run([ev.approved(), ev.grab(), ev.progress(0.5)]);
    expect(r.snap.request).toMatchObject({ tmdbId: 603, radarrId: 5, jellyseerrRequestId: 69, quality: "Bluray-1080p", progress: 0.5, requestedBy: "mira" });
    expect(r.snap.downloads[0]).toMatchObject({ hash: HASH, speed: 1_000_000, eta: 60 });
    const done = run([ev.completed()], {}, r.snap);
    expect(done.snap.downloads[0]).toMatchObject({ speed: null, eta: null, progress: 1 });
    expect(done.snap.request.progress).toBe(1);
  });

  it("shows a stalled download's reason and clears it when bytes move again", () => {
    const r = run([ev.approved(), ev.grab(), ev.progress(0.2, HASH, "stalledDL", { problem: "Download stalled: no seeds" })]);
    expect(r.snap.request.stuckReason).toBe("Download stalled: no seeds");
    const resumed = run([ev.progress(0.3)], {}, r.snap);
    expect(resumed.snap.request.stuckReason).toBeNull();
  });

  it("a timed-out download revives only when bytes move", () => {
    const r = run([ev.approved(), ev.grab(), ev.progress(0.2), ev.timedOut()]);
    expect(r.snap.request.state).toBe("timeout");
    expect(r.snap.request.stuckReason).toContain("24 hours");
    expect(run([ev.progress(0.2)], {}, r.snap).snap.request.state).toBe("timeout");
    expect(run([ev.progress(0.25)], {}, r.snap).snap.request.state).toBe("downloading");
  });

  it("polling never revives a failed request", () => {
    const r = run([ev.approved(), ev.imported(), ev.hint(), ev.fileDeleted("manual"), ev.progress(1, HASH, "stalledUP")]);
    expect(r.snap.request.state).toBe("failed");
  });

  it("emits a verification effect after import when Jellyfin is configured", () => {
    const r = run([ev.approved(), ev.imported()], { libraryVerification: true });
    expect(r.decisions[1].effects).toEqual([{ type: "verifyInLibrary", reason: "imported" }]);
  });

  it("a request for something already available is created available", () => {
    const d = decide(run([ev.approved()]).snap, ev.approved(), ctx());
    expect(d.snapshot.request.state).toBe("approved"); // same request: absorbed
    const fresh = run([ev.approved(movie, [], 70)], { alreadyAvailable: { requestId: 3, jellyfinItemId: "jf1" } });
    expect(fresh.snap.request.state).toBe("available");
    expect(fresh.snap.request.jellyfinItemId).toBe("jf1");
    expect(kinds(fresh)).toEqual(["requested", "approved", "available"]);
  });

  it("a grab for something never requested creates a request at grabbing, with no inferred history", () => {
    const r = run([ev.grab()]);
    expect(r.snap.request.state).toBe("grabbing");
    expect(kinds(r)).toEqual(["grabbed"]);
    expect(r.snap.request.origin).toBe("radarr");
  });

  it("a Jellyseerr request adopts a request first seen through a grab", () => {
    const r = run([ev.grab(), ev.approved()]);
    expect(r.snap.request.state).toBe("grabbing");
    expect(r.snap.request.jellyseerrRequestId).toBe(69);
    expect(r.snap.request.requestedBy).toBe("mira");
  });

  it("never mutates its input", () => {
    const start = existing({ state: "approved" });
    const copy = JSON.parse(JSON.stringify(start));
    decide(start, ev.grab(), ctx());
    expect(start).toEqual(copy);
  });
});

describe("TV: state derived from episodes", () => {
  const season = eps(1, 1, 13);

  it("a season pack end to end: per-episode progress, then every episode imported and available", () => {
    const files = season.map((e, i) => ({ index: i, name: `Show.S01E${String(e.episode).padStart(2, "0")}.mkv`, progress: e.episode <= 4 ? 1 : 0.5 }));
    const r = run([ev.approved(show, [1], 68), ev.grab(show, HASH, season), ev.progress(0.6, HASH, "downloading", { files })]);
    expect(r.snap.request.state).toBe("downloading");
    expect(r.snap.episodes).toHaveLength(13);
    expect(r.snap.episodes.filter((e) => e.state === "downloaded")).toHaveLength(4);
    expect(r.snap.episodes.find((e) => e.episode === 5)).toMatchObject({ state: "downloading", progress: 0.5, fileIndex: 4 });
    expect(r.snap.request.progress).toBeCloseTo((4 + 9 * 0.5) / 13, 3);

    const imported = run(
      [ev.completed(), ev.imported(show, season.map((e) => ({ path: `/tv/Show/Season 1/S01E${e.episode}.mkv`, episodes: [e] }))), ev.hint(show)],
      {},
      r.snap,
    );
    expect(imported.snap.request.state).toBe("available");
    expect(imported.snap.episodes.every((e) => e.state === "available")).toBe(true);
    expect(imported.snap.request.importedPath).toBe("/tv/Show/Season 1");
  });

  it("the request follows the least advanced episode", () => {
    const r = run([ev.approved(show, [1], 68), ev.grab(show, HASH, season), ev.completed()]);
    const one = run([ev.imported(show, [{ path: "/tv/a.mkv", episodes: [season[0]] }])], {}, r.snap);
    expect(one.snap.request.state).toBe("downloaded");
    expect(one.snap.episodes[0].state).toBe("importing");
    expect(one.decisions[0].timeline.map((t) => t.kind)).toEqual(["imported"]);
    expect(one.decisions[0].timeline[0].episodeLabel).toBe("S01E01");
  });

  it("anime season with Shoko: importing is recorded before matching", () => {
    const r = run(
      [ev.approved(show, [1], 68), ev.grab(show, HASH, season, true), ev.completed(), ev.imported(show, season.map((e) => ({ path: `/anime/S01E${e.episode}.mkv`, episodes: [e] })))],
      { shokoEnabled: true },
    );
    expect(r.snap.request.state).toBe("anime_matching");
    expect(r.decisions[3].timeline.map((t) => t.kind)).toEqual(["imported", "matching"]);
  });

  it("an episode-level library hint marks only that episode", () => {
    const r = run([ev.approved(show, [1], 68), ev.grab(show, HASH, season), ev.completed(), ev.hint({ mediaType: "tv", title: "Show" }, [season[2]], "jellyfin")]);
    expect(r.snap.episodes.find((e) => e.episode === 3)?.state).toBe("available");
    expect(r.snap.request.state).toBe("downloaded");
  });

  it("unaired episodes do not hold an airing show back", () => {
    expect(deriveTvRequestState([{ state: "available" }, { state: "available" }, { state: "unaired" }], "importing")).toBe("available");
    expect(deriveTvRequestState([{ state: "unaired" }], "approved")).toBeNull();
  });

  it.each([
    [["available", "available", "available"], "available"],
    [["available", "failed"], "failed"],
    [["available", "importing"], "importing"],
    [["importing", "anime_matching"], "importing"],
    [["available", "anime_matching"], "anime_matching"],
    [["downloading", "available", "grabbing"], "grabbing"],
    [["wanted", "downloading"], "searching"],
    [["match_failed", "available"], "match_failed"],
  ] as const)("episodes %j give %s", (states, expected) => {
    expect(deriveTvRequestState(states.map((state) => ({ state })), "grabbing")).toBe(expected);
  });

  it("per-episode grabs accumulate on one request with an informational entry each", () => {
    const r = run([ev.approved(show, [1], 68), ev.grab(show, "h1", [season[0]]), ev.grab(show, "h2", [season[1]])]);
    expect(r.snap.episodes.map((e) => e.downloadHash)).toEqual(["h1", "h2"]);
    expect(r.decisions[2].timeline.map((t) => `${t.kind}:${t.episodeLabel}`)).toEqual(["grabbed:S01E02"]);
  });
});
