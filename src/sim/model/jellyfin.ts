import type { CatalogueEpisode, CatalogueSeries } from "../catalogue";
import { Recurring } from "../recurring";
import { guidD, guidN, pad2, safeFileName } from "../util";
import type { LibraryFile, World } from "../world";

/*
 * Jellyfin's library. A new file becomes an item only after the library monitor's delay (or a
 * full scan), with exact ProviderIds, Path and MediaSources. Series know their missing episodes
 * as Virtual items. Anime comes through Shokofin: VFS paths, "Shoko ..." and AniDB provider ids,
 * and by default no Tmdb id. The webhook plugin queues ItemAdded and sends it every 30 s.
 */

export type JfItemType = "Movie" | "Series" | "Season" | "Episode";

export interface JfLibrary {
  id: string;
  name: string;
  collectionType: "movies" | "tvshows";
  /** Where its items live (the VFS for Shokofin libraries). */
  root: string;
  /** The folder configured for the library. */
  location: string;
  anime: boolean;
}

export interface JfItem {
  id: string;
  type: JfItemType;
  key: string;
  name: string;
  libraryId: string;
  path?: string;
  providerIds: Record<string, string>;
  seriesId?: string;
  seasonId?: string;
  seriesName?: string;
  indexNumber?: number;
  parentIndexNumber?: number;
  premiereDate?: number;
  productionYear?: number;
  dateCreated: number;
  runTimeTicks?: number;
  overview?: string;
  genres: string[];
  locationType: "FileSystem" | "Virtual";
  size?: number;
  quality?: string;
}

const TICKS_PER_MINUTE = 600_000_000;

export class JellyfinModel {
  readonly serverId = guidN("jellyfin-server");
  readonly libraries: JfLibrary[];
  readonly items = new Map<string, JfItem>();
  /** Files on disk not yet picked up by the library monitor or a scan. */
  private readonly pending = new Map<string, LibraryFile>();
  /** The webhook plugin's in-memory ItemAdded queue (lost when Jellyfin restarts). */
  private pluginQueue: string[] = [];
  private readonly pluginTask: Recurring;
  private itemCounter = 0;

  constructor(private readonly world: World) {
    const vfs = (name: string) => `/config/Shokofin/VFS/${guidD(`jellyfin-library:${name}`)}`;
    this.libraries = [
      { id: guidN("jellyfin-library:movies"), name: "Movies", collectionType: "movies", root: "/data/media/movies", location: "/data/media/movies", anime: false },
      { id: guidN("jellyfin-library:shows"), name: "Shows", collectionType: "tvshows", root: "/data/media/tv", location: "/data/media/tv", anime: false },
      { id: guidN("jellyfin-library:anime"), name: "Anime", collectionType: "tvshows", root: vfs("anime"), location: "/data/anime/shows", anime: true },
      { id: guidN("jellyfin-library:anime-movies"), name: "Anime Movies", collectionType: "movies", root: vfs("anime-movies"), location: "/data/anime/movies", anime: true },
    ];
    this.pluginTask = new Recurring(world, () => world.timings.jellyfinWebhookIntervalMs, "jellyfin webhook plugin", () => this.flushPlugin());
    world.onServiceChange((service, up) => {
      if (service === "jellyfin" && !up) this.pluginQueue = [];
    });
  }

  // ------------------------------------------------------------ scanning

  fileAppeared(file: LibraryFile): void {
    this.pending.set(file.path, file);
    this.world.after(this.world.timings.jellyfinMonitorDelayMs, `jellyfin monitor ${file.path}`, () =>
      this.world.whenUp("jellyfin", "jellyfin monitor", () => this.scanFile(file.path)),
    );
  }

  /**
   * POST /Library/Refresh: a full scan picks up every pending file when it finishes, and drops
   * the items whose file is gone (from disk, or from Shoko for Shokofin's VFS).
   */
  refreshLibrary(): void {
    this.world.after(this.world.timings.jellyfinFullScanMs, "jellyfin full scan", () => {
      if (!this.world.isUp("jellyfin")) return;
      for (const path of [...this.pending.keys()]) this.scanFile(path);
      this.dropMissing();
    });
  }

  private fileExists(item: JfItem): boolean {
    const shokoFile = item.providerIds["Shoko File"];
    if (shokoFile !== undefined) return this.world.shoko.files.has(Number(shokoFile));
    return item.path !== undefined && this.world.disk.has(item.path);
  }

