import type { RequestState } from "@/lib/states";
import type { EpisodeRow } from "../db/schema";
import { isImportBlocked, queueStuckReason } from "../clients/arr";
import { SeerrRequestStatus } from "../clients/jellyseerr/client";
import type { RadarrClient, RadarrQueueRecord } from "../clients/radarr";
import type { SonarrClient, SonarrQueueRecord } from "../clients/sonarr";
import type { EpisodeRef, RetryOperation, RetryRequested } from "../pipeline/events";
import { CommandWatch } from "./command-watch";
import {
  ActionError,
  errorText,
  iso,
  loadRequest,
  OnceGate,
  plural,
  requestState,
  type ActingUser,
  type ActionDeps,
  type ActionOutcome,
  type ActionStep,
  type LoadedRequest,
} from "./common";

/*
 * Retry, by stage, doing the real thing through the services' APIs:
 *  - not grabbed yet (approved, searching, timed out before a grab): the arr searches (MoviesSearch,
 *    EpisodeSearch / SeasonSearch); when the arr does not have the media at all (it was down when
 *    Jellyseerr sent it), Jellyseerr sends the request again;
 *  - a stalled or failed download: removed from the arr's queue with blocklist and from qBittorrent,
 *    then searched again;
 *  - downloaded but not imported: the arr rescans the download; if it stays blocked, its reason shows;
 *  - anime matching or match failed: Shoko rescans the file, then Jellyfin is checked;
 *  - anything else: Jellyfin is checked.
 * Every call is checked afterwards (the queue, the client, the command's status); what the services
 * did goes into the timeline as a RetryRequested event, and the outcome is returned as data.
 */

export type RetryStage = "search" | "download" | "import" | "matching" | "library";

export interface RetryPlan {
  stage: RetryStage;
  /** download / import: the torrents concerned (lower-case); empty means "whatever the arr's queue has for the media". */
  hashes: string[];
  /** TV search: the episodes to look for; empty means the requested seasons. */
  episodes: EpisodeRef[];
  /** matching: the imported files Shoko should look at again. */
  paths: string[];
}

/** The machine's wording when the arr reports a file deleted (FileDeleted): the film has to be found again. */
const FILE_DELETED = "The file was deleted";

const WANTED_EPISODE_STATES = ["wanted", "failed"];

/**
 * Which stage a retry restarts, from what the tracker knows. Pure. Timed-out and failed requests
 * are placed by their data: an unfinished download, a finished one not imported, an imported file.
 */
export function planRetry(input: LoadedRequest): RetryPlan {
  const { request: r, downloads } = input;
  const plan = (stage: RetryStage, over: Partial<RetryPlan> = {}): RetryPlan => ({ stage, hashes: [], episodes: [], paths: [], ...over });
  const problem = r.stuckReason?.startsWith("Download ") ?? false;

  if (r.mediaType === "tv" && input.episodes.length > 0) {
    const eps = input.episodes.filter((e) => e.state !== "unaired" && e.state !== "available");
    const inState = (...states: string[]) => eps.filter((e) => states.includes(e.state));
    const refs = (list: EpisodeRow[]) => list.map(episodeRefOf);
    const hashesOf = (list: EpisodeRow[]) => unique(list.map((e) => e.downloadHash).filter((h): h is string => h !== null));
    const byStage: Record<RetryStage, () => RetryPlan> = {
      search: () => plan("search", { episodes: refs(inState(...WANTED_EPISODE_STATES)) }),
      download: () => {
        const under = inState("grabbing", "downloading");
        return plan("download", { hashes: hashesOf(under), episodes: refs(under) });
      },
      import: () => plan("import", { hashes: hashesOf(inState("downloaded")) }),
      matching: () => plan("matching", { paths: unique(inState("anime_matching", "match_failed").map((e) => e.importedPath).filter((p): p is string => !!p)) }),
      library: () => plan("library"),
    };
    const onPath = stageOfState(r.state, problem);
    if (onPath) return byStage[onPath]();
    // Timed out or failed: the least advanced episode says where it stopped.
    if (inState(...WANTED_EPISODE_STATES).length > 0) return byStage.search();
    if (inState("grabbing", "downloading").length > 0) return byStage.download();
    if (inState("downloaded").length > 0) return byStage.import();
    if (inState("anime_matching", "match_failed").length > 0) return byStage.matching();
    return byStage.library();
  }

  const unfinished = unique(downloads.filter((d) => d.completedAt === null).map((d) => d.hash));
  const finished = unique(downloads.filter((d) => d.completedAt !== null).map((d) => d.hash));
  const paths = r.importedPath ? [r.importedPath] : [];
  const onPath = stageOfState(r.state, problem);
  if (onPath === "download") return plan("download", { hashes: unfinished.length > 0 ? unfinished : downloads.map((d) => d.hash) });
  if (onPath === "import") return plan("import", { hashes: finished.length > 0 ? finished : downloads.map((d) => d.hash) });
  if (onPath === "matching") return plan("matching", { paths });
  if (onPath) return plan(onPath);
  if (r.stuckReason?.startsWith(FILE_DELETED)) return plan("search");
  if (unfinished.length > 0) return plan("download", { hashes: unfinished });
  if (finished.length > 0 && r.importedPath === null) return plan("import", { hashes: finished });
  if (r.importedPath !== null) return r.isAnime ? plan("matching", { paths }) : plan("library");
  return plan("search");
}

