import type { RequestState } from "@/lib/states";
import type { RequestRow } from "../db/schema";
import type { DomainEvent, EpisodeRef, MediaRef } from "./events";

/**
 * The correlator: a pure function from an event and the requests that share any of its
 * keys to the request(s) and episode(s) it concerns.
 *
 * - The torrent hash is the strongest key, then the Jellyseerr request id, then arr and
 *   provider ids; a title is a last resort for library hints that carry nothing else.
 * - Which requests an event may touch depends on its type (a new grab never lands on a
 *   finished request, a deletion finds finished ones too).
 * - Among several, the newest wins; a TV event's episodes are split by season across the
 *   requests that asked for those seasons, so a second season request never loses either.
 */

export interface Candidate {
  request: RequestRow;
  /** Lower-case hashes of the request's downloads and episodes. */
  hashes: string[];
  /** The request's episodes, for matching episode-level library hints. */
  episodes: { season: number; episode: number; tvdbId: number | null }[];
}

export interface Target {
  /** null: create a new request. */
  requestId: number | null;
  /** The event's episodes that concern this request (TV only). */
  episodes?: EpisodeRef[];
  /** When creating: an earlier request for the same media that is already available. */
  alreadyAvailable?: { requestId: number; jellyfinItemId: string | null };
}

export type Correlation = { targets: Target[]; unmatched?: undefined } | { targets: []; unmatched: string };

type Scope = "active" | "activeOrAvailable" | "notDeleted" | "any";

const FINISHED: readonly RequestState[] = ["available", "declined", "deleting", "deleted"];

function inScope(state: RequestState, scope: Scope): boolean {
  switch (scope) {
    case "active":
      return !FINISHED.includes(state);
    case "activeOrAvailable":
      return state !== "declined" && state !== "deleting" && state !== "deleted";
    case "notDeleted":
      return state !== "deleted";
    case "any":
      return true;
  }
}

const newestFirst = (a: Candidate, b: Candidate) =>
  b.request.createdAt - a.request.createdAt || b.request.id - a.request.id;

/** Does the candidate share an id with the event's media? */
export function sharesMediaId(r: RequestRow, m: MediaRef): boolean {
  if (r.mediaType !== m.mediaType) return false;
  const eq = <T>(a: T | null, b: T | undefined) => a !== null && b !== undefined && a === b;
  if (m.mediaType === "movie") return eq(r.radarrId, m.radarrId) || eq(r.tmdbId, m.tmdbId) || eq(r.imdbId, m.imdbId);
  return eq(r.sonarrId, m.sonarrId) || eq(r.tvdbId, m.tvdbId) || eq(r.tmdbId, m.tmdbId) || eq(r.imdbId, m.imdbId);
}

