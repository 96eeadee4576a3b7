import {
  EPISODE_ORDER,
  episodeRank,
  pipelineRank,
  type EpisodeState,
  type RequestState,
} from "@/lib/states";
import type { DownloadRow, EpisodeRow, RequestRow } from "../db/schema";
import {
  episodeLabel,
  type AnimeHint,
  type DomainEvent,
  type EpisodeRef,
  type EventSource,
  type MediaInfo,
  type MediaRef,
} from "./events";

/**
 * The state machine: a pure function from (request, episodes, downloads, event, context)
 * to the next snapshot, the timeline entries a person reads, and effects for the shell.
 *
 * Rules (each answers a failure of the system this replaces):
 * - forward events may skip steps; skipped milestones are recorded as inferred entries;
 * - late and duplicate events are absorbed, never rejected, never a regression;
 * - going backwards happens only through explicit events (failure, decline, re-grab, deletion);
 * - a TV request's state is derived from its episodes: the least advanced wanted episode;
 * - "available" hints trigger verification; without a library connection they are the truth.
 */

export type EpisodeDraft = Omit<EpisodeRow, "id" | "requestId"> & { id?: number };
export type DownloadDraft = Omit<DownloadRow, "requestId">;

export interface Snapshot {
  /** id 0 means the request does not exist yet. */
  request: RequestRow;
  episodes: EpisodeDraft[];
  downloads: DownloadDraft[];
}

export interface TimelineDraft {
  at: number;
  kind: TimelineKind;
  /** The request state after this entry, when the entry changed it. */
  state: RequestState | null;
  source: EventSource;
  details: string | null;
  inferred: boolean;
  episodeLabel: string | null;
}

export type TimelineKind =
  | "requested"
  | "approved"
  | "declined"
  | "searching"
  | "grabbed"
  | "download_started"
  | "downloaded"
  | "imported"
  | "matching"
  | "matched"
  | "available"
  | "failed"
  | "stuck"
  | "timeout"
  | "upgrade"
  | "deleted"
  | "deleting"
  | "retried"
  | "verified"
  | "note";

export type Effect =
  | { type: "verifyInLibrary"; reason: string }
  /** A deletion done in the arr (MovieDelete / SeriesDelete) goes into the deletions audit log. */
  | { type: "recordDeletion"; source: "radarr" | "sonarr"; deletedFiles: boolean };

export interface MachineContext {
  now: number;
  /** Shoko is configured: anime imports wait in anime_matching for it. */
  shokoEnabled: boolean;
  /** Jellyfin is configured: "available" is decided by verification, hints only trigger it. */
  libraryVerification: boolean;
  /** For a new request: an earlier request for the same media that is already available. */
  alreadyAvailable?: { requestId: number; jellyfinItemId: string | null };
}

export interface Decision {
  snapshot: Snapshot;
  timeline: TimelineDraft[];
  effects: Effect[];
}

/** Which state each pipeline state's milestone is called in the timeline. */
const MILESTONE_KIND: Partial<Record<RequestState, TimelineKind>> = {
  requested: "requested",
  approved: "approved",
  searching: "searching",
  grabbing: "grabbed",
  downloading: "download_started",
  downloaded: "downloaded",
  importing: "imported",
  anime_matching: "matching",
  available: "available",
  failed: "failed",
  timeout: "timeout",
  match_failed: "failed",
  declined: "declined",
  deleting: "deleting",
  deleted: "deleted",
};

const SERVICE_NAME: Record<EventSource, string> = {
  jellyseerr: "Jellyseerr",
  radarr: "Radarr",
  sonarr: "Sonarr",
  qbittorrent: "qBittorrent",
  jellyfin: "Jellyfin",
  shoko: "Shoko",
  tracker: "Status Tracker",
  admin: "an admin",
};

/** Events a deleting request still takes: its deletion job's own. */
const DELETION_EVENTS: readonly DomainEvent["type"][] = ["DeletionStarted", "DeletionStepFinished", "DeletionFinished"];
/** How a failed deletion step reads as the request's stuck reason. */
const DELETION_STOPPED = "Deletion stopped at";

/** States from which a forward event may move the request on (besides a lower rank). */
const REVIVABLE: readonly RequestState[] = ["failed", "timeout", "match_failed"];

/** A fresh, not yet stored request for an event that creates one. */
export function newRequest(event: DomainEvent, now: number): RequestRow {
  const media = "media" in event ? event.media : undefined;
  const info: MediaInfo = "info" in event ? event.info : {};
  return {
    id: 0,
    mediaType: media?.mediaType ?? "movie",
    title: info.title ?? media?.title ?? "Unknown title",
    year: info.year ?? media?.year ?? null,
    posterUrl: info.posterUrl ?? null,
    overview: info.overview ?? null,
    jellyseerrRequestId: null,
    jellyseerrMediaId: null,
    tmdbId: null,
    tvdbId: null,
    imdbId: null,
    radarrId: null,
    sonarrId: null,
    shokoSeriesId: null,
    jellyfinItemId: null,
    isAnime: null,
    animeSource: null,
    requestedBy: null,
    requestedSeasons: [],
    origin: event.source,
    state: "requested",
    stateChangedAt: event.at,
    stuckReason: null,
    progress: null,
    quality: null,
    releaseTitle: null,
    indexer: null,
    importedPath: null,
    createdAt: event.at,
    updatedAt: now,
    availableAt: null,
    version: 0,
  };
}

/** Applies one event. Never mutates its input. */
export function decide(input: Snapshot, event: DomainEvent, ctx: MachineContext): Decision {
  const d = new Draft(input, event, ctx);
  d.apply();
  return d.result();
}

class Draft {
  readonly request: RequestRow;
  readonly episodes: EpisodeDraft[];
  readonly downloads: DownloadDraft[];
  readonly timeline: TimelineDraft[] = [];
  readonly effects: Effect[] = [];
  readonly isNew: boolean;
  readonly initialEpisodeCount: number;

  constructor(
    input: Snapshot,
    readonly event: DomainEvent,
    readonly ctx: MachineContext,
  ) {
    this.request = { ...input.request, requestedSeasons: [...input.request.requestedSeasons] };
    this.episodes = input.episodes.map((e) => ({ ...e }));
    this.downloads = input.downloads.map((d) => ({ ...d }));
    this.isNew = input.request.id === 0;
    this.initialEpisodeCount = input.episodes.length;
  }

  result(): Decision {
    this.recomputeProgress();
    return {
      snapshot: { request: this.request, episodes: this.episodes, downloads: this.downloads },
      timeline: this.timeline,
      effects: this.effects,
    };
  }

  get at(): number {
    return this.event.at;
  }
  get source(): EventSource {
    return this.event.source;
  }
  get isTv(): boolean {
    return this.request.mediaType === "tv";
  }
  get service(): string {
    return SERVICE_NAME[this.source];
  }

