import { notInArray } from "drizzle-orm";
import type { MediaType } from "@/lib/states";
import { requests, type RequestRow } from "../db/schema";
import { isPlayable, normaliseJellyfinId, providerId, type JellyfinItem } from "../clients/jellyfin";
import { SeerrMediaStatus, SeerrRequestStatus, type SeerrRequest } from "../clients/jellyseerr/client";
import type { RadarrMovie } from "../clients/radarr";
import type { SonarrSeries } from "../clients/sonarr";
import type { LibraryImported, MediaRef } from "../pipeline/events";
import { normaliseTitle } from "../pipeline/correlate";
import { errorText, iso, plural, type ActingUser, type ActionDeps } from "./common";

/*
 * Library sync: what is already in Jellyfin and Jellyseerr becomes available requests with their
 * ids (a household starting with a full library sees it), and requests with missing ids get them
 * (Radarr/Sonarr ids from the arr's full list, Jellyfin ids by exact provider id, Jellyseerr's
 * request and media ids). It only emits LibraryImported events; the pipeline creates or fills.
 * One sync at a time; its progress is a status the admin polls.
 */

export type LibrarySyncPhase = "idle" | "reading" | "jellyfin" | "jellyseerr" | "repair" | "done" | "failed";

export interface LibrarySyncStatus {
  running: boolean;
  phase: LibrarySyncPhase;
  startedAt: string | null;
  finishedAt: string | null;
  startedBy: string | null;
  /** Items looked at so far, of `total` known so far (it grows as each source is read). */
  scanned: number;
  total: number;
  /** New available requests. */
  imported: number;
  /** Existing requests that got missing ids (each counted once). */
  repaired: number;
  /** Requests the sources already matched that needed nothing (counted at the end). */
  unchanged: number;
  /** One line per source that could not be read or item that failed. */
  errors: string[];
  message: string;
}

const IDLE: LibrarySyncStatus = {
  running: false,
  phase: "idle",
  startedAt: null,
  finishedAt: null,
  startedBy: null,
  scanned: 0,
  total: 0,
  imported: 0,
  repaired: 0,
  unchanged: 0,
  errors: [],
  message: "Library sync has not run since the server started",
};

const PAGE = 200;
const MAX_ITEMS = 50_000;

/** What the sync knows of each source, read once per run. */
interface Sources {
  jellyfin: JellyfinItem[];
  radarr: RadarrMovie[];
  sonarr: SonarrSeries[];
  seerr: SeerrRequest[];
}

export class LibrarySync {
  private current: LibrarySyncStatus = { ...IDLE };
  private work: Promise<void> | null = null;
  private repairedIds = new Set<number>();

  constructor(private readonly deps: ActionDeps) {}

  status(): LibrarySyncStatus {
    return { ...this.current, errors: [...this.current.errors] };
  }

  /** Starts a sync (or returns the one running); its progress is in status(). */
  start(by: ActingUser): LibrarySyncStatus {
    if (this.work) return this.status();
    this.repairedIds = new Set();
    this.current = { ...IDLE, running: true, phase: "reading", startedAt: iso(this.deps.clock.now()), startedBy: by.name, message: "Reading Jellyfin, Jellyseerr and the arrs" };
    this.work = this.run(by)
      .catch((err: unknown) => {
        this.current.phase = "failed";
        this.current.errors.push(errorText(err));
        this.current.message = `Library sync failed: ${errorText(err)}`;
      })
      .finally(() => {
        this.current.running = false;
        this.current.finishedAt = iso(this.deps.clock.now());
        this.work = null;
      });
    return this.status();
  }

  /** Resolves when no sync runs. */
  async idle(): Promise<void> {
    while (this.work) await this.work;
  }

