import type { CatalogueEpisode, CatalogueMovie, CatalogueSeries } from "../catalogue";
import { Recurring } from "../recurring";
import { hashInt31, pad2, safeFileName, slugify, timeSpan } from "../util";
import type { World } from "../world";
import { ETA_INFINITY, type TorrentState } from "./qbittorrent";
import { episodeRelease, movieRelease, seasonPackRelease, type Release } from "./releases";

/*
 * Radarr and Sonarr. Both track downloads the same way (Download/TrackedDownloads): poll the
 * download client every minute, mark completed torrents importPending, import, and drop the item
 * from the queue once imported. Sonarr lists one queue record per episode of a download.
 */

export type ArrApp = "radarr" | "sonarr";

export type TrackedState = "downloading" | "importPending" | "importing" | "importBlocked" | "imported" | "failed" | "ignored";

export interface StatusMessage {
  title: string;
  messages: string[];
}

/** What the arr saw of the torrent at its last poll of the client. */
export interface ClientView {
  state: TorrentState;
  size: number;
  sizeleft: number;
  eta: number;
  contentPath: string;
  at: number;
}

export interface TrackedDownload {
  id: number;
  app: ArrApp;
  key: string;
  /** Upper-case info-hash. */
  downloadId: string;
  release: Release;
  /** Radarr movie id or Sonarr series id. */
  mediaId: number;
  /** Sonarr episode ids the release covers. */
  episodeIds: number[];
  state: TrackedState;
  status: "ok" | "warning" | "error";
  statusMessages: StatusMessage[];
  added: number;
  view?: ClientView;
  manualInteractionNotified: boolean;
  importedFileIds: number[];
}

export interface HistoryRecord {
  id: number;
  eventType: "grabbed" | "downloadFolderImported" | "downloadFailed" | "downloadIgnored";
  date: number;
  downloadId?: string;
  sourceTitle: string;
  mediaId: number;
  episodeId?: number;
  release: Release;
  data: Record<string, string>;
}

export interface BlocklistItem {
  id: number;
  mediaId: number;
  episodeIds: number[];
  sourceTitle: string;
  date: number;
  release: Release;
  message: string;
}

export interface ArrCommand {
  id: number;
  name: string;
  body: Record<string, unknown>;
  status: "queued" | "started" | "completed" | "failed";
  result: "unknown" | "successful" | "unsuccessful";
  queued: number;
  started?: number;
  ended?: number;
  message?: string;
  stateChangeTime: number;
}

/** A queue record in neutral form; the HTTP layer writes the real JSON. */
export interface QueueEntry {
  id: number;
  td: TrackedDownload;
  mediaId: number;
  episodeId?: number;
  title: string;
  downloadId: string;
  status: "queued" | "paused" | "downloading" | "completed" | "warning";
  errorMessage?: string;
  size: number;
  sizeleft: number;
  /** Seconds; absent when unknown (eta 8640000), 0 once completed. */
  timeleft?: number;
  timeleftText?: string;
  estimatedCompletionTime?: number;
  outputPath?: string;
}

export class UnknownCommandError extends Error {}

type CommandRun = () => { durationMs: number; message: () => string };

const ACTIVE_STATES: readonly TrackedState[] = ["downloading", "importPending", "importing", "importBlocked"];

/** qBittorrent state -> arr queue status (QBittorrent.cs GetItems). */
function queueStatusOf(state: TorrentState): { status: QueueEntry["status"]; errorMessage?: string } {
  switch (state) {
    case "metaDL":
      return { status: "queued" };
    case "stalledDL":
      return { status: "warning", errorMessage: "The download is stalled with no connections" };
    case "pausedDL":
    case "stoppedDL":
      return { status: "paused" };
    case "downloading":
      return { status: "downloading" };
    default:
      return { status: "completed" };
  }
}

abstract class ArrBase {
  readonly tracked = new Map<number, TrackedDownload>();
  readonly history: HistoryRecord[] = [];
  readonly blocklist: BlocklistItem[] = [];
  readonly commands = new Map<number, ArrCommand>();
  /** Tag id -> label. */
  readonly tags = new Map<number, string>([[1, "anime"]]);
  protected readonly refreshJob: Recurring;
  private nextTrackedId = 1;
  private nextHistoryId = 90_200;
  private nextBlocklistId = 310;
  private nextCommandId = 1_400;

  constructor(
    protected readonly world: World,
    readonly app: ArrApp,
    readonly category: string,
    readonly downloadFolder: string,
  ) {
    this.refreshJob = new Recurring(world, () => world.timings.arrRefreshMs, `${app} refresh monitored downloads`, () => this.refresh());
  }

  protected abstract mediaExists(mediaId: number): boolean;
  protected abstract mediaKey(mediaId: number): string | undefined;
  protected abstract importFiles(td: TrackedDownload): void;
  protected abstract searchFor(mediaId: number, episodeIds?: number[]): number;