/** The stage of a request on the forward path; null for timed-out and failed ones (placed by their data). */
function stageOfState(state: RequestState, downloadProblem: boolean): RetryStage | null {
  switch (state) {
    case "approved":
    case "searching":
      return "search";
    case "grabbing":
    case "downloading":
      // A healthy download needs nothing; only a stalled or failed one is replaced.
      return downloadProblem ? "download" : "library";
    case "downloaded":
      return "import";
    case "anime_matching":
    case "match_failed":
      return "matching";
    case "timeout":
    case "failed":
      return null;
    default:
      return "library";
  }
}

type QueueRecord = RadarrQueueRecord | SonarrQueueRecord;

/** What one retry did so far; becomes the outcome and the RetryRequested event. */
class RetryRun {
  readonly steps: ActionStep[] = [];
  readonly operations: RetryOperation[] = [];
  readonly removedHashes: string[] = [];
  readonly searchedEpisodes: EpisodeRef[] = [];
  readonly phrases: string[] = [];
  stillStuck: string | undefined;

  step(service: string, ok: boolean, message: string): boolean {
    this.steps.push({ service, ok, message });
    return ok;
  }

  did(operation: RetryOperation, phrase: string): void {
    if (!this.operations.includes(operation)) this.operations.push(operation);
    this.phrases.push(phrase);
  }

  get ok(): boolean {
    return this.steps.length > 0 && this.steps.every((s) => s.ok);
  }
}

export class RetryActions {
  private readonly gate: OnceGate<Omit<ActionOutcome, "repeated">>;
  readonly commands: CommandWatch;

  constructor(private readonly deps: ActionDeps) {
    this.gate = new OnceGate(deps.clock, deps.repeatWindowMs ?? 30_000);
    this.commands = new CommandWatch({ clock: deps.clock, logger: deps.logger, runner: deps.runner });
  }

  /** Retries the request's stage; a second press while it runs or shortly after gets the same outcome. */
  async retry(requestId: number, by: ActingUser): Promise<ActionOutcome> {
    const { value, repeated } = await this.gate.run(`retry:${requestId}`, () => this.run(requestId, by));
    return { ...value, repeated };
  }

