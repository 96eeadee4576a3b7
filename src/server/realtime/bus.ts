import { EventEmitter } from "node:events";
import type { ChangeKind } from "../db/schema";

/** A committed change, published after its transaction. `id` is the change-log row id. */
export interface ChangeNotice {
  id: number;
  requestId: number;
  kind: ChangeKind;
  at: number;
}

/** In-process fan-out of committed changes; the durable copy is the `changes` table. */
export class ChangeBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(change: ChangeNotice): void {
    this.emitter.emit("change", change);
  }

  subscribe(listener: (change: ChangeNotice) => void): () => void {
    this.emitter.on("change", listener);
    return () => this.emitter.off("change", listener);
  }

  listenerCount(): number {
    return this.emitter.listenerCount("change");
  }
}