  private dropMissing(): void {
    for (const [id, item] of this.items) {
      if ((item.type === "Movie" || item.type === "Episode") && item.locationType === "FileSystem" && !this.fileExists(item)) this.items.delete(id);
    }
    // A series whose folder has no file left goes with its seasons and placeholders.
    for (const series of [...this.items.values()].filter((i) => i.type === "Series")) {
      const children = [...this.items.values()].filter((i) => i.seriesId === series.id);
      if (children.some((i) => i.type === "Episode" && i.locationType === "FileSystem")) continue;
      for (const child of children) this.items.delete(child.id);
      this.items.delete(series.id);
    }
  }

  private scanFile(path: string): void {
    const file = this.pending.get(path);
    if (!file) return;
    this.pending.delete(path);
    if (!this.world.catalogue.titles.has(file.key)) return;
    const item = file.kind === "movie" ? this.addMovie(file) : this.addEpisode(file);
    if (item) {
      this.pluginQueue.push(item.id);
      this.pluginTask.ensure();
    }
  }

  private newId(): string {
    return guidN(`jellyfin-item:${++this.itemCounter}`);
  }

  private library(kind: "movie" | "episode", anime: boolean): JfLibrary {
    const type = kind === "movie" ? "movies" : "tvshows";
    return this.libraries.find((l) => l.collectionType === type && l.anime === anime) as JfLibrary;
  }

  private addMovie(file: LibraryFile): JfItem | undefined {
    const title = this.world.catalogue.movie(file.key);
    const anime = file.shoko !== undefined;
    const library = this.library("movie", anime);
    let path = file.path;
    let providerIds: Record<string, string> = { Tmdb: String(title.tmdbId), Imdb: title.imdbId };
    if (file.shoko) {
      const s = file.shoko;
      const folder = `${safeFileName(title.title)} [Shoko Series=${s.seriesId}] [Shoko Episode=${s.episodeId}]`;
      path = `${library.root}/${folder}/${safeFileName(title.title)} [Shoko Series=${s.seriesId}] [Shoko File=${s.fileId}].mkv`;
      providerIds = this.shokoIds(s, { Tmdb: String(title.tmdbId) });
    }
    if ([...this.items.values()].some((i) => i.path === path)) return undefined;
    const item: JfItem = {
      id: this.newId(),
      type: "Movie",
      key: file.key,
      name: title.title,
      libraryId: library.id,
      path,
      providerIds,
      premiereDate: Date.parse(`${title.inCinemas}T00:00:00Z`),
      productionYear: title.year,
      dateCreated: this.world.now(),
      runTimeTicks: title.runtime * TICKS_PER_MINUTE,
      overview: title.overview,
      genres: title.genres,
      locationType: "FileSystem",
      size: file.size,
      quality: file.quality,
    };
    this.items.set(item.id, item);
    return item;
  }

  /** Shokofin's provider ids; Tmdb only with its AddTMDBId setting (off by default). */
  private shokoIds(s: NonNullable<LibraryFile["shoko"]>, tmdb: Record<string, string>): Record<string, string> {
    return {
      "Shoko Episode": String(s.episodeId),
      "Shoko File": String(s.fileId),
      "Shoko Series": String(s.seriesId),
      AniDB: String(s.anidbEpisodeId),
      ...(this.world.options.shokofinAddTmdbId ? tmdb : {}),
    };
  }

  private ensureSeries(title: CatalogueSeries, file: LibraryFile): JfItem {
    const anime = file.shoko !== undefined;
    const existing = [...this.items.values()].find((i) => i.type === "Series" && i.key === title.key);
    if (existing) return existing;
    const library = this.library("episode", anime);
    const s = file.shoko;
    const seriesFolder = s ? `${library.root}/${safeFileName(title.title)} [Shoko Series=${s.seriesId}]` : file.path.split("/Season ")[0];
    const now = this.world.now();
    const series: JfItem = {
      id: this.newId(),
      type: "Series",
      key: title.key,
      name: title.title,
      libraryId: library.id,
      path: seriesFolder,
      providerIds: s
        ? { "Shoko Series": String(s.seriesId), AniDB: String(s.anidbAnimeId), ...(this.world.options.shokofinAddTmdbId ? { Tmdb: String(title.tmdbId) } : {}) }
        : { Tvdb: String(title.tvdbId), Tmdb: String(title.tmdbId), Imdb: title.imdbId },
      premiereDate: title.seasons[0]?.episodes[0]?.airDateUtc,
      productionYear: title.year,
      dateCreated: now,
      runTimeTicks: title.runtime * TICKS_PER_MINUTE,
      overview: title.overview,
      genres: title.genres,
      locationType: "FileSystem",
    };
    this.items.set(series.id, series);
    for (const season of title.seasons) {
      const seasonItem: JfItem = {
        id: this.newId(),
        type: "Season",
        key: title.key,
        name: `Season ${season.seasonNumber}`,
        libraryId: library.id,
        path: `${seriesFolder}/Season ${pad2(season.seasonNumber)}`,
        providerIds: {},
        seriesId: series.id,
        seriesName: title.title,
        indexNumber: season.seasonNumber,
        productionYear: title.year,
        dateCreated: now,
        genres: [],
        locationType: "FileSystem",
      };
      this.items.set(seasonItem.id, seasonItem);
      // TVDB metadata lists every episode: the ones without a file are Virtual (Shokofin adds none).
      if (!s) {
        for (const episode of season.episodes) {
          const virtual = this.episodeItem(title, series, seasonItem, episode, undefined);
          this.items.set(virtual.id, virtual);
        }
      }
    }
    return series;
  }

