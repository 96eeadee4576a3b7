import { randomBytes } from "node:crypto";
import { inArray } from "drizzle-orm";
import type { Db } from "./db/client";
import { settings } from "./db/schema";
import type { AppConfig, SecretName } from "./env";

export type Secrets = Record<SecretName, string>;

const GENERATED_LENGTH: Record<SecretName, number> = { authSecret: 48, webhookSecret: 24, apiKey: 24 };

/**
 * Secrets not set in the environment are generated on first start and kept in the database,
 * so webhook URLs pasted into the services and signed-in sessions survive restarts.
 */
export async function resolveSecrets(db: Db, config: AppConfig): Promise<{ secrets: Secrets; generated: SecretName[] }> {
  const names = Object.keys(GENERATED_LENGTH) as SecretName[];
  const stored = await db.select().from(settings).where(inArray(settings.key, names.map((n) => `secret.${n}`)));
  const byKey = new Map(stored.map((s) => [s.key, s.value]));
  const secrets = {} as Secrets;
  const generated: SecretName[] = [];
  for (const name of names) {
    const fromEnv = config.secrets[name];
    if (fromEnv) {
      secrets[name] = fromEnv;
      continue;
    }
    const existing = byKey.get(`secret.${name}`);
    if (existing) {
      secrets[name] = existing;
      continue;
    }
    const value = randomBytes(GENERATED_LENGTH[name]).toString("base64url");
    await db.insert(settings).values({ key: `secret.${name}`, value }).onConflictDoNothing();
    secrets[name] = value;
    generated.push(name);
  }
  return { secrets, generated };
}