  apply(): void {
    const e = this.event;
    // While its deletion job runs, the request belongs to the job: everything else is absorbed.
    if (this.request.state === "deleting" && !DELETION_EVENTS.includes(e.type)) return;
    switch (e.type) {
      case "RequestSubmitted":
        return this.onJellyseerrRequest(e.media, e.info, e.requestedBy, e.seasons, "requested", null);
      case "RequestApproved":
        return this.onJellyseerrRequest(
          e.media,
          e.info,
          e.requestedBy,
          e.seasons,
          "approved",
          e.autoApproved ? "Approved automatically" : "Approved",
        );
      case "RequestDeclined":
        this.mergeMedia(e.media, e.info);
        this.adoptJellyseerr(e.media, e.requestedBy, e.seasons);
        if (this.isNew) this.note("requested", this.requestedText(e.requestedBy, e.seasons), "requested");
        if (this.isNew || this.rank() <= pipelineRank("searching") || REVIVABLE.includes(this.request.state)) {
          this.moveTo("declined", "declined", "Declined in Jellyseerr", { infer: false });
        } else {
          this.note("note", "Jellyseerr reported the request as declined, but it is already under way");
        }
        return;
      case "RequestFailed":
        this.mergeMedia(e.media, e.info);
        this.adoptJellyseerr(e.media, e.requestedBy, e.seasons);
        if (this.isNew) this.note("requested", this.requestedText(e.requestedBy, e.seasons), "requested");
        if (this.isNew || this.rank() <= pipelineRank("searching")) {
          this.fail(e.reason);
        } else if (this.request.state !== "available") {
          this.note("note", `Jellyseerr reported a failure: ${e.reason}`);
        }
        return;
      case "MediaAdded":
        this.mergeMedia(e.media, e.info);
        this.mergeAnime(e.anime);
        if (this.forwardAllowed("searching")) {
          this.moveTo("searching", "searching", `${this.service} is looking for a release`);
        }
        return;
      case "Grabbed":
        return this.onGrabbed(e);
      case "DownloadProgress":
        return this.onProgress(e);
      case "DownloadCompleted":
        return this.onProgress({
          ...e,
          type: "DownloadProgress",
          clientState: "completed",
          progress: 1,
          bytesLeft: 0,
        });
      case "Imported":
        return this.onImported(e);
      case "ImportBlocked":
        return this.onImportBlocked(e.reason, e.episodes, e.hash);
      case "AvailableHint":
        return this.onAvailableHint(e.media, e.episodes, e.jellyfinItemId);
      case "SeenInLibrary":
        return this.onSeenInLibrary(e.jellyfinItemId, e.episodes);
      case "AnimeMatched":
        return this.onAnimeMatched(e.episodes, e.linked, e.shokoSeriesId);
      case "MatchFailed":
        return this.onMatchFailed(e.episodes, e.reason);
      case "MediaDeleted":
        if (this.request.state === "deleted") return;
        this.moveTo("deleted", "deleted", `Deleted in ${this.service}${e.deletedFiles ? " with its files" : ""}`, {
          infer: false,
        });
        if (this.source === "radarr" || this.source === "sonarr") {
          this.effects.push({ type: "recordDeletion", source: this.source, deletedFiles: e.deletedFiles });
        }
        return;
      case "FileDeleted":
        return this.onFileDeleted(e.episodes, e.reason);
      case "TimedOut":
        if (this.request.state === "timeout" || !this.isActive()) return;
        this.request.stuckReason = e.reason;
        this.moveTo("timeout", "timeout", e.reason, { infer: false, keepStuckReason: true });
        return;
      case "StatusNote":
        if (e.stuckReason !== undefined && e.stuckReason !== this.request.stuckReason) {
          this.request.stuckReason = e.stuckReason;
          if (e.stuckReason) this.note("stuck", e.stuckReason);
        }
        if (e.note) this.note("note", e.note);
        return;
      case "EpisodesExpected":
        return this.onEpisodesExpected(e);
      case "RetryRequested":
        return this.onRetry(e);
      case "Verified":
        return this.onVerified(e);
      case "DeletionStarted":
        if (this.request.state === "deleting") return;
        this.moveTo("deleting", "deleting", `Deletion started by ${e.by}: ${e.steps.join(", ")}`, { infer: false });
        return;
      case "DeletionStepFinished":
        if (this.request.state !== "deleting") return;
        if (e.ok) {
          this.note("note", e.message);
          if (this.request.stuckReason?.startsWith(DELETION_STOPPED)) this.request.stuckReason = null;
        } else {
          this.request.stuckReason = `${DELETION_STOPPED} ${this.service}: ${e.message}`;
          this.note("stuck", this.request.stuckReason);
        }
        return;
      case "DeletionFinished":
        if (this.request.state !== "deleting") return;
        this.moveTo("deleted", "deleted", `Deleted everywhere by ${e.by}`, { infer: false });
        return;
      case "LibraryImported":
        return this.onLibraryImported(e);
      default:
        return assertNever(e);
    }
  }

  // ---- Jellyseerr ---------------------------------------------------------------------------

  private onJellyseerrRequest(
    media: MediaRef,
    info: MediaInfo,
    requestedBy: string | undefined,
    seasons: number[],
    target: "requested" | "approved",
    approvedText: string | null,
  ): void {
    this.mergeMedia(media, info);
    const adopted = this.adoptJellyseerr(media, requestedBy, seasons);
    if (this.isNew) {
      this.request.state = target;
      this.request.stateChangedAt = this.at;
      this.note("requested", this.requestedText(requestedBy, seasons), "requested");
      if (target === "approved") this.note("approved", approvedText, "approved");
      if (target === "approved" && this.ctx.alreadyAvailable) {
        const prior = this.ctx.alreadyAvailable;
        this.request.jellyfinItemId ??= prior.jellyfinItemId;
        this.markEverythingAvailable();
        this.moveTo("available", "available", `Already in the library (request #${prior.requestId})`, { infer: false });
        if (this.ctx.libraryVerification) this.effects.push({ type: "verifyInLibrary", reason: "requested again" });
      }
      return;
    }
    if (adopted) this.note("requested", this.requestedText(requestedBy, seasons));
    if (target === "approved" && (this.request.state === "requested" || this.request.state === "declined")) {
      this.moveTo("approved", "approved", approvedText, { infer: false });
    }
  }

  /** Links a request created from an arr event to its Jellyseerr request. Returns true when it did. */
  private adoptJellyseerr(media: MediaRef, requestedBy: string | undefined, seasons: number[]): boolean {
    const r = this.request;
    if (seasons.length > 0) r.requestedSeasons = unionSorted(r.requestedSeasons, seasons);
    if (requestedBy && !r.requestedBy) r.requestedBy = requestedBy;
    if (media.jellyseerrRequestId !== undefined && r.jellyseerrRequestId === null) {
      r.jellyseerrRequestId = media.jellyseerrRequestId;
      return !this.isNew;
    }
    return false;
  }