  private async run(by: ActingUser): Promise<void> {
    const s = this.current;
    const sources = await this.read();
    const seerrAvailable = sources.seerr.filter(
      (r) => r.media?.status === SeerrMediaStatus.AVAILABLE && (r.status === SeerrRequestStatus.APPROVED || r.status === SeerrRequestStatus.COMPLETED),
    );
    const playable = sources.jellyfin.filter((i) => i.Type === "Series" || isPlayable(i));
    s.total = playable.length + seerrAvailable.length;

    // Tracked requests by every id a library item may carry: Shokofin's items have only Shoko ids.
    const tracked = await this.deps.db.select().from(requests).where(notInArray(requests.state, ["deleted", "deleting"]));
    const byJellyfinId = new Map<string, number>();
    for (const r of tracked) if (r.jellyfinItemId) byJellyfinId.set(normaliseJellyfinId(r.jellyfinItemId), r.id);
    const trackedFor = (m: MediaRef, shokoSeriesId?: number, info?: { title?: string; year?: number }): number | undefined => {
      if (m.jellyfinItemId && byJellyfinId.has(normaliseJellyfinId(m.jellyfinItemId))) return byJellyfinId.get(normaliseJellyfinId(m.jellyfinItemId));
      const same = <T>(a: T | null, b: T | undefined) => a !== null && b !== undefined && a === b;
      const candidates = tracked.filter((r) => r.mediaType === m.mediaType).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
      const row = candidates.find(
        (r) => same(r.tmdbId, m.tmdbId) || same(r.tvdbId, m.tvdbId) || same(r.imdbId, m.imdbId) || (r.isAnime === true && same(r.shokoSeriesId, shokoSeriesId)),
      );
      if (row) return row.id;
      // Shokofin's items carry no TMDB/TVDB id: the exact title and year are the last resort, as in verification.
      const idless = m.tmdbId === undefined && m.tvdbId === undefined && m.imdbId === undefined;
      if (!idless || !info?.title) return undefined;
      const want = normaliseTitle(info.title);
      const byTitle = candidates.filter((r) => normaliseTitle(r.title) === want && (r.year === null || info.year === undefined || r.year === info.year));
      return byTitle.length === 1 ? byTitle[0].id : undefined;
    };

    // Tracked requests are skipped while importing; the repair phase gives each its missing ids once.
    const seenTracked = new Set<number>();
    const created = new Set<number>();

    s.phase = "jellyfin";
    s.message = `Importing from Jellyfin (${plural(playable.length, "item")})`;
    for (const item of playable) {
      const event = this.fromJellyfin(item, sources, by);
      const known = trackedFor(event.media, event.shokoSeriesId, event.info);
      if (known !== undefined) {
        seenTracked.add(known);
      } else {
        const result = await this.submit(event, `Jellyfin item ${item.Name ?? item.Id}`);
        if (result?.created) created.add(result.requestId);
        if (result) byJellyfinId.set(normaliseJellyfinId(item.Id), result.requestId);
      }
      s.scanned++;
    }

    s.phase = "jellyseerr";
    s.message = `Importing from Jellyseerr (${plural(seerrAvailable.length, "available request")})`;
    for (const request of seerrAvailable) {
      const event = this.fromSeerr(request, sources, by);
      s.scanned++;
      if (!event) continue;
      const sameRequest = tracked.find((r) => r.jellyseerrRequestId === request.id);
      const viaJellyfin = event.media.jellyfinItemId ? byJellyfinId.get(normaliseJellyfinId(event.media.jellyfinItemId)) : undefined;
      if (viaJellyfin !== undefined && created.has(viaJellyfin)) {
        // Imported from Jellyfin a moment ago: Jellyseerr adds who asked, which seasons, its ids.
        event.media.requestId = viaJellyfin;
        await this.submit(event, `Jellyseerr request #${request.id}`);
        continue;
      }
      // A tracked request without a Jellyseerr request gets this one in the repair phase.
      const sameMedia = trackedFor(event.media);
      const adoptable = sameMedia !== undefined && tracked.some((r) => r.id === sameMedia && r.jellyseerrRequestId === null);
      if (sameRequest || adoptable || (viaJellyfin !== undefined && tracked.some((r) => r.id === viaJellyfin))) {
        seenTracked.add(sameRequest?.id ?? (adoptable ? sameMedia! : viaJellyfin!));
        continue;
      }
      const result = await this.submit(event, `Jellyseerr request #${request.id}`);
      if (result?.created) created.add(result.requestId);
      else if (result) seenTracked.add(result.requestId);
    }

    s.phase = "repair";
    const rows = await this.deps.db.select().from(requests).where(notInArray(requests.state, ["deleted", "deleting"]));
    const gaps = rows.filter((r) => this.missingIds(r, sources, by).length > 0);
    s.total += gaps.length;
    s.message = `Filling missing ids (${plural(gaps.length, "request")})`;
    for (const row of gaps) {
      const result = await this.submit(this.repairOf(row, sources, by), `request #${row.id}`);
      if (result?.changed && !created.has(result.requestId)) this.repairedIds.add(result.requestId);
      s.repaired = this.repairedIds.size;
      s.scanned++;
    }
    s.imported = created.size;
    s.repaired = this.repairedIds.size;
    s.unchanged = [...seenTracked].filter((id) => !this.repairedIds.has(id)).length;

    s.phase = "done";
    s.message = `Imported ${s.imported}, filled in ids of ${s.repaired}, ${s.unchanged} already tracked${s.errors.length > 0 ? `; ${plural(s.errors.length, "problem")}` : ""}`;
    this.deps.logger.info("library sync done", { by: by.name, imported: s.imported, repaired: s.repaired, unchanged: s.unchanged, errors: s.errors.length });
  }

