import { HttpClient, ServiceError, type CallOptions, type CallResult, type FetchLike } from "../http";
import {
  parseMainData,
  qbitMainDataWireSchema,
  qbitTorrentFilesSchema,
  qbitTorrentListSchema,
  type QbitMainData,
  type QbitTorrentFile,
  type QbitTorrentInfo,
} from "./schemas";
import { nodeHttpFetch, type NodeHttpFetch } from "./transport";

/*
 * qBittorrent WebAPI v2 (4.5 to 5.2). Auth is a form-POST login that sets a session cookie (SID,
 * or QBT_SID_<port> on 5.2, so whatever Set-Cookie names is kept); every other call carries it.
 * A 403 means the session expired: log in again once and repeat the call. Wrong credentials are
 * "200 Fails." (up to 5.1) or 401 (5.2); after too many failures qBittorrent bans the address and
 * answers every login with 403, which is reported as such rather than retried.
 */

const SERVICE = "qBittorrent";

export interface QbittorrentClientOptions {
  baseUrl: string;
  username?: string;
  password?: string;
  /** Default: a keep-alive node:http transport (cheaper per call than the built-in fetch). */
  fetch?: FetchLike;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  /** Extra attempts for reads; default 2. */
  retries?: number;
  retryDelay?: (attempt: number) => Promise<void>;
  /** Time source for the pause after a rejected login; default Date.now. */
  now?: () => number;
}

/**
 * Pauses before logging in again by itself after the 1st, 2nd, 3rd... rejected login. qBittorrent
 * bans an address after 5 failures (for an hour by default), and the ban hits every client behind
 * it, so a wrong password must not be retried at poll speed.
 */
const REJECTED_LOGIN_PAUSES_MS = [60_000, 10 * 60_000, 60 * 60_000];
const BANNED_PAUSE_MS = 5 * 60_000;

/** What the client has received so far, for the poll benchmark and the admin page. */
export interface QbittorrentTraffic {
  requests: number;
  /** Bytes of answer bodies. */
  bytes: number;
  logins: number;
}

export class QbittorrentClient {
  private readonly http: HttpClient;
  private readonly username?: string;
  private readonly password?: string;
  /** Sent as Referer on login: qBittorrent's CSRF check wants the exact origin it serves. */
  private readonly origin: string;
  private cookie: string | null = null;
  /** Bumped on every login, so concurrent calls that all met a 403 log in only once. */
  private session = 0;
  private loggedIn = false;
  private loggingIn: Promise<void> | null = null;
  private webapi: Promise<string> | null = null;
  private readonly now: () => number;
  private rejectedLogins = 0;
  private loginBlocked: { until: number; error: ServiceError } | null = null;
  private readonly counters: QbittorrentTraffic = { requests: 0, bytes: 0, logins: 0 };
  private readonly ownTransport: NodeHttpFetch | null;

  constructor(opts: QbittorrentClientOptions) {
    this.ownTransport = opts.fetch ? null : nodeHttpFetch();
    this.http = new HttpClient({
      service: SERVICE,
      baseUrl: opts.baseUrl,
      fetch: opts.fetch ?? this.ownTransport ?? undefined,
      timeoutMs: opts.timeoutMs,
      retries: opts.retries,
      retryDelay: opts.retryDelay,
    });
    this.username = opts.username;
    this.password = opts.password;
    this.origin = new URL(this.http.baseUrl).origin;
    this.now = opts.now ?? Date.now;
  }

  get traffic(): Readonly<QbittorrentTraffic> {
    return this.counters;
  }

  /** Closes kept-alive connections (on shutdown). */
  close(): void {
    this.ownTransport?.close();
  }

  private get canLogin(): boolean {
    return this.username !== undefined && this.username !== "";
  }

  // ---------------------------------------------------------------- auth

  /** Logs in now (once, however many callers ask at the same time), even during a pause after a rejection. */
  login(): Promise<void> {
    this.loggingIn ??= this.doLogin().finally(() => {
      this.loggingIn = null;
    });
    return this.loggingIn;
  }

