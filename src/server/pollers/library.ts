import { recordServiceVersion } from "./versions";
import { and, eq, inArray, max, notInArray, or } from "drizzle-orm";
import type { EpisodeState, RequestState } from "@/lib/states";
import type { Db } from "../db/client";
import { episodes, requests, type EpisodeRow, type RequestRow } from "../db/schema";
import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { PipelineRunner, EffectHandler } from "../pipeline/runner";
import type { SeenInLibrary } from "../pipeline/events";
import { normaliseTitle } from "../pipeline/correlate";
import { ServiceError } from "../clients/http";
import { isPlayable, normaliseJellyfinId, providerId, providerIdEquals, type JellyfinClient, type JellyfinItem, type LibraryItemType } from "../clients/jellyfin";
import type { JobSpec } from "./scheduler";

/**
 * Library verification: "available" is decided by Jellyfin, never by a hint. A request is
 * available when Jellyfin has a playable file for exactly its provider ids; a TV request per
 * episode, by season and episode number within the matched series. Anime shown through Shokofin
 * has no TMDB/TVDB ids by default, so anime falls back to the Shoko series id, then to the exact
 * title and year. Verification runs as the machine's "verifyInLibrary" effect and as a job that
 * re-checks what is waiting for the library; it only emits SeenInLibrary, never writes state.
 */

export type MatchMethod = "Jellyfin id" | "TMDB id" | "IMDb id" | "TVDB id" | "Shoko series id" | "title and year";

export interface VerifiedEpisode {
  season: number;
  episode: number;
  jellyfinId: string;
}

export interface VerifyOutcome {
  requestId: number;
  found: boolean;
  matchedBy?: MatchMethod;
  /** The film, or the series for TV. */
  jellyfinItemId?: string;
  itemName?: string;
  /** The film's file. */
  path?: string;
  /** TV: episodes in scope that Jellyfin can play. */
  episodes: VerifiedEpisode[];
  /** TV: episodes in scope that Jellyfin cannot play yet. */
  missing: { season: number; episode: number }[];
  /** A SeenInLibrary event was submitted (something new was found). */
  emitted: boolean;
  /** What was found or looked for, for the admin's "verify now". */
  detail: string;
}

export interface LibraryVerifierDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  runner: PipelineRunner;
  jellyfin: JellyfinClient;
  /** Requests re-checked per job run (default 25). */
  batchSize?: number;
  /** Job cadence in ms (default 15 s); each request has its own, slower cadence on top. */
  intervalMs?: number;
}

export interface LibraryVerifier {
  verify(requestId: number, reason: string): Promise<VerifyOutcome>;
  /** For `runner.onEffect`: runs "verifyInLibrary". */
  handleEffect: EffectHandler;
  job: JobSpec;
}

