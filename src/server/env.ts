import { z } from "zod";
import { parseTimeouts, type TimeoutThresholds } from "./pollers/timeouts";

/**
 * Configuration, parsed once from the environment. Nothing else reads process.env.
 * Defaults let the app start with nothing set; a service without a URL is simply off.
 */

const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .pipe(z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://radarr:7878" }).optional())
  .transform((v) => v?.replace(/\/+$/, ""))
  .optional();

const optionalText = z
  .string()
  .transform((v) => (v.trim() === "" ? undefined : v))
  .optional();

const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .transform((v, ctx) => {
    if (["", "0", "false", "no", "off"].includes(v)) return false;
    if (["1", "true", "yes", "on"].includes(v)) return true;
    ctx.addIssue({ code: "custom", message: "must be 1/0, true/false, yes/no or on/off" });
    return z.NEVER;
  })
  .optional();

const positiveInt = (fallback: number) =>
  z
    .string()
    .trim()
    .transform((v) => (v === "" ? String(fallback) : v))
    .pipe(z.coerce.number<string>().int("must be a whole number").min(1, "must be at least 1").max(65535, "must be at most 65535"))
    .optional()
    .transform((v) => v ?? fallback);

const rawEnvSchema = z.object({
  PORT: positiveInt(8100),
  HOST: optionalText,
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : "file:./data/status-tracker.db"))
    .refine((v) => /^(file:|libsql:|https?:|wss?:)/.test(v) || v === ":memory:", {
      message: "must start with file:, libsql:, http(s): or ws(s):",
    }),
  DATABASE_AUTH_TOKEN: optionalText,
  AUTH_SECRET: optionalText,
  WEBHOOK_SECRET: optionalText,
  API_KEY: optionalText,
  ADMIN_USERNAME: optionalText,
  ADMIN_PASSWORD: optionalText,
  JELLYSEERR_URL: optionalUrl,
  JELLYSEERR_API_KEY: optionalText,
  SONARR_URL: optionalUrl,
  SONARR_API_KEY: optionalText,
  RADARR_URL: optionalUrl,
  RADARR_API_KEY: optionalText,
  QBITTORRENT_URL: optionalUrl,
  QBITTORRENT_USERNAME: optionalText,
  QBITTORRENT_PASSWORD: optionalText,
  JELLYFIN_URL: optionalUrl,
  JELLYFIN_API_KEY: optionalText,
  SHOKO_URL: optionalUrl,
  SHOKO_API_KEY: optionalText,
  DEMO: booleanFlag,
  DEMO_SPEED: z.coerce.number({ error: "must be a number" }).positive({ error: "must be greater than 0" }).max(1000, { error: "must be at most 1000" }).optional(),
  DEMO_REQUEST_INTERVAL: z.coerce.number({ error: "must be a number of seconds" }).min(5, { error: "must be at least 5 seconds" }).optional(),
  STATE_TIMEOUTS: optionalText,
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"], { error: "must be debug, info, warn or error" }).optional(),
  NODE_ENV: z.string().optional(),
});

export type ServiceName = "jellyseerr" | "sonarr" | "radarr" | "qbittorrent" | "jellyfin" | "shoko";
export const SERVICE_NAMES: readonly ServiceName[] = ["jellyseerr", "sonarr", "radarr", "qbittorrent", "jellyfin", "shoko"];

export interface ServiceConfig {
  url: string;
  apiKey?: string;
  username?: string;
  password?: string;
}

