import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { ManualClock } from "@/server/clock";
import { QbittorrentClient } from "@/server/clients/qbittorrent";
import { migrateDb, openDb, type Db } from "@/server/db/client";
import { downloads, episodes, requests, timeline } from "@/server/db/schema";
import { createLogger } from "@/server/logger";
import type { DomainEvent, DownloadProgress, EpisodeRef } from "@/server/pipeline/events";
import { PipelineRunner } from "@/server/pipeline/runner";
import { MISSING_TORRENT_REASON, qbittorrentPoller, type QbittorrentPollerJob } from "@/server/pollers/qbittorrent";
import { ChangeBus } from "@/server/realtime/bus";
import { startSimStack, type SimStack } from "@/sim";
import { movieRelease, seasonPackRelease, type ReleaseSpec } from "@/sim/model/releases";

/*
 * The qBittorrent poller over the simulated qBittorrent (real HTTP), with a temp-file database
 * and the real pipeline runner: requests are created by the events Jellyseerr and Sonarr/Radarr
 * would cause, torrents are added to the simulated client, and the ManualClock is advanced.
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const GB = 1024 ** 3;
const MB = 1024 ** 2;

let dir: string;
let db: Db;
let clock: ManualClock;
let stack: SimStack;
let runner: PipelineRunner;
let client: QbittorrentClient;
let job: QbittorrentPollerJob;
let events: DomainEvent[];
let bus: ChangeBus;

async function setUp(withBus: boolean) {
  dir = mkdtempSync(join(tmpdir(), "qbit-poller-"));
  db = await openDb(`file:${join(dir, "test.db")}`);
  await migrateDb(db);
  clock = new ManualClock(START, 0);
  stack = await startSimStack({ clock, tracker: null });
  const logger = createLogger({ level: "error", write: () => undefined });
  bus = new ChangeBus();
  runner = new PipelineRunner({ db, clock, logger, bus, shokoEnabled: false, libraryVerification: false });
  events = [];
  const sink = {
    submit: (event: DomainEvent) => {
      events.push(event);
      return runner.submit(event);
    },
  };
  client = new QbittorrentClient({
    baseUrl: stack.urls.qbittorrent,
    username: stack.credentials.qbittorrent.username,
    password: stack.credentials.qbittorrent.password,
    retryDelay: async () => undefined,
  });
  job = qbittorrentPoller({ db, clock, logger, runner: sink, client, bus: withBus ? bus : undefined });
}

afterEach(async () => {
  client.close();
  await stack.stop();
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One poll; returns the events it emitted. */
async function poll(): Promise<DomainEvent[]> {
  const before = events.length;
  await job.run({ signal: new AbortController().signal });
  await runner.idle();
  return events.slice(before);
}

async function advance(ms: number): Promise<void> {
  await stack.advance(ms);
}

const HARROW = () => stack.world.catalogue.series("harrow-fen");

/** A whole-season request for Harrow Fen S01, grabbed as one pack that is now in qBittorrent. */
async function trackSeasonPack(spec: Partial<ReleaseSpec> = {}): Promise<{ hash: string; requestId: number }> {
  const series = HARROW();
  const eps = series.seasons[0].episodes;
  const release = seasonPackRelease(series, { group: "NTb", quality: "WEBDL-1080p", nfo: true, sizeBytes: 8 * GB, speed: 64 * MB, ...spec }, 1, eps);
  stack.world.qbit.add(release, "tv-sonarr", "/downloads", stack.world.now());
  const media = { mediaType: "tv" as const, tvdbId: series.tvdbId, tmdbId: series.tmdbId };
  await runner.submit({ type: "RequestApproved", at: clock.now(), source: "jellyseerr", media: { ...media, jellyseerrRequestId: 11 }, info: { title: series.title }, seasons: [1], autoApproved: true });
  const refs: EpisodeRef[] = eps.map((e) => ({ season: e.season, episode: e.number, title: e.title }));
  const [grab] = await runner.submit({
    type: "Grabbed",
    at: clock.now(),
    source: "sonarr",
    media: { ...media, sonarrId: 4 },
    info: {},
    hash: release.hash,
    release: { title: release.title, quality: "WEBDL-1080p", size: release.size },
    episodes: refs,
  });
  return { hash: release.hash, requestId: grab.requestId! };
}

