import type { Clock } from "@/server/clock";
import { Catalogue, type CatalogueEpisode } from "./catalogue";
import { RadarrModel, SonarrModel } from "./model/arr";
import type { TitleBehaviour } from "./model/behaviour";
import { JellyfinModel } from "./model/jellyfin";
import { QbitModel } from "./model/qbittorrent";
import { SeerrModel } from "./model/seerr";
import { ShokoModel } from "./model/shoko";
import {
  DEFAULT_TIMINGS,
  SIM_SERVICES,
  type Notice,
  type QbitVersion,
  type SimServiceName,
  type SimTimings,
} from "./model/types";
import { simUser } from "./model/users";
import { Scheduler, type ScheduledTask } from "./scheduler";
import type { ScenarioSpec } from "./scenarios";

/*
 * The simulated media stack's state and clockwork, independent of HTTP. Each service's state
 * lives in its model (model/*.ts); the world owns time, the flows between services (Seerr ->
 * arr -> qBittorrent -> arr import -> Shoko -> Jellyfin) and which services are up.
 */

export interface WorldOptions {
  clock: Clock;
  qbitVersion?: QbitVersion;
  timings?: Partial<SimTimings>;
  /** Which Sonarr imports also send the import-complete webhook. Default "packs". */
  sonarrImportComplete?: "packs" | "all" | "none";
  /** Shokofin's AddTMDBId setting (real default: false, so anime items carry no Tmdb id). */
  shokofinAddTmdbId?: boolean;
}

/** A file that landed in a library folder (after an arr import). */
export interface LibraryFile {
  key: string;
  kind: "movie" | "episode";
  path: string;
  size: number;
  quality: string;
  episode?: CatalogueEpisode;
  /** Set once Shoko matched it: Shokofin shows it through its VFS. */
  shoko?: { fileId: number; seriesId: number; episodeId: number; anidbEpisodeId: number; anidbAnimeId: number };
}

export interface ScenarioRun {
  id: string;
  scenario: string;
  key: string;
  mediaType: "movie" | "tv";
  startedAt: number;
  requestId?: number;
}

type ServiceListener = (service: SimServiceName, up: boolean, mode: "refuse" | "503") => void;

export class World {
  readonly clock: Clock;
  readonly timings: SimTimings;
  readonly startedAt: number;
  readonly catalogue: Catalogue;
  readonly options: Required<Omit<WorldOptions, "clock" | "timings" | "qbitVersion">>;
  readonly qbit: QbitModel;
  readonly seerr: SeerrModel;
  readonly radarr: RadarrModel;
  readonly sonarr: SonarrModel;
  readonly shoko: ShokoModel;
  readonly jellyfin: JellyfinModel;
  readonly runs = new Map<string, ScenarioRun>();
  /** Library files on disk (imported by an arr, not deleted since): what Shoko and Jellyfin scans find. */
  readonly disk = new Set<string>();

  private readonly scheduler = new Scheduler();
  private time: number;
  private ticking = false;
  private readonly behaviours = new Map<string, TitleBehaviour>();
  private readonly noticeListeners = new Set<(notice: Notice) => void>();
  private readonly serviceListeners = new Set<ServiceListener>();
  private readonly downServices = new Map<SimServiceName, "refuse" | "503">();
  private runCounter = 0;

  constructor(options: WorldOptions) {
    this.clock = options.clock;
    this.time = options.clock.now();
    this.startedAt = this.time;
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.options = {
      sonarrImportComplete: options.sonarrImportComplete ?? "packs",
      shokofinAddTmdbId: options.shokofinAddTmdbId ?? false,
    };
    this.catalogue = new Catalogue(this.time);
    this.qbit = new QbitModel(options.qbitVersion ?? "4.5", this.timings);
    this.seerr = new SeerrModel(this);
    this.radarr = new RadarrModel(this);
    this.sonarr = new SonarrModel(this);
    this.shoko = new ShokoModel(this);
    this.jellyfin = new JellyfinModel(this);
  }

  // ------------------------------------------------------------ time

  /** The world's time: the clock's time as of the last tick. */
  now(): number {
    return this.time;
  }

