import { recordServiceVersion } from "./versions";
import { and, eq, inArray, isNotNull, notInArray } from "drizzle-orm";
import type { EpisodeState, RequestState } from "@/lib/states";
import type { Db } from "../db/client";
import { episodes, requests } from "../db/schema";
import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { PipelineRunner } from "../pipeline/runner";
import type { AnimeMatched, DomainEvent, EpisodeRef, MatchFailed, StatusNote } from "../pipeline/events";
import { ServiceError } from "../clients/http";
import type { ShokoClient, ShokoFileMatch } from "../clients/shoko";
import type { JobSpec } from "./scheduler";
import { recheckDelay } from "./library";

/**
 * The Shoko poller: for anime files Sonarr or Radarr imported, asks Shoko whether it linked the
 * file to a series and episode (AnimeMatched, linked), knows it but is still matching
 * (AnimeMatched, not linked), or left it unrecognised past a grace period (MatchFailed, with the
 * file's name). Shoko's SignalR FileMatched never fires for a file it already knew, and brand-new
 * releases wait hours for AniDB, so polling is what tells the truth. Emits only on a change.
 */

export interface ShokoPollerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  runner: PipelineRunner;
  shoko: ShokoClient;
  /** How long a file may sit unrecognised before it counts as a failed match (default 15 min). */
  graceMs?: number;
  /** Files looked up per run (default 40). */
  batchSize?: number;
  /** Job cadence (default 30 s); each file has its own, slower cadence on top. */
  intervalMs?: number;
}

/** Request states whose anime files Shoko may still be working on (or may revive). */
const REQUEST_STATES: readonly RequestState[] = ["importing", "anime_matching", "match_failed", "timeout"];
const EPISODE_STATES: readonly EpisodeState[] = ["importing", "anime_matching", "match_failed"];

type FileStatus = "linked" | "matching" | "unrecognised" | "ignored" | "unseen";

interface FileTask {
  key: string;
  requestId: number;
  mediaType: "movie" | "tv";
  path: string;
  episodes: EpisodeRef[];
  /** When the wait began (state change), for the cadence and the grace period. */
  since: number;
  /** Current state of the request (film) or of the file's episodes (TV). */
  states: string[];
  shokoSeriesId: number | null;
  stuckReason: string | null;
}

const MINUTE = 60_000;

