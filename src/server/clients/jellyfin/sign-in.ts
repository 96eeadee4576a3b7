import type { JellyfinSignIn } from "../../auth/sign-in";
import { ServiceError } from "../http";
import type { JellyfinClient } from "./client";

/**
 * Jellyfin accounts for the sign-in service: a refused name or password is "no such user" (null),
 * anything else (Jellyfin down, a timeout) is thrown so the page can say Jellyfin is unavailable.
 * Jellyfin administrators are the tracker's admins.
 */
export function jellyfinSignIn(client: JellyfinClient): JellyfinSignIn {
  return async (username, password) => {
    try {
      const session = await client.authenticateByName(username, password);
      return { id: `jellyfin:${session.userId}`, name: session.name, role: session.isAdmin ? "admin" : "member" };
    } catch (err) {
      if (err instanceof ServiceError && err.kind === "auth") return null;
      throw err;
    }
  };
}