  /** The pipeline's answer for the request the event landed on; undefined when it failed (an error line). */
  private async submit(event: LibraryImported, what: string): Promise<{ requestId: number; created: boolean; changed: boolean } | undefined> {
    try {
      const [result] = await this.deps.runner.submit(event);
      if (!result || result.requestId === null) return undefined;
      if (result.created) this.current.imported++;
      return { requestId: result.requestId, created: result.created, changed: result.changed };
    } catch (err) {
      this.current.errors.push(`${what}: ${errorText(err)}`);
      return undefined;
    }
  }

  // ---- reading ------------------------------------------------------------------------------------

  /** Every source once; one that cannot be read is an error line, not the end of the sync. */
  private async read(): Promise<Sources> {
    const s = this.deps.services;
    const out: Sources = { jellyfin: [], radarr: [], sonarr: [], seerr: [] };
    const attempt = async (name: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (err) {
        this.current.errors.push(`${name}: ${errorText(err)}`);
      }
    };
    await Promise.all([
      s.jellyfin && attempt("Jellyfin", async () => {
        for (let start = 0; start < MAX_ITEMS; start += PAGE) {
          const { items, total } = await s.jellyfin!.items({ Recursive: true, IncludeItemTypes: "Movie,Series", StartIndex: start, Limit: PAGE });
          out.jellyfin.push(...items);
          if (items.length < PAGE || start + PAGE >= total) break;
        }
      }),
      s.radarr && attempt("Radarr", async () => void (out.radarr = await s.radarr!.movies())),
      s.sonarr && attempt("Sonarr", async () => void (out.sonarr = await s.sonarr!.allSeries())),
      s.jellyseerr && attempt("Jellyseerr", async () => void (out.seerr = await s.jellyseerr!.allRequests({ filter: "all", sort: "added" }))),
    ]);
    return out;
  }

  // ---- events ---------------------------------------------------------------------------------------

