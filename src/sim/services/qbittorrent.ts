import { randomBytes } from "node:crypto";
import { empty, json, Router, text, type SimRequest, type SimResponse } from "../http";
import { TRACKER_URL, type QbitModel, type Torrent, type TorrentState } from "../model/qbittorrent";
import type { QbitVersion } from "../model/types";
import { unixSeconds } from "../util";
import type { World } from "../world";

/*
 * qBittorrent WebAPI v2 (4.5.2 by default; 5.x and 5.2 behaviours on request). Everything but
 * auth/login needs a session cookie, else 403 "Forbidden". Login answers 200 "Ok."/"Fails." (5.2:
 * 200 empty / 401), bans an IP after 5 failures, and sessions expire after an idle timeout.
 * sync/maindata keeps a bounded history of snapshots per session so any recent rid gets a delta.
 */

export interface QbitServiceOptions {
  username: string;
  password: string;
  /** WebUI\SessionTimeout (real default 3600 s). */
  sessionTimeoutMs?: number;
  /** WebUI\MaxAuthenticationFailCount (default 5). */
  maxAuthFails?: number;
  /** WebUI\BanDuration (default 3600 s). */
  banMs?: number;
  /** How many sync/maindata snapshots a session keeps. */
  syncHistory?: number;
}

interface SyncSnapshot {
  torrents: Record<string, Record<string, unknown>>;
  categories: Record<string, { name: string; savePath: string }>;
  tags: string[];
  trackers: Record<string, string[]>;
  serverState: Record<string, unknown>;
}

interface Session {
  sid: string;
  lastSeen: number;
  rid: number;
  snapshots: Map<number, SyncSnapshot>;
}

const VERSIONS: Record<QbitVersion, { app: string; webapi: string }> = {
  "4.5": { app: "v4.5.2", webapi: "2.8.19" },
  "5.x": { app: "v5.1.4", webapi: "2.11.4" },
  "5.2": { app: "v5.2.3", webapi: "2.15.1" },
};

const BANNED = "Your IP address has been banned after too many failed authentication attempts.";

export class QbittorrentService {
  private readonly router = new Router(false);
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, { count: number; bannedUntil?: number }>();
  private readonly opts: Required<QbitServiceOptions>;

  constructor(
    private readonly world: World,
    options: QbitServiceOptions,
    private readonly port: () => number,
  ) {
    this.opts = { sessionTimeoutMs: 3_600_000, maxAuthFails: 5, banMs: 3_600_000, syncHistory: 16, ...options };
    const r = this.router;
    const read = ["GET", "POST"];
    r.on("POST", "/api/v2/auth/login", (req) => this.login(req));
    r.on("POST", "/api/v2/auth/logout", (req) => this.withSession(req, (s) => this.logout(s)));
    r.on(read, "/api/v2/app/version", (req) => this.withSession(req, () => text(200, VERSIONS[this.version].app)));
    r.on(read, "/api/v2/app/webapiVersion", (req) => this.withSession(req, () => text(200, VERSIONS[this.version].webapi)));
    r.on(read, "/api/v2/app/buildInfo", (req) =>
      this.withSession(req, () => json(200, { bitness: 64, boost: "1.74.0", libtorrent: this.version === "4.5" ? "2.0.8.0" : "2.0.10.0", openssl: "3.0.15", qt: this.version === "4.5" ? "5.15.8" : "6.7.2", zlib: "1.2.13" })),
    );
    r.on(read, "/api/v2/transfer/info", (req) => this.withSession(req, () => json(200, this.transferInfo())));
    r.on(read, "/api/v2/torrents/info", (req) => this.withSession(req, () => this.torrentsInfo(req)));
    r.on(read, "/api/v2/torrents/files", (req) => this.withSession(req, () => this.files(req)));
    r.on(read, "/api/v2/torrents/properties", (req) => this.withSession(req, () => this.properties(req)));
    r.on(read, "/api/v2/torrents/categories", (req) => this.withSession(req, () => json(200, this.categories())));
    r.on(read, "/api/v2/sync/maindata", (req) => this.withSession(req, (s) => this.maindata(req, s)));
    r.on("POST", "/api/v2/torrents/delete", (req) => this.withSession(req, () => this.deleteTorrents(req)));
    // A recheck of complete data is over within one refresh (checkingUP is never seen); a reannounce changes nothing visible.
    r.on("POST", "/api/v2/torrents/recheck", (req) => this.withSession(req, () => this.acceptHashes(req)));
    r.on("POST", "/api/v2/torrents/reannounce", (req) => this.withSession(req, () => this.acceptHashes(req)));
    // 5.0 renamed pause/resume to stop/start; the old names are gone.
    const [pauseName, resumeName] = this.version === "4.5" ? ["pause", "resume"] : ["stop", "start"];
    r.on("POST", `/api/v2/torrents/${pauseName}`, (req) => this.withSession(req, () => this.pauseResume(req, true)));
    r.on("POST", `/api/v2/torrents/${resumeName}`, (req) => this.withSession(req, () => this.pauseResume(req, false)));
  }