  private requestedText(requestedBy: string | undefined, seasons: number[]): string {
    const who = requestedBy ? `Requested by ${requestedBy}` : "Requested";
    if (seasons.length === 0) return who;
    return `${who} (season${seasons.length > 1 ? "s" : ""} ${seasons.join(", ")})`;
  }

  // ---- arr ----------------------------------------------------------------------------------

  private onGrabbed(e: Extract<DomainEvent, { type: "Grabbed" }>): void {
    this.mergeMedia(e.media, e.info);
    this.mergeAnime(e.anime);
    const r = this.request;
    const knownHash = e.hash !== undefined && this.downloads.some((d) => d.hash === e.hash);
    const what = releaseText(e.release.quality, e.release.indexer);

    if (e.hash && !knownHash) {
      if (!this.isTv) this.downloads.length = 0; // a movie waits on its newest release only
      this.downloads.push(newDownload(e.hash, e.at, e.release.title, e.release.quality, e.release.indexer, e.release.size));
    }
    if (!knownHash) {
      r.quality = e.release.quality ?? r.quality;
      r.releaseTitle = e.release.title ?? r.releaseTitle;
      r.indexer = e.release.indexer ?? r.indexer;
    }

    if (this.isTv && e.episodes.length > 0) {
      const changed: EpisodeDraft[] = [];
      for (const ref of e.episodes) {
        const ep = this.episode(ref, "wanted");
        const sameRelease = e.hash !== undefined && ep.downloadHash === e.hash;
        if (ep.state === "available" || sameRelease) continue;
        if (episodeRank(ep.state) >= episodeRank("grabbing") && !e.hash) continue;
        ep.downloadHash = e.hash ?? null;
        ep.fileIndex = null;
        ep.progress = 0;
        this.setEpisodeState(ep, "grabbing");
        changed.push(ep);
      }
      if (changed.length === 0) return;
      const derived = this.deriveTvState("grabbed", `${what} (${episodesText(changed)})`);
      if (!derived) this.note("grabbed", `${what}`, null, false, changed);
      return;
    }

    if (knownHash && !this.isNew) return; // the same grab twice, or a grab arriving after its import
    if (r.state === "available" || pipelineRank(r.state) >= pipelineRank("importing")) {
      // A file is already in the library: this release is an upgrade, not a step back.
      this.note("upgrade", `${this.service} grabbed an upgrade: ${what}`);
      return;
    }
    if (this.forwardAllowed("grabbing")) {
      this.moveTo("grabbing", "grabbed", what);
    } else if (pipelineRank(r.state) > pipelineRank("grabbing") && r.state !== "declined" && r.state !== "deleted") {
      // a re-grab while an earlier release was under way: an explicit step back
      this.moveTo("grabbing", "grabbed", `${what}, replacing the earlier release`, { infer: false });
    }
  }

  private onProgress(e: Extract<DomainEvent, { type: "DownloadProgress" }>): void {
    const dl = this.downloads.find((d) => d.hash === e.hash);
    if (!dl) return;
    const complete = e.progress >= 1;
    // A timed-out download revives only when bytes really moved; a failed one never by polling.
    const moved = complete || e.progress > dl.progress;
    const revivable: readonly RequestState[] = moved ? ["timeout"] : [];
    dl.name = e.name ?? dl.name;
    dl.clientState = e.clientState;
    dl.progress = clamp01(e.progress);
    dl.size = e.size ?? dl.size;
    dl.bytesLeft = complete ? 0 : (e.bytesLeft ?? dl.bytesLeft);
    dl.speed = complete ? null : (e.speed ?? null);
    dl.eta = complete ? null : (e.eta ?? null);
    dl.seeds = e.seeds ?? dl.seeds;
    dl.category = e.category ?? dl.category;
    dl.savePath = e.savePath ?? dl.savePath;
    dl.contentPath = e.contentPath ?? dl.contentPath;
    dl.lastSeenAt = e.at;
    if (complete && dl.completedAt === null) dl.completedAt = e.at;

    if (this.isTv && this.episodes.some((ep) => ep.downloadHash === e.hash)) {
      const changed: EpisodeDraft[] = [];
      const files = e.files ?? [];
      for (const ep of this.episodes) {
        if (ep.downloadHash !== e.hash) continue;
        if (ep.fileIndex === null && files.length > 0) ep.fileIndex = findEpisodeFile(files, ep) ?? null;
        const file = ep.fileIndex !== null ? files.find((f) => f.index === ep.fileIndex) : undefined;
        const p = complete ? 1 : clamp01(file?.progress ?? e.progress);
        ep.progress = p;
        const target: EpisodeState = p >= 1 ? "downloaded" : isDownloadingState(e.clientState, p) ? "downloading" : ep.state;
        if (episodeRank(target) > episodeRank(ep.state) && ["grabbing", "downloading"].includes(ep.state)) {
          this.setEpisodeState(ep, target);
          changed.push(ep);
        }
      }
      if (changed.length > 0) {
        const kind = changed.every((c) => c.state === "downloaded") ? "downloaded" : "download_started";
        const derived = this.deriveTvState(kind, e.name ?? null);
        if (!derived && changed.some((c) => c.state === "downloaded")) {
          this.note("downloaded", null, null, false, changed.filter((c) => c.state === "downloaded"));
        }
      }
      // After the state change, which clears the stuck reason: a problem seen with it stays.
      this.setDownloadProblem(e.problem, complete);
      return;
    }

    if (complete) {
      if (this.forwardAllowed("downloaded", revivable)) this.moveTo("downloaded", "downloaded", null);
    } else if (isDownloadingState(e.clientState, e.progress) && this.forwardAllowed("downloading", revivable)) {
      this.moveTo("downloading", "download_started", null);
    }
    this.setDownloadProblem(e.problem, complete);
  }

  private setDownloadProblem(problem: string | undefined, complete: boolean): void {
    const r = this.request;
    const next = complete ? null : (problem ?? null);
    const isDownloadProblem = r.stuckReason !== null && r.stuckReason.startsWith("Download ");
    if (next === null && isDownloadProblem) r.stuckReason = null;
    if (next !== null && next !== r.stuckReason) {
      r.stuckReason = next;
      this.note("stuck", next);
    }
  }