export function shokoPoller(deps: ShokoPollerDeps): JobSpec {
  const { db, clock, logger, runner, shoko } = deps;
  const graceMs = deps.graceMs ?? 15 * MINUTE;
  const batchSize = deps.batchSize ?? 40;
  const intervalMs = deps.intervalMs ?? 30_000;
  /** What was last told about each file (by request and path), so only changes are emitted. */
  const told = new Map<string, FileStatus>();
  const lastChecked = new Map<string, number>();
  /** When a file was first seen unrecognised here (Shoko's own Created is used when older). */
  const unrecognisedSince = new Map<string, number>();
  let lastVersionAt = 0;

  async function tasks(): Promise<FileTask[]> {
    const out: FileTask[] = [];
    const films = await db
      .select()
      .from(requests)
      .where(and(eq(requests.mediaType, "movie"), eq(requests.isAnime, true), inArray(requests.state, [...REQUEST_STATES]), isNotNull(requests.importedPath)));
    for (const r of films) {
      // A multi-file import leaves the common folder here; only a file can be looked up.
      if (!looksLikeFile(r.importedPath!)) continue;
      out.push({
        key: `${r.id}|${r.importedPath}`,
        requestId: r.id,
        mediaType: "movie",
        path: r.importedPath!,
        episodes: [],
        since: r.stateChangedAt,
        states: [r.state],
        shokoSeriesId: r.shokoSeriesId,
        stuckReason: r.stuckReason,
      });
    }
    const rows = await db
      .select({ episode: episodes, request: requests })
      .from(episodes)
      .innerJoin(requests, eq(episodes.requestId, requests.id))
      .where(
        and(
          eq(requests.mediaType, "tv"),
          eq(requests.isAnime, true),
          notInArray(requests.state, ["deleted", "declined"]),
          inArray(episodes.state, [...EPISODE_STATES]),
          isNotNull(episodes.importedPath),
        ),
      );
    const byFile = new Map<string, FileTask>();
    for (const { episode: e, request: r } of rows) {
      const key = `${r.id}|${e.importedPath}`;
      const task = byFile.get(key) ?? {
        key,
        requestId: r.id,
        mediaType: "tv" as const,
        path: e.importedPath!,
        episodes: [],
        since: e.stateChangedAt,
        states: [],
        shokoSeriesId: r.shokoSeriesId,
        stuckReason: r.stuckReason,
      };
      task.episodes.push({ season: e.season, episode: e.episode });
      task.states.push(e.state);
      task.since = Math.max(task.since, e.stateChangedAt);
      byFile.set(key, task);
    }
    out.push(...byFile.values());
    return out;
  }

  async function recordVersion(): Promise<void> {
    await recordServiceVersion(db, "shoko", await shoko.version(), clock.now());
  }

  /** The unrecognised list, fetched at most once per run and only when a file needs it. */
  function lazyUnrecognised(): () => Promise<Map<number, string | null>> {
    let list: Promise<Map<number, string | null>> | undefined;
    return () =>
      (list ??= shoko.unrecognisedFiles().then(({ files }) => new Map(files.map((f) => [f.ID, f.Created ?? null]))));
  }

  async function classify(task: FileTask, match: ShokoFileMatch | undefined, unrecognised: () => Promise<Map<number, string | null>>, now: number): Promise<FileStatus> {
    if (!match) return "unseen";
    if (match.linked) return "linked";
    if (match.ignored) return "ignored";
    if (match.pendingCrossReferences) return "matching";
    const listed = await unrecognised();
    if (!listed.has(match.file.ID)) return "matching";
    // Counted from Shoko's first sight of the file when it says so, else from ours.
    const created = Date.parse(listed.get(match.file.ID) ?? match.file.Created ?? "");
    const seen = unrecognisedSince.get(task.key) ?? now;
    const since = Number.isFinite(created) && created <= now ? Math.min(created, seen) : seen;
    unrecognisedSince.set(task.key, since);
    return now - since >= graceMs ? "unrecognised" : "matching";
  }

  /** What a file's new status means for the pipeline (nothing, when it was already told). */
  function eventsFor(task: FileTask, status: FileStatus, match: ShokoFileMatch | undefined, previous: FileStatus | undefined, now: number): DomainEvent[] {
    const media = { mediaType: task.mediaType, requestId: task.requestId };
    const name = fileName(task.path);
    const out: DomainEvent[] = [];
    const unseenReason = `Shoko has not picked up ${name}: check that its folder is inside one of Shoko's import folders`;
    if (status !== "unseen" && task.stuckReason === unseenReason) {
      const clear: StatusNote = { type: "StatusNote", at: now, source: "shoko", media, stuckReason: null };
      out.push(clear);
    }
    const allFailed = task.states.every((s) => s === "match_failed");
    switch (status) {
      case "linked": {
        const seriesId = match!.seriesIds[0];
        // Already told before a restart: the film sits in matching with this series.
        if (previous === undefined && task.mediaType === "movie" && task.states[0] === "anime_matching" && task.shokoSeriesId === seriesId) return out;
        const event: AnimeMatched = { type: "AnimeMatched", at: now, source: "shoko", media, episodes: task.episodes, shokoSeriesId: seriesId, linked: true, path: task.path };
        out.push(event);
        return out;
      }
      case "matching": {
        const event: AnimeMatched = { type: "AnimeMatched", at: now, source: "shoko", media, episodes: task.episodes, linked: false, path: task.path };
        out.push(event);
        return out;
      }
      case "unrecognised":
      case "ignored": {
        if (allFailed) return out;
        const reason =
          status === "ignored" ? `Shoko is set to ignore ${name}, so it will not match it` : `Shoko could not match ${name} to an AniDB episode`;
        const event: MatchFailed = { type: "MatchFailed", at: now, source: "shoko", media, episodes: task.episodes, reason, path: task.path };
        out.push(event);
        return out;
      }
      case "unseen": {
        // Shoko hashes a file within minutes of the import; past the grace period it is not looking.
        if (now - task.since < graceMs || task.stuckReason === unseenReason) return out;
        const note: StatusNote = { type: "StatusNote", at: now, source: "shoko", media, stuckReason: unseenReason };
        out.push(note);
        return out;
      }
    }
  }

  return {
    name: "shoko",
    service: "shoko",
    interval: () => intervalMs,
    maxBackoffMs: 5 * MINUTE,
    async run({ signal }) {
      const now = clock.now();
      if (now - lastVersionAt >= 5 * MINUTE) {
        await recordVersion();
        lastVersionAt = now;
      }
      const all = await tasks();
      const keys = new Set(all.map((t) => t.key));
      for (const map of [told, lastChecked, unrecognisedSince]) for (const key of map.keys()) if (!keys.has(key)) map.delete(key);
      const due = all
        .map((task) => ({ task, overdue: now - (lastChecked.get(task.key) ?? 0) - recheckDelay(now - task.since) }))
        .filter((d) => d.overdue >= 0)
        .sort((a, b) => b.overdue - a.overdue)
        .slice(0, batchSize);
      const unrecognised = lazyUnrecognised();
      const decided: { task: FileTask; status: FileStatus; events: DomainEvent[] }[] = [];
      let firstError: unknown;
      let serviceDown: unknown;
      for (const { task } of due) {
        if (signal.aborted) break;
        try {
          lastChecked.set(task.key, now);
          const match = await shoko.findFile(task.path);
          const status = await classify(task, match, unrecognised, now);
          const previous = told.get(task.key);
          if (status === previous) continue;
          decided.push({ task, status, events: eventsFor(task, status, match, previous, now) });
        } catch (err) {
          if (err instanceof ServiceError && ["unreachable", "timeout", "auth"].includes(err.kind)) {
            // Shoko itself is failing: tell what is known so far, then let the scheduler back off.
            serviceDown = err;
            break;
          }
          logger.warn("shoko lookup failed", { requestId: task.requestId, file: fileName(task.path), error: err instanceof Error ? err.message : String(err) });
          firstError ??= err;
        }
      }
      for (const event of mergeMatches(decided.flatMap((d) => d.events))) await runner.submit(event);
      for (const { task, status, events } of decided) {
        // An unseen file within its grace period has not been told yet: it is told once it ends.
        if (status !== "unseen" || events.length > 0) told.set(task.key, status);
        if (events.length > 0) logger.debug("shoko file status", { requestId: task.requestId, file: fileName(task.path), status });
      }
      if (serviceDown) throw serviceDown;
      if (firstError) throw firstError;
    },
  };
}

/**
 * Files of one request that Shoko linked to the same series (or is still matching) in the same
 * run become one event: a season pack reads "matched 12 episodes", not twelve lines.
 */
function mergeMatches(events: DomainEvent[]): DomainEvent[] {
  const out: DomainEvent[] = [];
  const merged = new Map<string, AnimeMatched>();
  for (const event of events) {
    if (event.type !== "AnimeMatched" || event.media.mediaType !== "tv") {
      out.push(event);
      continue;
    }
    const key = `${event.media.requestId}|${event.linked}|${event.shokoSeriesId ?? ""}`;
    const into = merged.get(key);
    if (into) {
      into.episodes = [...into.episodes, ...event.episodes];
      into.path = undefined;
      continue;
    }
    const copy: AnimeMatched = { ...event, episodes: [...event.episodes] };
    merged.set(key, copy);
    out.push(copy);
  }
  return out;
}

function fileName(path: string): string {
  return path.replace(/\\/g, "/").split("/").pop() || path;
}

function looksLikeFile(path: string): boolean {
  return /\.(mkv|mp4|m4v|avi|mov|wmv|webm|ts|m2ts|mpg|mpeg|ogm|flv|iso|vob|divx|rmvb)$/i.test(path);
}
