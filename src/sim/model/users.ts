import { guidN } from "../util";

/**
 * The demo household. Both are Jellyfin users (sign in to Status Tracker with them) and Seerr
 * users imported from Jellyfin (they are who requests things).
 */
export interface SimUser {
  username: string;
  password: string;
  isAdministrator: boolean;
  /** Jellyfin user id, 32 hex. */
  jellyfinId: string;
  /** Seerr user id; 1 is Seerr's original administrator. */
  seerrId: number;
  email: string;
}

export const SIM_USERS: readonly SimUser[] = [
  {
    username: "admin",
    password: "admin-demo-password",
    isAdministrator: true,
    jellyfinId: guidN("jellyfin-user:admin"),
    seerrId: 1,
    email: "admin@household.example",
  },
  {
    username: "household",
    password: "household-demo-password",
    isAdministrator: false,
    jellyfinId: guidN("jellyfin-user:household"),
    seerrId: 2,
    email: "household@household.example",
  },
];

export type SimUserName = "admin" | "household";

export function simUser(username: string): SimUser {
  const user = SIM_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`Unknown simulated user "${username}"`);
  return user;
}