  private async run(requestId: number, by: ActingUser): Promise<Omit<ActionOutcome, "repeated">> {
    const loaded = await loadRequest(this.deps.db, requestId);
    const r = loaded.request;
    if (r.state === "deleting" || r.state === "deleted") {
      throw new ActionError("CONFLICT", `"${r.title}" is ${r.state === "deleting" ? "being deleted" : "deleted"}: there is nothing to retry`);
    }
    const plan = planRetry(loaded);
    const run = new RetryRun();
    const at = this.deps.clock.now();
    switch (plan.stage) {
      case "search":
        await this.search(loaded, plan, run);
        break;
      case "download":
        if (await this.removeDownloads(loaded, plan, run)) await this.search(loaded, plan, run);
        break;
      case "import":
        await this.rescan(loaded, plan, run);
        break;
      case "matching":
        await this.rematch(loaded, plan, run);
        await this.checkLibrary(loaded, by, run);
        break;
      case "library":
        await this.checkLibrary(loaded, by, run);
        break;
    }
    const summary = run.phrases.length > 0 ? run.phrases.join("; ") : (run.steps.find((s) => !s.ok)?.message ?? "nothing to do");
    const event: RetryRequested = {
      type: "RetryRequested",
      at: this.deps.clock.now(),
      source: "admin",
      media: { mediaType: r.mediaType, requestId },
      by: by.name,
      operations: run.operations,
      removedHashes: run.removedHashes,
      searchedEpisodes: run.searchedEpisodes,
      stillStuck: run.stillStuck,
      // What went wrong is said too, not only what went right.
      summary: run.ok ? summary : [summary, ...run.steps.filter((s) => !s.ok).map((s) => `${s.service}: ${s.message}`)].filter((x, i, all) => all.indexOf(x) === i).join("; "),
      ok: run.operations.length > 0,
    };
    await this.deps.runner.submit(event);
    const after = await requestState(this.deps.db, requestId);
    this.deps.logger.info("retry", { requestId, by: by.name, stage: plan.stage, ok: run.ok, summary: event.summary });
    return {
      action: "retry",
      requestId,
      ok: run.ok,
      message: capitalise(event.summary),
      stage: plan.stage,
      steps: run.steps,
      state: after.state,
      stuckReason: after.stuckReason,
      at: iso(at),
    };
  }

  // ---- search ----------------------------------------------------------------------------------

  private async search(loaded: LoadedRequest, plan: RetryPlan, run: RetryRun): Promise<void> {
    const r = loaded.request;
    if (r.mediaType === "movie") {
      const radarr = this.deps.services.radarr;
      if (!radarr) return void run.step("Radarr", false, "Radarr is not configured");
      let movieId: number | null;
      try {
        movieId = (r.radarrId !== null ? await radarr.movie(r.radarrId) : null)?.id ?? (r.tmdbId !== null ? ((await radarr.movieByTmdb(r.tmdbId))?.id ?? null) : null);
      } catch (err) {
        return void run.step("Radarr", false, errorText(err));
      }
      if (movieId === null) return this.resendFromJellyseerr(loaded, "Radarr", run);
      await this.sendCommand(run, "radarr", radarr, r, "search", () => radarr.searchMovies([movieId]));
      return;
    }
    const sonarr = this.deps.services.sonarr;
    if (!sonarr) return void run.step("Sonarr", false, "Sonarr is not configured");
    let seriesId: number | null;
    let seasons: number[] = [];
    try {
      const series = (r.sonarrId !== null ? await sonarr.series(r.sonarrId) : null) ?? (r.tvdbId !== null ? await sonarr.seriesByTvdb(r.tvdbId) : null);
      seriesId = series?.id ?? null;
      seasons = series ? series.seasons.map((s) => s.seasonNumber).filter((n) => n > 0) : [];
    } catch (err) {
      return void run.step("Sonarr", false, errorText(err));
    }
    if (seriesId === null) return this.resendFromJellyseerr(loaded, "Sonarr", run);
    const id = seriesId;

    const wanted = plan.episodes;
    if (wanted.length === 0) {
      // Nothing known per episode yet: the requested seasons, whole (Sonarr prefers packs).
      const which = r.requestedSeasons.length > 0 ? r.requestedSeasons : seasons;
      if (which.length === 0) return void run.step("Sonarr", false, "Sonarr lists no season to search for");
      for (const season of which) await this.sendCommand(run, "sonarr", sonarr, r, `search for season ${season}`, () => sonarr.searchSeason(id, season));
      return;
    }
    // A whole season wanted: a season search (packs first); otherwise the episodes themselves.
    const bySeason = new Map<number, EpisodeRef[]>();
    for (const ep of wanted) bySeason.set(ep.season, [...(bySeason.get(ep.season) ?? []), ep]);
    const singles: EpisodeRef[] = [];
    for (const [season, eps] of bySeason) {
      const inScope = loaded.episodes.filter((e) => e.season === season && e.state !== "unaired");
      if (eps.length === inScope.length && eps.length > 1) {
        if (await this.sendCommand(run, "sonarr", sonarr, r, `search for season ${season}`, () => sonarr.searchSeason(id, season))) run.searchedEpisodes.push(...eps);
      } else {
        singles.push(...eps);
      }
    }
    if (singles.length === 0) return;
    let ids = singles.map((e) => e.sonarrEpisodeId);
    if (ids.some((x) => x === undefined)) {
      try {
        const all = await sonarr.episodes(id);
        ids = singles.map((e) => e.sonarrEpisodeId ?? all.find((x) => x.seasonNumber === e.season && x.episodeNumber === e.episode)?.id);
      } catch (err) {
        return void run.step("Sonarr", false, errorText(err));
      }
    }
    const known = ids.filter((x): x is number => x !== undefined);
    if (known.length === 0) return void run.step("Sonarr", false, "Sonarr does not list the wanted episodes");
    const label = `search for ${plural(known.length, "episode")}`;
    if (await this.sendCommand(run, "sonarr", sonarr, r, label, () => sonarr.searchEpisodes(known))) run.searchedEpisodes.push(...singles);
  }