  private fromJellyfin(item: JellyfinItem, src: Sources, by: ActingUser): LibraryImported {
    const mediaType: MediaType = item.Type === "Movie" ? "movie" : "tv";
    const num = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
    const tmdbId = num(providerId(item, "Tmdb"));
    const tvdbId = mediaType === "tv" ? num(providerId(item, "Tvdb")) : undefined;
    const imdbId = providerId(item, "Imdb");
    const shokoSeriesId = num(providerId(item, "Shoko Series"));
    const media: MediaRef = { mediaType, tmdbId, tvdbId, imdbId, jellyfinItemId: item.Id };
    if (mediaType === "movie") media.radarrId = this.radarrMovie(src, tmdbId, imdbId)?.id;
    else media.sonarrId = this.sonarrSeries(src, tvdbId, tmdbId)?.id;
    const seerr = src.seerr.find((r) => r.media && r.media.mediaType === mediaType && r.media.jellyfinMediaId && sameJellyfinId(r.media.jellyfinMediaId, item.Id));
    if (seerr?.media) media.jellyseerrMediaId = seerr.media.id;
    return {
      type: "LibraryImported",
      at: this.deps.clock.now(),
      source: "tracker",
      media,
      info: { title: item.Name ?? undefined, year: item.ProductionYear ?? undefined },
      seasons: [],
      shokoSeriesId,
      // Shokofin's ids say the library sees it as anime.
      anime: shokoSeriesId !== undefined ? { isAnime: true, source: "root folder" } : undefined,
      foundIn: "jellyfin",
      by: by.name,
    };
  }

  private fromSeerr(request: SeerrRequest, src: Sources, by: ActingUser): LibraryImported | null {
    const m = request.media;
    if (!m) return null;
    const mediaType: MediaType = m.mediaType;
    const arrMovie = mediaType === "movie" ? this.radarrMovie(src, m.tmdbId, m.imdbId ?? undefined) : undefined;
    const arrSeries = mediaType === "tv" ? this.sonarrSeries(src, m.tvdbId ?? undefined, m.tmdbId) : undefined;
    const item = m.jellyfinMediaId ? src.jellyfin.find((i) => sameJellyfinId(i.Id, m.jellyfinMediaId!)) : undefined;
    const user = request.requestedBy;
    return {
      type: "LibraryImported",
      at: this.deps.clock.now(),
      source: "tracker",
      media: {
        mediaType,
        tmdbId: m.tmdbId,
        tvdbId: m.tvdbId ?? undefined,
        imdbId: m.imdbId ?? undefined,
        jellyseerrRequestId: request.id,
        jellyseerrMediaId: m.id,
        jellyfinItemId: m.jellyfinMediaId ?? undefined,
        radarrId: arrMovie?.id ?? (mediaType === "movie" ? (m.externalServiceId ?? undefined) : undefined),
        sonarrId: arrSeries?.id ?? (mediaType === "tv" ? (m.externalServiceId ?? undefined) : undefined),
      },
      // Jellyseerr's request has no title: the arr's, else Jellyfin's.
      info: { title: arrMovie?.title ?? arrSeries?.title ?? item?.Name ?? undefined, year: arrMovie?.year ?? arrSeries?.year ?? item?.ProductionYear ?? undefined },
      requestedBy: user?.displayName ?? user?.jellyfinUsername ?? user?.username ?? undefined,
      seasons: (request.seasons ?? []).map((x) => x.seasonNumber),
      foundIn: "jellyseerr",
      by: by.name,
    };
  }

  /** The ids a tracked request lacks that one of the sources has. */
  private missingIds(r: RequestRow, src: Sources, by: ActingUser): string[] {
    const repair = this.repairOf(r, src, by).media;
    const gaps: string[] = [];
    if (r.radarrId === null && repair.radarrId !== undefined) gaps.push("radarr");
    if (r.sonarrId === null && repair.sonarrId !== undefined) gaps.push("sonarr");
    if (r.jellyfinItemId === null && repair.jellyfinItemId !== undefined) gaps.push("jellyfin");
    if (r.jellyseerrMediaId === null && repair.jellyseerrMediaId !== undefined) gaps.push("jellyseerr media");
    if (r.jellyseerrRequestId === null && repair.jellyseerrRequestId !== undefined) gaps.push("jellyseerr request");
    if (r.tmdbId === null && repair.tmdbId !== undefined) gaps.push("tmdb");
    if (r.imdbId === null && repair.imdbId !== undefined) gaps.push("imdb");
    if (r.tvdbId === null && repair.tvdbId !== undefined) gaps.push("tvdb");
    return gaps;
  }

