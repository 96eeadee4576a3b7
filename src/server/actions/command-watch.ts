import type { MediaType } from "@/lib/states";
import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { ArrClient } from "../clients/arr";
import type { StatusNote } from "../pipeline/events";
import type { JobSpec } from "../pollers/scheduler";
import { errorText, type EventSubmitter } from "./common";

/*
 * An arr command (a search, a rescan) answers "queued" at once and does its work later. The
 * action reports what the arr accepted; this job follows each command to its end and writes the
 * arr's own result into the request's timeline ("Radarr finished the search: 1 reports
 * downloaded"), so the admin reads what really happened, not what was hoped.
 */

interface Watched {
  requestId: number;
  mediaType: MediaType;
  service: "radarr" | "sonarr";
  client: ArrClient;
  commandId: number;
  /** "search", "rescan of the download" */
  what: string;
  giveUpAt: number;
}

const FINISHED = new Set(["completed", "failed", "aborted", "cancelled", "orphaned"]);

export interface CommandWatchOptions {
  /** How long a command is followed (default 15 minutes). */
  followMs?: number;
  /** Job cadence while something is followed (default 5 s). */
  activeIntervalMs?: number;
}

export class CommandWatch {
  private readonly watched: Watched[] = [];
  private readonly followMs: number;
  private readonly activeIntervalMs: number;

  constructor(
    private readonly deps: { clock: Clock; logger: Logger; runner: EventSubmitter },
    options: CommandWatchOptions = {},
  ) {
    this.followMs = options.followMs ?? 15 * 60_000;
    this.activeIntervalMs = options.activeIntervalMs ?? 5_000;
  }

  follow(w: Omit<Watched, "giveUpAt">): void {
    this.watched.push({ ...w, giveUpAt: this.deps.clock.now() + this.followMs });
  }

  get pending(): number {
    return this.watched.length;
  }

  readonly job: JobSpec = {
    name: "admin-commands",
    interval: () => (this.watched.length > 0 ? this.activeIntervalMs : 60_000),
    run: async () => this.check(),
  };

  /** Looks at every followed command once; finished ones go into the timeline. */
  async check(): Promise<void> {
    const now = this.deps.clock.now();
    for (const w of [...this.watched]) {
      const arr = w.service === "radarr" ? "Radarr" : "Sonarr";
      let note: string | undefined;
      try {
        const command = await w.client.command(w.commandId);
        const status = command.status ?? "unknown";
        if (FINISHED.has(status)) {
          note =
            status === "completed" && command.result !== "unsuccessful"
              ? `${arr} finished the ${w.what}${command.message ? `: ${command.message}` : ""}`
              : `${arr}'s ${w.what} ended ${status}${command.message ? `: ${command.message}` : ""}`;
        } else if (now >= w.giveUpAt) {
          note = `${arr} had not finished the ${w.what} after ${Math.round(this.followMs / 60_000)} minutes (still ${status})`;
        }
      } catch (err) {
        // The arr being down for a moment is not the command's fault: ask again next run.
        if (now < w.giveUpAt) continue;
        note = `${arr} could not be asked about its ${w.what}: ${errorText(err)}`;
      }
      if (note === undefined) continue;
      this.watched.splice(this.watched.indexOf(w), 1);
      const event: StatusNote = { type: "StatusNote", at: now, source: w.service, media: { mediaType: w.mediaType, requestId: w.requestId }, note };
      await this.deps.runner.submit(event);
    }
  }
}