  // ------------------------------------------------------------ grabbing

  /** Sends a release to qBittorrent; waits while the client is unreachable, as the arr retries. */
  protected grab(release: Release, mediaId: number, episodeIds: number[], source: "Search" | "Rss"): void {
    this.world.whenUp("qbittorrent", `${this.app} grab ${release.title}`, () => {
      if (!this.mediaExists(mediaId) || !this.world.isUp(this.app)) return;
      const now = this.world.now();
      const key = this.mediaKey(mediaId) as string;
      this.world.qbit.add(release, this.category, this.downloadFolder, now);
      const td: TrackedDownload = {
        id: this.nextTrackedId++,
        app: this.app,
        key,
        downloadId: release.hash.toUpperCase(),
        release,
        mediaId,
        episodeIds,
        state: "downloading",
        status: "ok",
        statusMessages: [],
        added: now,
        manualInteractionNotified: false,
        importedFileIds: [],
      };
      this.tracked.set(td.id, td);
      for (const episodeId of episodeIds.length > 0 ? episodeIds : [undefined]) {
        this.addHistory("grabbed", td, episodeId, this.grabData(td, source));
      }
      this.notifyTracked("Grab", td);
      // The arr refreshes its client view 5 s after a grab, then every minute.
      this.world.after(this.world.timings.arrGrabRefreshMs, `${this.app} post-grab refresh`, () => this.refresh());
      this.refreshJob.ensure();
    });
  }

