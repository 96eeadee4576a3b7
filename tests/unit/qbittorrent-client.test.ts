import { createHash } from "node:crypto";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "@/server/clock";
import { ServiceError } from "@/server/clients/http";
import {
  applyMainData,
  classifyTorrent,
  compareVersions,
  downloadProblem,
  EMPTY_SYNC_STATE,
  fullUpdateFromList,
  QbittorrentClient,
  TorrentMap,
  type QbitMainData,
  type QbitSyncState,
  type TorrentStatus,
} from "@/server/clients/qbittorrent";
import { parseMainData, qbitMainDataSchema, qbitMainDataWireSchema, qbitTorrentFilesSchema, qbitTorrentListSchema } from "@/server/clients/qbittorrent/schemas";
import { startSimStack, type QbitVersion, type SimStack } from "@/sim";
import { movieRelease, seasonPackRelease } from "@/sim/model/releases";
import { loadReference } from "../helpers/fixtures";

/*
 * The qBittorrent client against the simulated WebAPI over real HTTP (login, the session cookie,
 * re-login after expiry, wrong credentials, the ban, 4.x and 5.x names), and the pure maindata
 * merger and state classifier as tables.
 */

const START = Date.UTC(2026, 10, 20, 12, 0, 0);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
let stack: SimStack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(qbitVersion: QbitVersion = "4.5", extra: { qbitBanMs?: number; qbitSessionTimeoutMs?: number } = {}) {
  stack = await startSimStack({ clock: new ManualClock(START, 0), tracker: null, qbitVersion, ...extra });
  return stack;
}

function clientFor(s: SimStack, password = s.credentials.qbittorrent.password): QbittorrentClient {
  return new QbittorrentClient({
    baseUrl: s.urls.qbittorrent,
    username: s.credentials.qbittorrent.username,
    password,
    retryDelay: async () => undefined,
    now: () => s.world.clock.now(),
  });
}

/** A season pack of Harrow Fen S01 (8 episodes + .nfo) and a film, added straight to qBittorrent. */
function addTorrents(s: SimStack, opts: { paused?: boolean } = {}) {
  const { world } = s;
  const series = world.catalogue.series("harrow-fen");
  const pack = seasonPackRelease(series, { group: "NTb", quality: "WEBDL-1080p", nfo: true, speed: 50 * 1024 ** 2 }, 1, series.seasons[0].episodes);
  const film = movieRelease(world.catalogue.movie("lantern-keeper"), { group: "FLUX", quality: "WEBDL-1080p", speed: 40 * 1024 ** 2 });
  const packTorrent = world.qbit.add(pack, "tv-sonarr", "/downloads", world.now());
  const filmTorrent = world.qbit.add(film, "radarr", "/downloads", world.now());
  if (opts.paused) for (const t of [packTorrent, filmTorrent]) world.qbit.pause(t, world.now());
  return { pack: packTorrent.hash, film: filmTorrent.hash };
}

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  return err as ServiceError;
}

