import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "@/server/clock";
import { ServiceError, type FetchLike } from "@/server/clients/http";
import { arrAnimeHint, arrHistoryRecordSchema, isImportBlocked, pagedSchema, queueStuckReason, MAX_REASON_LENGTH, type QueueProblemInput } from "@/server/clients/arr";
import { RadarrClient, radarrQueueRecordSchema } from "@/server/clients/radarr";
import { SonarrClient, sonarrQueueRecordSchema } from "@/server/clients/sonarr";
import { startSimStack, type SimStack } from "@/sim";
import { loadReference } from "../helpers/fixtures";

/*
 * The Sonarr and Radarr clients against the simulated apps over real HTTP (API v3 paths, X-Api-Key,
 * paging, commands), the reference payloads through their schemas, and the stuck-reason wording.
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
const MINUTE = 60_000;
let stack: SimStack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const noWait = async () => undefined;

async function start() {
  stack = await startSimStack({ clock: new ManualClock(START, 0), tracker: null });
  const seen: { url: string; headers: Record<string, string> }[] = [];
  const recording: FetchLike = (input, init) => {
    seen.push({ url: input, headers: { ...(init?.headers as Record<string, string>) } });
    return fetch(input, init);
  };
  const radarr = new RadarrClient({ baseUrl: stack.urls.radarr, apiKey: stack.credentials.radarr.apiKey, fetch: recording, retryDelay: noWait });
  const sonarr = new SonarrClient({ baseUrl: `${stack.urls.sonarr}/`, apiKey: stack.credentials.sonarr.apiKey, fetch: recording, retryDelay: noWait, pageSize: 3 });
  return { s: stack, radarr, sonarr, seen };
}

describe("auth and status", () => {
  it("sends the key as X-Api-Key only, never in a URL, and reads the version", async () => {
    const { s, radarr, sonarr, seen } = await start();
    expect(await radarr.systemStatus()).toMatchObject({ appName: "Radarr", version: "5.28.0.10274" });
    expect(await sonarr.systemStatus()).toMatchObject({ appName: "Sonarr", version: "4.0.19.2979" });
    for (const call of seen) {
      expect(call.url).not.toContain(s.credentials.radarr.apiKey);
      expect(call.url).not.toContain(s.credentials.sonarr.apiKey);
      expect(call.url.toLowerCase()).not.toContain("apikey");
      expect(call.headers["X-Api-Key"]).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it("a wrong key is an auth error whose message names the service and not the key", async () => {
    const { s } = await start();
    const wrong = new RadarrClient({ baseUrl: s.urls.radarr, apiKey: "not-the-right-key", retryDelay: noWait });
    const err = await wrong.systemStatus().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({ kind: "auth", status: 401, service: "Radarr" });
    expect((err as Error).message).toContain("Radarr answered 401");
    expect((err as Error).message).not.toContain("not-the-right-key");
  });

  it("a service that is down is unreachable, after bounded retries of the read", async () => {
    const { s, sonarr, seen } = await start();
    await s.setDown("sonarr", true);
    const err = await sonarr.queue().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "unreachable", service: "Sonarr" });
    expect(seen.filter((c) => c.url.includes("/api/v3/queue"))).toHaveLength(3);
  });
});

describe("Radarr", () => {
  it("movie lookups, the queue with its movie, then the file and the history once imported", async () => {
    const { s, radarr } = await start();
    s.runScenario("movie");
    await s.advance(45_000);
    const byTmdb = await radarr.movieByTmdb(s.world.catalogue.movie("lantern-keeper").tmdbId);
    expect(byTmdb).toMatchObject({ title: "The Lantern Keeper's Daughter", hasFile: false, monitored: true });
    expect(await radarr.movie(byTmdb!.id)).toMatchObject({ id: byTmdb!.id, tmdbId: byTmdb!.tmdbId });
    expect(await radarr.movie(99_999)).toBeNull();
    expect(await radarr.movieByTmdb(1)).toBeNull();

    const queue = await radarr.queue();
    expect(queue).toHaveLength(1);
    const [record] = queue;
    expect(record.hash).toMatch(/^[0-9a-f]{40}$/);
    expect(record.downloadId).toBe(record.hash!.toUpperCase());
    expect(record).toMatchObject({ movieId: byTmdb!.id, trackedDownloadState: "downloading", quality: "WEBDL-1080p", statusMessages: [] });
    expect(record.movie?.tmdbId).toBe(byTmdb!.tmdbId);
    expect(record.added).toBeGreaterThanOrEqual(START);

    await s.advance(30 * MINUTE);
    expect(await radarr.queue()).toEqual([]);
    const movie = await radarr.movie(byTmdb!.id);
    expect(movie?.hasFile).toBe(true);
    expect(movie?.movieFile?.path).toMatch(/^\/data\/media\/movies\/.+\.mkv$/);
    expect(movie?.movieFile?.dateAdded).toBeGreaterThan(START);
    const history = await radarr.movieHistory(byTmdb!.id);
    expect(history.map((h) => h.eventType)).toEqual(["downloadFolderImported", "grabbed"]);
    expect(history[0]).toMatchObject({ hash: record.hash, data: { importedPath: movie?.movieFile?.path } });
    expect((await radarr.historyByDownloadId(record.hash!)).map((h) => h.eventType)).toEqual(["downloadFolderImported", "grabbed"]);
  });

  it("commands answer with their id and can be followed; removing from the queue blocklists; deleting a movie", async () => {
    const { s, radarr } = await start();
    s.runScenario("movie");
    await s.advance(45_000);
    const movie = (await radarr.movieByTmdb(s.world.catalogue.movie("lantern-keeper").tmdbId))!;

    const refresh = await radarr.refreshMonitoredDownloads();
    expect(refresh).toMatchObject({ name: "RefreshMonitoredDownloads", status: "queued" });
    await s.advance(5_000);
    expect(await radarr.command(refresh.id)).toMatchObject({ id: refresh.id, status: "completed", result: "successful" });
    for (const command of [await radarr.searchMovies([movie.id]), await radarr.rescanMovie(movie.id), await radarr.refreshMovie([movie.id])]) {
      expect(command.id).toBeGreaterThan(0);
    }
    const scan = await radarr.scanDownloadedMovies({ path: "/data/torrents/radarr/x", downloadClientId: "abc" });
    expect(scan).toMatchObject({ name: "DownloadedMoviesScan" });
    await expect(radarr.command(9_999_999)).rejects.toMatchObject({ kind: "not_found" });

    const [record] = await radarr.queue();
    await radarr.removeFromQueue(record.id);
    expect(s.world.radarr.blocklist).toHaveLength(1);
    expect(s.world.qbit.get(record.downloadId!)).toBeUndefined();

    await radarr.deleteMovie(movie.id, { deleteFiles: true });
    expect(await radarr.movie(movie.id)).toBeNull();
  });
});

describe("Sonarr", () => {
  it("series lookups, every queue page with series and episode, episodes with air dates and files", async () => {
    const { s, sonarr, seen } = await start();
    s.runScenario("tv-season-pack");
    await s.advance(45_000);
    const tvdbId = s.world.catalogue.series("harrow-fen").tvdbId;
    const series = (await sonarr.seriesByTvdb(tvdbId))!;
    expect(series).toMatchObject({ title: "Harrow Fen", tvdbId, seriesType: "standard" });
    expect(series.seasons.map((x) => x.seasonNumber)).toContain(1);
    expect(await sonarr.series(series.id)).toMatchObject({ id: series.id });
    expect(await sonarr.series(99_999)).toBeNull();

    const before = seen.length;
    const queue = await sonarr.queue();
    // 8 records, 3 per page: three pages.
    expect(queue).toHaveLength(8);
    expect(seen.length - before).toBe(3);
    expect(new Set(queue.map((r) => r.hash)).size).toBe(1);
    expect(new Set(queue.map((r) => r.id)).size).toBe(8);
    expect(queue.every((r) => r.series?.tvdbId === tvdbId && r.episode?.seasonNumber === 1)).toBe(true);
    expect(queue.map((r) => r.episode!.episodeNumber).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const episodes = await sonarr.episodes(series.id, 1);
    expect(episodes).toHaveLength(8);
    expect(episodes.every((e) => typeof e.airDateUtc === "number" && e.airDateUtc < START && e.hasFile === false && e.monitored === true)).toBe(true);

    await s.advance(30 * MINUTE);
    const after = await sonarr.episodes(series.id);
    expect(after.filter((e) => e.seasonNumber === 1).every((e) => e.hasFile && e.episodeFile?.path?.includes("/Season 01/"))).toBe(true);
    const history = await sonarr.seriesHistory(series.id, 1);
    expect(history.filter((h) => h.eventType === "downloadFolderImported")).toHaveLength(8);
    expect(history.every((h) => h.hash === queue[0].hash)).toBe(true);

    for (const command of [
      await sonarr.searchEpisodes([episodes[0].id]),
      await sonarr.searchSeason(series.id, 1),
      await sonarr.rescanSeries(series.id),
      await sonarr.refreshSeries(series.id),
      await sonarr.scanDownloadedEpisodes({ path: "/data/torrents/tv-sonarr/x" }),
    ]) {
      expect(command.id).toBeGreaterThan(0);
    }
    await sonarr.deleteSeries(series.id, { deleteFiles: false });
    expect(await sonarr.seriesByTvdb(tvdbId)).toBeNull();
  });

  it("the import-blocked pack is one download in the queue with the arr's reasons", async () => {
    const { s, sonarr } = await start();
    s.runScenario("fault-import-blocked");
    await s.advance(40 * MINUTE);
    const queue = await sonarr.queue();
    expect(queue.length).toBeGreaterThan(0);
    expect(queue.every((r) => r.trackedDownloadState === "importBlocked" && r.trackedDownloadStatus === "warning")).toBe(true);
    expect(isImportBlocked(queue[0])).toBe(true);
    expect(queueStuckReason(queue[0])).toBe("Import blocked: No audio tracks detected (S01E10)");
    expect(await sonarr.tags()).toEqual([{ id: 1, label: "anime" }]);
  });
});

describe("reference payloads", () => {
  it("parse with the clients' schemas (nulls omitted, unknown keys kept out of the way)", () => {
    const radarrQueue = pagedSchema(radarrQueueRecordSchema).parse(loadReference("radarr-queue"));
    expect(radarrQueue.records.map((r) => [r.movieId, r.trackedDownloadState, r.hash?.slice(0, 8), r.timeleft])).toEqual([
      [77, "importPending", "3fa91c0d", "00:00:00"],
      [81, "downloading", "5c0e7a9b", undefined],
    ]);
    expect(radarrQueue.records[0]).toMatchObject({ quality: "Bluray-1080p", outputPath: expect.stringContaining("/data/torrents/radarr/"), added: Date.parse("2026-11-20T19:30:02Z") });

    const sonarrQueue = pagedSchema(sonarrQueueRecordSchema).parse(loadReference("sonarr-queue"));
    expect(sonarrQueue.totalRecords).toBe(4);
    expect(sonarrQueue.records.map((r) => r.episodeId)).toEqual([1001, 1002, 1003, 1003]);
    const blocked = sonarrQueue.records[3];
    expect(blocked.statusMessages).toEqual([
      { title: "Harbor.Lights.S01E03.1080p.WEB-DL.DDP5.1.H.264-NTb.mkv", messages: ["Not an upgrade for existing episode file(s). Existing quality: WEBDL-1080p. New Quality WEBDL-1080p."] },
    ]);

    const history = pagedSchema(arrHistoryRecordSchema).parse(loadReference("sonarr-history"));
    expect(history.records.map((h) => h.eventType)).toEqual(["downloadFolderImported", "grabbed"]);
    expect(history.records[0].data.importedPath).toContain("Harbor Lights (2024) - S01E01");
    expect(history.records[0].hash).toBe("8c6f2e9b7d41a3f05e2b9c7d1a4f6e3b2c9d8a71");
  });
});

describe("stuck reasons", () => {
  const rec = (over: Partial<QueueProblemInput>): QueueProblemInput => ({
    title: "Dead.Reckoning.Bay.S01.1080p.WEB-DL-NTb",
    status: "completed",
    trackedDownloadState: "downloading",
    trackedDownloadStatus: "ok",
    statusMessages: [],
    ...over,
  });
  const notAll = "One or more episodes expected in this release were not imported or missing from the release";
  const longPath = `/downloads/complete/tv-sonarr/${"Some.Very.Long.Release.Name.".repeat(8)}1080p-GRP`;

  it.each<[string, QueueProblemInput, string | null, boolean]>([
    ["downloading, nothing wrong", rec({ status: "downloading" }), null, false],
    ["imported", rec({ trackedDownloadState: "imported" }), null, false],
    ["waiting to import, fine", rec({ trackedDownloadState: "importPending" }), null, false],
    [
      "stalled in the client",
      rec({ status: "warning", errorMessage: "The download is stalled with no connections" }),
      "Download warning: The download is stalled with no connections",
      false,
    ],
    ["paused in the client", rec({ status: "paused" }), "Download paused in the download client", false],
    [
      "a pack with one file rejected: the file's reason, with its episode, beats the generic one",
      rec({
        trackedDownloadState: "importBlocked",
        trackedDownloadStatus: "warning",
        statusMessages: [
          { title: "Dead.Reckoning.Bay.S01.1080p.WEB-DL-NTb", messages: [notAll] },
          { title: "Dead.Reckoning.Bay.S01E10.1080p.WEB-DL-NTb.mkv", messages: ["No audio tracks detected"] },
        ],
      }),
      "Import blocked: No audio tracks detected (S01E10)",
      true,
    ],
    [
      "the same reason for two files is said once, with both episodes",
      rec({
        trackedDownloadState: "importBlocked",
        trackedDownloadStatus: "warning",
        statusMessages: [
          { title: "Show.S01E02.mkv", messages: ["Sample"] },
          { title: "Show.S01E01.mkv", messages: ["Sample"] },
          { title: "Show.S01E03.mkv", messages: ["Not a Custom Format upgrade."] },
        ],
      }),
      "Import blocked: Sample (S01E01, S01E02); Not a Custom Format upgrade (S01E03)",
      true,
    ],
    [
      "only the generic message: it is what there is",
      rec({ trackedDownloadState: "importBlocked", trackedDownloadStatus: "warning", statusMessages: [{ title: "Dead.Reckoning.Bay.S01.1080p.WEB-DL-NTb", messages: [notAll] }] }),
      `Import blocked: ${notAll}`,
      true,
    ],
    ["blocked without messages", rec({ trackedDownloadState: "importBlocked", trackedDownloadStatus: "warning" }), "Import blocked: the files need to be imported by hand", true],
    [
      "waiting to import with a warning the arr explains",
      rec({ trackedDownloadState: "importPending", trackedDownloadStatus: "warning", statusMessages: [{ title: "x", messages: ["Unable to determine if file is a sample"] }] }),
      "Waiting to import: Unable to determine if file is a sample",
      true,
    ],
    [
      "failed in the client",
      rec({ trackedDownloadState: "failedPending", trackedDownloadStatus: "error", errorMessage: "Torrent has errored" }),
      "Download failed: Torrent has errored",
      false,
    ],
  ])("%s", (_name, input, reason, blocked) => {
    expect(queueStuckReason(input)).toBe(reason);
    expect(isImportBlocked(input)).toBe(blocked);
  });

  it("keeps one readable sentence under the cap, even with a long path", () => {
    const reason = queueStuckReason(
      rec({
        trackedDownloadState: "importBlocked",
        trackedDownloadStatus: "warning",
        statusMessages: [{ title: "Dead.Reckoning.Bay.S01.1080p.WEB-DL-NTb", messages: [`No files found are eligible for import in ${longPath}\n`] }],
      }),
    )!;
    expect(reason.startsWith("Import blocked: No files found are eligible for import in /downloads/")).toBe(true);
    expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    expect(reason.endsWith("…")).toBe(true);
    expect(reason).not.toContain("\n");
  });

  it("the reference's blocked record reads as a sentence", () => {
    const sonarrQueue = pagedSchema(sonarrQueueRecordSchema).parse(loadReference("sonarr-queue"));
    expect(queueStuckReason(sonarrQueue.records[3])).toBe(
      "Import blocked: Not an upgrade for existing episode file(s). Existing quality: WEBDL-1080p. New Quality WEBDL-1080p",
    );
    expect(queueStuckReason(sonarrQueue.records[0])).toBeNull();
  });
});

describe("anime hint", () => {
  it.each([
    [{ seriesType: "anime", tagLabels: [], paths: ["/data/media/tv"] }, { isAnime: true, source: "series type" }],
    [{ seriesType: "standard", tagLabels: ["Anime"], paths: [] }, { isAnime: true, source: "tag" }],
    [{ seriesType: "standard", tagLabels: [], paths: ["/data/anime/shows/", undefined] }, { isAnime: true, source: "root folder" }],
    [{ seriesType: "standard", tagLabels: [], paths: ["/data/animex/shows"] }, { isAnime: false, source: "series type" }],
    [{ tagLabels: ["4k"], paths: ["/data/media/movies"] }, { isAnime: false, source: "tag" }],
  ])("%j -> %j", (input, hint) => {
    expect(arrAnimeHint(input)).toEqual(hint);
  });
});