  private grabData(td: TrackedDownload, source: "Search" | "Rss"): Record<string, string> {
    const r = td.release;
    const title = this.world.catalogue.get(td.key);
    const data: Record<string, string> = {
      indexer: r.indexer,
      releaseGroup: r.releaseGroup,
      age: "0",
      ageHours: "2.4",
      ageMinutes: "144.2",
      publishedDate: new Date(td.added - 2.4 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      downloadClient: "qBittorrent",
      downloadClientName: "qBittorrent",
      size: String(r.size),
      downloadUrl: `http://prowlarr:9696/${r.indexer.length}/download?apikey=(removed)&link=${r.guid}`,
      guid: r.guid,
      protocol: "2",
      customFormatScore: String(r.customFormatScore),
      releaseSource: source === "Rss" ? "Rss" : "Search",
      indexerFlags: "0",
      torrentInfoHash: td.downloadId,
    };
    if (title.kind === "tv") {
      data.nzbInfoUrl = `https://indexer.example/torrent/${r.guid}`;
      data.tvdbId = String(title.tvdbId);
      data.tvRageId = "0";
      data.imdbId = title.imdbId;
      data.seriesMatchType = "Title";
      data.releaseType = r.releaseType === "seasonPack" ? "SeasonPack" : "SingleEpisode";
    } else {
      data.tmdbId = String(title.tmdbId);
      data.imdbId = title.imdbId;
      data.movieMatchType = "Title";
    }
    return data;
  }

  private notifyTracked(event: "Grab" | "ManualInteractionRequired", td: TrackedDownload): void {
    if (this.app === "radarr") this.world.notify({ service: "radarr", event, key: td.key, trackedId: td.id });
    else this.world.notify({ service: "sonarr", event, key: td.key, trackedId: td.id });
  }

  protected addHistory(eventType: HistoryRecord["eventType"], td: TrackedDownload, episodeId: number | undefined, data: Record<string, string>): void {
    this.history.push({
      id: this.nextHistoryId++,
      eventType,
      date: this.world.now(),
      downloadId: td.downloadId,
      sourceTitle: td.release.title,
      mediaId: td.mediaId,
      episodeId,
      release: td.release,
      data,
    });
  }

  protected isBlocklisted(mediaId: number, release: Release): boolean {
    return this.blocklist.some((b) => b.mediaId === mediaId && b.sourceTitle === release.title);
  }

  protected activeFor(mediaId: number): TrackedDownload[] {
    return [...this.tracked.values()].filter((td) => td.mediaId === mediaId && ACTIVE_STATES.includes(td.state));
  }

  // ------------------------------------------------------------ monitoring and import

  /** RefreshMonitoredDownloads: look at the client, start imports of completed downloads. */
  refresh(): boolean {
    const active = () => [...this.tracked.values()].some((td) => ACTIVE_STATES.includes(td.state));
    if (!this.world.isUp(this.app) || !this.world.isUp("qbittorrent")) return active();
    const now = this.world.now();
    const qbit = this.world.qbit;
    for (const td of this.tracked.values()) {
      if (!ACTIVE_STATES.includes(td.state)) continue;
      const torrent = qbit.get(td.downloadId);
      if (!torrent) {
        // Removed from the client before import: the arr forgets it.
        td.state = "ignored";
        continue;
      }
      td.view = {
        state: qbit.state(torrent, now),
        size: qbit.hasMetadata(torrent, now) ? torrent.totalSize : 0,
        sizeleft: qbit.hasMetadata(torrent, now) ? torrent.totalSize - qbit.downloaded(torrent, now) : 0,
        eta: qbit.eta(torrent, now),
        contentPath: qbit.contentPath(torrent, now),
        at: now,
      };
      if (td.state === "downloading" && qbit.isComplete(torrent, now)) {
        td.state = "importPending";
        this.world.after(1_000, `${this.app} import ${td.release.title}`, () => this.startImport(td));
      }
    }
    return active();
  }

  protected startImport(td: TrackedDownload): void {
    if (td.state !== "importPending" && td.state !== "importBlocked") return;
    if (!this.world.isUp(this.app)) {
      this.world.after(this.world.timings.arrRefreshMs, `${this.app} import (waiting)`, () => this.startImport(td));
      return;
    }
    const wasBlocked = td.state === "importBlocked";
    td.state = "importing";
    this.world.after(this.world.timings.importMs, `${this.app} imported ${td.release.title}`, () => {
      if (td.state !== "importing") return;
      this.importFiles(td);
      // importFiles moves the state on; read it afresh (TypeScript still thinks "importing").
      const after: TrackedState = td.state as TrackedState;
      if (after === "importBlocked" && !td.manualInteractionNotified && !wasBlocked) {
        td.manualInteractionNotified = true;
        this.notifyTracked("ManualInteractionRequired", td);
      }
    });
  }

  protected blockImport(td: TrackedDownload, messages: StatusMessage[]): void {
    td.state = "importBlocked";
    td.status = "warning";
    td.statusMessages = messages;
  }

  /** The queue as the arr shows it: tracked downloads it has seen in the client, not yet done. */
  queueEntries(): QueueEntry[] {
    const entries: QueueEntry[] = [];
    for (const td of this.tracked.values()) {
      if (!ACTIVE_STATES.includes(td.state) || !td.view) continue;
      const view = td.view;
      const { status, errorMessage } = td.state === "downloading" ? queueStatusOf(view.state) : { status: "completed" as const, errorMessage: undefined };
      const completed = status === "completed";
      const timeleft = completed ? 0 : view.eta >= ETA_INFINITY || view.eta > 365 * 86_400 ? undefined : view.eta;
      const base = {
        td,
        mediaId: td.mediaId,
        title: td.release.title.replace(/\.mkv$/, ""),
        downloadId: td.downloadId,
        status,
        errorMessage,
        size: view.size,
        sizeleft: completed ? 0 : view.sizeleft,
        timeleft,
        timeleftText: timeleft === undefined ? undefined : timeSpan(timeleft),
        estimatedCompletionTime: timeleft === undefined ? undefined : view.at + timeleft * 1000,
        outputPath: completed ? view.contentPath : undefined,
      };
      if (this.app === "sonarr") {
        for (const episodeId of td.episodeIds) {
          entries.push({ ...base, id: hashInt31(`trackedDownload-1-${td.downloadId}-ep${episodeId}`), episodeId });
        }
      } else {
        entries.push({ ...base, id: hashInt31(`trackedDownload-1-${td.downloadId}`) });
      }
    }
    // Sorted like the arr's default: time left, ascending, unknown last.
    return entries.sort((a, b) => (a.timeleft ?? Infinity) - (b.timeleft ?? Infinity) || a.id - b.id);
  }

  /**
   * DELETE /queue/{id}: removes the whole download (one record of a pack removes the pack). With
   * blocklist the release is never grabbed again and, unless skipRedownload, a new search starts.
   */
  removeQueueItem(queueId: number, options: { removeFromClient: boolean; blocklist: boolean; skipRedownload: boolean }): boolean {
    const entry = this.queueEntries().find((e) => e.id === queueId);
    if (!entry) return false;
    const td = entry.td;
    if (options.removeFromClient) this.world.qbit.delete(td.downloadId);
    const episodeIds = td.episodeIds.length > 0 ? td.episodeIds : [undefined];
    if (options.blocklist) {
      td.state = "failed";
      this.blocklist.push({
        id: this.nextBlocklistId++,
        mediaId: td.mediaId,
        episodeIds: td.episodeIds,
        sourceTitle: td.release.title,
        date: this.world.now(),
        release: td.release,
        message: "Manually marked as failed",
      });
      for (const episodeId of episodeIds) {
        this.addHistory("downloadFailed", td, episodeId, { message: "Manually marked as failed", downloadClient: "qBittorrent", downloadClientName: "qBittorrent" });
      }
      if (!options.skipRedownload) {
        const pending = td.episodeIds.filter((id) => !this.episodeHasFile(id));
        this.searchFor(td.mediaId, this.app === "sonarr" ? pending : undefined);
      }
    } else {
      td.state = "ignored";
      for (const episodeId of episodeIds) this.addHistory("downloadIgnored", td, episodeId, { message: "Removed from queue" });
    }
    return true;
  }

  protected episodeHasFile(_episodeId: number): boolean {
    return false;
  }

  // ------------------------------------------------------------ commands

  /** POST /api/v3/command: answers "queued", starts at once, and does the thing. */
  command(name: string, body: Record<string, unknown>): ArrCommand {
    const now = this.world.now();
    const action = this.commandAction(name, body);
    if (!action) throw new UnknownCommandError(name);
    const command: ArrCommand = { id: this.nextCommandId++, name: action.name, body, status: "queued", result: "unknown", queued: now, stateChangeTime: now };
    this.commands.set(command.id, command);
    this.world.after(20, `${this.app} command ${command.name}`, () => {
      command.status = "started";
      command.started = command.stateChangeTime = this.world.now();
      const { durationMs, message } = action.run();
      this.world.after(durationMs, `${this.app} command ${command.name} done`, () => {
        command.status = "completed";
        command.result = "successful";
        command.message = message();
        command.ended = command.stateChangeTime = this.world.now();
      });
    });
    return command;
  }

  private commandAction(name: string, body: Record<string, unknown>): { name: string; run: CommandRun } | undefined {
    const canonical = this.knownCommands().find((k) => k.toLowerCase() === name.toLowerCase());
    if (!canonical) return undefined;
    const numbers = (value: unknown): number[] =>
      (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(Number).filter(Number.isFinite);
    // A search takes the indexers' time; its grabs start when it completes.
    const search = (start: () => number): CommandRun => () => {
      const grabs = start();
      return { durationMs: this.world.timings.searchMs, message: () => `Search completed. ${grabs} reports downloaded.` };
    };
    const quick = (durationMs: number, work: () => void = () => undefined): CommandRun => () => {
      work();
      return { durationMs, message: () => "Completed" };
    };
    switch (canonical) {
      case "RefreshMonitoredDownloads":
        return { name: canonical, run: quick(300, () => this.refreshJob.runNow()) };
      case "MoviesSearch":
        return { name: canonical, run: search(() => numbers(body.movieIds).reduce((n, id) => n + this.searchFor(id), 0)) };
      case "EpisodeSearch":
        return { name: canonical, run: search(() => this.searchEpisodesById(numbers(body.episodeIds))) };
      case "SeasonSearch":
        return { name: canonical, run: search(() => this.searchSeasonCommand(Number(body.seriesId), Number(body.seasonNumber))) };
      case "SeriesSearch":
      case "MissingEpisodeSearch":
        return { name: canonical, run: search(() => numbers(body.seriesId ?? body.seriesIds).reduce((n, id) => n + this.searchFor(id), 0)) };
      case "DownloadedMoviesScan":
      case "DownloadedEpisodesScan": {
        const id = typeof body.downloadClientId === "string" ? body.downloadClientId : undefined;
        return { name: canonical, run: quick(this.world.timings.importMs + 1_000, () => this.scanDownloads(id)) };
      }
      default:
        // RefreshMovie, RefreshSeries, RescanMovie, RescanSeries, RssSync: nothing observable to do here.
        return { name: canonical, run: quick(500) };
    }
  }

  protected abstract knownCommands(): string[];

  protected searchEpisodesById(_episodeIds: number[]): number {
    return 0;
  }

  protected searchSeasonCommand(_seriesId: number, _season: number): number {
    return 0;
  }

  /** DownloadedEpisodesScan / DownloadedMoviesScan: import now instead of at the next poll. */
  private scanDownloads(downloadClientId: string | undefined): void {
    this.refresh();
    for (const td of this.tracked.values()) {
      if (downloadClientId && td.downloadId !== downloadClientId.toUpperCase()) continue;
      if (td.state === "importPending" || td.state === "importBlocked") this.startImport(td);
    }
  }

  protected forgetMedia(mediaId: number): void {
    for (const td of this.tracked.values()) {
      if (td.mediaId !== mediaId) continue;
      this.world.qbit.delete(td.downloadId);
      this.tracked.delete(td.id);
    }
    for (let i = this.blocklist.length - 1; i >= 0; i--) if (this.blocklist[i].mediaId === mediaId) this.blocklist.splice(i, 1);
    for (let i = this.history.length - 1; i >= 0; i--) if (this.history[i].mediaId === mediaId) this.history.splice(i, 1);
  }
}

// ================================================================ Radarr

export interface RadarrMovie {
  id: number;
  key: string;
  title: CatalogueMovie;
  path: string;
  rootFolderPath: string;
  monitored: boolean;
  added: number;
  tagIds: number[];
  movieFileId?: number;
}

export interface MovieFile {
  id: number;
  movieId: number;
  relativePath: string;
  path: string;
  size: number;
  dateAdded: number;
  release: Release;
  sourcePath: string;
}

export class RadarrModel extends ArrBase {
  readonly movies = new Map<number, RadarrMovie>();
  readonly movieFiles = new Map<number, MovieFile>();
  private nextMovieId = 52;
  private nextFileId = 37;

  constructor(world: World) {
    super(world, "radarr", "radarr", "/data/torrents/radarr");
  }

  movieByKey(key: string): RadarrMovie | undefined {
    return [...this.movies.values()].find((m) => m.key === key);
  }

  /** What Seerr does on approval: add with "search for movie". */
  addMovie(key: string): RadarrMovie {
    const existing = this.movieByKey(key);
    if (existing) {
      if (existing.movieFileId === undefined) this.scheduleSearch(existing.id);
      return existing;
    }
    const title = this.world.catalogue.movie(key);
    const root = title.anime ? "/data/anime/movies" : "/data/media/movies";
    const movie: RadarrMovie = {
      id: this.nextMovieId++,
      key,
      title,
      path: `${root}/${safeFileName(title.title)} (${title.year})`,
      rootFolderPath: root,
      monitored: true,
      added: this.world.now(),
      tagIds: title.anime ? [1] : [],
    };
    this.movies.set(movie.id, movie);
    this.world.notify({ service: "radarr", event: "MovieAdded", key, movieId: movie.id });
    this.scheduleSearch(movie.id);
    return movie;
  }

  private scheduleSearch(movieId: number): void {
    this.world.after(this.world.timings.arrAddToSearchMs, `radarr search movie ${movieId}`, () => this.searchFor(movieId));
  }

  deleteByKey(key: string, deleteFiles: boolean): void {
    const movie = this.movieByKey(key);
    if (movie) this.deleteMovie(movie.id, deleteFiles);
  }

  deleteMovie(movieId: number, deleteFiles: boolean): boolean {
    const movie = this.movies.get(movieId);
    if (!movie) return false;
    this.world.notify({ service: "radarr", event: "MovieDelete", key: movie.key, movieId, deletedFiles: deleteFiles });
    this.forgetMedia(movieId);
    if (movie.movieFileId !== undefined) {
      const file = this.movieFiles.get(movie.movieFileId);
      if (file && deleteFiles) this.world.libraryFileDeleted(file.path);
      this.movieFiles.delete(movie.movieFileId);
    }
    this.movies.delete(movieId);
    return true;
  }

  protected mediaExists(mediaId: number): boolean {
    return this.movies.has(mediaId);
  }

  protected mediaKey(mediaId: number): string | undefined {
    return this.movies.get(mediaId)?.key;
  }

  protected knownCommands(): string[] {
    return ["RefreshMonitoredDownloads", "MoviesSearch", "DownloadedMoviesScan", "RefreshMovie", "RescanMovie", "RssSync", "MissingMoviesSearch"];
  }

  /** MoviesSearch: after the indexer search, grab the best release not blocklisted. Returns grabs started. */
  protected searchFor(movieId: number): number {
    const movie = this.movies.get(movieId);
    if (!movie || movie.movieFileId !== undefined || this.activeFor(movieId).length > 0) return 0;
    const release = this.world
      .behaviourFor(movie.key)
      .releases.map((spec) => movieRelease(movie.title, spec))
      .find((r) => !this.isBlocklisted(movieId, r));
    if (!release) return 0;
    this.world.after(this.world.timings.searchMs, `radarr grab ${release.title}`, () => {
      if (this.activeFor(movieId).length === 0 && this.movies.get(movieId)?.movieFileId === undefined) this.grab(release, movieId, [], "Search");
    });
    return 1;
  }

  protected importFiles(td: TrackedDownload): void {
    const movie = this.movies.get(td.mediaId);
    if (!movie) return;
    const rejection = this.world.behaviourFor(movie.key).importRejection;
    const video = td.release.files.find((f) => f.video);
    if (!video) return;
    const torrentPath = `${this.downloadFolder}/${video.name}`;
    if (rejection && !rejection.episodes) {
      this.blockImport(td, [{ title: video.name.split("/").pop() as string, messages: [rejection.message] }]);
      return;
    }
    const now = this.world.now();
    const relativePath = `${safeFileName(movie.title.title)} (${movie.title.year}) [${td.release.quality.name}].mkv`;
    const file: MovieFile = {
      id: this.nextFileId++,
      movieId: movie.id,
      relativePath,
      path: `${movie.path}/${relativePath}`,
      size: video.size,
      dateAdded: now,
      release: td.release,
      sourcePath: torrentPath,
    };
    this.movieFiles.set(file.id, file);
    movie.movieFileId = file.id;
    td.importedFileIds.push(file.id);
    this.addHistory("downloadFolderImported", td, undefined, {
      fileId: String(file.id),
      droppedPath: torrentPath,
      importedPath: file.path,
      downloadClient: "qBittorrent",
      downloadClientName: "qBittorrent",
      releaseGroup: td.release.releaseGroup,
      customFormatScore: String(td.release.customFormatScore),
      size: String(file.size),
      indexerFlags: "0",
    });
    td.state = "imported";
    td.status = "ok";
    this.world.notify({ service: "radarr", event: "Download", key: movie.key, trackedId: td.id, movieFileId: file.id });
    this.world.libraryFileAdded({ key: movie.key, kind: "movie", path: file.path, size: file.size, quality: td.release.quality.name });
  }
}

// ================================================================ Sonarr

export interface SonarrSeries {
  id: number;
  key: string;
  title: CatalogueSeries;
  titleSlug: string;
  path: string;
  rootFolderPath: string;
  seriesType: "standard" | "anime";
  monitored: boolean;
  added: number;
  tagIds: number[];
}

export interface SonarrEpisode {
  id: number;
  seriesId: number;
  catalogue: CatalogueEpisode;
  monitored: boolean;
  episodeFileId?: number;
}

export interface EpisodeFile {
  id: number;
  seriesId: number;
  seasonNumber: number;
  episodeIds: number[];
  relativePath: string;
  path: string;
  size: number;
  dateAdded: number;
  release: Release;
  sourcePath: string;
}

const NOT_ALL_IMPORTED = "One or more episodes expected in this release were not imported or missing from the release";

export class SonarrModel extends ArrBase {
  readonly series = new Map<number, SonarrSeries>();
  readonly episodes = new Map<number, SonarrEpisode>();
  readonly episodeFiles = new Map<number, EpisodeFile>();
  private nextSeriesId = 23;
  private nextEpisodeId = 752;
  private nextFileId = 5_010;

  constructor(world: World) {
    super(world, "sonarr", "tv-sonarr", "/data/torrents/tv-sonarr");
  }

  seriesByKey(key: string): SonarrSeries | undefined {
    return [...this.series.values()].find((s) => s.key === key);
  }

  episodesOf(seriesId: number): SonarrEpisode[] {
    return [...this.episodes.values()].filter((e) => e.seriesId === seriesId);
  }

  /** What Seerr does on approval: add with the requested seasons monitored and search for missing. */
  addSeries(key: string, seasons: number[]): SonarrSeries {
    const existing = this.seriesByKey(key);
    if (existing) {
      for (const episode of this.episodesOf(existing.id)) if (seasons.includes(episode.catalogue.season)) episode.monitored = true;
      this.scheduleMissingSearch(existing.id);
      return existing;
    }
    const title = this.world.catalogue.series(key);
    const root = title.anime ? "/data/anime/shows" : "/data/media/tv";
    const series: SonarrSeries = {
      id: this.nextSeriesId++,
      key,
      title,
      titleSlug: slugify(title.title),
      // Anime libraries commonly use the bare title (as the capture shows); others "Title (Year)".
      path: title.anime ? `${root}/${safeFileName(title.title)}` : `${root}/${safeFileName(title.title)} (${title.year})`,
      rootFolderPath: root,
      seriesType: title.anime ? "anime" : "standard",
      monitored: true,
      added: this.world.now(),
      tagIds: title.anime ? [1] : [],
    };
    this.series.set(series.id, series);
    for (const season of title.seasons) {
      for (const episode of season.episodes) {
        const entry: SonarrEpisode = { id: this.nextEpisodeId++, seriesId: series.id, catalogue: episode, monitored: seasons.includes(season.seasonNumber) };
        this.episodes.set(entry.id, entry);
        this.scheduleRss(entry);
      }
    }
    // SeriesAdd fires after the first metadata refresh of the new series.
    this.world.after(1_000, `sonarr series added ${key}`, () => {
      if (this.series.has(series.id)) this.world.notify({ service: "sonarr", event: "SeriesAdd", key, seriesId: series.id });
    });
    this.scheduleMissingSearch(series.id);
    return series;
  }

  private scheduleMissingSearch(seriesId: number): void {
    this.world.after(this.world.timings.arrAddToSearchMs, `sonarr search series ${seriesId}`, () => this.searchFor(seriesId));
  }

  /** An upcoming episode: its release appears on the indexer's RSS feed a while after it airs. */
  private scheduleRss(episode: SonarrEpisode): void {
    const air = episode.catalogue.airDateUtc;
    if (air === undefined) return;
    const due = air + this.world.timings.rssDelayMs;
    if (due <= this.world.now()) return;
    this.world.at(due, `sonarr rss ${episode.id}`, () => {
      if (!this.episodes.has(episode.id)) return;
      this.world.whenUp("sonarr", "sonarr rss", () => this.searchEpisodes(episode.seriesId, [episode.id], "Rss"));
    });
  }

  deleteByKey(key: string, deleteFiles: boolean): void {
    const series = this.seriesByKey(key);
    if (series) this.deleteSeries(series.id, deleteFiles);
  }

  deleteSeries(seriesId: number, deleteFiles: boolean): boolean {
    const series = this.series.get(seriesId);
    if (!series) return false;
    this.world.notify({ service: "sonarr", event: "SeriesDelete", key: series.key, seriesId, deletedFiles: deleteFiles });
    this.forgetMedia(seriesId);
    for (const episode of this.episodesOf(seriesId)) this.episodes.delete(episode.id);
    for (const file of [...this.episodeFiles.values()]) {
      if (file.seriesId !== seriesId) continue;
      if (deleteFiles) this.world.libraryFileDeleted(file.path);
      this.episodeFiles.delete(file.id);
    }
    this.series.delete(seriesId);
    return true;
  }

  protected mediaExists(mediaId: number): boolean {
    return this.series.has(mediaId);
  }

  protected mediaKey(mediaId: number): string | undefined {
    return this.series.get(mediaId)?.key;
  }

  protected episodeHasFile(episodeId: number): boolean {
    return this.episodes.get(episodeId)?.episodeFileId !== undefined;
  }

  protected knownCommands(): string[] {
    return [
      "RefreshMonitoredDownloads",
      "EpisodeSearch",
      "SeasonSearch",
      "SeriesSearch",
      "MissingEpisodeSearch",
      "DownloadedEpisodesScan",
      "RefreshSeries",
      "RescanSeries",
      "RssSync",
    ];
  }

  /** SeriesSearch / missing search: every monitored, aired episode without a file. */
  protected searchFor(seriesId: number, episodeIds?: number[]): number {
    const ids = episodeIds ?? this.episodesOf(seriesId).filter((e) => e.monitored).map((e) => e.id);
    return this.searchEpisodes(seriesId, ids, "Search");
  }

  protected searchEpisodesById(episodeIds: number[]): number {
    const bySeries = new Map<number, number[]>();
    for (const id of episodeIds) {
      const episode = this.episodes.get(id);
      if (episode) bySeries.set(episode.seriesId, [...(bySeries.get(episode.seriesId) ?? []), id]);
    }
    let grabs = 0;
    for (const [seriesId, ids] of bySeries) grabs += this.searchEpisodes(seriesId, ids, "Search");
    return grabs;
  }

  protected searchSeasonCommand(seriesId: number, season: number): number {
    const ids = this.episodesOf(seriesId).filter((e) => e.catalogue.season === season).map((e) => e.id);
    return this.searchEpisodes(seriesId, ids, "Search");
  }

  /** Released = aired and out on the indexers. */
  private released(episode: CatalogueEpisode): boolean {
    return episode.airDateUtc !== undefined && episode.airDateUtc + this.world.timings.rssDelayMs <= this.world.now();
  }

  /**
   * Finds releases for the wanted episodes: a season pack when the whole season is out, single
   * episodes otherwise (an airing season has no pack). Grabs start after the search takes its time.
   */
  private searchEpisodes(seriesId: number, episodeIds: number[], source: "Search" | "Rss"): number {
    const series = this.series.get(seriesId);
    if (!series) return 0;
    const covered = new Set(this.activeFor(seriesId).flatMap((td) => td.episodeIds));
    const wanted = episodeIds
      .map((id) => this.episodes.get(id))
      .filter((e): e is SonarrEpisode => !!e && e.monitored && e.episodeFileId === undefined && !covered.has(e.id) && this.released(e.catalogue));
    if (wanted.length === 0) return 0;
    const specs = this.world.behaviourFor(series.key).releases;
    const picks: { release: Release; episodeIds: number[] }[] = [];
    for (const seasonNumber of new Set(wanted.map((e) => e.catalogue.season))) {
      const season = series.title.seasons.find((s) => s.seasonNumber === seasonNumber);
      if (!season) continue;
      const wantedHere = wanted.filter((e) => e.catalogue.season === seasonNumber);
      // A pack only when the whole season is out and wanted; otherwise the missing episodes one by one.
      const wholeSeason = season.episodes.every((e) => this.released(e)) && wantedHere.length === season.episodes.length;
      const pack = wholeSeason
        ? specs.map((spec) => seasonPackRelease(series.title, spec, seasonNumber, season.episodes)).find((r) => !this.isBlocklisted(seriesId, r))
        : undefined;
      if (pack) {
        picks.push({ release: pack, episodeIds: wantedHere.map((e) => e.id) });
        continue;
      }
      for (const episode of wantedHere) {
        const single = specs.map((spec) => episodeRelease(series.title, spec, episode.catalogue)).find((r) => !this.isBlocklisted(seriesId, r));
        if (single) picks.push({ release: single, episodeIds: [episode.id] });
      }
    }
    const delay = source === "Rss" ? 0 : this.world.timings.searchMs;
    for (const pick of picks) {
      this.world.after(delay, `sonarr grab ${pick.release.title}`, () => {
        const busy = new Set(this.activeFor(seriesId).flatMap((td) => td.episodeIds));
        if (pick.episodeIds.some((id) => busy.has(id))) return;
        this.grab(pick.release, seriesId, pick.episodeIds, source);
      });
    }
    return picks.length;
  }

  /**
   * Imports a download's files one by one (one Download webhook each); if any is rejected the item
   * is importBlocked with the reasons, otherwise it is imported and the import-complete webhook goes out.
   */
  protected importFiles(td: TrackedDownload): void {
    const series = this.series.get(td.mediaId);
    if (!series) return;
    const rejection = this.world.behaviourFor(series.key).importRejection;
    const rejected = new Set(rejection?.episodes ?? []);
    const messages: StatusMessage[] = [];
    const imported: EpisodeFile[] = [];
    const videos = td.release.files.filter((f) => f.video && f.episode).sort((a, b) => (a.episode?.number ?? 0) - (b.episode?.number ?? 0));
    for (const video of videos) {
      const episode = this.episodesOf(series.id).find((e) => e.catalogue.season === video.episode?.season && e.catalogue.number === video.episode?.number);
      if (!episode) continue;
      if (rejected.has(episode.catalogue.number)) {
        messages.push({ title: video.name.split("/").pop() as string, messages: [rejection?.message ?? "Import failed"] });
        continue;
      }
      if (episode.episodeFileId !== undefined && td.importedFileIds.includes(episode.episodeFileId)) continue;
      const file = this.importEpisodeFile(td, series, episode, video.name, video.size);
      imported.push(file);
    }
    if (messages.length > 0) {
      this.blockImport(td, [{ title: td.release.title, messages: [NOT_ALL_IMPORTED] }, ...messages]);
      return;
    }
    td.state = "imported";
    td.status = "ok";
    // Sonarr moves the torrent to its post-import category; it then drops out of Sonarr's view.
    const torrent = this.world.qbit.get(td.downloadId);
    if (torrent) this.world.qbit.setCategory(torrent, "tv-imported");
    const mode = this.world.options.sonarrImportComplete;
    if (mode === "all" || (mode === "packs" && td.release.releaseType === "seasonPack")) {
      this.world.notify({ service: "sonarr", event: "ImportComplete", key: series.key, trackedId: td.id, episodeFileIds: [...td.importedFileIds] });
    }
  }

  private importEpisodeFile(td: TrackedDownload, series: SonarrSeries, episode: SonarrEpisode, torrentName: string, size: number): EpisodeFile {
    const e = episode.catalogue;
    const code = `S${pad2(e.season)}E${pad2(e.number)}`;
    const quality = td.release.quality.name;
    const fileName = series.seriesType === "anime"
      ? `${safeFileName(series.title.title)} - ${code} - ${safeFileName(e.title)} [${quality}]-${td.release.releaseGroup}.mkv`
      : `${safeFileName(series.title.title)} (${series.title.year}) - ${code} - ${safeFileName(e.title)} [${quality}].mkv`;
    const relativePath = `Season ${pad2(e.season)}/${fileName}`;
    const file: EpisodeFile = {
      id: this.nextFileId++,
      seriesId: series.id,
      seasonNumber: e.season,
      episodeIds: [episode.id],
      relativePath,
      path: `${series.path}/${relativePath}`,
      size,
      dateAdded: this.world.now(),
      release: td.release,
      sourcePath: `${this.downloadFolder}/${torrentName}`,
    };
    this.episodeFiles.set(file.id, file);
    episode.episodeFileId = file.id;
    td.importedFileIds.push(file.id);
    this.addHistory("downloadFolderImported", td, episode.id, {
      fileId: String(file.id),
      droppedPath: file.sourcePath,
      importedPath: file.path,
      downloadClient: "qBittorrent",
      downloadClientName: "qBittorrent",
      releaseGroup: td.release.releaseGroup,
      customFormatScore: String(td.release.customFormatScore),
      size: String(size),
      indexerFlags: "0",
      releaseType: td.release.releaseType === "seasonPack" ? "SeasonPack" : "SingleEpisode",
    });
    this.world.notify({ service: "sonarr", event: "Download", key: series.key, trackedId: td.id, episodeFileId: file.id });
    this.world.libraryFileAdded({ key: series.key, kind: "episode", path: file.path, size, quality, episode: e });
    return file;
  }
}
