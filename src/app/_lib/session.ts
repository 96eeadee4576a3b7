import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/next-auth";
import type { SessionUser } from "@/server/trpc/init";

/** The signed-in user; a visitor without a session goes to the login page and comes back to `path`. */
export async function requireUser(path: string): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(path === "/" ? "/login" : `/login?next=${encodeURIComponent(path)}`);
  return user;
}