  /**
   * Posts an arr command and reads it back: accepted means the arr lists it and it has not
   * failed. The command's end is followed and written into the timeline later.
   */
  private async sendCommand(
    run: RetryRun,
    service: "radarr" | "sonarr",
    client: RadarrClient | SonarrClient,
    r: LoadedRequest["request"],
    what: string,
    send: () => Promise<{ id: number; status?: string }>,
  ): Promise<boolean> {
    const arr = service === "radarr" ? "Radarr" : "Sonarr";
    try {
      const sent = await send();
      const checked = await client.command(sent.id);
      const status = checked.status ?? sent.status ?? "unknown";
      if (["failed", "aborted", "cancelled", "orphaned"].includes(status)) {
        return run.step(arr, false, `The ${what} ended ${status}${checked.message ? `: ${checked.message}` : ""}`);
      }
      run.step(arr, true, `${capitalise(what)} sent (command #${sent.id}, ${status})`);
      const operation: RetryOperation = what.startsWith("search") ? "search" : "rescan";
      run.did(operation, `${what} sent to ${arr}`);
      this.commands.follow({ requestId: r.id, mediaType: r.mediaType, service, client, commandId: sent.id, what });
      return true;
    } catch (err) {
      return run.step(arr, false, errorText(err));
    }
  }

  /** The arr never got the media (it was down when Jellyseerr sent it): Jellyseerr sends the request again. */
  private async resendFromJellyseerr(loaded: LoadedRequest, arr: string, run: RetryRun): Promise<void> {
    const r = loaded.request;
    run.step(arr, true, `${arr} does not have "${r.title}"`);
    const seerr = this.deps.services.jellyseerr;
    if (!seerr) return void run.step("Jellyseerr", false, `Jellyseerr is not configured, so nothing can send it to ${arr} again`);
    if (r.jellyseerrRequestId === null) return void run.step("Jellyseerr", false, `There is no Jellyseerr request to send to ${arr} again`);
    const id = r.jellyseerrRequestId;
    try {
      await seerr.retryRequest(id);
      const after = await seerr.request(id);
      if (!after) return void run.step("Jellyseerr", false, `Jellyseerr no longer has request #${id}`);
      if (after.status !== SeerrRequestStatus.APPROVED && after.status !== SeerrRequestStatus.COMPLETED) {
        return void run.step("Jellyseerr", false, `Jellyseerr answered, but request #${id} is ${seerrStatusName(after.status)}`);
      }
      run.step("Jellyseerr", true, `Request #${id} sent to ${arr} again (Jellyseerr reports it ${seerrStatusName(after.status)})`);
      run.did("jellyseerr", `Jellyseerr sent the request to ${arr} again`);
    } catch (err) {
      run.step("Jellyseerr", false, errorText(err));
    }
  }

  // ---- a stalled or failed download ------------------------------------------------------------