  private get version(): QbitVersion {
    return this.world.qbit.version;
  }

  private get qbit(): QbitModel {
    return this.world.qbit;
  }

  /** 5.2 names the cookie after the WebUI port. */
  private get cookieName(): string {
    return this.version === "5.2" ? `QBT_SID_${this.port()}` : "SID";
  }

  async handle(req: SimRequest): Promise<SimResponse> {
    const rejected = this.checkOrigin(req);
    if (rejected) return rejected;
    const match = this.router.match(req.method, req.path);
    if (match.kind === "found") return match.handler(req, match.params);
    // Every non-public call is refused without a session, even an unknown one.
    if (!this.session(req)) return text(403, "Forbidden");
    return match.kind === "method-not-allowed" ? text(405, "Method Not Allowed") : text(404, "Not Found");
  }

  // ------------------------------------------------------------ auth

  /** Host-header port and CSRF (Origin/Referer) checks: a mismatch is 401 Unauthorized. */
  private checkOrigin(req: SimRequest): SimResponse | undefined {
    const hostPort = /:(\d+)$/.exec(req.host)?.[1];
    if (hostPort && Number(hostPort) !== this.port()) return text(401, "Unauthorized");
    const origin = req.header("origin") ?? req.header("referer");
    if (origin) {
      try {
        if (new URL(origin).host !== req.host) return text(401, "Unauthorized");
      } catch {
        return text(401, "Unauthorized");
      }
    }
    return undefined;
  }

