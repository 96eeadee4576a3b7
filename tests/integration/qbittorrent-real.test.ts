import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { systemClock } from "@/server/clock";
import { nodeHttpFetch, QbittorrentClient } from "@/server/clients/qbittorrent";
import { ServiceError, type FetchLike } from "@/server/clients/http";
import { migrateDb, openDb, type Db } from "@/server/db/client";
import { downloads, episodes, requests } from "@/server/db/schema";
import { createLogger } from "@/server/logger";
import type { DomainEvent, DownloadProgress } from "@/server/pipeline/events";
import { PipelineRunner } from "@/server/pipeline/runner";
import { qbittorrentPoller } from "@/server/pollers/qbittorrent";
import { ChangeBus } from "@/server/realtime/bus";
import { sharedDir } from "../helpers/fixtures";

/*
 * Our client and poller against a real qbittorrent-nox: ../shared/reference/qbit-pair.sh starts a
 * seeding instance (A) and a downloading one (B, with a login and a speed limit) on loopback, with
 * a multi-file "season pack" made by mktorrent; the poller follows B's real progress, file by
 * file, to completion. Real time passes here (a real download), so the poll loop waits between
 * runs as the scheduler would. Skipped, with a line saying so, when the tools are missing.
 */

const scripts = join(sharedDir(), "reference");
const missingTools = ["qbittorrent-nox", "mktorrent", "curl", "python3", "ss"].filter((bin) => spawnSync("sh", ["-c", `command -v ${bin}`]).status !== 0);
const missingScript = !existsSync(join(scripts, "qbit-pair.sh"));
const skip = missingTools.length > 0 || missingScript;
if (missingTools.length > 0) {
  console.log(`[qbittorrent-real] skipped: ${missingTools.join(", ")} not installed (apt-get install -y qbittorrent-nox mktorrent)`);
} else if (missingScript) {
  console.log(`[qbittorrent-real] skipped: ${join(scripts, "qbit-pair.sh")} not found (set SHARED_DIR to the shared folder)`);
}

const EPISODES = 3;
const FILE_MB = 32;
const DL_LIMIT = 5_000_000;

