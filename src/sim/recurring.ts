import type { ScheduledTask } from "./scheduler";

/** Runs a job every `intervalMs` on a fixed grid while it reports work left; `ensure()` restarts it. */
export class Recurring {
  private task?: ScheduledTask;
  constructor(
    private readonly world: { now(): number; at(time: number, label: string, run: () => void): ScheduledTask },
    private readonly intervalMs: () => number,
    private readonly label: string,
    private readonly job: () => boolean,
  ) {}

  ensure(): void {
    if (this.task && !this.task.cancelled) return;
    const interval = this.intervalMs();
    const next = (Math.floor(this.world.now() / interval) + 1) * interval;
    this.task = this.world.at(next, this.label, () => {
      this.task = undefined;
      if (this.job()) this.ensure();
    });
  }

  /** Runs the job now (a "run now" command), keeping the grid. */
  runNow(): void {
    if (this.job()) this.ensure();
  }
}