  /** Removes the downloads from the arr's queue (blocklisted) and from qBittorrent, checking both. Returns true when every one is gone. */
  private async removeDownloads(loaded: LoadedRequest, plan: RetryPlan, run: RetryRun): Promise<boolean> {
    const r = loaded.request;
    const arrName = r.mediaType === "tv" ? "Sonarr" : "Radarr";
    const arr = r.mediaType === "tv" ? this.deps.services.sonarr : this.deps.services.radarr;
    if (!arr) return run.step(arrName, false, `${arrName} is not configured`);
    let queue: QueueRecord[];
    try {
      queue = await arr.queue();
    } catch (err) {
      return run.step(arrName, false, errorText(err));
    }
    const mediaId = r.mediaType === "tv" ? r.sonarrId : r.radarrId;
    const hashes = plan.hashes.length > 0 ? plan.hashes : unique(queue.filter((q) => mediaOf(q, r.mediaType === "tv") === mediaId && q.hash).map((q) => q.hash!));
    if (hashes.length === 0) return run.step(arrName, false, `Neither the tracker nor ${arrName}'s queue knows a download for it`);
    let allGone = true;
    for (const hash of hashes) {
      const record = queue.find((q) => q.hash === hash);
      const name = record?.title ?? shortHash(hash);
      if (record) {
        try {
          await arr.removeFromQueue(record.id, { removeFromClient: true, blocklist: true, skipRedownload: true });
          const still = (await arr.queue()).some((q) => q.hash === hash);
          if (still) {
            allGone = run.step(arrName, false, `${arrName} still lists ${name} in its queue after removing it`) && allGone;
            continue;
          }
          const history = await arr.historyByDownloadId(hash);
          const blocklisted = history.some((h) => h.eventType === "downloadFailed");
          run.step(arrName, true, `Removed ${name} from the queue${blocklisted ? " and blocklisted it" : " (the arr recorded no blocklisting)"}`);
        } catch (err) {
          allGone = run.step(arrName, false, errorText(err)) && allGone;
          continue;
        }
      } else {
        run.step(arrName, true, `${arrName}'s queue no longer has ${name}`);
      }
      allGone = (await this.removeFromClient(hash, run)) && allGone;
      run.removedHashes.push(hash);
    }
    if (run.removedHashes.length > 0) {
      const what = run.removedHashes.length === 1 ? "the stuck download" : `${run.removedHashes.length} stuck downloads`;
      run.did("redownload", `removed ${what} from ${arrName}'s queue (blocklisted) and from qBittorrent`);
    }
    return allGone;
  }

  private async removeFromClient(hash: string, run: RetryRun): Promise<boolean> {
    const qbit = this.deps.services.qbittorrent;
    if (!qbit) return run.step("qBittorrent", true, "qBittorrent is not configured; the arr removed the torrent through its own connection");
    try {
      let present = await qbit.torrents({ hashes: [hash] });
      if (present.length > 0) {
        await qbit.delete([hash], true);
        present = await qbit.torrents({ hashes: [hash] });
        if (present.length > 0) return run.step("qBittorrent", false, `qBittorrent still has ${shortHash(hash)} after deleting it`);
        return run.step("qBittorrent", true, "Deleted the torrent and its files");
      }
      return run.step("qBittorrent", true, "The torrent is gone from qBittorrent");
    } catch (err) {
      return run.step("qBittorrent", false, errorText(err));
    }
  }

  // ---- downloaded, not imported ----------------------------------------------------------------

  private async rescan(loaded: LoadedRequest, plan: RetryPlan, run: RetryRun): Promise<void> {
    const r = loaded.request;
    const isTv = r.mediaType === "tv";
    const arrName = isTv ? "Sonarr" : "Radarr";
    const service = isTv ? "sonarr" : "radarr";
    const sonarr = this.deps.services.sonarr;
    const radarr = this.deps.services.radarr;
    const arr = isTv ? sonarr : radarr;
    if (!arr) return void run.step(arrName, false, `${arrName} is not configured`);
    let queue: QueueRecord[];
    try {
      queue = await arr.queue();
    } catch (err) {
      return void run.step(arrName, false, errorText(err));
    }
    const records = uniqueBy(
      queue.filter((q) => q.hash && (plan.hashes.length > 0 ? plan.hashes.includes(q.hash) : mediaOf(q, isTv) === (isTv ? r.sonarrId : r.radarrId))),
      (q) => q.hash!,
    );
    if (records.length === 0) {
      // Nothing of it in the queue: the arr may have imported it meanwhile; let it look now.
      await this.sendCommand(run, service, arr, r, "refresh of its downloads", () => arr.refreshMonitoredDownloads());
      return;
    }
    for (const record of records) {
      const hash = record.hash!;
      const path = record.outputPath;
      const sent = await this.sendCommand(run, service, arr, r, "rescan of the download", () =>
        path
          ? isTv
            ? sonarr!.scanDownloadedEpisodes({ path, downloadClientId: hash })
            : radarr!.scanDownloadedMovies({ path, downloadClientId: hash })
          : arr.refreshMonitoredDownloads(),
      );
      if (!sent) continue;
      try {
        const now = (await arr.queue()).find((q) => q.hash === hash);
        const reason = now ? queueStuckReason(now) : null;
        if (now && (reason || isImportBlocked(now))) {
          run.step(arrName, true, `${arrName} still reports: ${reason ?? "import blocked"}`);
          run.phrases.push(`still blocked: ${reason ?? "import blocked"}`);
          run.stillStuck ??= reason ?? undefined;
        } else if (!now) {
          run.step(arrName, true, `The download left ${arrName}'s queue`);
        }
      } catch (err) {
        run.step(arrName, false, errorText(err));
      }
    }
  }