  private session(req: SimRequest): Session | undefined {
    const cookies = req.header("cookie") ?? "";
    const sid = cookies
      .split(";")
      .map((c) => c.trim().split("="))
      .find(([name]) => name === this.cookieName)?.[1];
    if (!sid) return undefined;
    const session = this.sessions.get(sid);
    if (!session) return undefined;
    const now = this.world.now();
    if (now - session.lastSeen > this.opts.sessionTimeoutMs) {
      this.sessions.delete(sid);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  private withSession(req: SimRequest, handler: (session: Session) => SimResponse): SimResponse {
    const session = this.session(req);
    return session ? handler(session) : text(403, "Forbidden");
  }

  private login(req: SimRequest): SimResponse {
    const modern = this.version === "5.2";
    const ok = () => (modern ? empty(200) : text(200, "Ok."));
    // An existing session short-circuits everything, even wrong credentials or a ban.
    if (this.session(req)) return ok();
    const ip = req.remoteAddress;
    const now = this.world.now();
    const record = this.failures.get(ip);
    if (record?.bannedUntil !== undefined) {
      if (now < record.bannedUntil) return text(403, BANNED);
      this.failures.delete(ip);
    }
    const form = new URLSearchParams(req.body);
    if (form.get("username") === this.opts.username && form.get("password") === this.opts.password) {
      this.failures.delete(ip);
      const sid = randomBytes(24).toString("base64").replace(/[+/=]/g, "").slice(0, 32);
      this.sessions.set(sid, { sid, lastSeen: now, rid: 0, snapshots: new Map() });
      const response = ok();
      response.headers = { ...response.headers, "set-cookie": `${this.cookieName}=${sid}; HttpOnly; path=/; SameSite=Strict` };
      return response;
    }
    const failed = this.failures.get(ip) ?? { count: 0 };
    failed.count++;
    if (this.opts.maxAuthFails > 0 && failed.count >= this.opts.maxAuthFails) failed.bannedUntil = now + this.opts.banMs;
    this.failures.set(ip, failed);
    return modern ? empty(401) : text(200, "Fails.");
  }

  private logout(session: Session): SimResponse {
    this.sessions.delete(session.sid);
    return empty(200, { "set-cookie": `${this.cookieName}=; expires=${new Date(this.world.now() - 86_400_000).toUTCString()}; path=/` });
  }

  // ------------------------------------------------------------ torrents

  private noTime(): number {
    return this.version === "4.5" ? 0 : -1;
  }

  /** One torrents/info object: the exact 4.5.2 key set, plus what 5.x added; keys alphabetical. */
  torrentInfo(torrent: Torrent, withHash = true): Record<string, unknown> {
    const qbit = this.qbit;
    const now = this.world.now();
    const meta = qbit.hasMetadata(torrent, now);
    const state = qbit.state(torrent, now);
    const downloaded = qbit.downloaded(torrent, now);
    const progress = qbit.progress(torrent, now);
    const complete = qbit.isComplete(torrent, now);
    const uploaded = qbit.uploaded(torrent, now);
    const dlspeed = qbit.dlspeed(torrent, now);
    const upspeed = qbit.upspeed(torrent, now);
    const stalled = torrent.stallAt !== undefined && now >= torrent.stallAt;
    const seedsConnected = state === "downloading" ? Math.min(torrent.seeds, 12) : 0;
    const stoppedState = state === "pausedDL" || state === "pausedUP" || state === "stoppedDL" || state === "stoppedUP";
    // A stopped torrent has no working tracker (real 4.5.2: "tracker":"" while paused).
    const tracker = meta && now >= torrent.metadataAt + 500 && !stoppedState ? TRACKER_URL : "";
    const none = this.noTime();
    // A stopped torrent's clocks stop too (paused by hand, or by a seeding limit once complete).
    const stoppedAt = torrent.pausedAt ?? (complete ? torrent.seedingStopAt : undefined);
    const activeUntil = Math.min(now, stoppedAt ?? now);
    const lastActivity = state === "downloading" || state === "uploading" ? now : complete ? (torrent.completeAt as number) : stalled ? (torrent.stallAt as number) : torrent.addedAt;
    const info: Record<string, unknown> = {
      added_on: unixSeconds(torrent.addedAt),
      amount_left: meta ? torrent.totalSize - downloaded : 0,
      auto_tmm: false,
      availability: complete ? -1 : state === "downloading" ? Math.round((torrent.seeds + progress) * 1000) / 1000 : Math.round(progress * 1000) / 1000,
      category: torrent.category,
      completed: downloaded,
      completion_on: complete ? unixSeconds(torrent.completeAt as number) : none,
      content_path: qbit.contentPath(torrent, now),
      dl_limit: 0,
      dlspeed,
      download_path: "",
      downloaded,
      downloaded_session: downloaded,
      eta: qbit.eta(torrent, now),
      f_l_piece_prio: false,
      force_start: false,
      hash: torrent.hash,
      infohash_v1: torrent.hash,
      infohash_v2: "",
      last_activity: unixSeconds(lastActivity),
      magnet_uri: `magnet:?xt=urn:btih:${torrent.hash}&dn=${encodeURIComponent(torrent.name)}&tr=${encodeURIComponent(TRACKER_URL)}`,
      max_ratio: -1,
      max_seeding_time: -1,
      name: torrent.name,
      num_complete: stalled ? 0 : torrent.seeds,
      num_incomplete: torrent.leechs + 1,
      num_leechs: state === "uploading" ? torrent.leechs : 0,
      num_seeds: seedsConnected,
      priority: complete ? 0 : 1,
      progress,
      ratio: downloaded > 0 ? Math.round((uploaded / downloaded) * 10_000) / 10_000 : 0,
      ratio_limit: -2,
      save_path: torrent.savePath,
      seeding_time: complete ? Math.floor((activeUntil - (torrent.completeAt as number)) / 1000) : 0,
      seeding_time_limit: -2,
      seen_complete: torrent.seeds > 0 && torrent.startAt !== undefined ? unixSeconds(stalled ? (torrent.stallAt as number) : activeUntil) : none,
      seq_dl: false,
      size: meta ? torrent.totalSize : 0,
      state,
      super_seeding: false,
      tags: torrent.tags.join(", "),
      time_active: Math.floor((activeUntil - torrent.addedAt) / 1000),
      total_size: meta ? torrent.totalSize : -1,
      tracker,
      trackers_count: 1,
      up_limit: 0,
      uploaded,
      uploaded_session: uploaded,
      upspeed,
    };
    if (this.version !== "4.5") {
      Object.assign(info, {
        comment: "",
        has_metadata: meta,
        inactive_seeding_time_limit: -2,
        max_inactive_seeding_time: -1,
        popularity: 0,
        private: false,
        reannounce: 1_500,
        root_path: torrent.singleFile || !meta ? "" : qbit.contentPath(torrent, now),
      });
    }
    if (this.version === "5.2") {
      Object.assign(info, {
        connections_count: seedsConnected,
        connections_limit: 100,
        created_by: "mktorrent 1.1",
        creation_date: unixSeconds(torrent.addedAt - 3_600_000),
        piece_size: torrent.pieceSize,
        pieces_have: Math.floor(downloaded / torrent.pieceSize),
        pieces_num: Math.ceil(torrent.totalSize / torrent.pieceSize),
        share_limit_action: "Default",
        total_wasted: 0,
      });
    }
    if (!withHash) delete info.hash;
    return sortKeys(info);
  }

  private matchesFilter(torrent: Torrent, filter: string | undefined): boolean {
    const now = this.world.now();
    const state = this.qbit.state(torrent, now);
    const paused = state === "pausedDL" || state === "pausedUP" || state === "stoppedDL" || state === "stoppedUP";
    const downloadingStates: TorrentState[] = ["downloading", "metaDL", "stalledDL", "pausedDL", "stoppedDL"];
    const pausedName = this.version === "4.5" ? "paused" : "stopped";
    const resumedName = this.version === "4.5" ? "resumed" : "running";
    switch (filter) {
      case "downloading":
        return downloadingStates.includes(state);
      case "seeding":
        return state === "uploading" || state === "stalledUP";
      case "completed":
        return this.qbit.isComplete(torrent, now);
      case pausedName:
        return paused;
      case resumedName:
        return !paused;
      case "active":
        return this.qbit.dlspeed(torrent, now) > 0 || this.qbit.upspeed(torrent, now) > 0;
      case "inactive":
        return this.qbit.dlspeed(torrent, now) === 0 && this.qbit.upspeed(torrent, now) === 0;
      case "stalled":
        return state === "stalledDL" || state === "stalledUP";
      case "stalled_uploading":
        return state === "stalledUP";
      case "stalled_downloading":
        return state === "stalledDL";
      case "checking":
      case "moving":
      case "errored":
        return false;
      default:
        // Unknown filters (and the other version's paused/stopped names) mean "all".
        return true;
    }
  }

  private params(req: SimRequest): URLSearchParams {
    // Read endpoints take the query string or a form body.
    const params = new URLSearchParams(req.query);
    if (req.method === "POST") for (const [k, v] of new URLSearchParams(req.body)) if (!params.has(k)) params.set(k, v);
    return params;
  }

  private torrentsInfo(req: SimRequest): SimResponse {
    const p = this.params(req);
    let torrents = [...this.qbit.torrents.values()];
    const hashes = p.get("hashes");
    if (hashes) {
      const wanted = new Set(hashes.split("|").map((h) => h.trim().toLowerCase()));
      torrents = torrents.filter((t) => wanted.has(t.hash));
    }
    const category = p.get("category");
    if (category !== null) torrents = torrents.filter((t) => t.category === category);
    const tag = p.get("tag");
    if (tag !== null) torrents = torrents.filter((t) => (tag === "" ? t.tags.length === 0 : t.tags.includes(tag)));
    torrents = torrents.filter((t) => this.matchesFilter(t, p.get("filter") ?? undefined));
    let infos = torrents.map((t) => this.torrentInfo(t));
    const sort = p.get("sort");
    if (sort) {
      if (infos.length > 0 && !(sort in infos[0])) return empty(400);
      const sign = p.get("reverse") === "true" ? -1 : 1;
      infos = infos.sort((a, b) => (a[sort] as number) > (b[sort] as number) ? sign : (a[sort] as number) < (b[sort] as number) ? -sign : 0);
    }
    const offset = Number(p.get("offset") ?? 0) || 0;
    const limit = Number(p.get("limit") ?? 0) || 0;
    const start = offset < 0 ? Math.max(0, infos.length + offset) : offset;
    infos = infos.slice(start, limit > 0 ? start + limit : undefined);
    return json(200, infos);
  }

  private files(req: SimRequest): SimResponse {
    const hash = this.params(req).get("hash");
    const torrent = hash ? this.qbit.get(hash) : undefined;
    if (!torrent) return text(404, "Not Found");
    const now = this.world.now();
    if (!this.qbit.hasMetadata(torrent, now)) return json(200, []);
    const progress = this.qbit.fileProgress(torrent, now);
    const complete = this.qbit.isComplete(torrent, now);
    const state = this.qbit.state(torrent, now);
    const files = torrent.files.map((file, i) => {
      const first = Math.floor(file.offset / torrent.pieceSize);
      const last = Math.max(first, Math.ceil((file.offset + file.size) / torrent.pieceSize) - 1);
      const entry: Record<string, unknown> = {
        availability: complete ? -1 : state === "downloading" ? Math.round((torrent.seeds / 4 + 0.9) * 100) / 100 : progress[i] >= 1 ? -1 : 0,
        index: i,
        name: file.name,
        piece_range: [first, last],
        priority: 1,
        progress: progress[i],
        size: file.size,
      };
      // Only the first file carries is_seed.
      if (i === 0) entry.is_seed = complete;
      return sortKeys(entry);
    });
    return json(200, files);
  }

  private properties(req: SimRequest): SimResponse {
    const hash = this.params(req).get("hash");
    const torrent = hash ? this.qbit.get(hash) : undefined;
    if (!torrent) return text(404, "Not Found");
    const info = this.torrentInfo(torrent);
    const now = this.world.now();
    const elapsed = Math.max(1, (now - torrent.addedAt) / 1000);
    return json(200, {
      addition_date: info.added_on,
      comment: "",
      completion_date: info.completion_on,
      created_by: "mktorrent 1.1",
      creation_date: unixSeconds(torrent.addedAt - 3_600_000),
      dl_limit: -1,
      dl_speed: info.dlspeed,
      dl_speed_avg: Math.round((info.downloaded as number) / elapsed),
      eta: info.eta,
      last_seen: info.seen_complete,
      nb_connections: info.num_seeds,
      nb_connections_limit: 100,
      peers: info.num_leechs,
      peers_total: info.num_incomplete,
      piece_size: this.qbit.hasMetadata(torrent, now) ? torrent.pieceSize : -1,
      pieces_have: Math.floor((info.downloaded as number) / torrent.pieceSize),
      pieces_num: this.qbit.hasMetadata(torrent, now) ? Math.ceil(torrent.totalSize / torrent.pieceSize) : -1,
      reannounce: 1_500,
      save_path: torrent.savePath,
      seeding_time: info.seeding_time,
      seeds: info.num_seeds,
      seeds_total: info.num_complete,
      share_ratio: info.ratio,
      time_elapsed: info.time_active,
      total_downloaded: info.downloaded,
      total_downloaded_session: info.downloaded_session,
      total_size: info.total_size,
      total_uploaded: info.uploaded,
      total_uploaded_session: info.uploaded_session,
      total_wasted: 0,
      up_limit: -1,
      up_speed: info.upspeed,
      up_speed_avg: Math.round((info.uploaded as number) / elapsed),
    });
  }

  private categories(): Record<string, { name: string; savePath: string }> {
    const out: Record<string, { name: string; savePath: string }> = {};
    for (const [name, savePath] of this.qbit.categories) out[name] = { name, savePath };
    return out;
  }

  private deleteTorrents(req: SimRequest): SimResponse {
    const form = new URLSearchParams(req.body);
    const hashes = form.get("hashes");
    if (!hashes) return empty(400);
    for (const torrent of this.selectedByList(hashes)) this.qbit.delete(torrent.hash);
    return empty(200);
  }

  private acceptHashes(req: SimRequest): SimResponse {
    return new URLSearchParams(req.body).get("hashes") ? empty(200) : empty(400);
  }

  private pauseResume(req: SimRequest, pause: boolean): SimResponse {
    const hashes = new URLSearchParams(req.body).get("hashes");
    if (!hashes) return empty(400);
    const now = this.world.now();
    for (const torrent of this.selectedByList(hashes)) {
      if (pause) this.qbit.pause(torrent, now);
      else this.qbit.resume(torrent, now);
    }
    return empty(200);
  }

  private selectedByList(hashes: string): Torrent[] {
    if (hashes === "all") return [...this.qbit.torrents.values()];
    const wanted = new Set(hashes.split("|").map((h) => h.trim().toLowerCase()));
    return [...this.qbit.torrents.values()].filter((t) => wanted.has(t.hash));
  }

  // ------------------------------------------------------------ transfer and sync

  private serverState(): Record<string, unknown> {
    const now = this.world.now();
    let dl = 0;
    let up = 0;
    let downloaded = 0;
    let peers = 0;
    for (const t of this.qbit.torrents.values()) {
      dl += this.qbit.dlspeed(t, now);
      up += this.qbit.upspeed(t, now);
      downloaded += this.qbit.downloaded(t, now);
      const state = this.qbit.state(t, now);
      if (state === "downloading") peers += Math.min(t.seeds, 12);
      if (state === "uploading") peers += t.leechs;
    }
    const uploaded = this.qbit.totalUploadedEver(now);
    return {
      alltime_dl: 913_452_331_120 + downloaded,
      alltime_ul: 402_233_114_456 + uploaded,
      average_time_queue: 0,
      connection_status: "connected",
      dht_nodes: 312,
      dl_info_data: downloaded,
      dl_info_speed: dl,
      dl_rate_limit: 0,
      free_space_on_disk: 2_123_456_789_012 - downloaded,
      global_ratio: downloaded > 0 ? (uploaded / downloaded).toFixed(2) : "-",
      queued_io_jobs: 0,
      queueing: false,
      read_cache_hits: "0",
      read_cache_overload: "0",
      refresh_interval: 1_500,
      total_buffers_size: 0,
      total_peer_connections: peers,
      total_queued_size: 0,
      total_wasted_session: 0,
      up_info_data: uploaded,
      up_info_speed: up,
      up_rate_limit: 0,
      use_alt_speed_limits: false,
      write_cache_overload: "0",
    };
  }

  private transferInfo(): Record<string, unknown> {
    const s = this.serverState();
    return {
      connection_status: s.connection_status,
      dht_nodes: s.dht_nodes,
      dl_info_data: s.dl_info_data,
      dl_info_speed: s.dl_info_speed,
      dl_rate_limit: 0,
      up_info_data: s.up_info_data,
      up_info_speed: s.up_info_speed,
      up_rate_limit: 0,
    };
  }

  private snapshot(): SyncSnapshot {
    const torrents: SyncSnapshot["torrents"] = {};
    const trackers: Record<string, string[]> = {};
    for (const torrent of this.qbit.torrents.values()) {
      const info = this.torrentInfo(torrent, false);
      torrents[torrent.hash] = info;
      if (info.tracker) (trackers[info.tracker as string] ??= []).push(torrent.hash);
    }
    const tags = [...new Set([...this.qbit.torrents.values()].flatMap((t) => t.tags))];
    return { torrents, categories: this.categories(), tags, trackers, serverState: this.serverState() };
  }

  /**
   * rid 0 or a rid this session no longer has -> full update; a known rid -> only what changed
   * since then (changed fields of changed torrents, torrents_removed, ...). Each reply has a new rid.
   */
  private maindata(req: SimRequest, session: Session): SimResponse {
    const rid = Number(this.params(req).get("rid") ?? 0) || 0;
    const current = this.snapshot();
    const previous = rid > 0 ? session.snapshots.get(rid) : undefined;
    session.rid = (session.rid % 1_000_000) + 1;
    session.snapshots.set(session.rid, current);
    while (session.snapshots.size > this.opts.syncHistory) {
      const oldest = session.snapshots.keys().next().value as number;
      session.snapshots.delete(oldest);
    }
    if (!previous) {
      return json(200, {
        categories: current.categories,
        full_update: true,
        rid: session.rid,
        server_state: current.serverState,
        tags: current.tags,
        torrents: current.torrents,
        trackers: current.trackers,
      });
    }
    const out: Record<string, unknown> = { rid: session.rid };
    const categories = changedEntries(previous.categories, current.categories);
    if (categories) out.categories = categories;
    const categoriesRemoved = Object.keys(previous.categories).filter((c) => !(c in current.categories));
    if (categoriesRemoved.length > 0) out.categories_removed = categoriesRemoved;
    const serverState = changedFields(previous.serverState, current.serverState);
    if (serverState) out.server_state = serverState;
    const tags = current.tags.filter((t) => !previous.tags.includes(t));
    if (tags.length > 0) out.tags = tags;
    const tagsRemoved = previous.tags.filter((t) => !current.tags.includes(t));
    if (tagsRemoved.length > 0) out.tags_removed = tagsRemoved;
    const torrents: Record<string, unknown> = {};
    for (const [hash, info] of Object.entries(current.torrents)) {
      const before = previous.torrents[hash];
      const delta = before ? changedFields(before, info) : info;
      if (delta) torrents[hash] = delta;
    }
    if (Object.keys(torrents).length > 0) out.torrents = torrents;
    const removed = Object.keys(previous.torrents).filter((h) => !(h in current.torrents));
    if (removed.length > 0) out.torrents_removed = removed;
    const trackers = changedEntries(previous.trackers, current.trackers);
    if (trackers) out.trackers = trackers;
    const trackersRemoved = Object.keys(previous.trackers).filter((t) => !(t in current.trackers));
    if (trackersRemoved.length > 0) out.trackers_removed = trackersRemoved;
    return json(200, out);
  }
}

function sortKeys(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function same(a: unknown, b: unknown): boolean {
  // Most fields are numbers and strings: compare those directly, stringify only structures.
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) if (!same(before[key], value)) out[key] = value;
  return Object.keys(out).length > 0 ? out : undefined;
}

function changedEntries<T>(before: Record<string, T>, after: Record<string, T>): Record<string, T> | undefined {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(after)) if (!same(before[key], value)) out[key] = value;
  return Object.keys(out).length > 0 ? out : undefined;
}

