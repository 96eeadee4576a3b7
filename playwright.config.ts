import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "@playwright/test";

/*
 * End-to-end tests run the production server in demo mode (the simulated media stack, faster than
 * real time) with a fresh database, and drive the system Chromium.
 */

const PORT = Number(process.env.E2E_PORT ?? 8190);
const dataDir = mkdtempSync(join(tmpdir(), "status-tracker-e2e-"));

export const E2E = {
  url: `http://127.0.0.1:${PORT}`,
  apiKey: "e2e-api-key-0123456789",
  webhookSecret: "e2e-webhook-secret-0123456789",
};

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  use: {
    baseURL: E2E.url,
    trace: "off",
    screenshot: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  projects: [
    { name: "desktop", use: { viewport: { width: 1280, height: 900 } } },
  ],
  webServer: {
    command: "node --import tsx server.ts",
    url: `${E2E.url}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(PORT),
      DATABASE_URL: `file:${join(dataDir, "e2e.db")}`,
      API_KEY: E2E.apiKey,
      WEBHOOK_SECRET: E2E.webhookSecret,
      DEMO: "1",
      DEMO_SPEED: "10",
      DEMO_REQUEST_INTERVAL: "30",
      LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
      AUTH_TRUST_HOST: "true",
    },
  },
});