describe("QbittorrentClient: auth", () => {
  it("logs in with a form POST, keeps the SID cookie and sends it on every call", async () => {
    const s = await start("4.5");
    const client = clientFor(s);
    expect(await client.version()).toBe("v4.5.2");
    expect(await client.webapiVersion()).toBe("2.8.19");
    expect(await client.torrents()).toEqual([]);
    expect(client.traffic.logins).toBe(1);
    expect(client.traffic.requests).toBe(4); // login + three calls
    expect(client.traffic.bytes).toBeGreaterThan(0);
  });

  it("logs in again once when the session expired (403) and repeats the call", async () => {
    const s = await start("4.5", { qbitSessionTimeoutMs: 60_000 });
    const client = clientFor(s);
    expect(await client.version()).toBe("v4.5.2");
    await s.advance(61_000);
    expect(await client.version()).toBe("v4.5.2");
    expect(client.traffic.logins).toBe(2);
    // Still fresh: no further login.
    await s.advance(30_000);
    await client.version();
    expect(client.traffic.logins).toBe(2);
  });

  it("concurrent calls that all meet an expired session log in once", async () => {
    const s = await start("4.5", { qbitSessionTimeoutMs: 60_000 });
    const client = clientFor(s);
    await client.version();
    await s.advance(61_000);
    const answers = await Promise.all([client.version(), client.torrents(), client.maindata(0)]);
    expect(answers[0]).toBe("v4.5.2");
    expect(client.traffic.logins).toBe(2);
  });

  it("wrong credentials (200 Fails.) are an auth error, and are not retried at poll speed", async () => {
    const s = await start("4.5");
    const client = clientFor(s, "not-the-password");
    const err = await failure(client.version());
    expect(err.kind).toBe("auth");
    expect(err.message).toBe("qBittorrent rejected the username or password");
    expect(err.message).not.toContain("not-the-password");

    const requestsBefore = client.traffic.requests;
    const again = await failure(client.torrents());
    expect(again.kind).toBe("auth");
    expect(again.message).toMatch(/next login attempt in 1 min/);
    expect(client.traffic.requests).toBe(requestsBefore); // qBittorrent was not asked

    await s.advance(61_000);
    expect((await failure(client.version())).message).toBe("qBittorrent rejected the username or password");
    // The pause grows: 10 minutes after the second rejection.
    expect((await failure(client.version())).message).toMatch(/next login attempt in 10 min/);
  });

  it("5.2: 401 for wrong credentials, an empty 200 and a QBT_SID_<port> cookie otherwise", async () => {
    const s = await start("5.2");
    const wrong = await failure(clientFor(s, "nope").version());
    expect(wrong.kind).toBe("auth");
    expect(wrong.status).toBe(401);
    expect(wrong.message).toMatch(/wrong username or password/);

    const client = clientFor(s);
    expect(await client.version()).toBe("v5.2.3");
    expect((await client.maindata(0)).full_update).toBe(true);
    expect(client.traffic.logins).toBe(1);
  });

  it("a ban (403 on login after five failures) is reported as a ban, even with the right password", async () => {
    const s = await start("4.5", { qbitBanMs: 10 * MINUTE });
    const wrong = clientFor(s, "guess");
    for (let i = 0; i < 5; i++) {
      const err = await failure(wrong.login());
      expect(err.message).toBe("qBittorrent rejected the username or password");
    }
    const right = clientFor(s);
    const banned = await failure(right.version());
    expect(banned.kind).toBe("auth");
    expect(banned.status).toBe(403);
    expect(banned.message).toMatch(/^qBittorrent has banned this address after too many failed logins/);
    // The client waits before asking again...
    expect((await failure(right.version())).message).toMatch(/banned.*next login attempt in 5 min/);
    // ...and gets in once the ban is over.
    await s.advance(10 * MINUTE + SECOND);
    expect(await right.version()).toBe("v4.5.2");
  });

  it("without configured credentials a 403 is an auth error (there is nothing to log in with)", async () => {
    const s = await start("4.5");
    const anonymous = new QbittorrentClient({ baseUrl: s.urls.qbittorrent, retryDelay: async () => undefined });
    const err = await failure(anonymous.version());
    expect(err.kind).toBe("auth");
    expect(err.status).toBe(403);
  });
});

