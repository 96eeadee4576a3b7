import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/trpc/router";
import { getContainer } from "@/server/container";
import { currentUser } from "@/server/auth/next-auth";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

function handler(req: Request): Promise<Response> {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => ({ container: getContainer(), user: await currentUser() }),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") getContainer().logger.error("tRPC error", { path, error: error.message });
    },
  });
}

export { handler as GET, handler as POST };
