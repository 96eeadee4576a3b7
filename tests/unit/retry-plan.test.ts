import { describe, expect, it } from "vitest";
import { planRetry, type RetryStage } from "@/server/actions";
import type { DomainEvent } from "@/server/pipeline/events";
import type { Snapshot } from "@/server/pipeline/machine";
import { eps, ev, HASH, movie, run, show } from "../helpers/machine-fixtures";

/* Which stage a retry restarts, from what the tracker knows (built by the machine itself). */

const loaded = (snap: Snapshot) => ({
  request: snap.request,
  episodes: snap.episodes.map((e, i) => ({ ...e, id: e.id ?? i + 1, requestId: snap.request.id })),
  downloads: snap.downloads.map((d) => ({ ...d, requestId: snap.request.id })),
});

const plan = (events: DomainEvent[]) => planRetry(loaded(run(events, { shokoEnabled: true }).snap));

describe("planRetry (table)", () => {
  const stalled = ev.progress(0.37, HASH, "stalledDL", { problem: "Download stalled: no seeds" });
  const table: { name: string; events: () => DomainEvent[]; stage: RetryStage; hashes?: string[]; paths?: string[] }[] = [
    { name: "approved, never searched", events: () => [ev.approved()], stage: "search" },
    { name: "searching", events: () => [ev.approved(), ev.added()], stage: "search" },
    { name: "timed out before a grab", events: () => [ev.approved(), ev.added(), ev.timedOut()], stage: "search" },
    { name: "Jellyseerr could not add it", events: () => [ev.failed()], stage: "search" },
    { name: "a stalled download", events: () => [ev.approved(), ev.grab(), stalled], stage: "download", hashes: [HASH] },
    { name: "a stalled download that timed out", events: () => [ev.approved(), ev.grab(), stalled, ev.timedOut()], stage: "download", hashes: [HASH] },
    { name: "a healthy download: only a check", events: () => [ev.approved(), ev.grab(), ev.progress(0.5)], stage: "library" },
    { name: "downloaded, import blocked", events: () => [ev.approved(), ev.grab(), ev.completed(), ev.blocked()], stage: "import", hashes: [HASH] },
    { name: "downloaded and timed out", events: () => [ev.approved(), ev.grab(), ev.completed(), ev.timedOut()], stage: "import", hashes: [HASH] },
    { name: "imported, not in the library yet", events: () => [ev.approved(), ev.imported()], stage: "library" },
    {
      name: "anime whose match failed",
      events: () => [ev.approved(), ev.grab(movie, HASH, [], true), ev.imported(), ev.matchFailed()],
      stage: "matching",
      paths: ["/data/movies/The Film (1999)/film.mkv"],
    },
    { name: "available", events: () => [ev.approved(), ev.imported(), ev.seen()], stage: "library" },
    { name: "a file deleted in the arr", events: () => [ev.approved(), ev.imported(), ev.seen(), ev.fileDeleted("manual")], stage: "search" },
  ];
  it.each(table)("$name → $stage", ({ events, stage, hashes, paths }) => {
    const p = plan(events());
    expect(p.stage).toBe(stage);
    if (hashes) expect(p.hashes).toEqual(hashes);
    if (paths) expect(p.paths).toEqual(paths);
  });

  it("TV: the least advanced episodes decide; a search names the wanted episodes", () => {
    const season = eps(1, 1, 4);
    const p = plan([ev.approved(show, [1]), { type: "EpisodesExpected", at: 1, source: "sonarr", media: show, episodes: season }, ev.grab(show, HASH, season.slice(0, 2))]);
    expect(p.stage).toBe("search");
    expect(p.episodes.map((e) => e.episode)).toEqual([3, 4]);
    expect(p.episodes[0].sonarrEpisodeId).toBe(703);

    const stuck = plan([ev.approved(show, [1]), ev.grab(show, HASH, season), ev.progress(0.1, HASH, "stalledDL", { problem: "Download stalled: no seeds" })]);
    expect(stuck).toMatchObject({ stage: "download", hashes: [HASH] });
    expect(stuck.episodes).toHaveLength(4);
  });
});
