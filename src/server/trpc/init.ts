import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { Container } from "../container";

/** Who is signed in. Admins are Jellyfin administrators or the local admin account. */
export interface SessionUser {
  id: string;
  name: string;
  role: "admin" | "member";
}

export interface TrpcContext {
  container: Container;
  user: SessionUser | null;
}

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  sse: {
    // Pings keep idle streams open through proxies; the client reconnects (with its last event id) when they stop.
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 25_000 },
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Only an admin can do this." });
  return next({ ctx });
});