/** A film request grabbed as `spec`; `addAfterMs` lets the torrent run before anyone tracks it. */
async function trackFilm(spec: Partial<ReleaseSpec> = {}, addAfterMs = 0): Promise<{ hash: string; requestId: number }> {
  const film = stack.world.catalogue.movie("northbound-freight");
  const release = movieRelease(film, { group: "GalaxyRG", quality: "WEBDL-720p", sizeBytes: 2 * GB, speed: 32 * MB, ...spec });
  stack.world.qbit.add(release, "radarr", "/downloads", stack.world.now());
  if (addAfterMs > 0) await advance(addAfterMs);
  const media = { mediaType: "movie" as const, tmdbId: film.tmdbId };
  await runner.submit({ type: "RequestApproved", at: clock.now(), source: "jellyseerr", media: { ...media, jellyseerrRequestId: 21 }, info: { title: film.title }, seasons: [], autoApproved: true });
  const [grab] = await runner.submit({
    type: "Grabbed",
    at: clock.now(),
    source: "radarr",
    media: { ...media, radarrId: 9 },
    info: {},
    hash: release.hash,
    release: { title: release.title, quality: "WEBDL-720p", size: release.size },
    episodes: [],
  });
  return { hash: release.hash, requestId: grab.requestId! };
}

const requestRow = async (id: number) => (await db.select().from(requests).where(eq(requests.id, id)))[0];
const downloadRow = async (hash: string) => (await db.select().from(downloads).where(eq(downloads.hash, hash)))[0];
const episodeRows = async (id: number) => db.select().from(episodes).where(eq(episodes.requestId, id)).orderBy(episodes.episode);
const progressEvents = (list: DomainEvent[]) => list.filter((e): e is DownloadProgress => e.type === "DownloadProgress");