  /** Advances everything to clock.now(), running due work in time order. */
  tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const target = this.clock.now();
      this.scheduler.runUntil(target, (at) => {
        if (at > this.time) this.time = at;
      });
      if (target > this.time) this.time = target;
    } finally {
      this.ticking = false;
    }
  }

  at(time: number, label: string, run: () => void): ScheduledTask {
    return this.scheduler.schedule(Math.max(time, this.time), label, run);
  }

  after(ms: number, label: string, run: () => void): ScheduledTask {
    return this.at(this.time + ms, label, run);
  }

  /** Runs `run` once `service` is up: now if it is, else when it comes back (polled each minute). */
  whenUp(service: SimServiceName, label: string, run: () => void, delayMs = 0): void {
    const attempt = () => {
      if (this.isUp(service)) run();
      else this.after(this.timings.arrRefreshMs, `${label} (waiting for ${service})`, attempt);
    };
    if (delayMs > 0) this.after(delayMs, label, attempt);
    else attempt();
  }

  // ------------------------------------------------------------ services up/down

  isUp(service: SimServiceName): boolean {
    return !this.downServices.has(service);
  }

  downMode(service: SimServiceName): "refuse" | "503" | undefined {
    return this.downServices.get(service);
  }

  setServiceUp(service: SimServiceName, up: boolean, mode: "refuse" | "503" = "refuse"): void {
    if (!SIM_SERVICES.includes(service)) throw new Error(`Unknown simulated service "${service}"`);
    if (up === this.isUp(service) && (up || this.downServices.get(service) === mode)) return;
    if (up) this.downServices.delete(service);
    else this.downServices.set(service, mode);
    for (const listener of this.serviceListeners) listener(service, up, mode);
  }

  onServiceChange(listener: ServiceListener): () => void {
    this.serviceListeners.add(listener);
    return () => this.serviceListeners.delete(listener);
  }

  // ------------------------------------------------------------ notices (webhook triggers)

  onNotice(listener: (notice: Notice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /** A service that is down sends nothing. */
  notify(notice: Notice): void {
    if (!this.isUp(notice.service)) return;
    for (const listener of this.noticeListeners) listener(notice);
  }

  // ------------------------------------------------------------ titles and scenarios

  /** The scenario's behaviour for a title; a title requested outside a scenario just works. */
  behaviourFor(key: string): TitleBehaviour {
    return (
      this.behaviours.get(key) ?? {
        runId: "",
        releases: [{ group: "NTb", quality: "WEBDL-1080p" }],
        shokoMatches: true,
        faults: [],
      }
    );
  }

  runForKey(key: string): ScenarioRun | undefined {
    const runId = this.behaviours.get(key)?.runId;
    return runId ? this.runs.get(runId) : undefined;
  }

  /** A title is busy while Seerr has media for it. */
  isTitleActive(key: string): boolean {
    return this.seerr.mediaForKey(key) !== undefined;
  }

  runScenario(spec: ScenarioSpec, overrides: { key?: string; requestedBy?: string } = {}): ScenarioRun {
    const key = overrides.key ?? spec.media.key;
    const title = this.catalogue.get(key);
    if (title.kind !== spec.media.type) {
      throw new Error(`Scenario "${spec.name}" needs a ${spec.media.type === "tv" ? "series" : "film"}; "${key}" is not one`);
    }
    if (this.isTitleActive(key)) throw new Error(`"${title.title}" is already requested; remove it first (world.removeTitle)`);
    const id = `run-${++this.runCounter}`;
    const run: ScenarioRun = { id, scenario: spec.name, key, mediaType: spec.media.type, startedAt: this.time };
    this.runs.set(id, run);
    this.behaviours.set(key, {
      runId: id,
      releases: spec.releases,
      importRejection: spec.importRejection,
      shokoMatches: spec.shokoMatches ?? true,
      faults: spec.webhookFaults ?? [],
    });
    for (const outage of spec.outages ?? []) {
      this.after(outage.atMs, `outage ${outage.service}`, () => this.setServiceUp(outage.service, false, outage.mode ?? "refuse"));
      this.after(outage.atMs + outage.forMs, `recovery ${outage.service}`, () => this.setServiceUp(outage.service, true));
    }
    const user = simUser(overrides.requestedBy ?? spec.requestedBy);
    const seasons = spec.media.type === "tv" ? spec.media.seasons : [];
    const request = this.seerr.createRequest(key, seasons, user.seerrId, spec.approval === "auto");
    run.requestId = request.id;
    if (spec.approval !== "auto") {
      const requestId = request.id;
      this.after(spec.approval.approveAfterMs, `approve request ${requestId}`, () => this.seerr.approve(requestId, simUser("admin").seerrId));
    }
    return run;
  }

  /**
   * Removes a title everywhere, as an admin deleting it would: Seerr media and requests, the arr
   * (MovieDelete/SeriesDelete with files), its torrents, Shoko's files and Jellyfin's items.
   */
  removeTitle(key: string): void {
    const title = this.catalogue.get(key);
    if (title.kind === "movie") this.radarr.deleteByKey(key, true);
    else this.sonarr.deleteByKey(key, true);
    this.shoko.removeTitle(key);
    this.jellyfin.removeTitle(key);
    this.seerr.deleteMediaForKey(key);
    this.behaviours.delete(key);
  }

  // ------------------------------------------------------------ flows between services

  /** An arr imported a file into a library folder. */
  libraryFileAdded(file: LibraryFile): void {
    this.disk.add(file.path);
    // Anime reaches Jellyfin through Shoko + Shokofin's VFS; everything else directly.
    if (this.shoko.coversPath(file.path)) this.shoko.fileAppeared(file);
    else this.jellyfin.fileAppeared(file);
  }

  /** An arr deleted a library file from disk. */
  libraryFileDeleted(path: string): void {
    this.disk.delete(path);
  }

  /** Shoko matched an anime file: Shokofin adds it to its VFS, Jellyfin picks it up. */
  shokoMatched(file: LibraryFile): void {
    this.jellyfin.fileAppeared(file);
  }
}