  // ---- anime matching ----------------------------------------------------------------------------

  private async rematch(loaded: LoadedRequest, plan: RetryPlan, run: RetryRun): Promise<void> {
    const shoko = this.deps.services.shoko;
    if (!shoko) return void run.step("Shoko", false, "Shoko is not configured");
    let unknown = 0;
    let rescanned = 0;
    for (const path of plan.paths) {
      const name = path.split(/[\\/]/).pop() ?? path;
      try {
        const match = await shoko.findFile(path);
        if (!match) {
          unknown++;
          run.step("Shoko", true, `Shoko does not list ${name}`);
          continue;
        }
        await shoko.rescanFile(match.file.ID);
        const after = await shoko.file(match.file.ID);
        const linked = (after?.SeriesIDs ?? []).some((x) => (x.EpisodeIDs ?? []).length > 0);
        run.step("Shoko", true, `Rescan of ${name} sent (file #${match.file.ID}, ${linked ? "matched" : "not matched yet"})`);
        rescanned++;
      } catch (err) {
        run.step("Shoko", false, errorText(err));
      }
    }
    if (unknown > 0 || plan.paths.length === 0) {
      try {
        await shoko.runImport();
        run.step("Shoko", true, "Asked Shoko to look for new files");
        rescanned++;
      } catch (err) {
        run.step("Shoko", false, errorText(err));
      }
    }
    if (rescanned > 0) run.did("rematch", plan.paths.length > 1 ? `Shoko rescanning ${plural(plan.paths.length, "file")}` : "Shoko rescanning the file");
  }

  // ---- the library ------------------------------------------------------------------------------

  private async checkLibrary(loaded: LoadedRequest, by: ActingUser, run: RetryRun): Promise<void> {
    const verifier = this.deps.verifier;
    if (!verifier) return void run.step("Jellyfin", false, "Jellyfin is not configured, so there is nothing to check");
    try {
      const outcome = await verifier.verify(loaded.request.id, `retry by ${by.name}`);
      run.step("Jellyfin", true, outcome.detail);
      run.did("verify", outcome.found ? "found in Jellyfin" : "not in Jellyfin yet");
    } catch (err) {
      run.step("Jellyfin", false, errorText(err));
    }
  }
}

// ---- small helpers ------------------------------------------------------------------------------

function episodeRefOf(e: EpisodeRow): EpisodeRef {
  return { season: e.season, episode: e.episode, sonarrEpisodeId: e.sonarrEpisodeId ?? undefined, tvdbId: e.tvdbId ?? undefined };
}

function mediaOf(q: QueueRecord, isTv: boolean): number | undefined {
  return isTv ? (q as SonarrQueueRecord).seriesId : (q as RadarrQueueRecord).movieId;
}

function unique<T>(list: T[]): T[] {
  return [...new Set(list)];
}

function uniqueBy<T>(list: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return list.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}

const shortHash = (hash: string) => `torrent ${hash.slice(0, 8)}`;
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function seerrStatusName(status: number): string {
  const name = Object.entries(SeerrRequestStatus).find(([, v]) => v === status)?.[0];
  return name ? name.toLowerCase() : `status ${status}`;
}
