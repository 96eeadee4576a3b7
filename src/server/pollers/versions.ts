import type { Db } from "../db/client";
import { integrations } from "../db/schema";

/** Keeps the version a service reported, for the admin page. */
export async function recordServiceVersion(db: Db, service: string, version: string, now: number): Promise<void> {
  await db
    .insert(integrations)
    .values({ service, version, updatedAt: now })
    .onConflictDoUpdate({ target: integrations.service, set: { version, updatedAt: now } });
}
