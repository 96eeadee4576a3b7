import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import * as schema from "./schema";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

/**
 * Opens the database. A local file gets one connection (so its PRAGMAs hold and every
 * write is serialised), WAL and a busy timeout; writes go through `batch`, which libSQL
 * runs as one BEGIN..COMMIT.
 */
export async function openDb(url: string, authToken?: string): Promise<Db> {
  const local = url.startsWith("file:");
  if (local) {
    const path = url.slice("file:".length).split("?")[0];
    if (path && path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  }
  const client = createClient({ url, authToken, concurrency: local ? 1 : undefined });
  if (local) {
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA synchronous = NORMAL");
    await client.execute("PRAGMA busy_timeout = 5000");
    await client.execute("PRAGMA foreign_keys = ON");
  }
  return drizzle(client, { schema }) as Db;
}

export async function migrateDb(db: Db, migrationsFolder = "./drizzle"): Promise<void> {
  await migrate(db, { migrationsFolder });
}

export { schema };
