import { describe, expect, it } from "vitest";
import type { RequestState } from "@/lib/states";
import { correlate, type Candidate } from "@/server/pipeline/correlate";
import type { ArrTruth, DomainEvent, EpisodeRef, LibraryTruth, MediaRef, RetryOperation } from "@/server/pipeline/events";
import { decide, newRequest } from "@/server/pipeline/machine";
import { ctx, eps, ev, existing, HASH, movie, run, show, T0 } from "../helpers/machine-fixtures";

/*
 * The admin's events in the pure machine: retries step back explicitly to the stage they
 * restarted, "verify now" moves to the truth from any state, a deletion job owns its request,
 * and library sync imports or only fills ids.
 */

let clock = T0 + 10_000_000;
const at = () => (clock += 1000);

const retry = (operations: RetryOperation[], over: { removedHashes?: string[]; searchedEpisodes?: EpisodeRef[]; ok?: boolean; media?: MediaRef } = {}): DomainEvent => ({
  type: "RetryRequested",
  at: at(),
  source: "admin",
  media: over.media ?? { mediaType: "movie", requestId: 1 },
  by: "admin",
  operations,
  removedHashes: over.removedHashes ?? [],
  searchedEpisodes: over.searchedEpisodes ?? [],
  summary: operations.join(", "),
  ok: over.ok ?? true,
});

const verified = (library: LibraryTruth | null, arr: ArrTruth | null, media: MediaRef = { mediaType: "movie", requestId: 1 }): DomainEvent => ({
  type: "Verified",
  at: at(),
  source: "admin",
  media,
  by: "admin",
  library,
  arr,
  summary: "checked",
});

const lib = (found: boolean, episodes: LibraryTruth["episodes"] = []): LibraryTruth => ({ found, jellyfinItemId: found ? "jf1" : undefined, episodes });
const arr = (over: Partial<ArrTruth> = {}): ArrTruth => ({ hasMedia: true, hasFile: false, downloading: false, episodesWithFile: [], ...over });

const deletionStarted = (): DomainEvent => ({ type: "DeletionStarted", at: at(), source: "admin", media: { mediaType: "movie", requestId: 1 }, by: "admin", deletionId: 3, steps: ["qBittorrent", "Radarr"] });
const stepDone = (ok: boolean, source: "qbittorrent" | "radarr" = "radarr"): DomainEvent => ({
  type: "DeletionStepFinished",
  at: at(),
  source,
  media: { mediaType: "movie", requestId: 1 },
  deletionId: 3,
  ok,
  message: ok ? "Radarr: Deleted movie #5 with its files" : "Radarr: connection refused",
});
const deletionFinished = (): DomainEvent => ({ type: "DeletionFinished", at: at(), source: "admin", media: { mediaType: "movie", requestId: 1 }, deletionId: 3, by: "admin" });

const stalled = () => [ev.approved(), ev.grab(), ev.progress(0.37, HASH, "stalledDL", { problem: "Download stalled: no seeds" })];