interface Pair {
  QBT_URL: string;
  QBT_USER: string;
  QBT_PASS: string;
  QBT_HASH: string;
  QBT_NAME: string;
  QBT_SAVE_PATH: string;
  QBT_BASE: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip)("a real qbittorrent-nox pair", () => {
  const base = `/tmp/qbtrial/status-tracker-${process.pid}-${Date.now()}`;
  let pair: Pair;
  let dir: string;
  let db: Db;
  let started = false;

  beforeAll(async () => {
    const ports = { QBT_A_WEB: await freePort(), QBT_B_WEB: await freePort(), QBT_A_BT: await freePort(), QBT_B_BT: await freePort(), QBT_TRACKER_PORT: await freePort() };
    const env = {
      ...process.env,
      QBT_BASE: base,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      QBT_FILES: String(EPISODES),
      QBT_FILE_MB: String(FILE_MB),
      QBT_DL_LIMIT: String(DL_LIMIT),
    };
    started = true;
    const run = spawnSync("bash", [join(scripts, "qbit-pair.sh")], { env, encoding: "utf8", timeout: 90_000 });
    if (run.status !== 0) throw new Error(`qbit-pair.sh failed (${run.status}): ${run.stderr || run.stdout}`);
    const values = Object.fromEntries(
      readFileSync(join(base, "pair.env"), "utf8")
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    pair = values as unknown as Pair;

    dir = mkdtempSync(join(tmpdir(), "qbit-real-"));
    db = await openDb(`file:${join(dir, "test.db")}`);
    await migrateDb(db);
  }, 120_000);

  afterAll(() => {
    if (started) spawnSync("bash", [join(scripts, "qbit-pair-stop.sh")], { env: { ...process.env, QBT_BASE: base }, encoding: "utf8", timeout: 60_000 });
    db?.$client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 90_000);

  const client = () => new QbittorrentClient({ baseUrl: pair.QBT_URL, username: pair.QBT_USER, password: pair.QBT_PASS });

  it("logs in (SID, Referer), says so when the password is wrong, and logs in again after a logout", async () => {
    const c = client();
    expect(await c.version()).toMatch(/^v4\.|^v5\./);
    const wrong = new QbittorrentClient({ baseUrl: pair.QBT_URL, username: pair.QBT_USER, password: "wrong-password" });
    const err = await wrong.login().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).message).toBe("qBittorrent rejected the username or password");

    expect((await c.maindata(0)).full_update).toBe(true);
    await c.logout(); // the session is gone: the next call logs in again
    const [torrent] = await c.torrents({ hashes: [pair.QBT_HASH.toUpperCase()] });
    expect(torrent.hash).toBe(pair.QBT_HASH);
    expect(c.traffic.logins).toBe(2);
  });

  it("meets a 403 for a session qBittorrent does not know, logs in again once and repeats the call", async () => {
    const transport = nodeHttpFetch();
    let expireNext = false;
    // Stands in for an expired session: the next call carries a cookie qBittorrent never issued.
    const expiring: FetchLike = (input, init) => {
      if (expireNext && init?.headers && "cookie" in (init.headers as Record<string, string>)) {
        expireNext = false;
        return transport(input, { ...init, headers: { ...(init.headers as Record<string, string>), cookie: "SID=expired" } });
      }
      return transport(input, init);
    };
    const c = new QbittorrentClient({ baseUrl: pair.QBT_URL, username: pair.QBT_USER, password: pair.QBT_PASS, fetch: expiring });
    expect((await c.maindata(0)).full_update).toBe(true);
    expireNext = true;
    const version = await c.webapiVersion();
    expect(version).toMatch(/^2\./);
    expect(c.traffic.logins).toBe(2);
    transport.close();
  });

  it("follows the season pack's real progress, episode by episode, to completion", async () => {
    const logger = createLogger({ level: "error", write: () => undefined });
    const runner = new PipelineRunner({ db, clock: systemClock, logger, bus: new ChangeBus(), shokoEnabled: false, libraryVerification: false });
    const events: DomainEvent[] = [];
    const sink = { submit: (e: DomainEvent) => (events.push(e), runner.submit(e)) };
    const media = { mediaType: "tv" as const, tvdbId: 900_001, tmdbId: 900_002 };
    await runner.submit({ type: "RequestApproved", at: Date.now(), source: "jellyseerr", media: { ...media, jellyseerrRequestId: 1 }, info: { title: "Show Name" }, seasons: [1], autoApproved: true });
    const [grab] = await runner.submit({
      type: "Grabbed",
      at: Date.now(),
      source: "sonarr",
      media: { ...media, sonarrId: 1 },
      info: {},
      hash: pair.QBT_HASH,
      release: { title: pair.QBT_NAME, quality: "WEBDL-1080p" },
      episodes: Array.from({ length: EPISODES }, (_, i) => ({ season: 1, episode: i + 1 })),
    });
    const requestId = grab.requestId!;

    const job = qbittorrentPoller({ db, clock: systemClock, logger, runner: sink, client: client() });
    const samples: { progress: number; episodes: (number | null)[] }[] = [];
    const deadline = Date.now() + 120_000;
    let state = "";
    while (Date.now() < deadline) {
      await job.run({ signal: new AbortController().signal });
      await runner.idle();
      const eps = await db.select().from(episodes).where(eq(episodes.requestId, requestId)).orderBy(episodes.episode);
      const dl = (await db.select().from(downloads).where(eq(downloads.hash, pair.QBT_HASH)))[0];
      samples.push({ progress: dl.progress, episodes: eps.map((e) => e.progress) });
      state = (await db.select().from(requests).where(eq(requests.id, requestId)))[0].state;
      // The last bytes can arrive in one poll (progress 1, the request downloaded) and qBittorrent's
      // completed state in the next: wait for that one too.
      if (state === "downloaded" && events.some((e) => e.type === "DownloadCompleted")) break;
      await wait(job.interval());
    }
    expect(state).toBe("downloaded");

    const progress = events.filter((e): e is DownloadProgress => e.type === "DownloadProgress");
    expect(new Set(progress.map((e) => e.clientState))).toContain("downloading");
    // Several real samples on the way, never going backwards.
    const values = progress.map((e) => e.progress);
    expect(values.filter((p) => p > 0 && p < 1).length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
    // The pack's files: the .nfo and one .mkv per episode, with their own progress.
    const withFiles = progress.find((e) => (e.files?.length ?? 0) > 0);
    expect(withFiles?.files?.map((f) => f.name.split("/").pop())).toEqual(
      expect.arrayContaining(Array.from({ length: EPISODES }, (_, i) => expect.stringContaining(`S01E0${i + 1}`))),
    );
    expect(withFiles?.files).toHaveLength(EPISODES + 1);
    // The folder of the pack, once qBittorrent reports it (never a relative path; see gotcha 12).
    expect(progress.map((e) => e.contentPath)).toContain(`${pair.QBT_SAVE_PATH}/${pair.QBT_NAME}`);
    expect(progress.every((e) => e.contentPath === undefined || e.contentPath.startsWith("/"))).toBe(true);
    // Mid-way, episodes had progress of their own (pieces arrive rarest-first, in parallel).
    const midway = samples.filter((s) => s.episodes.some((p) => p !== null && p > 0 && p < 1));
    expect(midway.length).toBeGreaterThan(0);
    expect(midway.some((s) => new Set(s.episodes).size > 1)).toBe(true);

    expect(events.filter((e) => e.type === "DownloadCompleted")).toHaveLength(1);
    const dl = (await db.select().from(downloads).where(eq(downloads.hash, pair.QBT_HASH)))[0];
    expect(dl).toMatchObject({ progress: 1, bytesLeft: 0, speed: null, eta: null });
    expect(dl.size).toBeGreaterThan(EPISODES * FILE_MB * 1024 * 1024); // the episodes and the .nfo
    const eps = await db.select().from(episodes).where(eq(episodes.requestId, requestId));
    expect(eps.every((e) => e.state === "downloaded" && e.progress === 1)).toBe(true);

    // Complete now: polls go quiet and slow.
    const before = events.length;
    await job.run({ signal: new AbortController().signal });
    await runner.idle();
    expect(events.length).toBe(before);
    expect(job.interval()).toBe(10_000);
    expect(job.stats().lastCycle?.bytes).toBeLessThan(2_000);
  }, 150_000);
});