describe("QbittorrentClient: transport", () => {
  it("a service that is down is unreachable; one that does not answer times out", async () => {
    const s = await start("4.5");
    const client = clientFor(s);
    await client.version();
    await s.setDown("qbittorrent", true);
    const down = await failure(client.version());
    expect(down.kind).toBe("unreachable");
    expect(down.message).toMatch(/^qBittorrent is unreachable at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
    await s.setDown("qbittorrent", false);
    expect(await client.version()).toBe("v4.5.2");

    // A socket that accepts and never answers.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    const port = (silent.address() as net.AddressInfo).port;
    const stuck = new QbittorrentClient({ baseUrl: `http://127.0.0.1:${port}`, username: "u", password: "p", timeoutMs: 50, retries: 0 });
    const timeout = await failure(stuck.version());
    expect(timeout.kind).toBe("timeout");
    stuck.close();
    silent.close();
    client.close();
  });
});

describe("QbittorrentClient: torrents, files, maindata, actions", () => {
  it("reads torrents/info (hash filter, lower-case hashes), per-file progress and 404 for an unknown hash", async () => {
    const s = await start("4.5");
    const { pack, film } = addTorrents(s);
    const client = clientFor(s);
    await s.advance(20 * SECOND);

    const all = await client.torrents();
    expect(all.map((t) => t.hash).sort()).toEqual([pack, film].sort());
    const [one] = await client.torrents({ hashes: [pack.toUpperCase()] });
    expect(one.hash).toBe(pack);
    expect(one.state).toBe("downloading");
    expect(one.progress).toBeGreaterThan(0);
    expect(one.progress).toBeLessThan(1);

    const files = await client.files(pack.toUpperCase());
    expect(files).toHaveLength(9); // .nfo + 8 episodes
    const episodes = files.filter((f) => f.name.endsWith(".mkv"));
    expect(new Set(episodes.map((f) => f.progress)).size).toBeGreaterThan(1); // they progress unevenly

    const missing = await failure(client.files("0".repeat(40)));
    expect(missing.kind).toBe("not_found");
  });

  it("sync/maindata: a full snapshot first, then only changes; merged it equals torrents/info", async () => {
    const s = await start("4.5");
    const { pack, film } = addTorrents(s);
    const client = clientFor(s);
    await s.advance(5 * SECOND);

    const first = await client.maindata(0);
    expect(first.full_update).toBe(true);
    let state = applyMainData(EMPTY_SYNC_STATE, first).state;
    expect(state.torrents.size).toBe(2);
    expect(state.complete).toBe(true);

    // Nothing happened in between: only a new rid (the clock did not move).
    const idle = await client.maindata(state.rid);
    expect(idle.torrents).toBeUndefined();
    const idleMerge = applyMainData(state, idle);
    expect(idleMerge.state.torrents).toBe(state.torrents);
    state = idleMerge.state;

    await s.advance(10 * SECOND);
    const delta = await client.maindata(state.rid);
    expect(delta.full_update).toBeUndefined();
    expect(Object.keys(delta.torrents ?? {}).sort()).toEqual([pack, film].sort());
    expect(delta.torrents?.[pack]?.name).toBeUndefined(); // unchanged fields are left out
    state = applyMainData(state, delta).state;

    const info = await client.torrents();
    for (const t of info) {
      const merged = state.torrents.get(t.hash);
      expect(merged).toMatchObject({ state: t.state, progress: t.progress, amount_left: t.amount_left, name: t.name });
    }

    await client.delete([film], false);
    const afterDelete = applyMainData(state, await client.maindata(state.rid));
    expect(afterDelete.removed).toEqual([film]);
    expect([...afterDelete.state.torrents.keys()]).toEqual([pack]);
  });

  it("4.5: pausedDL, pause/resume; 5.x: stoppedDL, stop/start", async () => {
    for (const [version, stopped] of [
      ["4.5", "pausedDL"],
      ["5.x", "stoppedDL"],
    ] as const) {
      const s = await start(version);
      const { pack } = addTorrents(s, { paused: true });
      const client = clientFor(s);
      const [paused] = await client.torrents({ hashes: [pack] });
      expect(paused.state).toBe(stopped);
      expect(classifyTorrent(paused)).toBe("paused");

      await client.resume([pack]);
      await s.advance(10 * SECOND);
      const [running] = await client.torrents({ hashes: [pack] });
      expect(running.state).toBe("downloading");

      await client.pause([pack]);
      const [again] = await client.torrents({ hashes: [pack] });
      expect(again.state).toBe(stopped);
      await client.recheck([pack]);
      await client.reannounce([pack]);
      await s.stop();
      stack = undefined;
    }
  });
});

describe("reference payloads parse", () => {
  it("torrents/info, torrents/files and both maindata shapes from a real 4.5.2", () => {
    const info = qbitTorrentListSchema.parse(loadReference("qbit-torrents-info"));
    expect(info.map((t) => classifyTorrent(t))).toEqual(["downloading", "complete", "metadata"]);
    expect(qbitTorrentFilesSchema.parse(loadReference("qbit-torrent-files")).length).toBeGreaterThan(0);
    const full = qbitMainDataSchema.parse(loadReference("qbit-sync-maindata-full"));
    const delta = qbitMainDataSchema.parse(loadReference("qbit-sync-maindata-delta"));
    // The client's path (wire schema, then the known fields) agrees with the plain schema.
    const viaWire = parseMainData(qbitMainDataWireSchema.parse(loadReference("qbit-sync-maindata-full")));
    expect(viaWire.success && viaWire.data.torrents).toEqual(full.torrents);
    const first = applyMainData(EMPTY_SYNC_STATE, full);
    const second = applyMainData(first.state, delta);
    expect(second.removed).toEqual(delta.torrents_removed);
    const pack = second.state.torrents.get("8c6f2e9b7d41a3f05e2b9c7d1a4f6e3b2c9d8a71");
    expect(pack?.progress).toBe(0.41508185);
    expect(pack?.name).toBe(first.state.torrents.get("8c6f2e9b7d41a3f05e2b9c7d1a4f6e3b2c9d8a71")?.name);
  });
});

describe("parseMainData", () => {
  const h = "a".repeat(40);
  it("keeps the fields the tracker reads and leaves out patches with none of them", () => {
    const wire = qbitMainDataWireSchema.parse({
      rid: 9,
      torrents: { [h]: { progress: 0.5, time_active: 12, magnet_uri: "magnet:?" }, ["b".repeat(40)]: { time_active: 13, seeding_time: 4 } },
      trackers: { "http://t/announce": [h] },
    });
    const parsed = parseMainData(wire);
    expect(parsed.success && parsed.data).toEqual({ rid: 9, torrents: { [h]: { progress: 0.5 } } });
  });

  it("says where a torrent field has the wrong type", () => {
    const parsed = parseMainData(qbitMainDataWireSchema.parse({ rid: 9, torrents: { [h]: { progress: "half" } } }));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].path).toEqual(["torrents", h, "progress"]);
  });

  it("the wire schema refuses torrents that are not objects", () => {
    expect(qbitMainDataWireSchema.safeParse({ rid: 1, torrents: { [h]: 3 } }).success).toBe(false);
    expect(qbitMainDataWireSchema.safeParse({ rid: "1" }).success).toBe(false);
  });
});

