import { and, inArray, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { changes, inbox } from "../db/schema";
import type { Clock } from "../clock";

const DAY = 24 * 3_600_000;

/** How long rows are kept: clients resume from the change log within days, webhooks are kept for diagnosis. */
export const RETENTION = { changesMs: 7 * DAY, inboxMs: 30 * DAY };

/** Prunes the change log and settled webhooks past their retention; failed deliveries are kept for replay. */
export function maintenanceJob(deps: { db: Db; clock: Clock }) {
  return async () => {
    const now = deps.clock.now();
    await deps.db.batch([
      deps.db.delete(changes).where(lt(changes.at, now - RETENTION.changesMs)),
      deps.db.delete(inbox).where(and(lt(inbox.receivedAt, now - RETENTION.inboxMs), inArray(inbox.status, ["processed", "ignored"]))),
    ]);
  };
}
