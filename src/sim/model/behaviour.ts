import type { ReleaseSpec } from "./releases";
import type { NoticeEvent, SimServiceName } from "./types";

/*
 * How one requested title behaves, as its scenario declares it. The world consults this at each
 * decision point (what the indexer offers, whether an import is rejected, whether Shoko matches),
 * so faults are data, not special code paths.
 */

/** What can go wrong with one webhook delivery. */
export type WebhookFaultKind = "drop" | "duplicate" | "late" | "out_of_order";

export interface WebhookFault {
  service: "jellyseerr" | "radarr" | "sonarr" | "jellyfin";
  /** The webhook's own event name: a Seerr notification_type, an arr eventType ("ImportComplete" for Sonarr's variant), "ItemAdded". */
  event: NoticeEvent;
  fault: WebhookFaultKind;
  /** Which occurrence of that event for this title (1 = the first). Default 1. */
  nth?: number;
  /** late: hold it this long (simulated ms)... */
  delayMs?: number;
  /** ...or until this event of this title has been delivered (late and out_of_order). */
  until?: { service: WebhookFault["service"]; event: NoticeEvent };
  /** duplicate: the copy follows after this long. Default 1 s. */
  repeatAfterMs?: number;
}

export interface Outage {
  service: SimServiceName;
  /** From the start of the scenario. */
  atMs: number;
  forMs: number;
  /** "refuse": the port stops listening; "503": it answers 503 Service Unavailable. Default "refuse". */
  mode?: "refuse" | "503";
}

export interface ImportRejection {
  /** TV: the episode numbers whose files are rejected. Film: omit, the film's file is rejected. */
  episodes?: number[];
  /** The arr's reason, shown verbatim in statusMessages. */
  message: string;
}

export interface TitleBehaviour {
  runId: string;
  /** Releases the indexer has, best first; [] means every search finds nothing. */
  releases: ReleaseSpec[];
  importRejection?: ImportRejection;
  /** Shoko finds the anime's files in AniDB (true) or leaves them unrecognised (false). */
  shokoMatches: boolean;
  faults: WebhookFault[];
}
