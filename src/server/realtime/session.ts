import type { IncomingHttpHeaders } from "node:http";
import { getToken } from "next-auth/jwt";
import type { SessionUser } from "../trpc/init";

/**
 * Reads the signed-in user from the Auth.js session cookie outside Next (for the change stream,
 * which is served before Next's router). Same cookie, secret and checks as Auth.js itself: the
 * JWE is decrypted with the key derived from the secret and the cookie name, and an expired or
 * tampered token is nobody. The mapping mirrors the session callback in auth/next-auth.ts.
 */
export function sessionUserFromCookie(deps: { secret: () => string }): (headers: IncomingHttpHeaders) => Promise<SessionUser | null> {
  return async (headers) => {
    const cookie = headers.cookie;
    if (!cookie || !cookie.includes("authjs.session-token")) return null;
    // Auth.js names the cookie "__Secure-…" when it was set over https (directly or behind a proxy).
    const secureFirst = headers["x-forwarded-proto"] === "https" || cookie.includes("__Secure-authjs.session-token");
    for (const secureCookie of secureFirst ? [true, false] : [false, true]) {
      // Only the cookie: the pages accept no bearer token either.
      const token = await getToken({ req: { headers: { cookie } }, secret: deps.secret(), secureCookie, logger: QUIET });
      if (token?.sub) return { id: String(token.sub), name: typeof token.name === "string" ? token.name : "", role: token.role === "admin" ? "admin" : "member" };
    }
    return null;
  };
}

/** A chunked-cookie warning is not worth a log line per stream. */
const QUIET = { error() {}, warn() {}, debug() {} } as unknown as Console;