  private async doLogin(): Promise<void> {
    if (!this.canLogin) {
      throw new ServiceError(SERVICE, "auth", "qBittorrent asks for a login, but no username and password are configured");
    }
    const form = new URLSearchParams({ username: this.username ?? "", password: this.password ?? "" });
    let res: CallResult<string>;
    try {
      res = await this.http.call<string>({
        method: "POST",
        path: "/api/v2/auth/login",
        body: form,
        text: true,
        headers: { referer: this.origin },
      });
    } catch (err) {
      if (err instanceof ServiceError && err.status === 403) {
        const banned = new ServiceError(
          SERVICE,
          "auth",
          "qBittorrent has banned this address after too many failed logins; the ban lifts after WebUI\\BanDuration (1 hour by default) or when qBittorrent restarts. Check the username and password",
          403,
        );
        throw this.blockLogins(BANNED_PAUSE_MS, banned);
      }
      if (err instanceof ServiceError && err.status === 401) {
        const refused = new ServiceError(
          SERVICE,
          "auth",
          "qBittorrent refused the login (401): wrong username or password, or behind a proxy a Host or Origin that does not match qBittorrent's own port",
          401,
        );
        throw this.rejected(refused);
      }
      throw err;
    } finally {
      this.counters.logins++;
    }
    this.count(res);
    const answer = res.data.trim();
    if (answer === "Fails.") throw this.rejected(new ServiceError(SERVICE, "auth", "qBittorrent rejected the username or password", res.status));
    if (answer !== "Ok." && answer !== "") {
      throw new ServiceError(SERVICE, "invalid_response", `qBittorrent answered the login with something unexpected: ${answer.slice(0, 80)}`, res.status);
    }
    // 5.2 names the cookie after the port; take whatever it set.
    this.cookie = cookiesFrom(res.headers) ?? null;
    this.loggedIn = true;
    this.session++;
    // A lost session may mean qBittorrent restarted, perhaps upgraded: ask its API version again.
    this.webapi = null;
    this.rejectedLogins = 0;
    this.loginBlocked = null;
  }

  private rejected(error: ServiceError): ServiceError {
    this.rejectedLogins++;
    return this.blockLogins(REJECTED_LOGIN_PAUSES_MS[Math.min(this.rejectedLogins, REJECTED_LOGIN_PAUSES_MS.length) - 1], error);
  }

  private blockLogins(pauseMs: number, error: ServiceError): ServiceError {
    this.loginBlocked = { until: this.now() + pauseMs, error };
    return error;
  }

  /** The login a call needs; after a rejection or a ban, not before the pause is over. */
  private async loginForCall(): Promise<void> {
    const blocked = this.loginBlocked;
    if (blocked && this.now() < blocked.until) {
      const minutes = Math.max(1, Math.ceil((blocked.until - this.now()) / 60_000));
      throw new ServiceError(
        SERVICE,
        "auth",
        `${blocked.error.message} (next login attempt in ${minutes} min, so that qBittorrent does not ban this address)`,
        blocked.error.status,
      );
    }
    await this.login();
  }

  /** Ends the session (qBittorrent keeps sync state per session). */
  async logout(): Promise<void> {
    if (this.cookie === null) return;
    try {
      await this.http.call({ method: "POST", path: "/api/v2/auth/logout", headers: this.sessionHeaders() });
    } finally {
      this.cookie = null;
      this.loggedIn = false;
    }
  }

  private sessionHeaders(extra?: Record<string, string>): Record<string, string> | undefined {
    if (this.cookie === null) return extra;
    return { ...extra, cookie: this.cookie };
  }

  /** One call with the session; a 403 (expired or unknown session) logs in again once. */
  private async request<T>(opts: CallOptions<T>): Promise<CallResult<T>> {
    if (!this.loggedIn && this.canLogin) await this.loginForCall();
    const session = this.session;
    try {
      return this.count(await this.http.call({ ...opts, headers: this.sessionHeaders(opts.headers) }));
    } catch (err) {
      if (!(err instanceof ServiceError) || err.status !== 403 || !this.canLogin) throw err;
      // Someone else may already have logged in again meanwhile.
      if (this.session === session) {
        this.cookie = null;
        this.loggedIn = false;
        await this.loginForCall();
      }
      try {
        return this.count(await this.http.call({ ...opts, headers: this.sessionHeaders(opts.headers) }));
      } catch (again) {
        if (again instanceof ServiceError && again.status === 403) {
          throw new ServiceError(SERVICE, "auth", `qBittorrent refused ${opts.path} (403) even right after a fresh login`, 403);
        }
        throw again;
      }
    }
  }

  private count<T>(res: CallResult<T>): CallResult<T> {
    this.counters.requests++;
    this.counters.bytes += res.bytes;
    // Without a login (localhost bypass, whitelisted subnet) qBittorrent still hands out a
    // session; keeping it keeps sync/maindata incremental.
    if (this.cookie === null) {
      const cookie = cookiesFrom(res.headers);
      if (cookie) this.cookie = cookie;
    }
    return res;
  }

