import { safeEqual } from "../security";
import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { SessionUser } from "../trpc/init";

/** Checks a username and password against Jellyfin (when configured), in the server's own graph. */
export type JellyfinSignIn = (username: string, password: string) => Promise<SessionUser | null>;

export type SignInResult = { ok: true; user: SessionUser } | { ok: false; reason: "invalid" | "throttled" | "unavailable"; retryAfterMs?: number };

const WINDOW_MS = 15 * 60_000;
const FREE_ATTEMPTS = 5;

/**
 * Sign-in with the local admin account or a Jellyfin account. Repeated failures for a name or
 * from an address are slowed down: after five in fifteen minutes, each further try must wait
 * twice as long as the last (up to five minutes).
 */
export class SignInService {
  private readonly failures = new Map<string, { count: number; first: number; blockedUntil: number }>();

  constructor(
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      admin?: { username: string; password: string };
      jellyfin?: JellyfinSignIn;
    },
  ) {}

  async verify(username: string, password: string, address = "unknown"): Promise<SignInResult> {
    const now = this.deps.clock.now();
    const keys = [`user:${username.toLowerCase()}`, `addr:${address}`];
    const blocked = Math.max(...keys.map((k) => this.failures.get(k)?.blockedUntil ?? 0));
    if (blocked > now) return { ok: false, reason: "throttled", retryAfterMs: blocked - now };

    const admin = this.deps.admin;
    if (admin && safeEqual(username, admin.username) && safeEqual(password, admin.password)) {
      this.clear(keys);
      return { ok: true, user: { id: "local:admin", name: admin.username, role: "admin" } };
    }
    if (this.deps.jellyfin) {
      try {
        const user = await this.deps.jellyfin(username, password);
        if (user) {
          this.clear(keys);
          return { ok: true, user };
        }
      } catch (err) {
        this.deps.logger.warn("Jellyfin sign-in failed", { error: err instanceof Error ? err.message : String(err) });
        return { ok: false, reason: "unavailable" };
      }
    }
    for (const k of keys) this.fail(k, now);
    this.deps.logger.info("sign-in refused", { username, address });
    return { ok: false, reason: "invalid" };
  }

  private fail(key: string, now: number): void {
    const f = this.failures.get(key);
    const entry = f && now - f.first < WINDOW_MS ? f : { count: 0, first: now, blockedUntil: 0 };
    entry.count++;
    if (entry.count > FREE_ATTEMPTS) entry.blockedUntil = now + Math.min(5 * 60_000, 1000 * 2 ** (entry.count - FREE_ATTEMPTS - 1));
    this.failures.set(key, entry);
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
  }

  private clear(keys: string[]): void {
    for (const k of keys) this.failures.delete(k);
  }
}
