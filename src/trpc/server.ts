import { getContainer } from "@/server/container";
import { createCaller } from "@/server/trpc/router";
import type { SessionUser } from "@/server/trpc/init";

/** The tRPC API called in-process from a server component, as the signed-in user. */
export function serverCaller(user: SessionUser) {
  return createCaller({ container: getContainer(), user });
}

/** The newest change-log id: read before a page's data, it is where that page's live feed resumes. */
export function liveCursor(): Promise<number> {
  return getContainer().feed.latestId();
}