/** Request states whose media may be in the library by now (or revive when it is). */
export const VERIFY_STATES: readonly RequestState[] = ["downloaded", "importing", "anime_matching", "match_failed", "timeout"];
/** Episode states of a TV request that may have a playable file by now. */
const EPISODE_VERIFY_STATES: readonly EpisodeState[] = ["downloaded", "importing", "anime_matching", "match_failed"];

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * How long after its last check a request is checked again: often while a file is fresh
 * (Jellyfin's library monitor waits 60 s, a scan takes minutes), rarely once it is old.
 */
export function recheckDelay(stateAgeMs: number): number {
  if (stateAgeMs < 10 * MINUTE) return 30 * SECOND;
  if (stateAgeMs < 24 * HOUR) return 5 * MINUTE;
  return 30 * MINUTE;
}

interface Found {
  item: JellyfinItem;
  by: MatchMethod;
}

export function createLibraryVerifier(deps: LibraryVerifierDeps): LibraryVerifier {
  const { db, clock, logger, runner, jellyfin } = deps;
  const batchSize = deps.batchSize ?? 25;
  const intervalMs = deps.intervalMs ?? 15 * SECOND;
  const lastChecked = new Map<number, number>();
  /** One verification in flight per request; calls meanwhile share one follow-up run. */
  const inflight = new Map<number, { rerun: Rerun | null }>();
  let lastVersionAt = 0;

  interface Rerun {
    reason: string;
    promise: Promise<VerifyOutcome>;
    resolve: (v: VerifyOutcome) => void;
    reject: (e: unknown) => void;
  }

  function verify(requestId: number, reason: string): Promise<VerifyOutcome> {
    const slot = inflight.get(requestId);
    if (slot) {
      // Something changed while a check ran (it may have started before Jellyfin had the file).
      if (!slot.rerun) {
        let resolve!: (v: VerifyOutcome) => void;
        let reject!: (e: unknown) => void;
        const promise = new Promise<VerifyOutcome>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        slot.rerun = { reason, promise, resolve, reject };
      }
      return slot.rerun.promise;
    }
    const fresh = { rerun: null as Rerun | null };
    inflight.set(requestId, fresh);
    return drive(requestId, reason, fresh);
  }

  async function drive(requestId: number, reason: string, slot: { rerun: Rerun | null }): Promise<VerifyOutcome> {
    try {
      return await check(requestId, reason);
    } finally {
      const next = slot.rerun;
      if (next) {
        slot.rerun = null;
        drive(requestId, next.reason, slot).then(next.resolve, next.reject);
      } else {
        inflight.delete(requestId);
      }
    }
  }

  async function check(requestId: number, reason: string): Promise<VerifyOutcome> {
    lastChecked.set(requestId, clock.now());
    const [request] = await db.select().from(requests).where(eq(requests.id, requestId));
    if (!request) return nothing(requestId, `Request #${requestId} does not exist`);
    if (request.state === "deleted") return nothing(requestId, "The request was deleted");
    const eps = request.mediaType === "tv" ? await db.select().from(episodes).where(eq(episodes.requestId, requestId)).orderBy(episodes.season, episodes.episode) : [];
    const outcome = request.mediaType === "movie" ? await checkMovie(request) : await checkSeries(request, eps);
    logger.debug("library check", { requestId, reason, found: outcome.found, detail: outcome.detail });
    return outcome;
  }

  // ---- films ---------------------------------------------------------------------------------

  async function checkMovie(r: RequestRow): Promise<VerifyOutcome> {
    const found = await findItem(r, "Movie");
    if (!found) return nothing(r.id, `Not in Jellyfin yet: no playable film with ${idsText(r)}`);
    const { item, by } = found;
    const path = item.MediaSources?.find((s) => s.Path)?.Path ?? item.Path ?? undefined;
    const same = r.state === "available" && r.jellyfinItemId !== null && normaliseJellyfinId(r.jellyfinItemId) === normaliseJellyfinId(item.Id);
    if (!same) await emit(r, item.Id, []);
    if (!same) logger.info("found in Jellyfin", { requestId: r.id, title: r.title, by });
    return {
      requestId: r.id,
      found: true,
      matchedBy: by,
      jellyfinItemId: item.Id,
      itemName: item.Name ?? undefined,
      path,
      episodes: [],
      missing: [],
      emitted: !same,
      detail: `Playable in Jellyfin (matched by ${by})${path ? `: ${path}` : ""}`,
    };
  }

  // ---- series --------------------------------------------------------------------------------

  async function checkSeries(r: RequestRow, eps: EpisodeRow[]): Promise<VerifyOutcome> {
    const series = await findAll(r, "Series");
    if (series.length === 0) return nothing(r.id, `Not in Jellyfin yet: no series with ${idsText(r)}`, scopeOf(eps));
    const seasons = [...new Set(eps.length > 0 ? eps.map((e) => e.season) : r.requestedSeasons)];
    const playable = new Map<string, VerifiedEpisode>();
    for (const { item } of series) {
      const lists = seasons.length > 0 ? await Promise.all(seasons.map((season) => jellyfin.episodes(item.Id, { season }))) : [await jellyfin.episodes(item.Id)];
      for (const ep of lists.flat()) {
        if (!isPlayable(ep) || ep.ParentIndexNumber == null || ep.IndexNumber == null) continue;
        // A multi-episode file covers IndexNumber..IndexNumberEnd.
        const last = ep.IndexNumberEnd != null && ep.IndexNumberEnd > ep.IndexNumber ? ep.IndexNumberEnd : ep.IndexNumber;
        for (let n = ep.IndexNumber; n <= last; n++) {
          const key = `${ep.ParentIndexNumber}:${n}`;
          if (!playable.has(key)) playable.set(key, { season: ep.ParentIndexNumber, episode: n, jellyfinId: ep.Id });
        }
      }
    }
    const inScope = (e: { season: number }) => r.requestedSeasons.length === 0 || r.requestedSeasons.includes(e.season);
    // Episodes not aired yet are not missing; they count once Jellyfin has them anyway.
    const wanted =
      eps.length > 0
        ? eps.filter((e) => e.state !== "unaired" || playable.has(`${e.season}:${e.episode}`)).map((e) => ({ season: e.season, episode: e.episode }))
        : [...playable.values()].filter(inScope);
    const found = wanted.map((w) => playable.get(`${w.season}:${w.episode}`)).filter((x): x is VerifiedEpisode => x !== undefined);
    const missing = wanted.filter((w) => !playable.has(`${w.season}:${w.episode}`));
    const seriesItem = series[0];
    const base = { requestId: r.id, matchedBy: seriesItem.by, jellyfinItemId: seriesItem.item.Id, itemName: seriesItem.item.Name ?? undefined, missing };
    if (found.length === 0) {
      return { ...base, found: false, episodes: [], emitted: false, detail: `Jellyfin has the series (matched by ${seriesItem.by}) but none of its ${wanted.length || "requested"} episodes is playable yet` };
    }
    // Only what is new: an episode not yet available, or now under another Jellyfin id.
    const byKey = new Map(eps.map((e) => [`${e.season}:${e.episode}`, e]));
    const fresh = found.filter((f) => {
      const row = byKey.get(`${f.season}:${f.episode}`);
      return !row || row.state !== "available" || row.jellyfinId === null || normaliseJellyfinId(row.jellyfinId) !== normaliseJellyfinId(f.jellyfinId);
    });
    const newSeries = r.jellyfinItemId === null || normaliseJellyfinId(r.jellyfinItemId) !== normaliseJellyfinId(seriesItem.item.Id);
    const emitted = fresh.length > 0;
    if (emitted) {
      await emit(r, seriesItem.item.Id, newSeries ? found : fresh);
      logger.info("episodes found in Jellyfin", { requestId: r.id, title: r.title, count: fresh.length, by: seriesItem.by });
    }
    return {
      ...base,
      found: true,
      episodes: found,
      emitted,
      detail: `Jellyfin can play ${found.length} of ${wanted.length} episode${wanted.length === 1 ? "" : "s"} (series matched by ${seriesItem.by})`,
    };
  }

  // ---- matching ------------------------------------------------------------------------------

  /** The first playable item found by the most exact means available. */
  async function findItem(r: RequestRow, type: LibraryItemType): Promise<Found | undefined> {
    return (await findAll(r, type, { first: true }))[0];
  }

  /**
   * Items for the request, by the first method that finds any: the Jellyfin id seen before
   * (re-checked with the same rules), TMDB then IMDb for films, TVDB then TMDB for series;
   * for anime also the Shoko series id, then the exact title and year.
   */
  async function findAll(r: RequestRow, type: LibraryItemType, opts: { first?: boolean } = {}): Promise<Found[]> {
    const accept = (item: JellyfinItem, byId: boolean) =>
      item.Type === type && (type === "Series" || isPlayable(item)) && (byId || !conflictingIds(item, r));
    const steps: { by: MatchMethod; run: () => Promise<JellyfinItem[]> }[] = [];
    if (r.jellyfinItemId) {
      steps.push({
        by: "Jellyfin id",
        run: async () => (await jellyfin.itemsByIds([r.jellyfinItemId!])).filter((i) => sameMedia(i, r)),
      });
    }
    const ids: [MatchMethod, string, string | number | null][] =
      type === "Movie"
        ? [
            ["TMDB id", "Tmdb", r.tmdbId],
            ["IMDb id", "Imdb", r.imdbId],
          ]
        : [
            ["TVDB id", "Tvdb", r.tvdbId],
            ["TMDB id", "Tmdb", r.tmdbId],
          ];
    for (const [by, provider, id] of ids) {
      if (id !== null && String(id).trim() !== "") steps.push({ by, run: () => jellyfin.findByProviderId(type, provider, id, { title: r.title }) });
    }
    if (r.isAnime === true) {
      if (r.shokoSeriesId !== null) {
        steps.push({ by: "Shoko series id", run: () => jellyfin.findByProviderId(type, "Shoko Series", r.shokoSeriesId!, { title: r.title }) });
      }
      steps.push({ by: "title and year", run: async () => exactTitleMatches(await jellyfin.searchByTitle(type, r.title), r) });
    }
    for (const step of steps) {
      const items = (await step.run()).filter((i) => accept(i, step.by !== "title and year"));
      if (items.length > 0) return (opts.first ? items.slice(0, 1) : items).map((item) => ({ item, by: step.by }));
    }
    return [];
  }

  // ---- effects and events --------------------------------------------------------------------

  async function emit(r: RequestRow, jellyfinItemId: string, eps: VerifiedEpisode[]): Promise<void> {
    const event: SeenInLibrary = {
      type: "SeenInLibrary",
      at: clock.now(),
      source: "jellyfin",
      media: { mediaType: r.mediaType, requestId: r.id, jellyfinItemId },
      jellyfinItemId,
      episodes: eps.map((e) => ({ season: e.season, episode: e.episode, jellyfinId: e.jellyfinId })),
    };
    await runner.submit(event);
  }

  const handleEffect: EffectHandler = async (requestId, effect) => {
    if (effect.type !== "verifyInLibrary") return;
    await verify(requestId, effect.reason);
  };

  // ---- the job -------------------------------------------------------------------------------

  /** Requests waiting on the library, with the time their wait began (for the cadence). */
  async function candidates(): Promise<{ id: number; since: number }[]> {
    const waitingEpisodes = db.select({ id: episodes.requestId }).from(episodes).where(inArray(episodes.state, [...EPISODE_VERIFY_STATES]));
    const rows = await db
      .select({ id: requests.id, stateChangedAt: requests.stateChangedAt })
      .from(requests)
      .where(
        or(
          inArray(requests.state, [...VERIFY_STATES]),
          and(eq(requests.mediaType, "tv"), notInArray(requests.state, ["deleted", "declined"]), inArray(requests.id, waitingEpisodes)),
        ),
      );
    if (rows.length === 0) return [];
    const episodeSince = await db
      .select({ id: episodes.requestId, since: max(episodes.stateChangedAt) })
      .from(episodes)
      .where(and(inArray(episodes.requestId, rows.map((r) => r.id)), inArray(episodes.state, [...EPISODE_VERIFY_STATES])))
      .groupBy(episodes.requestId);
    const latest = new Map(episodeSince.map((e) => [e.id, Number(e.since ?? 0)]));
    return rows.map((r) => ({ id: r.id, since: Math.max(r.stateChangedAt, latest.get(r.id) ?? 0) }));
  }

  async function recordVersion(): Promise<void> {
    const info = await jellyfin.systemInfo();
    await recordServiceVersion(db, "jellyfin", info.version, clock.now());
  }

  const job: JobSpec = {
    name: "jellyfin-verify",
    service: "jellyfin",
    interval: () => intervalMs,
    maxBackoffMs: 5 * MINUTE,
    async run({ signal }) {
      const now = clock.now();
      // Also proves the API key works when nothing is waiting.
      if (now - lastVersionAt >= 5 * MINUTE) {
        await recordVersion();
        lastVersionAt = now;
      }
      const waiting = await candidates();
      const ids = new Set(waiting.map((w) => w.id));
      for (const id of lastChecked.keys()) if (!ids.has(id)) lastChecked.delete(id);
      const due = waiting
        .map((w) => ({ id: w.id, overdue: now - (lastChecked.get(w.id) ?? 0) - recheckDelay(now - w.since) }))
        .filter((w) => w.overdue >= 0)
        .sort((a, b) => b.overdue - a.overdue)
        .slice(0, batchSize);
      let firstError: unknown;
      for (const { id } of due) {
        if (signal.aborted) break;
        try {
          await verify(id, "periodic check");
        } catch (err) {
          // Jellyfin itself failing: stop here and let the scheduler back off.
          if (err instanceof ServiceError && ["unreachable", "timeout", "auth"].includes(err.kind)) throw err;
          logger.warn("library check failed", { requestId: id, error: err instanceof Error ? err.message : String(err) });
          firstError ??= err;
        }
      }
      if (firstError) throw firstError;
    },
  };

  return { verify, handleEffect, job };
}

// ---- pure helpers ----------------------------------------------------------------------------------

function nothing(requestId: number, detail: string, missing: { season: number; episode: number }[] = []): VerifyOutcome {
  return { requestId, found: false, episodes: [], missing, emitted: false, detail };
}

function scopeOf(eps: EpisodeRow[]): { season: number; episode: number }[] {
  return eps.map((e) => ({ season: e.season, episode: e.episode }));
}

function idsText(r: RequestRow): string {
  const parts: string[] = [];
  if (r.mediaType === "movie") {
    if (r.tmdbId !== null) parts.push(`TMDB id ${r.tmdbId}`);
    if (r.imdbId) parts.push(`IMDb id ${r.imdbId}`);
  } else {
    if (r.tvdbId !== null) parts.push(`TVDB id ${r.tvdbId}`);
    if (r.tmdbId !== null) parts.push(`TMDB id ${r.tmdbId}`);
  }
  if (r.isAnime && r.shokoSeriesId !== null) parts.push(`Shoko series ${r.shokoSeriesId}`);
  if (r.isAnime) parts.push(`the title "${r.title}"${r.year ? ` (${r.year})` : ""}`);
  return parts.length > 0 ? parts.join(" or ") : "any known id";
}

/** An item that carries an id of the same kind with another value is another title. */
function conflictingIds(item: JellyfinItem, r: RequestRow): boolean {
  const differs = (provider: string, want: string | number | null) => {
    if (want === null || want === "") return false;
    const have = providerId(item, provider);
    return have !== undefined && !providerIdEquals(item, provider, want);
  };
  return differs("Tmdb", r.tmdbId) || differs("Imdb", r.imdbId) || (r.mediaType === "tv" && differs("Tvdb", r.tvdbId)) || (r.isAnime === true && differs("Shoko Series", r.shokoSeriesId));
}

/** A stored Jellyfin id still counts only if the item still carries one of the request's ids. */
function sameMedia(item: JellyfinItem, r: RequestRow): boolean {
  if (conflictingIds(item, r)) return false;
  const shares =
    (r.tmdbId !== null && providerIdEquals(item, "Tmdb", r.tmdbId)) ||
    (r.imdbId !== null && r.imdbId !== "" && providerIdEquals(item, "Imdb", r.imdbId)) ||
    (r.mediaType === "tv" && r.tvdbId !== null && providerIdEquals(item, "Tvdb", r.tvdbId)) ||
    (r.isAnime === true && r.shokoSeriesId !== null && providerIdEquals(item, "Shoko Series", r.shokoSeriesId));
  return shares || (r.isAnime === true && exactTitleMatches([item], r).length === 1);
}

/**
 * The anime last resort: same title (ignoring case, accents and punctuation) and same year,
 * with no id of another title; more than one such item is no answer.
 */
function exactTitleMatches(items: JellyfinItem[], r: RequestRow): JellyfinItem[] {
  const want = normaliseTitle(r.title);
  const matches = items.filter(
    (i) => !!i.Name && normaliseTitle(i.Name) === want && (r.year === null || i.ProductionYear === r.year) && !conflictingIds(i, r),
  );
  const distinct = new Set(matches.map((m) => normaliseJellyfinId(m.Id)));
  return distinct.size === 1 ? matches.slice(0, 1) : [];
}
