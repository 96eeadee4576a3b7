import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getContainer } from "../container";
import type { SessionUser } from "../trpc/init";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: "admin" | "member" } & DefaultSession["user"];
  }
  interface User {
    role?: "admin" | "member";
  }
}

/** The reason shown on the login page ("code" travels to the form). */
class SignInRefused extends CredentialsSignin {
  constructor(code: "invalid" | "throttled" | "unavailable") {
    super();
    this.code = code;
  }
}

/**
 * Auth.js, configured lazily from the server's container: the secret is the one kept in the
 * database (or AUTH_SECRET), sessions are JWTs, and the credential check runs in the server.
 */
export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  const { secrets, signIn: service, logger } = getContainer();
  return {
    secret: secrets.authSecret,
    // A refused password is an answer, not an error (the sign-in service logs it once, briefly).
    logger: {
      error(error: Error) {
        if (error instanceof CredentialsSignin || error.name === "CredentialsSignin") return;
        logger.error("sign-in error", { error: error.message });
      },
      warn(code: string) {
        logger.warn("Auth.js warning", { code });
      },
      debug() {},
    },
    trustHost: true,
    session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
    pages: { signIn: "/login" },
    providers: [
      Credentials({
        credentials: { username: { label: "Username" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          const username = typeof credentials?.username === "string" ? credentials.username.trim() : "";
          const password = typeof credentials?.password === "string" ? credentials.password : "";
          if (!username || !password) throw new SignInRefused("invalid");
          const address = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? "local";
          const result = await service.verify(username, password, address);
          if (!result.ok) throw new SignInRefused(result.reason);
          return { id: result.user.id, name: result.user.name, role: result.user.role };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.role = user.role ?? "member";
        }
        return token;
      },
      session({ session, token }) {
        session.user.id = String(token.sub);
        session.user.role = token.role === "admin" ? "admin" : "member";
        return session;
      },
    },
  };
});

/** The signed-in user, or null. */
export async function currentUser(): Promise<SessionUser | null> {
  const session = await auth();
  if (!session?.user?.id) return null;
  return { id: session.user.id, name: session.user.name ?? "", role: session.user.role };
}