describe("retries (table)", () => {
  const table: { name: string; events: () => DomainEvent[]; state: RequestState; stuck?: RegExp | null; downloads?: number; last?: string }[] = [
    {
      name: "a stalled download removed and searched again steps back to searching, without the old torrent",
      events: () => [...stalled(), retry(["redownload", "search"], { removedHashes: [HASH] })],
      state: "searching",
      stuck: null,
      downloads: 0,
      last: "retried",
    },
    {
      name: "a search for a timed-out search revives it",
      events: () => [ev.approved(), ev.added(), ev.timedOut(), retry(["search"])],
      state: "searching",
      stuck: null,
    },
    {
      name: "Jellyseerr sending the request again goes back to approved",
      events: () => [ev.approved(), ev.timedOut(), retry(["jellyseerr"])],
      state: "approved",
      stuck: null,
    },
    {
      name: "a rescan of a blocked import keeps the arr's reason",
      events: () => [ev.approved(), ev.grab(), ev.completed(), ev.blocked(), retry(["rescan"])],
      state: "downloaded",
      stuck: /Import blocked/,
    },
    {
      name: "a rescan of a timed-out download goes back to downloaded",
      events: () => [ev.approved(), ev.grab(), ev.completed(), ev.timedOut(), retry(["rescan"])],
      state: "downloaded",
    },
    {
      name: "a Shoko rescan of a failed match waits for Shoko again",
      events: () => [ev.approved(), ev.grab(movie, HASH, [], true), ev.imported(), ev.matchFailed(), retry(["rematch", "verify"])],
      state: "anime_matching",
      stuck: null,
    },
    {
      name: "a refused retry only says so",
      events: () => [...stalled(), retry([], { ok: false })],
      state: "downloading",
      stuck: /stalled/,
      downloads: 1,
    },
    {
      name: "a verify-only retry leaves the state",
      events: () => [ev.approved(), ev.imported(), retry(["verify"])],
      state: "importing",
    },
  ];
  it.each(table)("$name", ({ events, state, stuck, downloads, last }) => {
    const r = run(events(), { shokoEnabled: true });
    expect(r.snap.request.state).toBe(state);
    if (stuck === null) expect(r.snap.request.stuckReason).toBeNull();
    else if (stuck) expect(r.snap.request.stuckReason).toMatch(stuck);
    if (downloads !== undefined) expect(r.snap.downloads).toHaveLength(downloads);
    const entries = r.decisions.at(-1)!.timeline;
    expect(entries.some((t) => t.kind === "retried" && /^Retr(ied|y) by admin/.test(t.details ?? ""))).toBe(true);
    if (last) expect(entries.at(-1)?.kind).toBe(last);
  });

  it("a retried TV pack makes its episodes wanted again and the request searching", () => {
    const e = eps(1, 1, 4);
    const r = run(
      [ev.approved(show, [1]), ev.grab(show, HASH, e), ev.progress(0.2, HASH, "stalledDL", { problem: "Download stalled: no seeds" }), retry(["redownload", "search"], { removedHashes: [HASH], searchedEpisodes: e, media: { mediaType: "tv", requestId: 1 } })],
    );
    expect(r.snap.request.state).toBe("searching");
    expect(r.snap.episodes.every((x) => x.state === "wanted" && x.downloadHash === null)).toBe(true);
  });

  it("a TV episode whose file was deleted is wanted again when searched for", () => {
    const e = eps(1, 1, 2);
    const imported = { type: "Imported", at: at(), source: "sonarr", media: show, info: {}, hash: HASH, files: e.map((x) => ({ path: `/tv/S01E0${x.episode}.mkv`, episodes: [x] })), isUpgrade: false } as DomainEvent;
    const r = run([ev.approved(show, [1]), ev.grab(show, HASH, e), imported, ev.fileDeleted("manual", show, [e[1]]), retry(["search"], { searchedEpisodes: [e[1]], media: { mediaType: "tv", requestId: 1 } })]);
    expect(r.snap.episodes.map((x) => x.state)).toEqual(["importing", "wanted"]);
    expect(r.snap.request.state).toBe("searching");
  });
});

describe("verify now (table)", () => {
  const table: { name: string; events: () => DomainEvent[]; c?: Parameters<typeof run>[1]; state: RequestState; stuck?: RegExp | null }[] = [
    { name: "playable in Jellyfin: available from downloading", events: () => [ev.approved(), ev.grab(), ev.progress(0.5), verified(lib(true), arr({ hasFile: true }))], state: "available" },
    { name: "playable in Jellyfin: available from failed", events: () => [ev.approved(), ev.failed(), verified(lib(true), null)], state: "available" },
    { name: "the arr has the file, Jellyfin not yet: importing", events: () => [ev.approved(), ev.grab(), ev.timedOut(), verified(lib(false), arr({ hasFile: true, path: "/m/f.mkv" }))], state: "importing" },
    { name: "anime with Shoko: the file waits for matching", events: () => [ev.approved(), ev.grab(movie, HASH, [], true), verified(lib(false), arr({ hasFile: true }))], c: { shokoEnabled: true }, state: "anime_matching" },
    {
      name: "available, but neither Jellyfin nor the arr has a file: searching again",
      events: () => [ev.approved(), ev.imported(), ev.seen(), verified(lib(false), arr({ hasFile: false }))],
      state: "searching",
      stuck: /Not in Jellyfin/,
    },
    {
      name: "available, and the arr no longer has it at all: failed",
      events: () => [ev.approved(), ev.imported(), ev.seen(), verified(lib(false), arr({ hasMedia: false }))],
      state: "failed",
      stuck: /Radarr does not have it/,
    },
    {
      name: "approved but never reached the arr: says so",
      events: () => [ev.approved(), verified(lib(false), arr({ hasMedia: false }))],
      state: "approved",
      stuck: /Radarr does not have it/,
    },
    { name: "without Jellyfin, an available film is not taken away", events: () => [ev.approved(), ev.imported(), ev.seen(), verified(null, arr({ hasFile: false }))], state: "available" },
    { name: "a download in the queue: nothing to move", events: () => [ev.approved(), ev.grab(), ev.progress(0.4), verified(lib(false), arr({ downloading: true }))], state: "downloading" },
  ];
  it.each(table)("$name", ({ events, c, state, stuck }) => {
    const r = run(events(), c);
    expect(r.snap.request.state).toBe(state);
    if (stuck === null) expect(r.snap.request.stuckReason).toBeNull();
    else if (stuck) expect(r.snap.request.stuckReason).toMatch(stuck);
    expect(r.decisions.at(-1)!.timeline.some((t) => t.kind === "verified" || t.kind === "failed")).toBe(true);
  });

  it("TV: per episode, playable ones available, files in Sonarr importing, lost ones wanted", () => {
    const e = eps(1, 1, 3);
    const start = run([ev.approved(show, [1]), ev.grab(show, HASH, e), ev.seen(show, e)]);
    const truth = verified(
      lib(true, [{ ...e[0], jellyfinId: "ep1" }]),
      arr({ hasFile: true, episodesWithFile: [e[0], e[1]] }),
      { mediaType: "tv", requestId: 1 },
    );
    const r = run([truth], {}, start.snap);
    expect(r.snap.episodes.map((x) => x.state)).toEqual(["available", "importing", "wanted"]);
    expect(r.snap.request.state).toBe("searching");
  });
});

