import { describe, expect, it } from "vitest";
import { correlate, type Candidate } from "@/server/pipeline/correlate";
import type { RequestRow } from "@/server/db/schema";
import type { RequestState } from "@/lib/states";
import { newRequest } from "@/server/pipeline/machine";
import { eps, ev, HASH, movie, show, T0 } from "../helpers/machine-fixtures";

function cand(id: number, over: Partial<RequestRow>, hashes: string[] = [], episodes: Candidate["episodes"] = []): Candidate {
  const base = newRequest(ev.grab(), T0);
  return { request: { ...base, id, createdAt: T0 + id, ...over }, hashes, episodes };
}
const m = (id: number, state: RequestState, over: Partial<RequestRow> = {}, hashes: string[] = []) =>
  cand(id, { mediaType: "movie", tmdbId: 603, radarrId: 5, state, ...over }, hashes);
const tv = (id: number, state: RequestState, seasons: number[], over: Partial<RequestRow> = {}) =>
  cand(id, { mediaType: "tv", tvdbId: 414057, tmdbId: 154494, sonarrId: 23, state, requestedSeasons: seasons, ...over });

const ids = (c: ReturnType<typeof correlate>) => c.targets.map((t) => t.requestId);

describe("correlate", () => {
  it("hash first: a torrent's request wins over a newer request with the same ids", () => {
    const c = correlate(ev.grab(), [m(1, "downloading", {}, [HASH]), m(2, "approved")]);
    expect(ids(c)).toEqual([1]);
  });

  it("an event that names its request goes there whole: a film's import keeps its file", () => {
    const imported = { ...ev.imported(movie, [{ path: "/movies/f.mkv", episodes: [] }]), media: { ...movie, requestId: 1 } };
    expect(correlate(imported, [m(1, "grabbing"), m(2, "approved")]).targets).toEqual([{ requestId: 1, episodes: undefined }]);
    const expected = { type: "EpisodesExpected" as const, at: T0, source: "sonarr" as const, media: { ...show, requestId: 3 }, episodes: eps(1, 1, 2) };
    expect(correlate(expected, [tv(3, "searching", [1])]).targets).toEqual([{ requestId: 3, episodes: eps(1, 1, 2) }]);
    expect(ids(correlate({ ...expected, media: show }, [tv(3, "available", [1]), tv(4, "declined", [1])]))).toEqual([3]);
  });

  it("the newest active request wins among several with the same ids (no crash on duplicates)", () => {
    expect(ids(correlate(ev.grab(movie, "ffff"), [m(1, "approved"), m(2, "approved"), m(3, "searching")]))).toEqual([3]);
  });

  it("a new grab never lands on a finished request while an active one exists", () => {
    expect(ids(correlate(ev.grab(movie, "ffff"), [m(1, "available"), m(2, "approved")]))).toEqual([2]);
  });

  it("a grab with only a finished match lands on it (an upgrade), a grab with no match creates", () => {
    expect(ids(correlate(ev.grab(movie, "ffff"), [m(1, "available")]))).toEqual([1]);
    expect(ids(correlate(ev.grab(movie, "ffff"), []))).toEqual([null]);
    expect(ids(correlate(ev.grab(movie, "ffff"), [m(1, "declined")]))).toEqual([null]);
  });

  it("Jellyseerr events match by request id, then adopt an untracked arr request, else create", () => {
    expect(ids(correlate(ev.approved(movie, [], 69), [m(1, "approved", { jellyseerrRequestId: 69 }), m(2, "approved")]))).toEqual([1]);
    expect(ids(correlate(ev.approved(movie, [], 69), [m(1, "grabbing", { jellyseerrRequestId: null })]))).toEqual([1]);
    expect(ids(correlate(ev.approved(movie, [], 69), [m(1, "grabbing", { jellyseerrRequestId: 12 })]))).toEqual([null]);
  });

  it("a request for something already available creates a new request that knows it", () => {
    const c = correlate(ev.approved(movie, [], 70), [m(1, "available", { jellyseerrRequestId: 12, jellyfinItemId: "jf" })]);
    expect(c.targets).toEqual([{ requestId: null, alreadyAvailable: { requestId: 1, jellyfinItemId: "jf" } }]);
  });

  it("a second season request does not count the first season's availability", () => {
    const c = correlate(ev.approved(show, [2], 70), [tv(1, "available", [1], { jellyseerrRequestId: 12 })]);
    expect(c.targets).toEqual([{ requestId: null, alreadyAvailable: undefined }]);
  });

  it("TV episodes are split by season across the requests that asked for them", () => {
    const c = correlate(ev.grab(show, "ffff", [...eps(1, 1, 2), ...eps(2, 1, 2)]), [tv(1, "grabbing", [1]), tv(2, "approved", [2])]);
    expect(c.targets.map((t) => [t.requestId, t.episodes?.map((e) => `${e.season}x${e.episode}`)])).toEqual([
      [1, ["1x1", "1x2"]],
      [2, ["2x1", "2x2"]],
    ]);
  });

  it("episodes of a season nobody asked for go to the newest request of the show", () => {
    const c = correlate(ev.grab(show, "ffff", eps(3, 1, 1)), [tv(1, "grabbing", [1]), tv(2, "approved", [2])]);
    expect(ids(c)).toEqual([2]);
  });

  it("progress matches by hash only and skips deleted requests", () => {
    expect(ids(correlate(ev.progress(0.5), [m(1, "downloading", {}, [HASH])]))).toEqual([1]);
    expect(correlate(ev.progress(0.5), [m(1, "deleted", {}, [HASH])]).unmatched).toBeDefined();
    expect(correlate(ev.progress(0.5, "0000"), [m(1, "downloading", {}, [HASH])]).unmatched).toBeDefined();
  });

  it("deletions find finished requests too, all of them", () => {
    expect(ids(correlate(ev.deleted(), [m(1, "available"), m(2, "downloading"), m(3, "deleted")]))).toEqual([2, 1]);
  });

  it("an upgrade import of unknown media creates nothing; a plain import creates", () => {
    expect(correlate(ev.imported(movie, undefined, true), []).unmatched).toBeDefined();
    expect(ids(correlate(ev.imported(movie, undefined, false), []))).toEqual([null]);
  });

  it("a Jellyfin episode hint matches by the episode's tvdb id, then by series title", () => {
    const byTvdb = correlate(ev.hint({ mediaType: "tv", title: "Other" }, [{ season: 1, episode: 3, tvdbId: 9234919 }], "jellyfin"), [
      cand(1, { mediaType: "tv", title: "Lycoris Recoil", state: "downloaded" }, [], [{ season: 1, episode: 3, tvdbId: 9234919 }]),
    ]);
    expect(ids(byTvdb)).toEqual([1]);
    const byTitle = correlate(ev.hint({ mediaType: "tv", title: "Lycoris Recoil" }, [{ season: 1, episode: 3 }], "jellyfin"), [
      cand(1, { mediaType: "tv", title: "Lycoris Recoil", state: "downloaded" }),
    ]);
    expect(ids(byTitle)).toEqual([1]);
  });

  it("a movie never matches a series with the same tmdb id", () => {
    expect(ids(correlate(ev.grab(movie, "ffff"), [cand(1, { mediaType: "tv", tmdbId: 603, state: "approved" })]))).toEqual([null]);
  });
});