export function normaliseTitle(title: string): string {
  return title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/\(\d{4}\)$/, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

export function correlate(event: DomainEvent, candidates: Candidate[]): Correlation {
  const sorted = [...candidates].sort(newestFirst);

  // Pollers and admin actions already know their request.
  if ("media" in event && event.media.requestId !== undefined) {
    const c = sorted.find((x) => x.request.id === event.media.requestId);
    // No episodes (a film's import) means the whole event, not "none of it".
    const episodes = episodesOf(event);
    return c
      ? { targets: [{ requestId: c.request.id, episodes: episodes && episodes.length > 0 ? episodes : undefined }] }
      : none(`request #${event.media.requestId} does not exist`);
  }

  switch (event.type) {
    case "RequestSubmitted":
    case "RequestApproved":
    case "RequestDeclined":
    case "RequestFailed": {
      const m = event.media;
      const same = sorted.find((c) => m.jellyseerrRequestId !== undefined && c.request.jellyseerrRequestId === m.jellyseerrRequestId);
      if (same) return one(same);
      // A request first seen through an arr grab is adopted by the Jellyseerr request for it.
      const untracked = sorted.find(
        (c) =>
          c.request.jellyseerrRequestId === null &&
          inScope(c.request.state, "active") &&
          sharesMediaId(c.request, m) &&
          seasonsOverlap(c.request.requestedSeasons, event.seasons),
      );
      if (untracked) return one(untracked);
      const available = sorted.find(
        (c) => c.request.state === "available" && sharesMediaId(c.request, m) && coversSeasons(c.request.requestedSeasons, event.seasons),
      );
      return {
        targets: [
          {
            requestId: null,
            alreadyAvailable: available ? { requestId: available.request.id, jellyfinItemId: available.request.jellyfinItemId } : undefined,
          },
        ],
      };
    }

    case "AvailableHint": {
      const m = event.media;
      if (m.jellyseerrRequestId !== undefined) {
        const same = sorted.find((c) => c.request.jellyseerrRequestId === m.jellyseerrRequestId);
        if (same) return one(same);
      }
      if (event.episodes.length > 0) {
        // A Jellyfin episode item carries the episode's ids, not the series': match episodes, then titles.
        const byEpisode = sorted.filter(
          (c) => inScope(c.request.state, "notDeleted") && c.episodes.some((e) => event.episodes.some((x) => x.tvdbId !== undefined && x.tvdbId === e.tvdbId)),
        );
        const byTitle = sorted.filter(
          (c) => inScope(c.request.state, "notDeleted") && c.request.mediaType === "tv" && m.title !== undefined && normaliseTitle(c.request.title) === normaliseTitle(m.title),
        );
        const pool = byEpisode.length > 0 ? byEpisode : byTitle.length > 0 ? byTitle : sorted.filter((c) => sharesMediaId(c.request, m) && inScope(c.request.state, "notDeleted"));
        return splitBySeason(pool, event.episodes, "hint concerns no tracked request");
      }
      const matches = sorted.filter((c) => inScope(c.request.state, "notDeleted") && (sharesMediaId(c.request, m) || titleMatch(c.request, m)));
      const active = matches.filter((c) => inScope(c.request.state, "active"));
      // Every active request for the media is told; otherwise the newest finished one (to fill its ids).
      if (active.length > 0) return { targets: active.map((c) => ({ requestId: c.request.id })) };
      return matches[0] ? one(matches[0]) : none("hint concerns no tracked request");
    }

    case "DownloadProgress":
    case "DownloadCompleted": {
      const withHash = sorted.filter((c) => c.hashes.includes(event.hash) && inScope(c.request.state, "notDeleted"));
      if (withHash.length === 0) return none(`torrent ${event.hash} belongs to no tracked request`);
      return { targets: withHash.map((c) => ({ requestId: c.request.id })) };
    }

    case "Grabbed":
      return byHashThenIds(event, sorted, "active", { create: true, finishedFallback: true });
    case "Imported":
      return byHashThenIds(event, sorted, "active", { create: !event.isUpgrade, finishedFallback: true });
    case "ImportBlocked":
      return byHashThenIds(event, sorted, "active", { create: false, finishedFallback: false });
    case "StatusNote":
      return byHashThenIds(event, sorted, "active", { create: false, finishedFallback: false });
    case "MediaAdded": {
      const c = sorted.find((x) => inScope(x.request.state, "active") && sharesMediaId(x.request, event.media));
      return c ? one(c) : none("no active request for this media");
    }
    case "MediaDeleted": {
      // A deletion in the arr concerns every request of that movie or series.
      const all = sorted.filter((c) => c.request.state !== "deleted" && sharesMediaId(c.request, event.media));
      return all.length > 0 ? { targets: all.map((c) => ({ requestId: c.request.id })) } : none("no tracked request for this media");
    }
    case "FileDeleted":
    case "EpisodesExpected":
      return byIds(event, sorted, "activeOrAvailable", { create: false, finishedFallback: false });
    case "SeenInLibrary":
    case "AnimeMatched":
    case "MatchFailed":
      return byIds(event, sorted, "notDeleted", { create: false, finishedFallback: false });
    case "TimedOut":
    case "RetryRequested":
    case "Verified":
    case "DeletionStarted":
    case "DeletionStepFinished":
    case "DeletionFinished":
      return none("an admin action or a timeout names its request");
    case "LibraryImported": {
      // Library sync fills the ids of the request it finds; only media nobody tracks is imported.
      const m = event.media;
      const live = sorted.filter((c) => c.request.state !== "deleted" && c.request.state !== "deleting");
      if (m.jellyseerrRequestId !== undefined) {
        const same = live.find((c) => c.request.jellyseerrRequestId === m.jellyseerrRequestId);
        if (same) return one(same);
        const untracked = live.find(
          (c) => c.request.jellyseerrRequestId === null && sharesMediaId(c.request, m) && seasonsOverlap(c.request.requestedSeasons, event.seasons),
        );
        return untracked ? one(untracked) : { targets: [{ requestId: null }] };
      }
      const known = live.find((c) => sharesMediaId(c.request, m) || (m.jellyfinItemId !== undefined && c.request.jellyfinItemId === m.jellyfinItemId));
      return known ? one(known) : { targets: [{ requestId: null }] };
    }
    default:
      return assertNever(event);
  }
}

interface IdOptions {
  create: boolean;
  /** When no active request matches, land on the newest finished (available) one, e.g. an upgrade. */
  finishedFallback: boolean;
}

type WithMedia = Extract<DomainEvent, { media: MediaRef }>;

function byHashThenIds(event: WithMedia & { hash?: string }, sorted: Candidate[], scope: Scope, opts: IdOptions): Correlation {
  if (event.hash) {
    const withHash = sorted.filter((c) => c.hashes.includes(event.hash!) && inScope(c.request.state, "notDeleted") && c.request.state !== "declined");
    if (withHash.length > 0) return splitBySeason(withHash, episodesOf(event) ?? [], "");
  }
  return byIds(event, sorted, scope, opts);
}

function byIds(event: WithMedia, sorted: Candidate[], scope: Scope, opts: IdOptions): Correlation {
  const matches = sorted.filter((c) => sharesMediaId(c.request, event.media));
  const inPrimary = matches.filter((c) => inScope(c.request.state, scope));
  const episodes = episodesOf(event) ?? [];
  if (inPrimary.length > 0) return splitBySeason(inPrimary, episodes, "");
  if (opts.finishedFallback) {
    const finished = matches.filter((c) => c.request.state === "available");
    if (finished.length > 0) return splitBySeason(finished, episodes, "");
  }
  if (opts.create) return { targets: [{ requestId: null, episodes: episodes.length > 0 ? episodes : undefined }] };
  return none("no tracked request for this media");
}

/**
 * Gives each request the episodes of the seasons it asked for; the newest request that asked
 * for a season wins it. Episodes of seasons nobody asked for go to the newest request that
 * asked for no particular season, else the newest of all.
 */
function splitBySeason(pool: Candidate[], episodes: EpisodeRef[], unmatched: string): Correlation {
  if (pool.length === 0) return none(unmatched || "no tracked request");
  if (episodes.length === 0) return one(pool[0]);
  const bucket = new Map<number, EpisodeRef[]>();
  for (const ep of episodes) {
    const owner =
      pool.find((c) => c.request.requestedSeasons.includes(ep.season)) ??
      pool.find((c) => c.request.requestedSeasons.length === 0) ??
      pool[0];
    const list = bucket.get(owner.request.id) ?? [];
    list.push(ep);
    bucket.set(owner.request.id, list);
  }
  return { targets: [...bucket.entries()].map(([requestId, eps]) => ({ requestId, episodes: eps })) };
}

function episodesOf(event: DomainEvent): EpisodeRef[] | undefined {
  if (event.type === "Imported") return event.files.flatMap((f) => f.episodes);
  if ("episodes" in event && Array.isArray(event.episodes)) return event.episodes;
  return undefined;
}

function titleMatch(r: RequestRow, m: MediaRef): boolean {
  if (r.mediaType !== m.mediaType || !m.title) return false;
  if (m.tmdbId !== undefined || m.tvdbId !== undefined || m.imdbId !== undefined) return false; // ids disagree
  return normaliseTitle(r.title) === normaliseTitle(m.title) && (m.year === undefined || r.year === null || r.year === m.year);
}

function seasonsOverlap(a: number[], b: number[]): boolean {
  return a.length === 0 || b.length === 0 || a.some((s) => b.includes(s));
}

function coversSeasons(have: number[], want: number[]): boolean {
  if (want.length === 0) return true;
  if (have.length === 0) return false;
  return want.every((s) => have.includes(s));
}

const one = (c: Candidate): Correlation => ({ targets: [{ requestId: c.request.id }] });
const none = (why: string): Correlation => ({ targets: [], unmatched: why });

function assertNever(x: never): never {
  throw new Error(`Unhandled event: ${JSON.stringify(x)}`);
}