describe("applyMainData", () => {
  const h1 = "a".repeat(40);
  const h2 = "b".repeat(40);
  const base = (): QbitSyncState =>
    applyMainData(EMPTY_SYNC_STATE, {
      rid: 1,
      full_update: true,
      torrents: { [h1]: { name: "one", state: "downloading", progress: 0.1 }, [h2]: { name: "two", state: "stalledUP", progress: 1 } },
      server_state: { dl_info_speed: 100, free_space_on_disk: 5 },
    }).state;

  const cases: { name: string; delta: QbitMainData; expect: (r: ReturnType<typeof applyMainData>, before: QbitSyncState) => void }[] = [
    {
      name: "nothing changed: same map, new rid",
      delta: { rid: 2 },
      expect: (r, before) => {
        expect(r.state.torrents).toBe(before.torrents);
        expect(r.state.rid).toBe(2);
        expect(r.changed).toEqual([]);
      },
    },
    {
      name: "a partial object merges into the torrent",
      delta: { rid: 2, torrents: { [h1]: { progress: 0.5 } } },
      expect: (r) => {
        expect(r.state.torrents.get(h1)).toEqual({ hash: h1, name: "one", state: "downloading", progress: 0.5 });
        expect(r.changed).toEqual([h1]);
      },
    },
    {
      name: "a new torrent is added with its hash",
      delta: { rid: 2, torrents: { ["C".repeat(40)]: { name: "three", state: "metaDL" } } },
      expect: (r) => {
        expect(r.state.torrents.get("c".repeat(40))).toEqual({ hash: "c".repeat(40), name: "three", state: "metaDL" });
        expect(r.state.torrents.size).toBe(3);
      },
    },
    {
      name: "torrents_removed deletes",
      delta: { rid: 2, torrents_removed: [h2.toUpperCase()] },
      expect: (r) => {
        expect([...r.state.torrents.keys()]).toEqual([h1]);
        expect(r.removed).toEqual([h2]);
      },
    },
    {
      name: "full_update replaces everything (a new session)",
      delta: { rid: 1, full_update: true, torrents: { [h2]: { name: "two", state: "pausedUP", progress: 1 } }, server_state: { dl_info_speed: 0 } },
      expect: (r) => {
        expect([...r.state.torrents.keys()]).toEqual([h2]);
        expect(r.state.torrents.get(h2)?.state).toBe("pausedUP");
        expect(r.removed).toEqual([h1]);
        expect(r.state.serverState).toEqual({ dl_info_speed: 0 });
        expect(r.fullUpdate).toBe(true);
      },
    },
    {
      name: "server_state merges field by field",
      delta: { rid: 2, server_state: { dl_info_speed: 7 } },
      expect: (r) => expect(r.state.serverState).toEqual({ dl_info_speed: 7, free_space_on_disk: 5 }),
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const before = base();
      const frozen = JSON.stringify([...before.torrents.entries()]);
      c.expect(applyMainData(before, c.delta), before);
      // Pure: the state passed in is untouched.
      expect(JSON.stringify([...before.torrents.entries()])).toBe(frozen);
    });
  }

  it("fullUpdateFromList turns torrents/info into a full snapshot", () => {
    const merged = applyMainData(base(), fullUpdateFromList([{ hash: h1, state: "uploading", progress: 1 }]));
    expect([...merged.state.torrents.values()]).toEqual([{ hash: h1, state: "uploading", progress: 1 }]);
  });
});

