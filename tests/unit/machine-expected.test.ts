import { describe, expect, it } from "vitest";
import type { RequestState, EpisodeState } from "@/lib/states";
import type { DomainEvent, ExpectedEpisode } from "@/server/pipeline/events";
import { ev, eps, HASH, movie, run, show, T0 } from "../helpers/machine-fixtures";

/*
 * EpisodesExpected (Sonarr's episode list, polled) and late imports: the request learns every
 * episode in scope with its air date, unaired ones become wanted when their date passes, nothing
 * under way moves back, and an import reported twice (poll, then the late webhook) is absorbed.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = T0 + HOUR;

const ep = (n: number, airOffsetMs: number | undefined, over: Partial<ExpectedEpisode> = {}): ExpectedEpisode => ({
  season: 1,
  episode: n,
  title: `Episode ${n}`,
  sonarrEpisodeId: 700 + n,
  airDateUtc: airOffsetMs === undefined ? undefined : NOW + airOffsetMs,
  ...over,
});
const expected = (episodes: ExpectedEpisode[], at = NOW): DomainEvent => ({ type: "EpisodesExpected", at, source: "sonarr", media: show, episodes });
const imported = (n: number): DomainEvent => ev.imported(show, [{ path: `/tv/Show/Season 01/S01E0${n}.mkv`, episodes: eps(1, n, n) }]);
const seenEp = (n: number): DomainEvent => ev.hint({ mediaType: "tv", tvdbId: show.tvdbId }, eps(1, n, n), "jellyfin");

const states = (r: ReturnType<typeof run>) => r.snap.episodes.map((e) => `${e.episode}:${e.state}`);
const lastTimeline = (r: ReturnType<typeof run>) => r.decisions.at(-1)!.timeline.map((t) => `${t.inferred ? `(${t.kind})` : t.kind}|${t.details}`);

describe("EpisodesExpected (table)", () => {
  const table: {
    name: string;
    events: () => DomainEvent[];
    state: RequestState;
    episodes: string[];
    last?: string[];
  }[] = [
    {
      name: "first list: aired episodes are wanted, future ones unaired, the request searches",
      events: () => [ev.approved(show, [1], 68), expected([ep(1, -7 * DAY), ep(2, -1 * DAY), ep(3, 6 * DAY)])],
      state: "searching",
      episodes: ["1:wanted", "2:wanted", "3:unaired"],
      last: ["searching|Expecting 3 episodes, S01E01–S01E03; 1 not aired yet, next S01E03 on 2026-11-26"],
    },
    {
      name: "an undated episode counts as aired; a future one with a file too",
      events: () => [ev.approved(show, [1], 68), expected([ep(1, undefined), ep(2, 3 * DAY, { hasFile: true })])],
      state: "searching",
      episodes: ["1:wanted", "2:wanted"],
    },
    {
      name: "nothing aired yet: the request stays approved and the list is noted",
      events: () => [ev.approved(show, [1], 68), expected([ep(1, DAY), ep(2, 8 * DAY)])],
      state: "approved",
      episodes: ["1:unaired", "2:unaired"],
      last: ["note|Expecting 2 episodes, S01E01–S01E02; 2 not aired yet, next S01E01 on 2026-11-21"],
    },
    {
      name: "an airing show whose aired episodes are all available is available, its upcoming episodes unaired",
      events: () => [
        ev.approved(show, [1], 68),
        ev.grab(show, HASH, eps(1, 1, 2)),
        expected([ep(1, -8 * DAY), ep(2, -DAY), ep(3, 6 * DAY), ep(4, 13 * DAY)]),
        imported(1),
        imported(2),
        seenEp(1),
        seenEp(2),
      ],
      state: "available",
      episodes: ["1:available", "2:available", "3:unaired", "4:unaired"],
    },
    {
      name: "the air date passes: the episode is wanted and the available show looks for it again",
      events: () => [
        ev.approved(show, [1], 68),
        expected([ep(1, -DAY), ep(2, 6 * DAY)]),
        ev.grab(show, HASH, eps(1, 1, 1)),
        imported(1),
        seenEp(1),
        expected([ep(1, -DAY), ep(2, 6 * DAY)], NOW + 7 * DAY),
      ],
      state: "searching",
      episodes: ["1:available", "2:wanted"],
      last: ["searching|Aired: S01E02"],
    },
    {
      name: "the new episode's grab arrives before the list says it aired: absorbed",
      events: () => [
        ev.approved(show, [1], 68),
        expected([ep(1, -DAY), ep(2, 6 * DAY)]),
        ev.grab(show, HASH, eps(1, 1, 1)),
        imported(1),
        seenEp(1),
        ev.grab(show, "b".repeat(40), eps(1, 2, 2)),
        expected([ep(1, -DAY), ep(2, 6 * DAY)], NOW + 7 * DAY),
      ],
      state: "grabbing",
      episodes: ["1:available", "2:grabbing"],
      last: [],
    },
    {
      name: "an episode under way never moves back, even if its air date moves into the future",
      events: () => [ev.approved(show, [1], 68), ev.grab(show, HASH, eps(1, 1, 2)), ev.progress(0.4), expected([ep(1, -DAY), ep(2, 5 * DAY, { title: "Renamed" })])],
      state: "downloading",
      episodes: ["1:downloading", "2:downloading"],
      last: [],
    },
    {
      name: "an undated wanted episode that gets a future date waits as unaired (nothing was grabbed)",
      events: () => [
        ev.approved(show, [1], 68),
        expected([ep(1, -DAY), ep(2, undefined)]),
        ev.grab(show, HASH, eps(1, 1, 1)),
        imported(1),
        seenEp(1),
        expected([ep(1, -DAY), ep(2, 9 * DAY)]),
      ],
      state: "available",
      episodes: ["1:available", "2:unaired"],
      // The request was still searching for S01E02; its other milestones are filled in as inferred.
      last: ["(grabbed)|null", "(download_started)|null", "(downloaded)|null", "(imported)|null", "available|1 not aired yet, next S01E02 on 2026-11-29"],
    },
    {
      name: "the same list again changes nothing",
      events: () => [ev.approved(show, [1], 68), expected([ep(1, -DAY), ep(2, DAY)]), expected([ep(1, -DAY), ep(2, DAY)])],
      state: "searching",
      episodes: ["1:wanted", "2:unaired"],
      last: [],
    },
    {
      name: "a declined request ignores it",
      events: () => [ev.declined(show), expected([ep(1, -DAY)])],
      state: "declined",
      episodes: [],
      last: [],
    },
    {
      name: "a film ignores it",
      events: () => [ev.approved(movie), { ...expected([ep(1, -DAY)]), media: movie }],
      state: "approved",
      episodes: [],
      last: [],
    },
  ];

  for (const row of table) {
    it(row.name, () => {
      const r = run(row.events());
      expect(r.snap.request.state).toBe(row.state);
      expect(states(r)).toEqual(row.episodes);
      if (row.last) expect(lastTimeline(r)).toEqual(row.last);
    });
  }

  it("keeps air dates, titles and Sonarr ids; follows the arr when they change", () => {
    const first = run([ev.approved(show, [1], 68), expected([ep(1, -DAY), ep(2, 6 * DAY)])]);
    expect(first.snap.episodes.map((e) => [e.title, e.airDateUtc, e.sonarrEpisodeId])).toEqual([
      ["Episode 1", NOW - DAY, 701],
      ["Episode 2", NOW + 6 * DAY, 702],
    ]);
    const moved = run([expected([ep(1, -DAY), ep(2, 8 * DAY, { title: "The Real Title" })])], {}, first.snap);
    expect(moved.snap.episodes[1]).toMatchObject({ title: "The Real Title", airDateUtc: NOW + 8 * DAY, state: "unaired" as EpisodeState });
    expect(moved.decisions[0].timeline).toEqual([]);
  });

  it("takes the anime hint and the Sonarr id with it", () => {
    const r = run([ev.approved({ mediaType: "tv", tvdbId: 414057 }, [1], 68), { ...expected([ep(1, -DAY)]), anime: { isAnime: true, source: "series type" } } as DomainEvent]);
    expect(r.snap.request).toMatchObject({ isAnime: true, animeSource: "series type", sonarrId: 23 });
  });

  it("is pure: the input snapshot is not touched", () => {
    const first = run([ev.approved(show, [1], 68), expected([ep(1, -DAY), ep(2, 6 * DAY)])]);
    const frozen = JSON.stringify(first.snap);
    run([expected([ep(1, -DAY), ep(2, 6 * DAY)], NOW + 7 * DAY)], {}, first.snap);
    expect(JSON.stringify(first.snap)).toBe(frozen);
  });
});

describe("an import reported twice (polling, then the late webhook)", () => {
  it("a film: the second report is absorbed, with no timeline entry and no second verification", () => {
    const path = "/data/movies/The Film (1999)/film.mkv";
    const r = run([ev.approved(), ev.grab(), ev.imported(movie, [{ path, episodes: [] }]), ev.imported(movie, [{ path, episodes: [] }])], { libraryVerification: true });
    expect(r.snap.request.state).toBe("importing");
    expect(r.decisions[2].effects).toHaveLength(1);
    expect(r.decisions[3].timeline).toEqual([]);
    expect(r.decisions[3].effects).toEqual([]);
  });

  it("a film already available: the late webhook adds nothing", () => {
    const path = "/data/movies/The Film (1999)/film.mkv";
    const r = run([ev.approved(), ev.imported(movie, [{ path, episodes: [] }]), ev.hint(), ev.imported(movie, [{ path, episodes: [] }])]);
    expect(r.snap.request.state).toBe("available");
    expect(r.decisions[3].timeline).toEqual([]);
  });

  it("an upgrade is still an upgrade", () => {
    const path = "/data/movies/The Film (1999)/film.mkv";
    const r = run([ev.approved(), ev.imported(movie, [{ path, episodes: [] }]), ev.hint(), ev.imported(movie, [{ path, episodes: [] }], true)]);
    expect(r.decisions[3].timeline.map((t) => t.kind)).toEqual(["upgrade"]);
  });

  it("TV: episodes already imported are absorbed, without a second verification", () => {
    const r = run([ev.approved(show, [1], 68), ev.grab(show, HASH, eps(1, 1, 2)), imported(1), imported(1)], { libraryVerification: true });
    expect(r.decisions[3].timeline).toEqual([]);
    expect(r.decisions[3].effects).toEqual([]);
  });
});
