/**
 * What a person reads: durations, times, sizes, speeds, percentages and stage labels.
 * Isomorphic and pure; anything that depends on "now" or the time zone takes it as an argument,
 * so the server and the browser never disagree about what they render.
 */
import { EPISODE_STATE_LABELS, REQUEST_STATE_LABELS, type EpisodeState, type MediaType, type RequestState } from "./states";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "45 s", "12 min", "2 h 5 min", "3 d 4 h": the two largest units, rounded down. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)} s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`;
  if (ms < DAY) {
    const h = Math.floor(ms / HOUR);
    const m = Math.floor((ms % HOUR) / MINUTE);
    return m > 0 ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(ms / DAY);
  const h = Math.floor((ms % DAY) / HOUR);
  return h > 0 ? `${d} d ${h} h` : `${d} d`;
}

/** "just now", "5 min ago", "in 3 h", "2 d ago" from an ISO time and the current time in ms. */
export function formatRelative(iso: string | null | undefined, now: number): string {
  if (!iso) return "never";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "–";
  const diff = now - at;
  if (Math.abs(diff) < 30 * SECOND) return "just now";
  const span = formatDuration(Math.abs(diff)).split(" ").slice(0, 2).join(" ");
  return diff > 0 ? `${span} ago` : `in ${span}`;
}

/**
 * "Mon 24 Nov, 14:05" in the given time zone (undefined: the runtime's own, i.e. the browser's);
 * the year is added when it is not the current one.
 */
export function formatLocalDateTime(iso: string | null | undefined, opts: { timeZone?: string; locale?: string; now?: number } = {}): string {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "–";
  const sameYear = yearIn(date, opts.timeZone) === yearIn(new Date(opts.now ?? Date.now()), opts.timeZone);
  // Assembled from parts: ICU versions disagree on the punctuation between them.
  const parts = partsOf(date, opts.locale, {
    timeZone: opts.timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const day = `${parts.weekday} ${parts.day} ${parts.month}${sameYear ? "" : ` ${parts.year}`}`;
  return `${day}, ${parts.hour}:${parts.minute}`;
}

function partsOf(date: Date, locale: string | undefined, options: Intl.DateTimeFormatOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of new Intl.DateTimeFormat(locale ?? "en-GB", options).formatToParts(date)) out[part.type] = part.value;
  return out;
}

/** "24 Nov 2026": for air dates, which have no meaningful time of day. */
export function formatLocalDate(iso: string | null | undefined, opts: { timeZone?: string; locale?: string } = {}): string {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "–";
  const parts = partsOf(date, opts.locale, { timeZone: opts.timeZone, day: "numeric", month: "short", year: "numeric" });
  return `${parts.day} ${parts.month} ${parts.year}`;
}

function yearIn(date: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, year: "numeric" }).format(date);
}

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"];

/** Decimal units, as qBittorrent's web UI and disk vendors show them: "1.2 GB", "640 MB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return "–";
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** Bytes per second as "4.2 MB/s"; null when there is nothing to show. */
export function formatSpeed(bytesPerSecond: number | null | undefined): string | null {
  if (bytesPerSecond === null || bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return null;
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** qBittorrent reports 8640000 s (100 days) when it cannot estimate. */
export const UNKNOWN_ETA_SECONDS = 8_640_000;

/** Seconds left as "12 min left"; null when unknown or when nothing is left. */
export function formatEta(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds <= 0 || seconds >= UNKNOWN_ETA_SECONDS) return null;
  return `${formatDuration(Math.max(seconds, 1) * SECOND)} left`;
}

/** Whole percent from 0..1, rounded down so that "100%" means done. */
export function percentOf(fraction: number | null | undefined): number | null {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return null;
  const clamped = Math.min(1, Math.max(0, fraction));
  return clamped >= 1 ? 100 : Math.min(99, Math.floor(clamped * 100));
}

export function formatPercent(fraction: number | null | undefined): string {
  const p = percentOf(fraction);
  return p === null ? "–" : `${p}%`;
}

/** Off the forward path and needing a person (or a retry). */
export const PROBLEM_STATES: readonly RequestState[] = ["failed", "timeout", "match_failed"];

/**
 * The stage a person reads. "Timed out" replaces the generic wording for timeouts; the
 * stuck reason, when present, is shown next to it as its own badge ("Stuck").
 */
export function stageLabel(state: RequestState): string {
  if (state === "timeout") return "Timed out";
  return REQUEST_STATE_LABELS[state] ?? state;
}

export function episodeStageLabel(state: EpisodeState): string {
  return EPISODE_STATE_LABELS[state] ?? state;
}

/** A request is stuck when it still waits on the pipeline but something is wrong with it. */
export function isStuck(request: { state: RequestState; stuckReason: string | null }): boolean {
  return request.stuckReason !== null && request.stuckReason !== "" && !["available", "declined", "deleted"].includes(request.state);
}

export type StageTone = "neutral" | "active" | "success" | "warning" | "danger";

/** The colour family of a stage. */
export function stageTone(state: RequestState | EpisodeState): StageTone {
  switch (state) {
    case "available":
      return "success";
    case "failed":
    case "match_failed":
      return "danger";
    case "timeout":
      return "warning";
    case "grabbing":
    case "downloading":
    case "downloaded":
    case "importing":
    case "anime_matching":
    case "searching":
      return "active";
    default:
      return "neutral";
  }
}

/** "Movie", "TV" or "Anime" (anime wins: it is what people call it). */
export function mediaBadge(mediaType: MediaType, isAnime: boolean | null): "Movie" | "TV" | "Anime" {
  if (isAnime) return "Anime";
  return mediaType === "movie" ? "Movie" : "TV";
}

/** "S01E04". */
export function episodeCode(season: number, episode: number): string {
  return `S${String(season).padStart(2, "0")}E${String(episode).padStart(2, "0")}`;
}

/** Initials for a poster stand-in: "Violet Evergarden: The Movie" → "VE". */
export function titleInitials(title: string): string {
  const words = title
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .split(/\s+/)
    .filter((w) => w.length > 0 && !["the", "a", "an", "of", "and"].includes(w.toLowerCase()));
  const letters = (words.length > 0 ? words : [title]).slice(0, 2).map((w) => w[0]?.toUpperCase() ?? "");
  return letters.join("") || "?";
}

/** Per-stage episode counts in a sentence: "3 ready, 2 downloaded, 4 downloading, 1 grabbed, 1 unaired". */
export function episodeCountsSentence(byState: Partial<Record<EpisodeState, number>>): string {
  const n = (...states: EpisodeState[]) => states.reduce((sum, s) => sum + (byState[s] ?? 0), 0);
  const parts: [number, string][] = [
    [n("available"), "ready"],
    [n("downloaded", "importing", "anime_matching"), "downloaded"],
    [n("downloading"), "downloading"],
    // Grabbed but not yet moving in the client: "downloading" would promise more than is true.
    [n("grabbing"), "grabbed"],
    [n("wanted"), "waiting"],
    [n("unaired"), "unaired"],
    [n("failed", "match_failed"), "failed"],
  ];
  const text = parts.filter(([count]) => count > 0).map(([count, word]) => `${count} ${word}`);
  return text.length > 0 ? text.join(", ") : "No episodes yet";
}

const TIMELINE_PHRASES: Record<string, string> = {
  requested: "Requested",
  approved: "Approved",
  declined: "Declined",
  searching: "Started searching",
  grabbed: "Grabbed a release",
  download_started: "Started downloading",
  downloaded: "Finished downloading",
  imported: "Imported",
  matching: "Started matching in Shoko",
  matched: "Matched in Shoko",
  available: "Became ready to watch",
  failed: "Failed",
  stuck: "Got stuck",
  timeout: "Timed out",
  upgrade: "Upgraded",
  deleted: "Deleted",
  retried: "Retried",
  note: "Noted",
};

/** A timeline entry's kind in the past tense: "grabbed" → "Grabbed a release". */
export function timelinePhrase(kind: string): string {
  return TIMELINE_PHRASES[kind] ?? kind.charAt(0).toUpperCase() + kind.slice(1).replace(/_/g, " ");
}

const SERVICE_NAMES: Record<string, string> = {
  jellyseerr: "Jellyseerr",
  sonarr: "Sonarr",
  radarr: "Radarr",
  qbittorrent: "qBittorrent",
  jellyfin: "Jellyfin",
  shoko: "Shoko",
  tracker: "Status Tracker",
  admin: "an admin",
};

export function serviceName(service: string): string {
  return SERVICE_NAMES[service] ?? service;
}

export interface StageSpan {
  /** Index of the timeline entry that started the stage. */
  index: number;
  state: string;
  /** How long the request stayed in this stage; up to `now` for the current one. */
  durationMs: number;
  current: boolean;
}

/**
 * How long the request spent in each stage, from the timeline entries that changed its state
 * (those with a `state`): each lasts until the next such entry; the last lasts until now unless
 * the request is finished.
 */
export function stageSpans(entries: readonly { at: string; state: string | null }[], now: number, finished: boolean): StageSpan[] {
  const changes = entries
    .map((e, index) => ({ index, state: e.state, at: Date.parse(e.at) }))
    .filter((e): e is { index: number; state: string; at: number } => e.state !== null && !Number.isNaN(e.at));
  return changes.map((c, i) => {
    const next = changes[i + 1];
    const current = next === undefined && !finished;
    const end = next ? next.at : current ? now : c.at;
    return { index: c.index, state: c.state, durationMs: Math.max(0, end - c.at), current };
  });
}