  private onImported(e: Extract<DomainEvent, { type: "Imported" }>): void {
    this.mergeMedia(e.media, e.info);
    this.mergeAnime(e.anime);
    const r = this.request;
    const paths = e.files.map((f) => f.path);
    // The same file reported again (a webhook arriving after polling found the import): absorbed.
    const sameFile = !e.isUpgrade && paths.length === 1 && r.importedPath === paths[0];
    if (!this.isTv && sameFile && (r.state === "available" || pipelineRank(r.state) >= pipelineRank("importing"))) return;
    if (paths.length > 0) r.importedPath = paths.length === 1 ? paths[0] : commonDir(paths);
    if (e.hash && !this.downloads.some((d) => d.hash === e.hash)) {
      // Imported before we saw its grab: remember the torrent so the late grab is recognised.
      const dl = newDownload(e.hash, e.at);
      dl.progress = 1;
      dl.completedAt = e.at;
      this.downloads.push(dl);
    }
    const anime = r.isAnime === true && this.ctx.shokoEnabled;
    const verify = () => {
      if (this.ctx.libraryVerification) this.effects.push({ type: "verifyInLibrary", reason: "imported" });
    };

    if (this.isTv && e.files.some((f) => f.episodes.length > 0)) {
      const changed: EpisodeDraft[] = [];
      for (const file of e.files) {
        for (const ref of file.episodes) {
          const ep = this.episode(ref, "wanted");
          ep.importedPath = file.path;
          if (ep.state === "available" || episodeRank(ep.state) >= episodeRank("importing")) continue;
          if (e.hash && !ep.downloadHash) ep.downloadHash = e.hash;
          ep.progress = 1;
          this.setEpisodeState(ep, "importing");
          changed.push(ep);
        }
      }
      // Every episode already imported and no upgrade: a late duplicate, nothing new to verify.
      if (changed.length === 0) {
        if (e.isUpgrade) {
          this.note("upgrade", `${this.service} imported an upgrade (${episodesText(e.files.flatMap((f) => f.episodes))})`);
          verify();
        }
        return;
      }
      verify();
      const derived = this.deriveTvState("imported", `Imported ${episodesText(changed)}`);
      if (!derived) this.note("imported", null, null, false, changed);
      if (anime) {
        // An import always records importing; with Shoko configured, matching follows at once.
        for (const ep of changed) this.setEpisodeState(ep, "anime_matching");
        this.deriveTvState("matching", "Waiting for Shoko to match the files");
      }
      return;
    }

    verify();
    if (e.isUpgrade || r.state === "available") {
      this.note("upgrade", `${this.service} imported ${e.isUpgrade ? "an upgrade" : "the file again"}: ${fileName(paths[0])}`);
      return;
    }
    const file = paths.length > 0 ? `Imported ${fileName(paths[0])}` : "Imported";
    if (this.forwardAllowed("importing")) this.moveTo("importing", "imported", file);
    if (anime && this.forwardAllowed("anime_matching")) {
      this.moveTo("anime_matching", "matching", "Waiting for Shoko to match the file");
    }
  }

  private onImportBlocked(reason: string, refs: EpisodeRef[], hash?: string): void {
    const r = this.request;
    if (r.state === "available" || r.state === "deleted" || r.state === "declined") return;
    if (this.isTv && refs.length > 0) {
      for (const ref of refs) {
        const ep = this.findEpisode(ref);
        if (ep) ep.stuckReason = reason;
      }
    }
    if (hash) {
      const dl = this.downloads.find((d) => d.hash === hash);
      if (dl && dl.completedAt === null) {
        dl.completedAt = this.at;
        dl.progress = 1;
      }
    }
    if (this.isTv && this.episodes.length > 0) {
      for (const ep of this.episodes) {
        if ((hash ? ep.downloadHash === hash : refs.some((x) => sameEpisode(x, ep))) && ["grabbing", "downloading"].includes(ep.state)) {
          ep.progress = 1;
          this.setEpisodeState(ep, "downloaded");
        }
      }
      this.deriveTvState("downloaded", null);
    } else if (this.forwardAllowed("downloaded")) {
      this.moveTo("downloaded", "downloaded", null);
    }
    if (r.stuckReason !== reason) {
      r.stuckReason = reason;
      this.note("stuck", reason);
    }
  }

  // ---- library and anime ---------------------------------------------------------------------

  private onAvailableHint(media: MediaRef, refs: EpisodeRef[], jellyfinItemId?: string): void {
    const r = this.request;
    if (r.state === "deleted") return;
    if (jellyfinItemId && refs.length === 0 && !r.jellyfinItemId) r.jellyfinItemId = jellyfinItemId;
    if (this.ctx.libraryVerification) {
      if (r.state !== "available") this.effects.push({ type: "verifyInLibrary", reason: `${this.service} says it is available` });
      return;
    }
    // Without a library connection, the hint is the best truth there is.
    this.onSeenInLibrary(refs.length === 0 ? jellyfinItemId : undefined, refs.map((x) => ({ ...x, jellyfinId: jellyfinItemId })));
  }

  private onSeenInLibrary(jellyfinItemId: string | undefined, refs: (EpisodeRef & { jellyfinId?: string })[]): void {
    const r = this.request;
    if (r.state === "deleted") return;
    if (jellyfinItemId) r.jellyfinItemId = jellyfinItemId;
    const via = this.source === "jellyfin" ? "Found in Jellyfin" : `${this.service} reported it available`;
    if (this.isTv && refs.length > 0) {
      const changed: EpisodeDraft[] = [];
      for (const ref of refs) {
        const ep = this.episode(ref, "wanted");
        if (ref.jellyfinId) ep.jellyfinId = ref.jellyfinId;
        if (ep.state === "available") continue;
        ep.progress = 1;
        this.setEpisodeState(ep, "available");
        changed.push(ep);
      }
      if (changed.length === 0) return;
      const derived = this.deriveTvState("available", `${via}: ${episodesText(changed)}`, { force: true });
      if (!derived) this.note("available", `${via}: ${episodesText(changed)}`, null, false, changed);
      return;
    }
    if (r.state === "available") return;
    this.markEverythingAvailable();
    this.moveTo("available", "available", via, { infer: REVIVABLE.includes(r.state) ? false : true });
  }

  private onAnimeMatched(refs: EpisodeRef[], linked: boolean, shokoSeriesId?: number): void {
    const r = this.request;
    if (shokoSeriesId !== undefined) r.shokoSeriesId = shokoSeriesId;
    const text = linked ? "Shoko matched the file; checking Jellyfin" : "Shoko recognised the file";
    if (linked && this.ctx.libraryVerification) this.effects.push({ type: "verifyInLibrary", reason: "matched by Shoko" });
    if (this.isTv && this.episodes.length > 0) {
      const targets = refs.length > 0 ? refs.map((x) => this.findEpisode(x)).filter(isDefined) : [];
      const changed: EpisodeDraft[] = [];
      for (const ep of targets) {
        if (ep.state === "importing" || ep.state === "match_failed" || ep.state === "downloaded") {
          ep.stuckReason = null;
          this.setEpisodeState(ep, "anime_matching");
          changed.push(ep);
        }
      }
      const derived = changed.length > 0 && this.deriveTvState("matching", text);
      if (!derived && linked) this.note("matched", text, null, false, targets);
      return;
    }
    if (r.state === "importing" || r.state === "match_failed" || r.state === "downloaded") {
      this.moveTo("anime_matching", linked ? "matched" : "matching", text);
    } else if (linked && r.state === "anime_matching") {
      this.note("matched", text);
    }
  }

