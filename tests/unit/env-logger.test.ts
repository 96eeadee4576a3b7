import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, secretsOf } from "@/server/env";
import { createLogger } from "@/server/logger";

describe("configuration", () => {
  it("starts with nothing set: defaults, demo mode, no services", () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ port: 8100, databaseUrl: "file:./data/status-tracker.db", demo: true, services: {} });
  });

  it("a configured service turns demo mode off unless DEMO says otherwise", () => {
    const env = { RADARR_URL: "http://radarr:7878/", RADARR_API_KEY: "k" };
    expect(parseConfig(env)).toMatchObject({ demo: false, services: { radarr: { url: "http://radarr:7878", apiKey: "k" } } });
    expect(parseConfig({ ...env, DEMO: "1" }).demo).toBe(true);
  });

  it.each([
    [{ PORT: "eighty" }, /PORT/],
    [{ PORT: "70000" }, /PORT must be at most 65535/],
    [{ SONARR_URL: "sonarr:8989" }, /SONARR_URL must be an http\(s\) URL/],
    [{ SONARR_URL: "http://sonarr:8989" }, /SONARR_API_KEY is missing/],
    [{ DEMO: "maybe" }, /DEMO must be 1\/0/],
    [{ ADMIN_USERNAME: "admin" }, /ADMIN_USERNAME and ADMIN_PASSWORD must be set together/],
    [{ AUTH_SECRET: "short" }, /AUTH_SECRET must be at least 32 characters/],
    [{ DATABASE_URL: "postgres://x" }, /DATABASE_URL must start with file:/],
    [{ STATE_TIMEOUTS: "downloading=later" }, /STATE_TIMEOUTS: "downloading=later" is not of the form/],
  ])("%j stops the start with a sentence naming it", (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });

  it("lists every secret for redaction", () => {
    const c = parseConfig({ WEBHOOK_SECRET: "hook-secret-1", QBITTORRENT_URL: "http://q:8080", QBITTORRENT_PASSWORD: "qbit-pass", ADMIN_USERNAME: "a", ADMIN_PASSWORD: "admin-pass" });
    expect(secretsOf(c)).toEqual(expect.arrayContaining(["hook-secret-1", "qbit-pass", "admin-pass"]));
  });
});

describe("logger", () => {
  it("never prints a secret, whether in a message, a field or an error", () => {
    const lines: string[] = [];
    const log = createLogger({ secrets: ["s3cr3t-key"], write: (l) => lines.push(l) });
    log.info("calling http://radarr/api?apikey=s3cr3t-key");
    log.warn("failed", { error: new Error("401 for key s3cr3t-key"), url: "x?k=s3cr3t-key" });
    log.child("qbit").error("login", { password: "hunter22", cookie: "SID=abc" });
    expect(lines.join("\n")).not.toMatch(/s3cr3t-key|hunter22|SID=abc/);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain("[qbit]");
  });

  it("redacts secrets added after start", () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    log.addSecrets(["generated-webhook-secret"]);
    log.info("token generated-webhook-secret");
    expect(lines[0]).not.toContain("generated-webhook-secret");
  });

  it("respects the level", () => {
    const lines: string[] = [];
    createLogger({ level: "warn", write: (l) => lines.push(l) }).info("quiet");
    expect(lines).toEqual([]);
  });
});