  /** The ids the sources have for a tracked request, matched by exact ids only. */
  private repairOf(r: RequestRow, src: Sources, by: ActingUser): LibraryImported {
    const tmdb = r.tmdbId ?? undefined;
    const imdb = r.imdbId ?? undefined;
    const tvdb = r.tvdbId ?? undefined;
    const media: MediaRef = { mediaType: r.mediaType, requestId: r.id };
    if (r.mediaType === "movie") {
      const movie = (r.radarrId !== null ? src.radarr.find((m) => m.id === r.radarrId) : undefined) ?? this.radarrMovie(src, tmdb, imdb);
      media.radarrId = movie?.id;
      media.tmdbId = movie?.tmdbId;
      media.imdbId = movie?.imdbId;
    } else {
      const series = (r.sonarrId !== null ? src.sonarr.find((x) => x.id === r.sonarrId) : undefined) ?? this.sonarrSeries(src, tvdb, tmdb);
      media.sonarrId = series?.id;
      media.tvdbId = series?.tvdbId;
      media.tmdbId = series?.tmdbId;
      media.imdbId = series?.imdbId;
    }
    const ids = { tmdb: tmdb ?? media.tmdbId, imdb: imdb ?? media.imdbId, tvdb: tvdb ?? media.tvdbId };
    const type = r.mediaType === "movie" ? "Movie" : "Series";
    const matches = (provider: string, id: string | number | undefined) => (i: JellyfinItem) => id !== undefined && providerId(i, provider)?.toLowerCase() === String(id).toLowerCase();
    const item =
      src.jellyfin.find((i) => i.Type === type && (r.mediaType === "tv" ? matches("Tvdb", ids.tvdb)(i) : false)) ??
      src.jellyfin.find((i) => i.Type === type && matches("Tmdb", ids.tmdb)(i)) ??
      src.jellyfin.find((i) => i.Type === type && matches("Imdb", ids.imdb)(i)) ??
      (r.shokoSeriesId !== null ? src.jellyfin.find((i) => i.Type === type && matches("Shoko Series", r.shokoSeriesId!)(i)) : undefined);
    // Only an item Jellyfin can play counts for a film (a metadata stub is not the film).
    if (item && (type === "Series" || isPlayable(item))) media.jellyfinItemId = item.Id;
    const seerr =
      (r.jellyseerrRequestId !== null ? src.seerr.find((x) => x.id === r.jellyseerrRequestId) : undefined) ??
      src.seerr.find((x) => x.media && x.media.mediaType === r.mediaType && ids.tmdb !== undefined && x.media.tmdbId === ids.tmdb);
    if (seerr?.media) {
      media.jellyseerrMediaId = seerr.media.id;
      // Only the request it came from: another Jellyseerr request for the same title is another request here.
      if (r.jellyseerrRequestId === null && r.origin !== "jellyseerr" && src.seerr.filter((x) => x.media?.id === seerr.media!.id).length === 1) media.jellyseerrRequestId = seerr.id;
    }
    return { type: "LibraryImported", at: this.deps.clock.now(), source: "tracker", media, info: {}, seasons: [], foundIn: "jellyfin", by: by.name };
  }

  private radarrMovie(src: Sources, tmdbId: number | undefined, imdbId: string | undefined): RadarrMovie | undefined {
    return (
      (tmdbId !== undefined ? src.radarr.find((m) => m.tmdbId === tmdbId) : undefined) ??
      (imdbId ? src.radarr.find((m) => m.imdbId?.toLowerCase() === imdbId.toLowerCase()) : undefined)
    );
  }

  private sonarrSeries(src: Sources, tvdbId: number | undefined, tmdbId: number | undefined): SonarrSeries | undefined {
    return (
      (tvdbId !== undefined ? src.sonarr.find((x) => x.tvdbId === tvdbId) : undefined) ??
      (tmdbId !== undefined ? src.sonarr.find((x) => x.tmdbId === tmdbId) : undefined)
    );
  }
}

function sameJellyfinId(a: string, b: string): boolean {
  return normaliseJellyfinId(a) === normaliseJellyfinId(b);
}
