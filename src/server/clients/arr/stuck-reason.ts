import type { ArrStatusMessage } from "./schemas";

/*
 * Why an arr queue item is stuck, in one sentence a person understands, from its tracked-download
 * state and status and the arr's own status messages. Pure.
 */

export interface QueueProblemInput {
  /** The download's name (the torrent name, extension stripped). */
  title?: string;
  status?: string;
  trackedDownloadState?: string;
  trackedDownloadStatus?: string;
  statusMessages: ArrStatusMessage[];
  errorMessage?: string;
}

/** Longest reason kept; the arr's messages can quote whole paths. */
export const MAX_REASON_LENGTH = 200;

/**
 * Messages the arr adds next to the real cause. Shown only when nothing more specific is there:
 * "No audio tracks detected" says more than "One or more episodes ... were not imported".
 */
const GENERIC_MESSAGES = [/^one or more (episodes|movies) expected in this release were not imported or missing from the release/i];

const lower = (s: string | undefined) => s?.toLowerCase();

/** importBlocked, or waiting to import with a warning or error the arr explains. */
export function isImportBlocked(r: QueueProblemInput): boolean {
  const state = lower(r.trackedDownloadState);
  if (state === "importblocked") return true;
  const problem = lower(r.trackedDownloadStatus) === "warning" || lower(r.trackedDownloadStatus) === "error";
  return state === "importpending" && problem && r.statusMessages.some((m) => m.messages.length > 0);
}

/** The stuck reason for a queue record, or null when nothing is wrong. */
export function queueStuckReason(r: QueueProblemInput): string | null {
  const state = lower(r.trackedDownloadState);
  const status = lower(r.trackedDownloadStatus);
  const problem = status === "warning" || status === "error";
  const detail = bestMessage(r);
  switch (state) {
    case "imported":
    case "ignored":
      return null;
    case "importblocked":
      return sentence("Import blocked", detail ?? r.errorMessage ?? "the files need to be imported by hand");
    case "importpending":
      return problem ? sentence("Waiting to import", detail ?? r.errorMessage ?? "the arr reports a problem") : null;
    case "importing":
      return problem && detail ? sentence("Import problem", detail) : null;
    case "failedpending":
    case "failed":
      return sentence("Download failed", detail ?? r.errorMessage ?? "the download client reported a failure");
  }
  // Still downloading (or a state this version does not know): the client side speaks.
  // These start with "Download " so bytes moving again clear them.
  switch (lower(r.status)) {
    case "downloadclientunavailable":
      return sentence("Download client unavailable", r.errorMessage ?? "the arr cannot reach it");
    case "paused":
      return "Download paused in the download client";
    case "failed":
      return sentence("Download failed", r.errorMessage ?? detail ?? "the download client reported a failure");
    case "warning":
      return sentence("Download warning", r.errorMessage ?? detail ?? "the download client reports a problem");
  }
  if (problem && (detail || r.errorMessage)) return sentence("Download warning", (detail ?? r.errorMessage)!);
  return null;
}

/**
 * The arr's messages, most specific first: those about one file (with its SxxEyy) beat those about
 * the whole release, which beat the generic ones. Duplicates are merged; several causes are joined.
 */
function bestMessage(r: QueueProblemInput): string | undefined {
  const release = stripExtension(r.title ?? "");
  const byMessage = new Map<string, { specificity: number; episodes: Set<string> }>();
  for (const entry of r.statusMessages) {
    const fileLevel = entry.title !== undefined && stripExtension(entry.title) !== release;
    for (const raw of entry.messages) {
      const message = clean(raw);
      if (!message) continue;
      const generic = GENERIC_MESSAGES.some((re) => re.test(message));
      const specificity = generic ? 0 : fileLevel ? 2 : 1;
      const seen = byMessage.get(message) ?? { specificity, episodes: new Set<string>() };
      seen.specificity = Math.max(seen.specificity, specificity);
      const episode = fileLevel ? episodeCode(entry.title!) : undefined;
      if (episode) seen.episodes.add(episode);
      byMessage.set(message, seen);
    }
  }
  if (byMessage.size === 0) return undefined;
  const top = Math.max(...[...byMessage.values()].map((m) => m.specificity));
  const chosen = [...byMessage.entries()].filter(([, m]) => m.specificity === top);
  return chosen.map(([message, m]) => (m.episodes.size > 0 ? `${message} (${[...m.episodes].sort().join(", ")})` : message)).join("; ");
}

function sentence(prefix: string, detail: string): string {
  const text = `${prefix}: ${clean(detail)}`;
  if (text.length <= MAX_REASON_LENGTH) return text;
  const cut = text.slice(0, MAX_REASON_LENGTH - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > MAX_REASON_LENGTH * 0.6 ? cut.slice(0, space) : cut}…`;
}

/** One line, no trailing full stop (the reason is shown as a sentence fragment after a prefix). */
function clean(text: string): string {
  return text.replace(/\s+/g, " ").trim().replace(/\.+$/, "");
}

function stripExtension(name: string): string {
  return name.replace(/\.(mkv|mp4|avi|m4v|ts|wmv|mov|webm|nfo|srt)$/i, "").trim();
}

function episodeCode(name: string): string | undefined {
  const m = /s(\d{1,2})[ ._-]?e(\d{1,3})/i.exec(name);
  return m ? `S${m[1].padStart(2, "0")}E${m[2].padStart(2, "0")}` : undefined;
}