  private onMatchFailed(refs: EpisodeRef[], reason: string): void {
    const r = this.request;
    if (r.state === "available" || r.state === "deleted") return;
    if (this.isTv && this.episodes.length > 0 && refs.length > 0) {
      const changed: EpisodeDraft[] = [];
      for (const ref of refs) {
        const ep = this.findEpisode(ref);
        if (!ep || ep.state === "available" || ep.state === "match_failed") continue;
        ep.stuckReason = reason;
        this.setEpisodeState(ep, "match_failed");
        changed.push(ep);
      }
      if (changed.length === 0) return;
      r.stuckReason = reason;
      if (!this.deriveTvState("failed", reason)) this.note("failed", reason, null, false, changed);
      return;
    }
    if (r.state === "match_failed") return;
    r.stuckReason = reason;
    this.moveTo("match_failed", "failed", reason, { infer: false, keepStuckReason: true });
  }

  private onFileDeleted(refs: EpisodeRef[], reason: string): void {
    if (reason === "upgrade") return; // the upgrade's import follows; nothing was lost
    const r = this.request;
    const text = `The file was deleted in ${this.service} (${humanDeleteReason(reason)})`;
    if (this.isTv && refs.length > 0) {
      const changed: EpisodeDraft[] = [];
      for (const ref of refs) {
        const ep = this.findEpisode(ref);
        if (!ep || episodeRank(ep.state) < episodeRank("importing")) continue;
        ep.stuckReason = text;
        ep.importedPath = null;
        ep.jellyfinId = null;
        this.setEpisodeState(ep, "failed");
        changed.push(ep);
      }
      if (changed.length === 0) return;
      r.stuckReason = text;
      if (!this.deriveTvState("failed", text)) this.note("failed", text, null, false, changed);
      return;
    }
    if (pipelineRank(r.state) < pipelineRank("importing") && !REVIVABLE.includes(r.state)) return;
    this.fail(text);
  }

  // ---- expected episodes (Sonarr's episode list) ---------------------------------------------

  /**
   * Makes every episode in scope known with its air date: new ones start wanted if aired (or
   * undated) and unaired if in the future; unaired ones become wanted once their air date passes.
   * Titles and air dates follow the arr. An episode under way is never moved back.
   */
  private onEpisodesExpected(e: Extract<DomainEvent, { type: "EpisodesExpected" }>): void {
    const r = this.request;
    this.mergeMedia(e.media, {});
    this.mergeAnime(e.anime);
    if (!this.isTv || r.state === "deleted" || r.state === "declined") return;
    const added: EpisodeDraft[] = [];
    const aired: EpisodeDraft[] = [];
    const postponed: EpisodeDraft[] = [];
    for (const ref of e.episodes) {
      const hasAired = ref.hasFile === true || ref.airDateUtc === undefined || ref.airDateUtc <= this.at;
      const known = this.findEpisode(ref);
      if (!known) {
        added.push(this.episode(ref, hasAired ? "wanted" : "unaired"));
        continue;
      }
      if ((ref.title !== undefined && ref.title !== known.title) || (ref.airDateUtc !== undefined && ref.airDateUtc !== known.airDateUtc)) {
        known.title = ref.title ?? known.title;
        known.airDateUtc = ref.airDateUtc ?? known.airDateUtc;
        known.updatedAt = this.at;
      }
      known.sonarrEpisodeId ??= ref.sonarrEpisodeId ?? null;
      known.tvdbId ??= ref.tvdbId ?? null;
      if (known.state === "unaired" && hasAired) {
        this.setEpisodeState(known, "wanted");
        aired.push(known);
      } else if (known.state === "wanted" && !hasAired && known.downloadHash === null) {
        // An undated episode got a future air date (or was postponed): nothing was grabbed, so it
        // waits as unaired instead of holding the request at "searching".
        this.setEpisodeState(known, "unaired");
        postponed.push(known);
      }
    }
    if (added.length === 0 && aired.length === 0 && postponed.length === 0) return;
    const parts: string[] = [];
    if (added.length > 0) parts.push(`Expecting ${episodesText(added)}`);
    if (aired.length > 0) parts.push(`aired: ${episodesText(aired)}`);
    const upcoming = this.episodes.filter((x) => x.state === "unaired");
    if (upcoming.length > 0 && (added.length > 0 || postponed.length > 0)) {
      const next = upcoming.filter((x) => x.airDateUtc !== null).sort((a, b) => a.airDateUtc! - b.airDateUtc!)[0];
      parts.push(`${upcoming.length} not aired yet${next ? `, next ${episodeLabel(next)} on ${isoDate(next.airDateUtc!)}` : ""}`);
    }
    const details = capitalise(parts.join("; "));
    // A newly aired episode widens what is wanted: the request may step back to "searching".
    const derived = this.deriveTvState("searching", details, { force: true });
    if (!derived) {
      const touched = [...added, ...aired, ...postponed];
      this.note("note", details, null, false, touched.length === 1 ? touched : []);
    }
  }

  // ---- admin actions -------------------------------------------------------------------------

  /**
   * A retry the services accepted. Removed (blocklisted) releases are forgotten and their
   * episodes wanted again; the request steps back explicitly to the stage the retry restarted.
   */
  private onRetry(e: Extract<DomainEvent, { type: "RetryRequested" }>): void {
    const r = this.request;
    if (!e.ok) {
      this.note("retried", `Retry by ${e.by} failed: ${e.summary}`);
      return;
    }
    const text = `Retried by ${e.by}: ${e.summary}`;
    if (r.state === "deleted" || r.state === "declined") {
      this.note("retried", text);
      return;
    }
    const ops = new Set(e.operations);
    const removed = new Set(e.removedHashes);
    for (let i = this.downloads.length - 1; i >= 0; i--) if (removed.has(this.downloads[i].hash)) this.downloads.splice(i, 1);
    // A rescan alone changes nothing yet: the arr's queue still says why the import is blocked.
    const keepStuckReason = !ops.has("search") && !ops.has("redownload") && !ops.has("rematch") && !ops.has("jellyseerr");

    let target: RequestState | null = null;
    if (this.isTv && this.episodes.length > 0) {
      for (const ep of this.episodes) {
        const beforeImport = episodeRank(ep.state) < episodeRank("importing");
        if (ep.downloadHash !== null && removed.has(ep.downloadHash) && beforeImport) {
          ep.downloadHash = null;
          ep.fileIndex = null;
          ep.progress = 0;
          this.setEpisodeState(ep, "wanted");
        }
      }
      if (ops.has("search")) {
        for (const ref of e.searchedEpisodes) {
          const ep = this.findEpisode(ref);
          if (ep?.state !== "failed") continue;
          ep.importedPath = null;
          ep.jellyfinId = null;
          ep.progress = 0;
          this.setEpisodeState(ep, "wanted");
        }
      }
      if (ops.has("rematch")) for (const ep of this.episodes) if (ep.state === "match_failed") this.setEpisodeState(ep, "anime_matching");
      target = ops.has("jellyseerr") ? "approved" : deriveTvRequestState(this.episodes, r.state);
    } else if (ops.has("jellyseerr")) {
      target = "approved";
    } else if (ops.has("redownload") || (ops.has("search") && (REVIVABLE.includes(r.state) || pipelineRank(r.state) < pipelineRank("searching")))) {
      target = "searching";
    } else if (ops.has("rematch") && (r.state === "match_failed" || r.state === "timeout")) {
      target = "anime_matching";
    } else if (ops.has("rescan") && (r.state === "timeout" || r.state === "failed")) {
      target = "downloaded";
    }
    if (target !== null && target !== r.state) {
      this.moveTo(target, "retried", text, { infer: false, keepStuckReason });
    } else {
      if (!keepStuckReason) r.stuckReason = null;
      this.note("retried", text);
    }
    if (e.stillStuck) r.stuckReason = e.stillStuck;
  }