describe.each([
  ["told of changes by the pipeline's bus", true],
  ["reading the change log", false],
])("qBittorrent poller, %s", (_, withBus) => {
  beforeEach(() => setUp(withBus));

  it("follows a season pack with per-episode progress from the torrent's files", async () => {
    const { hash, requestId } = await trackSeasonPack();
    let emitted = await poll();
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toMatchObject({ type: "DownloadProgress", hash, clientState: "stalledDL", progress: 0, category: "tv-sonarr" });
    expect((emitted[0] as DownloadProgress).files).toHaveLength(9); // .nfo + 8 episodes
    expect((await requestRow(requestId)).state).toBe("downloading");

    await advance(40 * SECOND);
    emitted = await poll();
    const [progress] = progressEvents(emitted);
    expect(progress.clientState).toBe("downloading");
    expect(progress.progress).toBeGreaterThan(0.2);
    expect(progress.progress).toBeLessThan(0.6);
    expect(progress.speed).toBeGreaterThan(50 * MB);
    expect(progress.eta).toBeGreaterThan(0);
    expect(progress.contentPath).toMatch(/^\/downloads\/Harrow\.Fen\.S01\./);

    const eps = await episodeRows(requestId);
    expect(eps).toHaveLength(8);
    for (const ep of eps) {
      const file = progress.files?.find((f) => f.index === ep.fileIndex);
      expect(file?.name).toContain(`S01E0${ep.episode}`);
      expect(ep.progress).toBe(file?.progress);
      expect(ep.state).toBe("downloading");
    }
    // Episodes download in parallel, unevenly.
    expect(new Set(eps.map((e) => e.progress)).size).toBeGreaterThan(3);
    expect((await requestRow(requestId)).progress).toBeGreaterThan(0.2);

    // Files are asked for at most every 3 s: a poll 1 s later reuses the last list.
    const filesBefore = job.stats().lastCycle;
    expect(filesBefore?.filesFetched).toBe(1);
    await advance(SECOND);
    await poll();
    expect(job.stats().lastCycle?.filesFetched).toBe(0);
    await advance(3 * SECOND);
    await poll();
    expect(job.stats().lastCycle?.filesFetched).toBe(1);
    expect(job.interval()).toBe(1_000);
  });

  it("completes once: DownloadCompleted, speed and ETA cleared, every episode downloaded, then silence", async () => {
    const { hash, requestId } = await trackSeasonPack({ sizeBytes: 2 * GB, speed: 128 * MB });
    await poll();
    await advance(10 * SECOND);
    await poll();
    expect((await downloadRow(hash)).speed).toBeGreaterThan(0);

    await advance(30 * SECOND);
    const emitted = await poll();
    expect(emitted.map((e) => e.type)).toEqual(["DownloadProgress", "DownloadCompleted"]);
    expect(emitted[0]).toMatchObject({ progress: 1, clientState: "uploading" });

    const dl = await downloadRow(hash);
    expect(dl).toMatchObject({ progress: 1, bytesLeft: 0, speed: null, eta: null });
    expect(dl.completedAt).not.toBeNull();
    expect((await requestRow(requestId)).state).toBe("downloaded");
    expect((await episodeRows(requestId)).every((e) => e.state === "downloaded" && e.progress === 1)).toBe(true);
    expect(job.interval()).toBe(10_000);

    // The torrent keeps changing (uploading -> stalledUP), but the request has what it needs.
    for (let i = 0; i < 3; i++) {
      await advance(60 * SECOND);
      expect(await poll()).toEqual([]);
    }
    expect(events.filter((e) => e.type === "DownloadCompleted")).toHaveLength(1);
  });

  it("an already complete torrent seen for the first time goes straight to downloaded", async () => {
    const { hash, requestId } = await trackFilm({ speed: 256 * MB }, 5 * MINUTE);
    const emitted = await poll();
    expect(emitted.map((e) => e.type)).toEqual(["DownloadProgress", "DownloadCompleted"]);
    expect(emitted[0]).toMatchObject({ hash, progress: 1, savePath: "/downloads" });
    const r = await requestRow(requestId);
    expect(r.state).toBe("downloaded");
    const kinds = (await db.select().from(timeline).where(eq(timeline.requestId, requestId))).map((t) => [t.kind, t.inferred]);
    expect(kinds).toContainEqual(["download_started", true]);
    expect(kinds).toContainEqual(["downloaded", false]);
  });

  it("a torrent whose seeds vanished is stalled, with its reason after two minutes", async () => {
    const { hash, requestId } = await trackFilm({ stallAtProgress: 0.3, seeds: 4, leechs: 0 });
    await poll();
    await advance(10 * SECOND);
    await poll();
    expect((await requestRow(requestId)).state).toBe("downloading");

    // 2 GiB at 32 MiB/s: the seeds go at 30 %, about 19 s in.
    await advance(15 * SECOND);
    let emitted = await poll();
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toMatchObject({ clientState: "stalledDL", seeds: 0, eta: undefined, speed: 0 });
    expect((emitted[0] as DownloadProgress).problem).toBeUndefined();

    await advance(MINUTE);
    expect(await poll()).toEqual([]); // stalled, but not for long enough to say so

    await advance(MINUTE);
    emitted = await poll();
    expect(emitted).toHaveLength(1);
    expect((emitted[0] as DownloadProgress).problem).toBe("Download stalled: no seeds available");
    const r = await requestRow(requestId);
    expect(r.stuckReason).toBe("Download stalled: no seeds available");
    expect(r.state).toBe("downloading");
    const stuck = (await db.select().from(timeline).where(eq(timeline.requestId, requestId))).filter((t) => t.kind === "stuck");
    expect(stuck.map((t) => t.details)).toEqual(["Download stalled: no seeds available"]);
    expect((await downloadRow(hash)).clientState).toBe("stalledDL");

    // Said once; a stalled torrent stays at the fast interval (it may come back any moment).
    await advance(MINUTE);
    expect(await poll()).toEqual([]);
    expect(job.interval()).toBe(1_000);
  });

  it("a poll where nothing changed emits nothing, reads no tracked rows, and costs a few bytes", async () => {
    const { hash, requestId } = await trackFilm();
    stack.world.qbit.pause(stack.world.qbit.get(hash)!, stack.world.now());
    const first = await poll();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ clientState: "pausedDL", problem: "Download paused in qBittorrent" });
    expect((await requestRow(requestId)).stuckReason).toBe("Download paused in qBittorrent");
    await poll(); // reads the tracked set once more: the change log moved with the first event

    for (let i = 0; i < 3; i++) {
      await advance(10 * SECOND);
      expect(await poll()).toEqual([]);
      const cycle = job.stats().lastCycle!;
      expect(cycle).toMatchObject({ events: 0, requests: 1, changedTorrents: 0, filesFetched: 0, trackedReloaded: false, fullUpdate: false });
      expect(cycle.bytes).toBeLessThan(40); // {"rid":N}
    }
    expect(job.interval()).toBe(10_000);
    expect(job.stats()).toMatchObject({ torrents: 1, tracked: 1, active: 0 });
  });

  it("a torrent removed from qBittorrent while downloading leaves a stuck reason, once", async () => {
    const { hash, requestId } = await trackFilm();
    await poll();
    await advance(5 * SECOND);
    await poll();
    await client.delete([hash], true);
    await advance(SECOND);
    const emitted = await poll();
    expect(emitted).toEqual([
      { type: "StatusNote", at: clock.now(), source: "qbittorrent", media: { mediaType: "movie", requestId }, hash, stuckReason: MISSING_TORRENT_REASON },
    ]);
    expect((await requestRow(requestId)).stuckReason).toBe(MISSING_TORRENT_REASON);
    await advance(SECOND);
    expect(await poll()).toEqual([]);
    expect(job.interval()).toBe(10_000);
  });

  it("picks up a grab that arrives after the torrent was already known, and ignores untracked torrents", async () => {
    // A torrent nobody tracks: seen, never reported.
    const other = movieRelease(stack.world.catalogue.movie("lantern-keeper"), { group: "FLUX", quality: "WEBDL-1080p" });
    stack.world.qbit.add(other, "radarr", "/downloads", stack.world.now());
    expect(await poll()).toEqual([]);
    expect(job.stats()).toMatchObject({ torrents: 1, tracked: 0 });

    const { hash } = await trackFilm();
    const emitted = await poll();
    expect(emitted.map((e) => (e as DownloadProgress).hash)).toEqual([hash]);
    expect(job.stats()).toMatchObject({ torrents: 2, tracked: 1 });
    expect(job.torrents().get(other.hash)?.category).toBe("radarr");
  });

  it("after a restart it does not repeat what the pipeline already has", async () => {
    const { hash, requestId } = await trackFilm();
    stack.world.qbit.pause(stack.world.qbit.get(hash)!, stack.world.now());
    await poll();
    const logger = createLogger({ level: "error", write: () => undefined });
    const restarted = qbittorrentPoller({ db, clock, logger, runner: { submit: (e) => (events.push(e), runner.submit(e)) }, client, bus: withBus ? bus : undefined });
    const before = events.length;
    await restarted.run({ signal: new AbortController().signal });
    expect(events.slice(before)).toEqual([]);
    expect(restarted.stats().lastCycle?.fullUpdate).toBe(true);
    // It moves on from there.
    await client.resume([hash]);
    await advance(10 * SECOND);
    await restarted.run({ signal: new AbortController().signal });
    await runner.idle();
    expect(events.slice(before).map((e) => (e as DownloadProgress).clientState)).toEqual(["downloading"]);
    expect((await requestRow(requestId)).stuckReason).toBeNull();
    await client.pause([hash]);
    await restarted.run({ signal: new AbortController().signal });
    await runner.idle();
    expect((await requestRow(requestId)).stuckReason).toBe("Download paused in qBittorrent");
  });
});
