import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The project root (this file lives in tests/helpers). */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The read-only shared folder: $SHARED_DIR, else ../shared next to the repo. */
export function sharedDir(): string {
  return process.env.SHARED_DIR ? path.resolve(process.env.SHARED_DIR) : path.resolve(repoRoot, "../shared");
}

function capturedDir(): string {
  return path.join(sharedDir(), "fixtures", "captured");
}

function referencePayloadsDir(): string {
  return path.join(sharedDir(), "reference", "payloads");
}

function readJson(dir: string, name: string): unknown {
  const file = path.join(dir, name.endsWith(".json") ? name : `${name}.json`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
}

/** A real captured webhook body, e.g. loadCaptured("sonarr-grab") (".json" optional). */
export function loadCaptured(name: string): unknown {
  return readJson(capturedDir(), name);
}

/** A reference payload from reference/payloads, e.g. loadReference("sonarr-download"). */
export function loadReference(name: string): unknown {
  return readJson(referencePayloadsDir(), name);
}

/** Names (without ".json") of every captured fixture, sorted; new files show up automatically. */
export function capturedFixtureNames(): string[] {
  return fs
    .readdirSync(capturedDir())
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .sort();
}