  /**
   * "Verify now": the request moves to what Jellyfin and the arr say, from any state. Playable in
   * Jellyfin is available; a file in the arr that Jellyfin cannot play is imported (waiting for the
   * library or Shoko); neither means it has to be found again.
   */
  private onVerified(e: Extract<DomainEvent, { type: "Verified" }>): void {
    const r = this.request;
    const text = `Verified by ${e.by}: ${e.summary}`;
    if (r.state === "deleted" || r.state === "declined") {
      this.note("verified", text);
      return;
    }
    const lib = e.library;
    const arr = e.arr;
    const arrName = this.isTv ? "Sonarr" : "Radarr";
    const anime = r.isAnime === true && this.ctx.shokoEnabled;
    const importedState = (current: string): RequestState & EpisodeState =>
      anime ? (current === "match_failed" ? "match_failed" : "anime_matching") : "importing";
    if (lib?.jellyfinItemId) r.jellyfinItemId = lib.jellyfinItemId;

    if (this.isTv && (this.episodes.length > 0 || (lib?.episodes.length ?? 0) > 0)) {
      const has = (list: EpisodeRef[] | undefined, ep: EpisodeDraft) => (list ?? []).some((x) => sameEpisode(x, ep));
      for (const ref of lib?.episodes ?? []) {
        const ep = this.episode(ref, "wanted");
        if (ref.jellyfinId) ep.jellyfinId = ref.jellyfinId;
        ep.progress = 1;
        this.setEpisodeState(ep, "available");
      }
      for (const ep of this.episodes) {
        if (ep.state === "unaired" || has(lib?.episodes, ep)) continue;
        const behind = episodeRank(ep.state) < episodeRank("importing");
        if (arr && has(arr.episodesWithFile, ep)) {
          // Jellyfin's "not playable" only counts when Jellyfin was asked.
          if (behind || (lib !== null && ep.state === "available")) {
            ep.progress = 1;
            this.setEpisodeState(ep, importedState(ep.state));
          }
        } else if (arr && lib && ["available", "importing", "anime_matching", "match_failed"].includes(ep.state)) {
          // Neither Jellyfin nor the arr has its file any more: it has to be found again.
          ep.importedPath = null;
          ep.jellyfinId = null;
          ep.progress = 0;
          this.setEpisodeState(ep, "wanted");
        }
      }
      const next = deriveTvRequestState(this.episodes, r.state);
      if (next !== null && next !== r.state) this.moveTo(next, "verified", text, { infer: false, keepStuckReason: next === "failed" || next === "match_failed" });
      else this.note("verified", text);
      return;
    }

    if (lib?.found) {
      if (r.state === "available") {
        this.note("verified", text);
        return;
      }
      this.markEverythingAvailable();
      this.moveTo("available", "verified", text, { infer: false });
      return;
    }
    let target: RequestState | null = null;
    let reason: string | null = null;
    const underWay = pipelineRank(r.state) >= pipelineRank("approved") || REVIVABLE.includes(r.state) || r.state === "available";
    if (arr?.hasFile) {
      if (arr.path) r.importedPath = arr.path;
      const behind = REVIVABLE.includes(r.state) || pipelineRank(r.state) < pipelineRank("importing");
      if (behind || (lib !== null && r.state === "available")) target = importedState(r.state);
    } else if (arr?.hasMedia) {
      const gone = lib !== null && (r.state === "available" || pipelineRank(r.state) >= pipelineRank("importing") || r.state === "match_failed");
      if (gone) {
        target = arr.downloading ? "downloading" : "searching";
        reason = `Not in Jellyfin, and ${arrName} has no file`;
      } else if (pipelineRank(r.state) >= pipelineRank("approved") && pipelineRank(r.state) < pipelineRank("searching")) {
        target = "searching";
      }
    } else if (arr && underWay) {
      reason = `${arrName} does not have it${lib ? ", and Jellyfin has no playable file" : ""}`;
      if (lib !== null && r.state === "available") {
        this.note("verified", text);
        this.fail(reason);
        return;
      }
    }
    if (target !== null && target !== r.state) {
      this.moveTo(target, "verified", text, { infer: false, keepStuckReason: target === "match_failed" });
      if (reason) r.stuckReason = reason;
      return;
    }
    if (reason && r.state !== "available") r.stuckReason = reason;
    this.note("verified", text);
  }

  /** Library sync: what is already in the library becomes an available request, or fills missing ids. */
  private onLibraryImported(e: Extract<DomainEvent, { type: "LibraryImported" }>): void {
    const r = this.request;
    const m = e.media;
    if (this.isNew) {
      this.mergeMedia(m, e.info);
      this.mergeAnime(e.anime);
      r.jellyfinItemId = m.jellyfinItemId ?? null;
      r.shokoSeriesId = e.shokoSeriesId ?? null;
      r.requestedBy = e.requestedBy ?? null;
      r.requestedSeasons = unionSorted([], e.seasons);
      r.origin = "library";
      r.state = "available";
      r.stateChangedAt = this.at;
      r.availableAt = this.at;
      const where = e.foundIn === "jellyfin" ? "Already in Jellyfin" : "Already available in Jellyseerr";
      this.note("available", `${where}; imported by ${e.by}'s library sync`, "available");
      if (this.ctx.libraryVerification && r.jellyfinItemId === null) this.effects.push({ type: "verifyInLibrary", reason: "imported by library sync" });
      return;
    }
    const filled: string[] = [];
    const fill = <K extends keyof RequestRow>(key: K, value: RequestRow[K] | undefined, label: string) => {
      if (r[key] !== null || value === undefined || value === null || value === "") return;
      r[key] = value;
      filled.push(label);
    };
    fill("jellyseerrRequestId", m.jellyseerrRequestId, "Jellyseerr request");
    fill("jellyseerrMediaId", m.jellyseerrMediaId, "Jellyseerr media id");
    fill("tmdbId", m.tmdbId, "TMDB id");
    fill("tvdbId", m.tvdbId, "TVDB id");
    fill("imdbId", m.imdbId, "IMDb id");
    if (this.isTv) fill("sonarrId", m.sonarrId, "Sonarr id");
    else fill("radarrId", m.radarrId, "Radarr id");
    fill("jellyfinItemId", m.jellyfinItemId, "Jellyfin id");
    fill("shokoSeriesId", e.shokoSeriesId, "Shoko series id");
    if (r.requestedSeasons.length === 0 && e.seasons.length > 0) {
      r.requestedSeasons = unionSorted([], e.seasons);
      filled.push("requested seasons");
    }
    r.requestedBy ??= e.requestedBy ?? null;
    r.year ??= e.info.year ?? null;
    r.posterUrl ??= e.info.posterUrl ?? null;
    r.overview ??= e.info.overview ?? null;
    if (filled.length > 0) this.note("note", `Library sync by ${e.by} filled in the ${listText(filled)}`);
  }