export interface AppConfig {
  port: number;
  host?: string;
  production: boolean;
  databaseUrl: string;
  databaseAuthToken?: string;
  /** Secrets from the environment; those not set are generated once and kept in the database (see secrets.ts). */
  secrets: Partial<Record<SecretName, string>>;
  admin?: { username: string; password: string };
  services: Partial<Record<ServiceName, ServiceConfig>>;
  demo: boolean;
  /** Demo mode: how much faster than real time the simulated stack runs, and real ms between new requests. */
  demoSpeed: number;
  demoRequestIntervalMs: number;
  /** How long a request may sit in each state before it is shown as stuck. */
  timeouts: TimeoutThresholds;
  logLevel: "debug" | "info" | "warn" | "error";
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export type SecretName = "authSecret" | "webhookSecret" | "apiKey";

/** Parses the environment. Throws ConfigError with one sentence per wrong value. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const result = rawEnvSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}.`);
    throw new ConfigError(`Configuration error: ${lines.join(" ")}`);
  }
  const e = result.data;
  const problems: string[] = [];

  const service = (name: string, url?: string, extra: Omit<ServiceConfig, "url"> = {}): ServiceConfig | undefined =>
    url ? { url, ...extra } : undefined;

  const services: AppConfig["services"] = {};
  const add = (name: ServiceName, cfg?: ServiceConfig, needsKey?: string) => {
    if (!cfg) return;
    if (needsKey && !cfg.apiKey) problems.push(`${needsKey} is missing: it is needed because ${name.toUpperCase()}_URL is set.`);
    services[name] = cfg;
  };
  add("jellyseerr", service("jellyseerr", e.JELLYSEERR_URL, { apiKey: e.JELLYSEERR_API_KEY }), "JELLYSEERR_API_KEY");
  add("sonarr", service("sonarr", e.SONARR_URL, { apiKey: e.SONARR_API_KEY }), "SONARR_API_KEY");
  add("radarr", service("radarr", e.RADARR_URL, { apiKey: e.RADARR_API_KEY }), "RADARR_API_KEY");
  add(
    "qbittorrent",
    service("qbittorrent", e.QBITTORRENT_URL, { username: e.QBITTORRENT_USERNAME, password: e.QBITTORRENT_PASSWORD }),
  );
  add("jellyfin", service("jellyfin", e.JELLYFIN_URL, { apiKey: e.JELLYFIN_API_KEY }), "JELLYFIN_API_KEY");
  add("shoko", service("shoko", e.SHOKO_URL, { apiKey: e.SHOKO_API_KEY }), "SHOKO_API_KEY");

  if ((e.ADMIN_USERNAME === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    problems.push("ADMIN_USERNAME and ADMIN_PASSWORD must be set together.");
  }
  if (e.AUTH_SECRET !== undefined && e.AUTH_SECRET.length < 32) {
    problems.push("AUTH_SECRET must be at least 32 characters long.");
  }
  if (e.WEBHOOK_SECRET !== undefined && e.WEBHOOK_SECRET.length < 8) {
    problems.push("WEBHOOK_SECRET must be at least 8 characters long.");
  }
  let timeouts: TimeoutThresholds = {};
  try {
    timeouts = parseTimeouts(e.STATE_TIMEOUTS);
  } catch (err) {
    problems.push(`STATE_TIMEOUTS: ${(err as Error).message}.`);
  }
  if (problems.length > 0) throw new ConfigError(`Configuration error: ${problems.join(" ")}`);

  const production = e.NODE_ENV === "production";
  return {
    port: e.PORT,
    host: e.HOST,
    production,
    databaseUrl: e.DATABASE_URL,
    databaseAuthToken: e.DATABASE_AUTH_TOKEN,
    secrets: { authSecret: e.AUTH_SECRET, webhookSecret: e.WEBHOOK_SECRET, apiKey: e.API_KEY },
    admin: e.ADMIN_USERNAME && e.ADMIN_PASSWORD ? { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD } : undefined,
    services,
    demo: e.DEMO ?? Object.keys(services).length === 0,
    demoSpeed: e.DEMO_SPEED ?? 5,
    demoRequestIntervalMs: (e.DEMO_REQUEST_INTERVAL ?? 20) * 1000,
    timeouts,
    logLevel: e.LOG_LEVEL ?? "info",
  };
}

/** Every secret value in the config, for the logger's redaction. */
export function secretsOf(config: AppConfig): string[] {
  const values = [...Object.values(config.secrets), config.admin?.password, config.databaseAuthToken];
  for (const s of Object.values(config.services)) values.push(s?.apiKey, s?.password);
  return values.filter((v): v is string => typeof v === "string" && v.length >= 4);
}