  // ---------------------------------------------------------------- reads

  /** "v4.5.2" */
  async version(): Promise<string> {
    return (await this.request<string>({ path: "/api/v2/app/version", text: true })).data.trim();
  }

  /** "2.8.19"; cached, it only changes with an upgrade (which also ends the session). */
  webapiVersion(): Promise<string> {
    this.webapi ??= this.request<string>({ path: "/api/v2/app/webapiVersion", text: true })
      .then((r) => r.data.trim())
      .catch((err: unknown) => {
        this.webapi = null;
        throw err;
      });
    return this.webapi;
  }

  /** torrents/info, optionally only some hashes or one category. */
  async torrents(filter: { hashes?: readonly string[]; category?: string } = {}): Promise<QbitTorrentInfo[]> {
    const query: Record<string, string> = {};
    if (filter.hashes) query.hashes = filter.hashes.map((h) => h.toLowerCase()).join("|");
    if (filter.category !== undefined) query.category = filter.category;
    const { data } = await this.request({ path: "/api/v2/torrents/info", query, schema: qbitTorrentListSchema });
    for (const t of data) t.hash = t.hash.toLowerCase();
    return data;
  }

  /** A torrent's files with their own progress; [] while the metadata is not there yet. */
  async files(hash: string): Promise<QbitTorrentFile[]> {
    const { data } = await this.request({ path: "/api/v2/torrents/files", query: { hash: hash.toLowerCase() }, schema: qbitTorrentFilesSchema });
    return data;
  }

  /** sync/maindata: rid 0 gives everything, the rid of the last answer only what changed since. */
  async maindata(rid: number): Promise<QbitMainData> {
    const { data } = await this.request({ path: "/api/v2/sync/maindata", query: { rid }, schema: qbitMainDataWireSchema });
    const parsed = parseMainData(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ServiceError(SERVICE, "invalid_response", `qBittorrent answered GET /api/v2/sync/maindata in an unexpected shape at ${issue?.path.join(".")}: ${issue?.message ?? "invalid"}`);
    }
    return parsed.data;
  }

  // ---------------------------------------------------------------- actions (POST-only, never retried)

  async delete(hashes: readonly string[], deleteFiles: boolean): Promise<void> {
    await this.post("/api/v2/torrents/delete", { hashes: joinHashes(hashes), deleteFiles: String(deleteFiles) });
  }

  /** Checks the data on disk again (what to do after missingFiles). */
  async recheck(hashes: readonly string[]): Promise<void> {
    await this.post("/api/v2/torrents/recheck", { hashes: joinHashes(hashes) });
  }

  /** Asks the trackers for peers now. */
  async reannounce(hashes: readonly string[]): Promise<void> {
    await this.post("/api/v2/torrents/reannounce", { hashes: joinHashes(hashes) });
  }

  /** Pauses (4.x) or stops (5.x: WebAPI 2.11 renamed the endpoint). */
  async pause(hashes: readonly string[]): Promise<void> {
    await this.post(`/api/v2/torrents/${(await this.usesStopStart()) ? "stop" : "pause"}`, { hashes: joinHashes(hashes) });
  }

  /** Resumes (4.x) or starts (5.x). */
  async resume(hashes: readonly string[]): Promise<void> {
    await this.post(`/api/v2/torrents/${(await this.usesStopStart()) ? "start" : "resume"}`, { hashes: joinHashes(hashes) });
  }

  private async usesStopStart(): Promise<boolean> {
    return compareVersions(await this.webapiVersion(), "2.11.0") >= 0;
  }

  private async post(path: string, fields: Record<string, string>): Promise<void> {
    await this.request({ method: "POST", path, body: new URLSearchParams(fields), text: true });
  }
}

function joinHashes(hashes: readonly string[]): string {
  if (hashes.length === 0) throw new Error("no torrent hashes given");
  return hashes.map((h) => h.toLowerCase()).join("|");
}

/** "name=value; name2=value2" from the Set-Cookie headers, leaving out cookies being cleared. */
function cookiesFrom(headers: Headers): string | undefined {
  const pairs = headers
    .getSetCookie()
    .map((c) => c.split(";")[0].trim())
    .filter((pair) => /^[^=]+=.+$/.test(pair));
  return pairs.length > 0 ? pairs.join("; ") : undefined;
}

/** Compares dotted versions numerically ("2.11.0" > "2.8.19"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, "").split(".").map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.replace(/^v/, "").split(".").map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
