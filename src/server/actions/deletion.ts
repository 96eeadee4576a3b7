import { and, desc, eq, inArray, lt, ne } from "drizzle-orm";
import type { MediaType } from "@/lib/states";
import {
  deletions,
  deletionSteps,
  type DeletionIds,
  type DeletionRow,
  type DeletionSource,
  type DeletionStatus,
  type DeletionStepName,
  type DeletionStepRow,
  type DeletionStepStatus,
} from "../db/schema";
import type { EffectHandler } from "../pipeline/runner";
import type { DeletionFinished, DeletionStarted, DeletionStepFinished, EventSource } from "../pipeline/events";
import {
  ActionError,
  errorText,
  iso,
  isNotFound,
  loadRequest,
  OnceGate,
  plural,
  type ActingUser,
  type ActionDeps,
  type LoadedRequest,
} from "./common";

/*
 * "Delete everywhere": a deletion job with one step per service, in this order: qBittorrent
 * (torrents and files), Radarr/Sonarr (with files), Shoko (forget missing files), Jellyfin
 * (library scan), Jellyseerr (the request and its media entry). Ids are resolved before it starts
 * and kept with the job. The request is `deleting` while the job runs and `deleted` once every
 * step is done; a failed step stops the job (the order matters: Shoko and Jellyfin only forget
 * files that are gone) and can be retried, which carries on from there. Every step's result,
 * checked afterwards, is kept in the deletions audit log, with who and when; deletions done in
 * Radarr or Sonarr (their MovieDelete / SeriesDelete webhooks) are recorded there too.
 */

export interface DeletionStepView {
  step: DeletionStepName;
  /** "qBittorrent", "Radarr", ... */
  service: string;
  status: DeletionStepStatus;
  /** What the service did (checked afterwards), or why it failed or was skipped. */
  message: string | null;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** Failed, or cut short by a restart: admin.retryDeletionStep runs it again and carries on. */
  canRetry: boolean;
}

export interface DeletionView {
  id: number;
  requestId: number;
  title: string;
  mediaType: MediaType;
  source: DeletionSource;
  deletedBy: string;
  deletedFiles: boolean;
  status: DeletionStatus;
  /** Every step is done (or had nothing to do). */
  ok: boolean;
  /** One sentence for the page. */
  message: string;
  startedAt: string;
  finishedAt: string | null;
  ids: DeletionIds;
  steps: DeletionStepView[];
  /** A second press answered with the job already under way (or just finished); nothing was sent again. */
  repeated: boolean;
}

export interface DeletionPage {
  items: DeletionView[];
  /** Pass as `cursor` for the next (older) page; null at the end. */
  nextCursor: number | null;
}

const SERVICE_LABEL: Record<DeletionStepName, string> = {
  qbittorrent: "qBittorrent",
  radarr: "Radarr",
  sonarr: "Sonarr",
  shoko: "Shoko",
  jellyfin: "Jellyfin",
  jellyseerr: "Jellyseerr",
};

type StepResult = { status: "done" | "skipped"; message: string };

export class DeletionJobs {
  private readonly gate: OnceGate<DeletionView>;
  /** One run per job at a time. */
  private readonly running = new Map<number, Promise<void>>();
  private readonly recording = new Set<Promise<unknown>>();

  constructor(private readonly deps: ActionDeps) {
    this.gate = new OnceGate(deps.clock, deps.repeatWindowMs ?? 30_000);
  }

  /** Starts "delete everywhere" and waits for it; pressing again while it runs (or right after) returns that job. */
  async start(requestId: number, by: ActingUser): Promise<DeletionView> {
    const { value, repeated } = await this.gate.run(`delete:${requestId}`, () => this.startJob(requestId, by));
    return { ...value, repeated: value.repeated || repeated };
  }

  /** Runs a failed step again and, if it succeeds, the steps after it. */
  async retryStep(deletionId: number, step: DeletionStepName, by: ActingUser): Promise<DeletionView> {
    const { value, repeated } = await this.gate.run(`step:${deletionId}:${step}`, () => this.retryJobStep(deletionId, step, by));
    return { ...value, repeated: value.repeated || repeated };
  }