  // ---- TV derivation -------------------------------------------------------------------------

  /**
   * Recomputes a TV request's state from its episodes: the least advanced aired episode,
   * with failures first. Records the change (with inferred skipped milestones).
   * Returns true when the request state changed.
   */
  private deriveTvState(kind: TimelineKind, details: string | null, opts: { force?: boolean } = {}): boolean {
    const r = this.request;
    const next = deriveTvRequestState(this.episodes, r.state);
    if (next === null || next === r.state) return false;
    if (r.state === "deleted" || r.state === "declined") return false;
    if (next === "failed" || next === "match_failed") {
      const failedEp = this.episodes.find((e) => e.state === next);
      r.stuckReason = failedEp?.stuckReason ?? r.stuckReason;
      this.moveTo(next, "failed", r.stuckReason ?? details, { infer: false, keepStuckReason: true });
      return true;
    }
    const forward = pipelineRank(next) > pipelineRank(r.state);
    const scopeGrew = this.episodes.length > this.initialEpisodeCount;
    if (!forward && !REVIVABLE.includes(r.state) && !opts.force && !scopeGrew && !this.isExplicitStepBack(next)) return false;
    const milestone = MILESTONE_KIND[next] ?? kind;
    this.moveTo(next, milestone === kind ? kind : milestone, details, { infer: forward });
    return true;
  }

  /** A re-grab may take a TV request back to grabbing; nothing else goes backwards by derivation. */
  private isExplicitStepBack(next: RequestState): boolean {
    return this.event.type === "Grabbed" && next === "grabbing";
  }

  // ---- primitives ----------------------------------------------------------------------------

  private rank(): number {
    return pipelineRank(this.request.state);
  }

  private isActive(): boolean {
    return !["available", "declined", "deleted"].includes(this.request.state);
  }

  /** May a forward event move the request to `target`? (Never backwards, never out of a final state.) */
  private forwardAllowed(target: RequestState, revivable: readonly RequestState[] = REVIVABLE): boolean {
    const s = this.request.state;
    if (s === "declined" || s === "deleted" || s === "available") return this.isNew && s !== "available";
    if (REVIVABLE.includes(s)) return revivable.includes(s);
    return pipelineRank(target) > pipelineRank(s);
  }

  private moveTo(
    target: RequestState,
    kind: TimelineKind,
    details: string | null,
    opts: { infer?: boolean; keepStuckReason?: boolean } = {},
  ): void {
    const r = this.request;
    const from = r.state;
    if (from === target && !this.isNew) return;
    const infer = (opts.infer ?? true) && !this.isNew;
    if (infer && pipelineRank(from) >= 0 && pipelineRank(target) > pipelineRank(from)) {
      for (let i = pipelineRank(from) + 1; i < pipelineRank(target); i++) {
        const skipped = PIPELINE_ORDER_SKIPPABLE[i];
        if (!skipped) continue;
        this.note(MILESTONE_KIND[skipped] ?? "note", null, skipped, true);
      }
    }
    r.state = target;
    r.stateChangedAt = this.at;
    if (!opts.keepStuckReason) r.stuckReason = null;
    if (target === "available") r.availableAt ??= this.at;
    this.note(kind, details, target);
  }

  private fail(reason: string): void {
    this.request.stuckReason = reason;
    this.moveTo("failed", "failed", reason, { infer: false, keepStuckReason: true });
  }

  private note(
    kind: TimelineKind,
    details: string | null,
    state: RequestState | null = null,
    inferred = false,
    eps: EpisodeDraft[] = [],
  ): void {
    this.timeline.push({
      at: this.at,
      kind,
      state,
      source: this.source,
      details,
      inferred,
      episodeLabel: eps.length === 1 ? episodeLabel(eps[0]) : null,
    });
  }

  private mergeMedia(media: MediaRef, info: MediaInfo): void {
    const r = this.request;
    r.tmdbId ??= media.tmdbId ?? null;
    r.tvdbId ??= media.tvdbId ?? null;
    r.imdbId ??= media.imdbId ?? null;
    r.radarrId ??= media.radarrId ?? null;
    r.sonarrId ??= media.sonarrId ?? null;
    r.jellyseerrMediaId ??= media.jellyseerrMediaId ?? null;
    if (this.isNew) r.jellyseerrRequestId ??= media.jellyseerrRequestId ?? null;
    if (info.title && (r.title === "Unknown title" || this.isNew)) r.title = info.title;
    r.year ??= info.year ?? media.year ?? null;
    r.posterUrl ??= info.posterUrl ?? null;
    r.overview ??= info.overview ?? null;
  }

  /** Anime: an explicit arr signal (series type, tag) beats the root-folder guess. */
  private mergeAnime(hint: AnimeHint | undefined): void {
    if (!hint) return;
    const r = this.request;
    const explicit = (s: string | null) => s === "series type" || s === "tag";
    if (r.isAnime === null || !explicit(r.animeSource) || explicit(hint.source)) {
      if (r.isAnime !== null && explicit(r.animeSource) && !explicit(hint.source)) return;
      r.isAnime = hint.isAnime;
      r.animeSource = hint.source;
    }
  }

  private findEpisode(ref: EpisodeRef): EpisodeDraft | undefined {
    return this.episodes.find((e) => sameEpisode(ref, e));
  }

  /** The episode for `ref`, created in `initial` state if the request did not know it yet. */
  private episode(ref: EpisodeRef, initial: EpisodeState): EpisodeDraft {
    let ep = this.findEpisode(ref);
    if (!ep) {
      ep = {
        season: ref.season,
        episode: ref.episode,
        title: ref.title ?? null,
        airDateUtc: ref.airDateUtc ?? null,
        sonarrEpisodeId: ref.sonarrEpisodeId ?? null,
        tvdbId: ref.tvdbId ?? null,
        state: initial,
        stateChangedAt: this.at,
        downloadHash: null,
        fileIndex: null,
        progress: null,
        importedPath: null,
        jellyfinId: null,
        stuckReason: null,
        updatedAt: this.at,
      };
      this.episodes.push(ep);
      this.episodes.sort((a, b) => a.season - b.season || a.episode - b.episode);
    } else {
      ep.title ??= ref.title ?? null;
      ep.airDateUtc ??= ref.airDateUtc ?? null;
      ep.sonarrEpisodeId ??= ref.sonarrEpisodeId ?? null;
      ep.tvdbId ??= ref.tvdbId ?? null;
    }
    return ep;
  }