  private episodeItem(title: CatalogueSeries, series: JfItem, season: JfItem, episode: CatalogueEpisode, file: LibraryFile | undefined): JfItem {
    const id = this.newId();
    const s = file?.shoko;
    const code = `S${pad2(episode.season)}E${pad2(episode.number)}`;
    const path = !file
      ? undefined
      : s
        ? `${season.path}/${safeFileName(title.title)} ${code} [Shoko Series=${s.seriesId}] [Shoko File=${s.fileId}].mkv`
        : file.path;
    return {
      id,
      type: "Episode",
      key: title.key,
      name: episode.title,
      libraryId: series.libraryId,
      path,
      providerIds: s ? this.shokoIds(s, { Tmdb: String(episode.tmdbEpisodeId) }) : { Tvdb: String(episode.tvdbId) },
      seriesId: series.id,
      seasonId: season.id,
      seriesName: title.title,
      indexNumber: episode.number,
      parentIndexNumber: episode.season,
      premiereDate: episode.airDateUtc,
      productionYear: title.year,
      dateCreated: this.world.now(),
      runTimeTicks: title.runtime * TICKS_PER_MINUTE,
      overview: episode.overview,
      genres: [],
      locationType: file ? "FileSystem" : "Virtual",
      size: file?.size,
      quality: file?.quality,
    };
  }

  private addEpisode(file: LibraryFile): JfItem | undefined {
    const episode = file.episode;
    if (!episode) return undefined;
    const title = this.world.catalogue.series(file.key);
    const series = this.ensureSeries(title, file);
    const season = [...this.items.values()].find((i) => i.type === "Season" && i.seriesId === series.id && i.indexNumber === episode.season);
    if (!season) return undefined;
    const siblings = [...this.items.values()].filter(
      (i) => i.type === "Episode" && i.seriesId === series.id && i.parentIndexNumber === episode.season && i.indexNumber === episode.number,
    );
    if (siblings.some((i) => i.locationType === "FileSystem")) return undefined;
    // The file replaces the virtual placeholder; the real item gets a new id, as in Jellyfin.
    for (const virtual of siblings) this.items.delete(virtual.id);
    const item = this.episodeItem(title, series, season, episode, file);
    this.items.set(item.id, item);
    return item;
  }

  removeTitle(key: string): void {
    for (const [id, item] of this.items) if (item.key === key) this.items.delete(id);
    for (const [path, file] of this.pending) if (file.key === key) this.pending.delete(path);
  }

  // ------------------------------------------------------------ webhook plugin

  private flushPlugin(): boolean {
    if (!this.world.isUp("jellyfin")) return false;
    const queue = this.pluginQueue;
    this.pluginQueue = [];
    for (let i = 0; i < queue.length; i++) {
      const item = this.items.get(queue[i]);
      if (!item) {
        // The real task abandons the rest of the pass when a queued item is gone (ItemAddedManager.cs).
        this.pluginQueue = [...queue.slice(i + 1), ...this.pluginQueue];
        break;
      }
      this.world.notify({ service: "jellyfin", event: "ItemAdded", key: item.key, itemId: item.id });
    }
    return this.pluginQueue.length > 0;
  }

  // ------------------------------------------------------------ lookups

  movieItemFor(key: string): JfItem | undefined {
    return [...this.items.values()].find((i) => i.type === "Movie" && i.key === key && i.locationType === "FileSystem");
  }

  seriesItemFor(key: string): JfItem | undefined {
    return [...this.items.values()].find((i) => i.type === "Series" && i.key === key);
  }

  /** Episodes of a season with a file (playable). */
  episodeCount(key: string, season: number): number {
    return [...this.items.values()].filter(
      (i) => i.type === "Episode" && i.key === key && i.parentIndexNumber === season && i.locationType === "FileSystem",
    ).length;
  }
}