describe("TorrentMap", () => {
  const id = (n: number) => createHash("sha1").update(String(n)).digest("hex");
  it("is persistent: with() leaves the map it came from as it was", () => {
    const a = TorrentMap.from(Array.from({ length: 2000 }, (_, i) => [id(i), { hash: id(i), progress: 0 }] as const));
    const b = a.with([[id(3), { hash: id(3), progress: 0.5 }], [id(5000), { hash: id(5000), progress: 0 }]], [id(7), "not-there"]);
    expect(a.size).toBe(2000);
    expect(a.get(id(3))?.progress).toBe(0);
    expect(a.has(id(7))).toBe(true);
    expect(a.has(id(5000))).toBe(false);
    expect(b.size).toBe(2000);
    expect(b.get(id(3))?.progress).toBe(0.5);
    expect(b.has(id(7))).toBe(false);
    expect(b.get(id(5000))).toEqual({ hash: id(5000), progress: 0 });
    expect(new Set(b.keys()).size).toBe(2000);
    expect([...b.values()].length).toBe(2000);
    let n = 0;
    b.forEach(() => n++);
    expect(n).toBe(2000);
  });

  it("takes ids that are not hex too", () => {
    const m = TorrentMap.EMPTY.with([["x", { hash: "x" }], ["ab", { hash: "ab" }]], []);
    expect([m.get("x")?.hash, m.get("ab")?.hash, m.size]).toEqual(["x", "ab", 2]);
    expect(m.with([], ["x"]).size).toBe(1);
  });
});

describe("classifyTorrent and downloadProblem", () => {
  const table: [state: string, progress: number, status: TorrentStatus][] = [
    ["downloading", 0.4, "downloading"],
    ["forcedDL", 0.4, "downloading"],
    ["stalledDL", 0.4, "stalled"],
    ["metaDL", 0, "metadata"],
    ["forcedMetaDL", 0, "metadata"],
    ["pausedDL", 0.2, "paused"],
    ["stoppedDL", 0.2, "paused"],
    ["queuedDL", 0, "queued"],
    ["checkingDL", 0.3, "checking"],
    ["checkingResumeData", 0, "checking"],
    ["moving", 0.9, "checking"],
    ["error", 0.3, "error"],
    ["missingFiles", 0.3, "error"],
    ["uploading", 1, "complete"],
    ["stalledUP", 1, "complete"],
    ["pausedUP", 1, "complete"],
    ["stoppedUP", 1, "complete"],
    ["queuedUP", 1, "complete"],
    ["forcedUP", 1, "complete"],
    ["checkingUP", 1, "complete"],
    // progress 1 decides, whatever the state says
    ["checkingResumeData", 1, "complete"],
    ["pausedDL", 1, "complete"],
    ["unknown", 0.1, "downloading"],
  ];
  for (const [state, progress, status] of table) {
    it(`${state} at ${progress} -> ${status}`, () => expect(classifyTorrent({ state, progress })).toBe(status));
  }

  const T = START;
  const problems: [status: TorrentStatus, torrent: { state?: string; num_seeds?: number }, forMs: number, problem: string | undefined][] = [
    ["stalled", { state: "stalledDL", num_seeds: 0 }, 30 * SECOND, undefined],
    ["stalled", { state: "stalledDL", num_seeds: 0 }, 2 * MINUTE, "Download stalled: no seeds available"],
    ["stalled", { state: "stalledDL", num_seeds: 2 }, 30 * MINUTE, undefined],
    ["metadata", { state: "metaDL" }, MINUTE, undefined],
    ["metadata", { state: "metaDL" }, 5 * MINUTE, "Download stalled: fetching metadata"],
    ["paused", { state: "stoppedDL" }, 0, "Download paused in qBittorrent"],
    ["error", { state: "missingFiles" }, 0, "Download files are missing: qBittorrent cannot find them on disk"],
    ["error", { state: "error" }, 0, "Download error in qBittorrent: check its log and the disk it saves to"],
    ["downloading", { state: "downloading", num_seeds: 0 }, 60 * MINUTE, undefined],
    ["queued", { state: "queuedDL" }, 60 * MINUTE, undefined],
    ["complete", { state: "stalledUP" }, 60 * MINUTE, undefined],
  ];
  for (const [status, torrent, forMs, problem] of problems) {
    it(`${torrent.state} for ${forMs / 1000} s -> ${problem ?? "no problem"}`, () => {
      const p = downloadProblem(status, torrent, T, T + forMs);
      expect(p).toBe(problem);
      if (p) expect(p.startsWith("Download ")).toBe(true);
    });
  }

  it("compares WebAPI versions numerically", () => {
    expect(compareVersions("2.8.19", "2.11.0")).toBeLessThan(0);
    expect(compareVersions("2.11.4", "2.11.0")).toBeGreaterThan(0);
    expect(compareVersions("2.11.0", "2.11")).toBe(0);
  });
});