  private setEpisodeState(ep: EpisodeDraft, state: EpisodeState): void {
    if (ep.state === state) return;
    ep.state = state;
    ep.stateChangedAt = this.at;
    ep.updatedAt = this.at;
    if (state !== "failed" && state !== "match_failed") ep.stuckReason = null;
  }

  private markEverythingAvailable(): void {
    for (const ep of this.episodes) {
      if (ep.state === "unaired") continue;
      ep.progress = 1;
      this.setEpisodeState(ep, "available");
    }
  }

  private recomputeProgress(): void {
    const r = this.request;
    const downloading = r.state === "grabbing" || r.state === "downloading";
    if (!downloading) {
      r.progress = pipelineRank(r.state) >= pipelineRank("downloaded") ? 1 : null;
      return;
    }
    if (this.isTv && this.episodes.length > 0) {
      const aired = this.episodes.filter((e) => e.state !== "unaired");
      if (aired.length === 0) return;
      const sum = aired.reduce((acc, e) => acc + (episodeRank(e.state) >= episodeRank("downloaded") ? 1 : (e.progress ?? 0)), 0);
      r.progress = round4(sum / aired.length);
      return;
    }
    const latest = this.downloads[this.downloads.length - 1];
    r.progress = latest ? round4(latest.progress) : 0;
  }
}

/** The pipeline states a skipped step may be inferred for (never requested/approved). */
const PIPELINE_ORDER_SKIPPABLE: (RequestState | undefined)[] = [
  undefined, // requested
  undefined, // approved
  "searching",
  "grabbing",
  "downloading",
  "downloaded",
  "importing",
  undefined, // anime_matching happens only with Shoko
  "available",
];

/**
 * A TV request's state from its episodes: failures first, then the least advanced aired
 * episode. Returns null when the episodes say nothing (none, or all unaired).
 */
export function deriveTvRequestState(episodes: Pick<EpisodeDraft, "state">[], current: RequestState): RequestState | null {
  const aired = episodes.filter((e) => e.state !== "unaired");
  if (aired.length === 0) return null;
  if (aired.some((e) => e.state === "match_failed")) return "match_failed";
  if (aired.some((e) => e.state === "failed")) return "failed";
  let least = EPISODE_ORDER.length - 1;
  for (const e of aired) least = Math.min(least, episodeRank(e.state));
  const state = EPISODE_ORDER[least];
  // Nothing grabbed for some aired episodes yet: the arr is still looking.
  if (state === "wanted") return current === "requested" ? null : "searching";
  return state as RequestState;
}

/** Counts per episode state, for "3 ready, 5 downloading, 4 unaired". */
export function episodeCounts(episodes: Pick<EpisodeDraft, "state">[]): Partial<Record<EpisodeState, number>> {
  const counts: Partial<Record<EpisodeState, number>> = {};
  for (const e of episodes) counts[e.state] = (counts[e.state] ?? 0) + 1;
  return counts;
}

// ---- small pure helpers ------------------------------------------------------------------------

function newDownload(
  hash: string,
  at: number,
  name?: string,
  quality?: string,
  indexer?: string,
  size?: number,
): DownloadDraft {
  return {
    hash,
    name: name ?? null,
    clientState: null,
    progress: 0,
    size: size ?? null,
    bytesLeft: null,
    speed: null,
    eta: null,
    seeds: null,
    category: null,
    savePath: null,
    contentPath: null,
    quality: quality ?? null,
    indexer: indexer ?? null,
    firstSeenAt: at,
    lastSeenAt: at,
    completedAt: null,
  };
}

/** qBittorrent states in which bytes are (or are about to be) moving. 5.x names included. */
const DOWNLOADING_CLIENT_STATES = new Set([
  "downloading",
  "forcedDL",
  "metaDL",
  "forcedMetaDL",
  "stalledDL",
  "queuedDL",
  "checkingDL",
  "allocating",
  "moving",
]);

export function isDownloadingState(clientState: string, progress: number): boolean {
  return DOWNLOADING_CLIENT_STATES.has(clientState) || progress > 0;
}

function sameEpisode(ref: EpisodeRef, ep: Pick<EpisodeDraft, "season" | "episode" | "sonarrEpisodeId" | "tvdbId">): boolean {
  if (ref.season === ep.season && ref.episode === ep.episode) return true;
  if (ref.sonarrEpisodeId !== undefined && ref.sonarrEpisodeId === ep.sonarrEpisodeId) return true;
  return ref.tvdbId !== undefined && ref.tvdbId !== 0 && ref.tvdbId === ep.tvdbId;
}

const SXXEYY = /s(\d{1,2})[ ._-]?e(\d{1,3})/i;

/** The torrent file holding an episode, by SxxEyy in the file name. */
export function findEpisodeFile(files: { index: number; name: string }[], ep: { season: number; episode: number }): number | undefined {
  for (const f of files) {
    const m = SXXEYY.exec(f.name.split("/").pop() ?? f.name);
    if (m && Number(m[1]) === ep.season && Number(m[2]) === ep.episode) return f.index;
  }
  return undefined;
}

export function episodesText(eps: { season: number; episode: number }[]): string {
  if (eps.length === 0) return "no episodes";
  if (eps.length === 1) return episodeLabel(eps[0]);
  const sorted = [...eps].sort((a, b) => a.season - b.season || a.episode - b.episode);
  return `${eps.length} episodes, ${episodeLabel(sorted[0])}–${episodeLabel(sorted[sorted.length - 1])}`;
}

function releaseText(quality?: string, indexer?: string): string {
  if (quality && indexer) return `${quality} from ${indexer}`;
  return quality ?? (indexer ? `from ${indexer}` : "A release");
}

function humanDeleteReason(reason: string): string {
  switch (reason) {
    case "missingFromDisk":
      return "missing from disk";
    case "manual":
      return "deleted by hand";
    case "noLinkedEpisodes":
      return "no linked episodes";
    case "manualOverride":
      return "replaced by hand";
    default:
      return reason;
  }
}

function fileName(path: string | undefined): string {
  if (!path) return "";
  return path.split(/[\\/]/).pop() ?? path;
}

function commonDir(paths: string[]): string {
  const split = paths.map((p) => p.split("/"));
  const first = split[0].slice(0, -1);
  let n = first.length;
  for (const parts of split.slice(1)) {
    let i = 0;
    while (i < n && i < parts.length - 1 && parts[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join("/") || "/";
}

/** "a, b and c" */
function listText(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function unionSorted(a: number[], b: number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const clamp01 = (n: number) => Math.min(1, Math.max(0, Number.isFinite(n) ? n : 0));
const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
const isDefined = <T>(v: T | undefined): v is T => v !== undefined;

function assertNever(x: never): never {
  throw new Error(`Unhandled event: ${JSON.stringify(x)}`);
}