  async get(deletionId: number): Promise<DeletionView> {
    const [row] = await this.deps.db.select().from(deletions).where(eq(deletions.id, deletionId));
    if (!row) throw new ActionError("NOT_FOUND", `Deletion #${deletionId} does not exist`);
    return (await this.views([row]))[0];
  }

  /** The audit log, newest first. */
  async list(opts: { cursor?: number | null; limit?: number; requestId?: number } = {}): Promise<DeletionPage> {
    const limit = Math.min(Math.max(opts.limit ?? 20, 1), 100);
    const where = and(
      opts.cursor != null ? lt(deletions.id, opts.cursor) : undefined,
      opts.requestId !== undefined ? eq(deletions.requestId, opts.requestId) : undefined,
    );
    const rows = await this.deps.db.select().from(deletions).where(where).orderBy(desc(deletions.id)).limit(limit + 1);
    const page = rows.slice(0, limit);
    return { items: await this.views(page), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  /** For `runner.onEffect`: records deletions done in Radarr or Sonarr. */
  readonly handleEffect: EffectHandler = async (requestId, effect) => {
    if (effect.type !== "recordDeletion") return;
    const work = this.recordExternal(requestId, effect.source, effect.deletedFiles);
    this.recording.add(work);
    try {
      await work;
    } finally {
      this.recording.delete(work);
    }
  };

  /** Resolves once no job runs and every external deletion is recorded (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.recording.size > 0) await Promise.allSettled([...this.running.values(), ...this.recording]);
  }

  // ---- starting ----------------------------------------------------------------------------------

  private async startJob(requestId: number, by: ActingUser): Promise<DeletionView> {
    const loaded = await loadRequest(this.deps.db, requestId);
    const r = loaded.request;
    if (r.state === "deleting") {
      // Already under way (or stopped at a failed step): that job is the answer.
      const [current] = await this.deps.db
        .select()
        .from(deletions)
        .where(and(eq(deletions.requestId, requestId), eq(deletions.source, "admin"), ne(deletions.status, "done")))
        .orderBy(desc(deletions.id))
        .limit(1);
      if (current) {
        // A job this process is not running was cut short (a restart): it carries on from where it stopped.
        if (!this.running.has(current.id)) await this.resumeInterrupted(current.id);
        await this.drive(current.id);
        return { ...(await this.get(current.id)), repeated: true };
      }
    }
    const ids = await this.resolveIds(loaded);
    const steps: DeletionStepName[] = ["qbittorrent", r.mediaType === "tv" ? "sonarr" : "radarr", "shoko", "jellyfin", "jellyseerr"];
    const now = this.deps.clock.now();
    const [row] = await this.deps.db
      .insert(deletions)
      .values({ requestId, title: r.title, mediaType: r.mediaType, source: "admin", deletedBy: by.name, deletedFiles: true, status: "running", ids, startedAt: now })
      .returning();
    await this.deps.db.insert(deletionSteps).values(steps.map((step, position) => ({ deletionId: row.id, position, step, status: "pending" as const })));
    const started: DeletionStarted = {
      type: "DeletionStarted",
      at: now,
      source: "admin",
      media: { mediaType: r.mediaType, requestId },
      by: by.name,
      deletionId: row.id,
      steps: steps.map((s) => SERVICE_LABEL[s]),
    };
    await this.deps.runner.submit(started);
    this.deps.logger.info("deletion started", { requestId, deletionId: row.id, by: by.name });
    await this.drive(row.id);
    return this.get(row.id);
  }

  private async retryJobStep(deletionId: number, step: DeletionStepName, by: ActingUser): Promise<DeletionView> {
    const view = await this.get(deletionId);
    const current = view.steps.find((s) => s.step === step);
    if (!current) throw new ActionError("NOT_FOUND", `Deletion #${deletionId} has no ${step} step`);
    const under = this.running.get(deletionId);
    if (under) {
      await under;
      return { ...(await this.get(deletionId)), repeated: true };
    }
    if (current.status === "done" || current.status === "skipped") return { ...view, repeated: true };
    if (current.status === "running") await this.resumeInterrupted(deletionId);
    else if (current.status !== "failed") {
      throw new ActionError("CONFLICT", `Only a failed step can be retried; ${current.service} is ${current.status}`);
    }
    this.deps.logger.info("deletion step retried", { deletionId, step, by: by.name });
    await this.deps.db
      .update(deletionSteps)
      .set({ status: "pending" })
      .where(and(eq(deletionSteps.deletionId, deletionId), eq(deletionSteps.step, step)));
    await this.deps.db.update(deletions).set({ status: "running" }).where(eq(deletions.id, deletionId));
    await this.drive(deletionId, by.name);
    return this.get(deletionId);
  }

  // ---- running -----------------------------------------------------------------------------------

  /** Steps left "running" by a process that stopped mid-step are run again. */
  private async resumeInterrupted(deletionId: number): Promise<void> {
    await this.deps.db
      .update(deletionSteps)
      .set({ status: "pending" })
      .where(and(eq(deletionSteps.deletionId, deletionId), eq(deletionSteps.status, "running")));
  }

  private drive(deletionId: number, retriedBy?: string): Promise<void> {
    const existing = this.running.get(deletionId);
    if (existing) return existing;
    const work = this.runSteps(deletionId, retriedBy).finally(() => this.running.delete(deletionId));
    this.running.set(deletionId, work);
    return work;
  }

  /** Runs the pending steps in order; the first one a retry restarts says who retried it. */
  private async runSteps(deletionId: number, retriedBy?: string): Promise<void> {
    const { db, clock } = this.deps;
    const [deletion] = await db.select().from(deletions).where(eq(deletions.id, deletionId));
    const steps = await db.select().from(deletionSteps).where(eq(deletionSteps.deletionId, deletionId)).orderBy(deletionSteps.position);
    const media = { mediaType: deletion.mediaType, requestId: deletion.requestId };
    const ids: DeletionIds = { ...deletion.ids };
    let retried = retriedBy;
    for (const step of steps) {
      if (step.status === "done" || step.status === "skipped") continue;
      if (step.status === "failed") break;
      const by = retried ? ` (retried by ${retried})` : "";
      retried = undefined;
      const startedAt = clock.now();
      await db
        .update(deletionSteps)
        .set({ status: "running", attempts: step.attempts + 1, startedAt, finishedAt: null })
        .where(eq(deletionSteps.id, step.id));
      let result: StepResult;
      try {
        result = await this.execute(step.step, deletion, ids);
      } catch (err) {
        const message = errorText(err);
        await db.batch([
          db.update(deletionSteps).set({ status: "failed", message, finishedAt: clock.now() }).where(eq(deletionSteps.id, step.id)),
          db.update(deletions).set({ status: "stopped", ids }).where(eq(deletions.id, deletionId)),
        ]);
        await this.stepEvent(deletionId, media, step.step, false, `${message}${by}`);
        this.deps.logger.warn("deletion step failed", { deletionId, step: step.step, error: message });
        return;
      }
      await db.batch([
        db.update(deletionSteps).set({ status: result.status, message: result.message, finishedAt: clock.now() }).where(eq(deletionSteps.id, step.id)),
        db.update(deletions).set({ ids }).where(eq(deletions.id, deletionId)),
      ]);
      if (result.status === "done" || step.attempts > 0) await this.stepEvent(deletionId, media, step.step, true, `${result.message}${by}`);
    }
    const after = await db.select({ status: deletionSteps.status }).from(deletionSteps).where(eq(deletionSteps.deletionId, deletionId));
    if (after.some((s) => s.status !== "done" && s.status !== "skipped")) return;
    await db.update(deletions).set({ status: "done", finishedAt: clock.now() }).where(eq(deletions.id, deletionId));
    const finished: DeletionFinished = { type: "DeletionFinished", at: clock.now(), source: "admin", media, deletionId, by: deletion.deletedBy };
    await this.deps.runner.submit(finished);
    this.deps.logger.info("deletion done", { deletionId, requestId: deletion.requestId });
  }

  private async stepEvent(deletionId: number, media: DeletionStarted["media"], step: DeletionStepName, ok: boolean, message: string): Promise<void> {
    const event: DeletionStepFinished = {
      type: "DeletionStepFinished",
      at: this.deps.clock.now(),
      source: step as EventSource,
      media,
      deletionId,
      ok,
      message: `${SERVICE_LABEL[step]}: ${message}`,
    };
    await this.deps.runner.submit(event);
  }

  /** One step: done (what the service did, checked), skipped (nothing to do, and why), or throws. */
  private async execute(step: DeletionStepName, deletion: DeletionRow, ids: DeletionIds): Promise<StepResult> {
    const s = this.deps.services;
    switch (step) {
      case "qbittorrent": {
        const qbit = s.qbittorrent;
        if (!qbit) return skipped("qBittorrent is not configured");
        if (ids.hashes.length === 0) return skipped("No torrent of it is known");
        const present = (await qbit.torrents({ hashes: ids.hashes })).map((t) => t.hash);
        if (present.length === 0) return skipped(`None of its ${plural(ids.hashes.length, "torrent")} is in qBittorrent`);
        await qbit.delete(present, true);
        const left = await qbit.torrents({ hashes: present });
        if (left.length > 0) throw new Error(`qBittorrent still lists ${plural(left.length, "torrent")} after deleting`);
        return done(`Deleted ${plural(present.length, "torrent")} and ${present.length === 1 ? "its" : "their"} files`);
      }
      case "radarr": {
        const radarr = s.radarr;
        if (!radarr) return skipped("Radarr is not configured");
        if (ids.radarrId === null && ids.tmdbId !== null) ids.radarrId = (await radarr.movieByTmdb(ids.tmdbId))?.id ?? null;
        if (ids.radarrId === null) return skipped("Radarr does not have the film");
        try {
          await radarr.deleteMovie(ids.radarrId, { deleteFiles: true });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        if (await radarr.movie(ids.radarrId)) throw new Error(`Radarr still has movie #${ids.radarrId} after deleting it`);
        return done(`Deleted movie #${ids.radarrId} with its files`);
      }
      case "sonarr": {
        const sonarr = s.sonarr;
        if (!sonarr) return skipped("Sonarr is not configured");
        if (ids.sonarrId === null && ids.tvdbId !== null) ids.sonarrId = (await sonarr.seriesByTvdb(ids.tvdbId))?.id ?? null;
        if (ids.sonarrId === null) return skipped("Sonarr does not have the series");
        try {
          await sonarr.deleteSeries(ids.sonarrId, { deleteFiles: true });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        if (await sonarr.series(ids.sonarrId)) throw new Error(`Sonarr still has series #${ids.sonarrId} after deleting it`);
        return done(`Deleted series #${ids.sonarrId} with its files`);
      }
      case "shoko": {
        const shoko = s.shoko;
        if (!shoko) return skipped("Shoko is not configured");
        if (ids.isAnime !== true) return skipped("Not anime");
        await shoko.removeMissingFiles(true);
        let left = 0;
        for (const path of ids.paths) if (await shoko.findFile(path)) left++;
        if (ids.paths.length === 0) return done("Told Shoko to forget files missing from disk");
        return done(
          left === 0
            ? `Shoko no longer lists its ${plural(ids.paths.length, "file")}`
            : `Told Shoko to forget missing files; it still lists ${left} of ${plural(ids.paths.length, "file")} until its job has run`,
        );
      }
      case "jellyfin": {
        const jellyfin = s.jellyfin;
        if (!jellyfin) return skipped("Jellyfin is not configured");
        await jellyfin.libraryRefresh();
        if (!ids.jellyfinItemId) return done("Library scan started");
        const still = (await jellyfin.itemsByIds([ids.jellyfinItemId])).length > 0;
        return done(still ? "Library scan started; Jellyfin lists the item until the scan has run" : "Library scan started; the item is gone");
      }
      case "jellyseerr": {
        const seerr = s.jellyseerr;
        if (!seerr) return skipped("Jellyseerr is not configured");
        if (ids.jellyseerrMediaId === null && ids.tmdbId !== null) {
          ids.jellyseerrMediaId = (await seerr.mediaByTmdbId(deletion.mediaType, ids.tmdbId))?.id ?? null;
        }
        if (ids.jellyseerrRequestId === null && ids.jellyseerrMediaId === null) return skipped("Jellyseerr has no request or media entry for it");
        const parts: string[] = [];
        if (ids.jellyseerrRequestId !== null) {
          await seerr.deleteRequest(ids.jellyseerrRequestId);
          if (await seerr.request(ids.jellyseerrRequestId)) throw new Error(`Jellyseerr still has request #${ids.jellyseerrRequestId} after deleting it`);
          parts.push(`request #${ids.jellyseerrRequestId}`);
        }
        if (ids.jellyseerrMediaId !== null) {
          // Without the media entry Jellyseerr keeps showing the title as available.
          await seerr.deleteMedia(ids.jellyseerrMediaId);
          if (ids.tmdbId !== null) {
            const media = await seerr.mediaByTmdbId(deletion.mediaType, ids.tmdbId);
            if (media && media.id === ids.jellyseerrMediaId) throw new Error(`Jellyseerr still has media #${ids.jellyseerrMediaId} after deleting it`);
          }
          parts.push(`media entry #${ids.jellyseerrMediaId}`);
        }
        return done(`Deleted ${parts.join(" and ")}`);
      }
    }
  }

  /**
   * The ids the steps need, from the tracker and the services: torrents from the request, the
   * arr's queue and its grab history (a film grabbed twice has two); missing arr and Jellyseerr
   * ids by TMDB/TVDB. A service that cannot be asked now leaves its id to its step.
   */
  private async resolveIds(loaded: LoadedRequest): Promise<DeletionIds> {
    const { request: r, episodes, downloads } = loaded;
    const s = this.deps.services;
    const hashes = new Set<string>(downloads.map((d) => d.hash));
    for (const e of episodes) if (e.downloadHash) hashes.add(e.downloadHash);
    const paths = new Set<string>();
    if (r.importedPath) paths.add(r.importedPath);
    for (const e of episodes) if (e.importedPath) paths.add(e.importedPath);
    const ids: DeletionIds = {
      hashes: [],
      radarrId: r.radarrId,
      sonarrId: r.sonarrId,
      tmdbId: r.tmdbId,
      tvdbId: r.tvdbId,
      jellyseerrRequestId: r.jellyseerrRequestId,
      jellyseerrMediaId: r.jellyseerrMediaId,
      jellyfinItemId: r.jellyfinItemId,
      isAnime: r.isAnime,
      paths: [...paths],
    };
    const quietly = async (what: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (err) {
        this.deps.logger.info("deletion: an id could not be resolved now; its step will try again", { what, error: errorText(err) });
      }
    };
    if (r.mediaType === "movie" && s.radarr) {
      const radarr = s.radarr;
      await quietly("radarr", async () => {
        if (ids.radarrId === null && ids.tmdbId !== null) ids.radarrId = (await radarr.movieByTmdb(ids.tmdbId))?.id ?? null;
        if (ids.radarrId === null) return;
        const movieId = ids.radarrId;
        for (const q of await radarr.queue()) if (q.movieId === movieId && q.hash) hashes.add(q.hash);
        for (const h of await radarr.movieHistory(movieId)) if (h.eventType === "grabbed" && h.hash) hashes.add(h.hash);
      });
    }
    if (r.mediaType === "tv" && s.sonarr) {
      const sonarr = s.sonarr;
      await quietly("sonarr", async () => {
        if (ids.sonarrId === null && ids.tvdbId !== null) ids.sonarrId = (await sonarr.seriesByTvdb(ids.tvdbId))?.id ?? null;
        if (ids.sonarrId === null) return;
        const seriesId = ids.sonarrId;
        const seasons = r.requestedSeasons;
        for (const q of await sonarr.queue()) if (q.seriesId === seriesId && q.hash && (seasons.length === 0 || q.seasonNumber === undefined || seasons.includes(q.seasonNumber))) hashes.add(q.hash);
        for (const h of await sonarr.seriesHistory(seriesId)) if (h.eventType === "grabbed" && h.hash) hashes.add(h.hash);
      });
    }
    if (s.jellyseerr && ids.jellyseerrMediaId === null && ids.tmdbId !== null) {
      const seerr = s.jellyseerr;
      const tmdbId = ids.tmdbId;
      await quietly("jellyseerr", async () => {
        ids.jellyseerrMediaId = (await seerr.mediaByTmdbId(r.mediaType, tmdbId))?.id ?? null;
      });
    }
    ids.hashes = [...hashes];
    return ids;
  }

  // ---- deletions done in the arr -----------------------------------------------------------------

  private async recordExternal(requestId: number, source: "radarr" | "sonarr", deletedFiles: boolean): Promise<void> {
    const { db, clock } = this.deps;
    const loaded = await loadRequest(db, requestId);
    const r = loaded.request;
    const now = clock.now();
    const label = SERVICE_LABEL[source];
    const ids: DeletionIds = {
      hashes: [...new Set([...loaded.downloads.map((d) => d.hash), ...loaded.episodes.map((e) => e.downloadHash).filter((h): h is string => h !== null)])],
      radarrId: r.radarrId,
      sonarrId: r.sonarrId,
      tmdbId: r.tmdbId,
      tvdbId: r.tvdbId,
      jellyseerrRequestId: r.jellyseerrRequestId,
      jellyseerrMediaId: r.jellyseerrMediaId,
      jellyfinItemId: r.jellyfinItemId,
      isAnime: r.isAnime,
      paths: r.importedPath ? [r.importedPath] : [],
    };
    const [row] = await db
      .insert(deletions)
      .values({ requestId, title: r.title, mediaType: r.mediaType, source, deletedBy: label, deletedFiles, status: "done", ids, startedAt: now, finishedAt: now })
      .returning({ id: deletions.id });
    await db.insert(deletionSteps).values({
      deletionId: row.id,
      position: 0,
      step: source,
      status: "done",
      message: `Deleted in ${label}${deletedFiles ? " with its files" : " (files kept)"}, outside Status Tracker`,
      attempts: 1,
      startedAt: now,
      finishedAt: now,
    });
    this.deps.logger.info("deletion recorded", { requestId, source });
  }

  // ---- views --------------------------------------------------------------------------------------

  private async views(rows: DeletionRow[]): Promise<DeletionView[]> {
    if (rows.length === 0) return [];
    const steps = await this.deps.db
      .select()
      .from(deletionSteps)
      .where(inArray(deletionSteps.deletionId, rows.map((r) => r.id)))
      .orderBy(deletionSteps.position);
    return rows.map((row) => toView(row, steps.filter((s) => s.deletionId === row.id), this.running.has(row.id)));
  }
}

/** `inProcess`: this process is running the job now (a "running" step of a job it is not running was cut short). */
function toView(row: DeletionRow, steps: DeletionStepRow[], inProcess: boolean): DeletionView {
  const failed = steps.find((s) => s.status === "failed");
  const finished = steps.filter((s) => s.status === "done" || s.status === "skipped").length;
  const message =
    row.status === "done"
      ? row.source === "admin"
        ? `Deleted everywhere by ${row.deletedBy}`
        : `Deleted in ${row.deletedBy}`
      : failed
        ? `Stopped at ${SERVICE_LABEL[failed.step]}: ${failed.message ?? "failed"}`
        : `Deleting: ${finished} of ${steps.length} steps done`;
  return {
    id: row.id,
    requestId: row.requestId,
    title: row.title,
    mediaType: row.mediaType,
    source: row.source,
    deletedBy: row.deletedBy,
    deletedFiles: row.deletedFiles,
    status: row.status,
    ok: row.status === "done",
    message,
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    ids: row.ids,
    steps: steps.map((s) => ({
      step: s.step,
      service: SERVICE_LABEL[s.step],
      status: s.status,
      message: s.message,
      attempts: s.attempts,
      startedAt: iso(s.startedAt),
      finishedAt: iso(s.finishedAt),
      canRetry: s.status === "failed" || (s.status === "running" && !inProcess),
    })),
    repeated: false,
  };
}

const done = (message: string): StepResult => ({ status: "done", message });
const skipped = (message: string): StepResult => ({ status: "skipped", message });