describe("deletion job", () => {
  it("deleting until every step is done, then deleted; nothing else moves it meanwhile", () => {
    const r = run([ev.approved(), ev.imported(), ev.seen(), deletionStarted(), ev.grab(movie, "bbbb"), ev.deleted(), stepDone(false)]);
    expect(r.snap.request.state).toBe("deleting");
    expect(r.snap.request.stuckReason).toMatch(/^Deletion stopped at Radarr/);
    // The arr's own MovieDelete webhook during the job neither finishes it nor records a second deletion.
    expect(r.decisions.flatMap((d) => d.effects)).toEqual([]);
    const after = run([stepDone(true), deletionFinished()], {}, r.snap);
    expect(after.snap.request.state).toBe("deleted");
    expect(after.snap.request.stuckReason).toBeNull();
    expect(after.decisions.flatMap((d) => d.timeline.map((t) => t.kind))).toEqual(["note", "deleted"]);
  });

  it("a deletion done in the arr is recorded for the audit log; a deleted request can still be deleted everywhere", () => {
    const r = run([ev.approved(), ev.deleted()]);
    expect(r.decisions.at(-1)!.effects).toEqual([{ type: "recordDeletion", source: "radarr", deletedFiles: true }]);
    const again = run([deletionStarted()], {}, r.snap);
    expect(again.snap.request.state).toBe("deleting");
  });
});

describe("library sync", () => {
  const imported = (media: MediaRef, foundIn: "jellyfin" | "jellyseerr" = "jellyfin"): DomainEvent => ({
    type: "LibraryImported",
    at: at(),
    source: "tracker",
    media,
    info: { title: "Imported Film", year: 2001 },
    requestedBy: "mira",
    seasons: [],
    foundIn,
    by: "admin",
  });

  it("imports new media as an available request with its ids", () => {
    const e = imported({ mediaType: "movie", tmdbId: 11, radarrId: 4, jellyfinItemId: "jf9" });
    const d = decide({ request: newRequest(e, T0), episodes: [], downloads: [] }, e, ctx({ libraryVerification: true }));
    expect(d.snapshot.request).toMatchObject({ state: "available", origin: "library", tmdbId: 11, radarrId: 4, jellyfinItemId: "jf9", title: "Imported Film", requestedBy: "mira" });
    expect(d.timeline.map((t) => t.kind)).toEqual(["available"]);
    expect(d.effects).toEqual([]);
  });

  it("only fills missing ids on a tracked request, never its state", () => {
    const start = existing({ state: "downloading", tmdbId: 11, radarrId: null, jellyfinItemId: null });
    const d = decide(start, imported({ mediaType: "movie", requestId: 7, tmdbId: 99, radarrId: 4, jellyfinItemId: "jf9" }), ctx());
    expect(d.snapshot.request).toMatchObject({ state: "downloading", tmdbId: 11, radarrId: 4, jellyfinItemId: "jf9" });
    expect(d.timeline[0].details).toBe("Library sync by admin filled in the Radarr id and Jellyfin id");
    const again = decide(d.snapshot, imported({ mediaType: "movie", requestId: 7, radarrId: 4 }), ctx());
    expect(again.timeline).toEqual([]);
  });

  it("correlates by Jellyseerr request id, adopts an untracked request, or creates", () => {
    const cand = (id: number, over: Partial<Candidate["request"]>): Candidate => ({
      request: { ...existing({ id, mediaType: "movie", ...over }).request, createdAt: T0 + id },
      hashes: [],
      episodes: [],
    });
    const seerr = (id: number): DomainEvent => imported({ mediaType: "movie", tmdbId: 11, jellyseerrRequestId: id }, "jellyseerr");
    const tracked = [cand(1, { tmdbId: 11, jellyseerrRequestId: 41 }), cand(2, { tmdbId: 11, jellyseerrRequestId: null, state: "available" })];
    expect(correlate(seerr(41), tracked).targets).toEqual([{ requestId: 1 }]);
    expect(correlate(seerr(42), tracked).targets).toEqual([{ requestId: 2 }]);
    expect(correlate(seerr(43), [tracked[0]]).targets).toEqual([{ requestId: null }]);
    expect(correlate(imported({ mediaType: "movie", tmdbId: 11 }), [cand(3, { tmdbId: 11, state: "deleted" })]).targets).toEqual([{ requestId: null }]);
  });
});
