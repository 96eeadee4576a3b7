/**
 * A discrete-event scheduler in simulated time. The world never sleeps: `runUntil(t)` runs every
 * task due up to t in time order (ties in insertion order), so jumping the clock by a month
 * replays the month faithfully, and a task may schedule more work that is still due.
 */

export interface ScheduledTask {
  readonly at: number;
  readonly label: string;
  cancelled: boolean;
}

interface Entry extends ScheduledTask {
  seq: number;
  run: () => void;
}

export class Scheduler {
  private heap: Entry[] = [];
  private seq = 0;

  schedule(at: number, label: string, run: () => void): ScheduledTask {
    const entry: Entry = { at, label, run, seq: this.seq++, cancelled: false };
    this.push(entry);
    return entry;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Runs due tasks; `onTime` is told the time of each task before it runs. Returns how many ran. */
  runUntil(until: number, onTime: (at: number) => void): number {
    let ran = 0;
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > until) return ran;
      this.pop();
      if (top.cancelled) continue;
      onTime(top.at);
      top.run();
      ran++;
    }
  }

  nextAt(): number | undefined {
    return this.heap[0]?.at;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.less(heap[left], heap[smallest])) smallest = left;
      if (right < heap.length && this.less(heap[right], heap[smallest])) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
      i = smallest;
    }
  }
}
