import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { requests } from "@/server/db/schema";
import { scenario } from "@/sim/scenarios";
import type { ReleaseSpec } from "@/sim/model/releases";
import { HOUR, MINUTE, startHarness, titleOf, type Harness } from "../helpers/scenario-harness";

/*
 * The admin's actions against the simulated stack, through the real server: each action does the
 * real thing through the services' APIs (checked in the simulated services afterwards), the
 * request ends where the truth is, and a household member may call none of them.
 */

const idOf = async (h: Harness, title: string) => {
  const [r] = await h.byTitle(title);
  if (!r) throw new Error(`no request for ${title}`);
  return r.id;
};

const timelineText = async (h: Harness, title: string) => (await h.detailOf(title)).timeline.map((t) => `${t.kind}: ${t.details ?? ""}`);

describe("retry, verify, delete: one stack with the fault scenarios", () => {
  let h: Harness;
  const key = (name: string) => scenario(name).media.key;
  const title = (name: string) => titleOf(h.stack, name);

  beforeAll(async () => {
    // A search that finds nothing for an hour is shown as stuck.
    h = await startHarness({ STATE_TIMEOUTS: "searching=1h" });
    for (const name of ["fault-stalled", "fault-no-release", "fault-import-blocked", "fault-shoko-unmatched", "movie"]) h.stack.runScenario(name);
    await h.runFor(40 * MINUTE, 30_000);
    await h.runFor(85 * MINUTE, MINUTE);
  }, 600_000);

  afterAll(async () => {
    await h?.stop();
  });

  it("a household member gets FORBIDDEN for every admin action", async () => {
    const member = h.member();
    const id = await idOf(h, title("movie"));
    const calls: [string, () => Promise<unknown>][] = [
      ["retry", () => member.admin.retry({ id })],
      ["verify", () => member.admin.verify({ id })],
      ["delete", () => member.admin.delete({ id })],
      ["retryDeletionStep", () => member.admin.retryDeletionStep({ deletionId: 1, step: "radarr" })],
      ["deletion", () => member.admin.deletion({ deletionId: 1 })],
      ["deletions", () => member.admin.deletions({})],
      ["librarySync.start", () => member.admin.librarySync.start()],
      ["librarySync.status", () => member.admin.librarySync.status()],
    ];
    for (const [name, call] of calls) await expect(call(), name).rejects.toMatchObject({ code: "FORBIDDEN" });
    // Nothing was done on their behalf.
    expect((await h.detailOf(title("movie"))).timeline.some((t) => t.kind === "retried" || t.kind === "verified")).toBe(false);
  });

  it("a stalled download: removed from Radarr's queue with blocklist and from qBittorrent, searched again, the other release grabbed, available", async () => {
    const before = await h.detailOf(title("fault-stalled"));
    expect(before.state).toBe("downloading");
    expect(before.stuckReason).toMatch(/stalled/i);
    const world = h.stack.world;
    const stalledHash = [...world.qbit.torrents.values()].find((t) => t.release.releaseGroup === "GalaxyRG")!.hash;

    const outcome = await h.admin().admin.retry({ id: before.id });
    expect(outcome).toMatchObject({ ok: true, stage: "download", state: "searching", stuckReason: null, repeated: false });
    expect(outcome.steps.map((s) => [s.service, s.ok])).toEqual([
      ["Radarr", true],
      ["qBittorrent", true],
      ["Radarr", true],
    ]);
    expect(outcome.steps[0].message).toMatch(/Removed .*GalaxyRG.* from the queue and blocklisted it/);
    expect(outcome.steps[2].message).toMatch(/^Search sent \(command #\d+/);
    // The simulated services: blocklisted, gone from qBittorrent, a MoviesSearch queued.
    expect(world.radarr.blocklist.map((b) => b.release.releaseGroup)).toEqual(["GalaxyRG"]);
    expect(world.qbit.get(stalledHash)).toBeUndefined();
    const searches = () => [...world.radarr.commands.values()].filter((c) => c.name === "MoviesSearch").length;
    expect(searches()).toBe(1);

    // Pressed again at once: the first press's outcome, no second command.
    const again = await h.admin().admin.retry({ id: before.id });
    expect(again).toMatchObject({ repeated: true, at: outcome.at, message: outcome.message });
    expect(searches()).toBe(1);

    await h.runFor(30 * MINUTE, 30_000);
    const after = await h.detailOf(title("fault-stalled"));
    expect(after.state).toBe("available");
    expect(after.stuckReason).toBeNull();
    const lines = after.timeline.map((t) => `${t.kind}: ${t.details ?? ""}`);
    expect(lines).toContainEqual(expect.stringMatching(/^retried: Retried by admin: removed the stuck download from Radarr's queue \(blocklisted\) and from qBittorrent; search sent to Radarr/));
    expect(lines).toContainEqual(expect.stringMatching(/^note: Radarr finished the search: Search completed\. 1 reports downloaded/));
    // The blocklisted release was not grabbed twice: NTb's was.
    const grabs = world.radarr.history.filter((x) => x.eventType === "grabbed" && x.release.catalogueKey === key("fault-stalled")).map((x) => x.release.releaseGroup);
    expect(grabs).toEqual(["GalaxyRG", "NTb"]);
  }, 300_000);

  it("no release found: the search is sent and recorded; once a release appears, a retry grabs it", async () => {
    const before = await h.detailOf(title("fault-no-release"));
    expect(before.state).toBe("timeout");
    const outcome = await h.admin().admin.retry({ id: before.id });
    expect(outcome).toMatchObject({ ok: true, stage: "search", state: "searching", stuckReason: null });
    expect(outcome.steps).toEqual([{ service: "Radarr", ok: true, message: expect.stringMatching(/^Search sent \(command #\d+, (queued|started)\)$/) }]);
    const movieId = h.stack.world.radarr.movieByKey(key("fault-no-release"))!.id;
    expect([...h.stack.world.radarr.commands.values()].filter((c) => c.name === "MoviesSearch" && JSON.stringify(c.body.movieIds) === JSON.stringify([movieId]))).toHaveLength(1);

    await h.runFor(2 * MINUTE, 30_000);
    let lines = await timelineText(h, title("fault-no-release"));
    expect(lines).toContainEqual("retried: Retried by admin: search sent to Radarr");
    expect(lines).toContainEqual(expect.stringMatching(/^note: Radarr finished the search: Search completed\. 0 reports downloaded/));

    // An indexer now has it.
    const release: ReleaseSpec = { group: "FLUX", quality: "WEBDL-1080p", leechs: 3 };
    h.stack.world.behaviourFor(key("fault-no-release")).releases.push(release);
    const second = await h.admin().admin.retry({ id: before.id });
    expect(second).toMatchObject({ ok: true, stage: "search", repeated: false });
    await h.runFor(30 * MINUTE, 30_000);
    const after = await h.detailOf(title("fault-no-release"));
    expect(after.state).toBe("available");
    lines = after.timeline.map((t) => `${t.kind}: ${t.details ?? ""}`);
    expect(lines).toContainEqual(expect.stringMatching(/^note: Radarr finished the search: Search completed\. 1 reports downloaded/));
  }, 300_000);

  it("an import-blocked pack: Sonarr rescans it, and it stays blocked with Sonarr's reason shown", async () => {
    const before = await h.detailOf(title("fault-import-blocked"));
    // Blocked for over an hour: timed out (the default for "downloaded" is an hour).
    expect(before.state).toBe("timeout");
    expect(before.episodes.filter((e) => e.state === "downloaded").map((e) => e.episode)).toEqual([10]);
    const outcome = await h.admin().admin.retry({ id: before.id });
    expect(outcome).toMatchObject({ ok: true, stage: "import", state: "downloaded" });
    expect(outcome.steps[0]).toMatchObject({ service: "Sonarr", ok: true, message: expect.stringMatching(/^Rescan of the download sent \(command #\d+/) });
    expect(outcome.steps[1]).toMatchObject({ service: "Sonarr", message: expect.stringMatching(/still reports: Import blocked: No audio tracks detected/) });
    expect(outcome.message).toMatch(/^Rescan of the download sent to Sonarr; still blocked: Import blocked: No audio tracks detected \(S01E10\)$/);
    expect(outcome.stuckReason).toMatch(/No audio tracks detected/);
    const scans = [...h.stack.world.sonarr.commands.values()].filter((c) => c.name === "DownloadedEpisodesScan");
    expect(scans).toHaveLength(1);
    expect(scans[0].body).toMatchObject({ path: expect.stringContaining("/data/torrents/tv-sonarr/"), importMode: "auto" });

    await h.runFor(5 * MINUTE, 30_000);
    const after = await h.detailOf(title("fault-import-blocked"));
    expect(after.state).toBe("downloaded");
    expect(after.stuckReason).toMatch(/Import blocked: No audio tracks detected/);
    const lines = after.timeline.map((t) => `${t.kind}: ${t.details ?? ""}`);
    expect(lines).toContainEqual(expect.stringMatching(/^retried: Retried by admin: rescan of the download sent to Sonarr; still blocked/));
    expect(lines).toContainEqual(expect.stringMatching(/^note: Sonarr finished the rescan of the download/));
  }, 300_000);

  it("match failed: Shoko rescans the file and Jellyfin is checked; once AniDB knows it, it becomes available", async () => {
    const before = await h.detailOf(title("fault-shoko-unmatched"));
    expect(before.state).toBe("match_failed");
    const shokoFile = [...h.stack.world.shoko.files.values()].find((f) => f.key === key("fault-shoko-unmatched"))!;
    const attempts = shokoFile.autoMatchAttempts;
    // AniDB has learned the title meanwhile.
    h.stack.world.behaviourFor(key("fault-shoko-unmatched")).shokoMatches = true;

    const outcome = await h.admin().admin.retry({ id: before.id });
    expect(outcome).toMatchObject({ ok: true, stage: "matching", state: "anime_matching" });
    expect(outcome.steps.map((s) => s.service)).toEqual(["Shoko", "Jellyfin"]);
    expect(outcome.steps[0].message).toMatch(new RegExp(`^Rescan of .+ sent \\(file #${shokoFile.id}, not matched yet\\)$`));
    expect(outcome.steps[1].message).toMatch(/^Not in Jellyfin yet/);

    await h.runFor(20 * MINUTE, 30_000);
    expect(shokoFile.autoMatchAttempts).toBe(attempts + 1);
    expect(shokoFile.xref).toBeDefined();
    const after = await h.detailOf(title("fault-shoko-unmatched"));
    expect(after.state).toBe("available");
    expect(after.timeline.map((t) => t.details)).toContainEqual("Retried by admin: Shoko rescanning the file; not in Jellyfin yet");
  }, 300_000);

  it("verify now: available stays available; a film Jellyfin lost goes back to imported; found again, available", async () => {
    const id = await idOf(h, title("movie"));
    const ok = await h.admin().admin.verify({ id });
    expect(ok).toMatchObject({ action: "verify", ok: true, state: "available" });
    expect(ok.message).toMatch(/^Ready: Playable in Jellyfin \(matched by (Jellyfin id|TMDB id)\).*; Radarr has the file$/);
    expect(ok.steps.map((s) => [s.service, s.ok])).toEqual([
      ["Jellyfin", true],
      ["Radarr", true],
    ]);

    // Jellyfin loses the item (a library rebuilt by hand); the file is still in Radarr.
    const world = h.stack.world;
    const item = world.jellyfin.movieItemFor(key("movie"))!;
    world.jellyfin.items.delete(item.id);
    await h.clock.advance(31_000); // past the window in which a second press repeats the first
    const lost = await h.admin().admin.verify({ id });
    expect(lost).toMatchObject({ ok: true, state: "importing", repeated: false });
    expect(lost.message).toMatch(/^Importing: Not in Jellyfin yet.*; Radarr has the file$/);

    world.jellyfin.items.set(item.id, item);
    await h.clock.advance(31_000);
    const found = await h.admin().admin.verify({ id });
    expect(found).toMatchObject({ state: "available" });
    const lines = await timelineText(h, title("movie"));
    expect(lines.filter((l) => l.startsWith("verified: Verified by admin"))).toHaveLength(3);
  });

  it("delete everywhere: qBittorrent, Radarr, Shoko, Jellyfin and Jellyseerr, each step's result, and the audit log", async () => {
    const id = await idOf(h, title("movie"));
    const world = h.stack.world;
    const seerrMedia = world.seerr.mediaForKey(key("movie"))!;
    const seerrRequest = world.seerr.requestsFor(seerrMedia.id)[0];
    const torrents = () => [...world.qbit.torrents.values()].filter((t) => t.release.catalogueKey === key("movie"));
    expect(torrents()).toHaveLength(1);

    const view = await h.admin().admin.delete({ id });
    expect(view).toMatchObject({ ok: true, status: "done", source: "admin", deletedBy: "admin", requestId: id, repeated: false });
    expect(view.steps.map((s) => [s.step, s.status])).toEqual([
      ["qbittorrent", "done"],
      ["radarr", "done"],
      ["shoko", "skipped"],
      ["jellyfin", "done"],
      ["jellyseerr", "done"],
    ]);
    expect(view.steps[0].message).toBe("Deleted 1 torrent and its files");
    expect(view.steps[1].message).toMatch(/^Deleted movie #\d+ with its files$/);
    expect(view.steps[2].message).toBe("Not anime");
    expect(view.steps[4].message).toBe(`Deleted request #${seerrRequest.id} and media entry #${seerrMedia.id}`);
    // The simulated services agree.
    expect(torrents()).toHaveLength(0);
    expect(world.radarr.movieByKey(key("movie"))).toBeUndefined();
    expect(world.seerr.requests.has(seerrRequest.id)).toBe(false);
    expect(world.seerr.mediaForKey(key("movie"))).toBeUndefined();

    // A second press returns the same job and sends nothing.
    const again = await h.admin().admin.delete({ id });
    expect(again).toMatchObject({ id: view.id, repeated: true });

    await h.runFor(2 * MINUTE, 30_000);
    expect(world.jellyfin.movieItemFor(key("movie"))).toBeUndefined();
    const detail = await h.detailOf(title("movie"));
    expect(detail.state).toBe("deleted");
    const lines = detail.timeline.map((t) => `${t.kind}: ${t.details ?? ""}`);
    expect(lines).toContainEqual("deleting: Deletion started by admin: qBittorrent, Radarr, Shoko, Jellyfin, Jellyseerr");
    expect(lines).toContainEqual("note: qBittorrent: Deleted 1 torrent and its files");
    expect(lines.at(-1)).toBe("deleted: Deleted everywhere by admin");
    // Radarr's own MovieDelete webhook for this deletion is not a second audit entry.
    await h.server.app.container.actions.idle();
    const log = await h.admin().admin.deletions({ requestId: id });
    expect(log.items.map((d) => [d.id, d.source])).toEqual([[view.id, "admin"]]);
  });

  it("a step fails while its service is down, the request stays deleting, and the retried step finishes the job", async () => {
    const id = await idOf(h, title("fault-shoko-unmatched"));
    const world = h.stack.world;
    const animeFile = [...world.shoko.files.values()].find((f) => f.key === key("fault-shoko-unmatched"))!;
    await h.stack.setDown("radarr", true);
    const stopped = await h.admin().admin.delete({ id });
    expect(stopped).toMatchObject({ ok: false, status: "stopped" });
    expect(stopped.steps.map((s) => [s.step, s.status])).toEqual([
      ["qbittorrent", "done"],
      ["radarr", "failed"],
      ["shoko", "pending"],
      ["jellyfin", "pending"],
      ["jellyseerr", "pending"],
    ]);
    expect(stopped.steps[1]).toMatchObject({ canRetry: true, attempts: 1, message: expect.stringMatching(/Radarr/) });
    expect(stopped.message).toMatch(/^Stopped at Radarr: /);
    let detail = await h.detailOf(title("fault-shoko-unmatched"));
    expect(detail.state).toBe("deleting");
    expect(detail.stuckReason).toMatch(/^Deletion stopped at Radarr: /);

    await h.stack.setDown("radarr", false);
    const finished = await h.admin().admin.retryDeletionStep({ deletionId: stopped.id, step: "radarr" });
    expect(finished).toMatchObject({ ok: true, status: "done", id: stopped.id });
    expect(finished.steps.map((s) => [s.step, s.status, s.attempts])).toEqual([
      ["qbittorrent", "done", 1],
      ["radarr", "done", 2],
      ["shoko", "done", 1],
      ["jellyfin", "done", 1],
      ["jellyseerr", "done", 1],
    ]);
    // The anime file is gone from disk, so Shoko forgot it.
    expect(finished.steps[2].message).toBe("Shoko no longer lists its 1 file");
    expect(world.shoko.files.has(animeFile.id)).toBe(false);
    detail = await h.detailOf(title("fault-shoko-unmatched"));
    expect(detail.state).toBe("deleted");
    expect(detail.timeline.map((t) => t.details)).toContainEqual(expect.stringMatching(/^Radarr: Deleted movie #\d+ with its files \(retried by admin\)$/));
    expect(detail.stuckReason).toBeNull();
    const page = await h.admin().admin.deletion({ deletionId: stopped.id });
    expect(page.steps[1].canRetry).toBe(false);
  });

  it("a deletion done in Radarr is recorded in the same audit log", async () => {
    const id = await idOf(h, title("fault-no-release"));
    h.stack.world.radarr.deleteByKey(key("fault-no-release"), true);
    await h.stack.tick();
    await h.server.settle();
    await h.server.app.container.actions.idle();
    expect((await h.detailOf(title("fault-no-release"))).state).toBe("deleted");
    const log = await h.admin().admin.deletions({});
    const entry = log.items.find((d) => d.requestId === id)!;
    expect(entry).toMatchObject({ source: "radarr", deletedBy: "Radarr", status: "done", deletedFiles: true });
    expect(entry.steps).toEqual([expect.objectContaining({ step: "radarr", status: "done", message: "Deleted in Radarr with its files, outside Status Tracker" })]);
    // Newest first, paged.
    const first = await h.admin().admin.deletions({ limit: 1 });
    expect(first.items[0].id).toBe(entry.id);
    expect(first.nextCursor).toBe(entry.id);
    const rest = await h.admin().admin.deletions({ cursor: first.nextCursor, limit: 10 });
    expect(rest.items.map((d) => d.source)).toEqual(["admin", "admin"]);
    expect(rest.nextCursor).toBeNull();
  });

  it("refusals are tRPC errors with a sentence: a deleted request, an unknown one, a step that did not fail", async () => {
    const admin = h.admin();
    const deleted = await idOf(h, title("movie"));
    await expect(admin.admin.retry({ id: deleted })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/is deleted: there is nothing to retry$/) });
    await expect(admin.admin.verify({ id: 9999 })).rejects.toMatchObject({ code: "NOT_FOUND", message: "Request #9999 does not exist" });
    await expect(admin.admin.deletion({ deletionId: 9999 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const [done] = (await admin.admin.deletions({ requestId: deleted })).items;
    // A step that is done is not run again: the job as it is.
    expect(await admin.admin.retryDeletionStep({ deletionId: done.id, step: "radarr" })).toMatchObject({ id: done.id, status: "done", repeated: true });
  });
});

describe("an arr that was down when Jellyseerr sent the request; library sync", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ STATE_TIMEOUTS: "approved=1h" });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  it("library sync imports what Jellyfin and Jellyseerr already have, with their ids", async () => {
    // Two titles the tracker never heard of (no webhooks reach it while they complete).
    h.stack.setTracker(null);
    h.stack.runScenario("movie");
    h.stack.runScenario("tv-season-pack");
    await h.runFor(40 * MINUTE, MINUTE);
    expect(await h.server.list("?limit=50")).toEqual([]);
    h.stack.setTracker({ url: h.server.url, webhookSecret: "test-webhook-secret" });

    const started = await h.admin().admin.librarySync.start();
    expect(started).toMatchObject({ running: true, startedBy: "admin" });
    // A second start while it runs is the same sync.
    expect(await h.admin().admin.librarySync.start()).toMatchObject({ running: true, startedAt: started.startedAt });
    await h.server.app.container.actions.idle();
    const status = await h.admin().admin.librarySync.status();
    expect(status).toMatchObject({ running: false, phase: "done", imported: 2, errors: [] });
    expect(status.scanned).toBe(status.total);

    const world = h.stack.world;
    const film = await h.detailOf(titleOf(h.stack, "movie"));
    const filmRow = (await h.server.app.container.db.select().from(requests).where(eq(requests.id, film.id)))[0];
    const seerrFilm = world.seerr.mediaForKey(scenario("movie").media.key)!;
    expect(filmRow).toMatchObject({
      state: "available",
      origin: "library",
      tmdbId: world.catalogue.movie(scenario("movie").media.key).tmdbId,
      radarrId: world.radarr.movieByKey(scenario("movie").media.key)!.id,
      jellyfinItemId: world.jellyfin.movieItemFor(scenario("movie").media.key)!.id,
      jellyseerrMediaId: seerrFilm.id,
      jellyseerrRequestId: world.seerr.requestsFor(seerrFilm.id)[0].id,
      requestedBy: "household",
    });
    const show = await h.detailOf(titleOf(h.stack, "tv-season-pack"));
    expect(film.timeline.map((t) => t.details)).toEqual(["Already in Jellyfin; imported by admin's library sync", "Library sync by admin filled in the Jellyseerr request"]);
    const showRow = (await h.server.app.container.db.select().from(requests).where(eq(requests.id, show.id)))[0];
    expect(showRow).toMatchObject({ state: "available", sonarrId: world.sonarr.seriesByKey(scenario("tv-season-pack").media.key)!.id, requestedSeasons: [1] });
    expect(showRow.jellyfinItemId).toBe(world.jellyfin.seriesItemFor(scenario("tv-season-pack").media.key)!.id);

    // Run again: nothing new, nothing duplicated.
    h.server.app.container.actions.librarySync.start({ id: "local:admin", name: "admin" });
    await h.server.app.container.actions.idle();
    expect(await h.admin().admin.librarySync.status()).toMatchObject({ imported: 0, repaired: 0, unchanged: 2 });
    expect(await h.server.list("?limit=50")).toHaveLength(2);
  }, 300_000);

  it("retry of a request the arr never got: Jellyseerr sends it again, and it ends available", async () => {
    h.stack.runScenario("fault-arr-down");
    await h.runFor(2 * HOUR, MINUTE);
    const title = titleOf(h.stack, "fault-arr-down");
    const before = await h.detailOf(title);
    expect(before.state).toBe("timeout");
    const outcome = await h.admin().admin.retry({ id: before.id });
    expect(outcome).toMatchObject({ ok: true, stage: "search", state: "approved", stuckReason: null });
    expect(outcome.steps).toEqual([
      { service: "Radarr", ok: true, message: `Radarr does not have "${title}"` },
      { service: "Jellyseerr", ok: true, message: expect.stringMatching(/^Request #\d+ sent to Radarr again \(Jellyseerr reports it approved\)$/) },
    ]);
    await h.runFor(45 * MINUTE, 30_000);
    const after = await h.detailOf(title);
    expect(after.state).toBe("available");
    expect(after.timeline.map((t) => t.details)).toContainEqual("Retried by admin: Jellyseerr sent the request to Radarr again");
  }, 300_000);

  it("library sync fills ids missing on a tracked request", async () => {
    const title = titleOf(h.stack, "fault-arr-down");
    const id = (await h.byTitle(title))[0].id;
    const { db } = h.server.app.container;
    const [full] = await db.select().from(requests).where(eq(requests.id, id));
    await db.update(requests).set({ radarrId: null, jellyfinItemId: null, jellyseerrMediaId: null }).where(eq(requests.id, id));

    h.server.app.container.actions.librarySync.start({ id: "local:admin", name: "admin" });
    await h.server.app.container.actions.idle();
    const status = await h.admin().admin.librarySync.status();
    expect(status).toMatchObject({ phase: "done", imported: 0, repaired: 1, errors: [] });
    const [repaired] = await db.select().from(requests).where(eq(requests.id, id));
    const seerrMedia = h.stack.world.seerr.mediaForKey(scenario("fault-arr-down").media.key)!;
    expect(full.radarrId).not.toBeNull();
    expect(full.jellyfinItemId).not.toBeNull();
    expect(repaired).toMatchObject({ radarrId: full.radarrId, jellyfinItemId: full.jellyfinItemId, jellyseerrMediaId: seerrMedia.id, state: "available" });
    // One repair per request, with every id it lacked.
    expect((await h.server.detail(id)).timeline.at(-1)?.details).toBe("Library sync by admin filled in the Jellyseerr media id, Radarr id and Jellyfin id");
    expect((await h.server.detail(id)).timeline.filter((t) => t.details?.startsWith("Library sync"))).toHaveLength(1);
  }, 120_000);
});
