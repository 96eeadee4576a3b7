"use client";

import { useSyncExternalStore } from "react";

/** The live feed's connection as the header shows it; "off" on a page without a feed. */
export type LiveStatus = "off" | "connecting" | "live" | "reconnecting" | "offline";

let status: LiveStatus = "off";
const listeners = new Set<() => void>();

export function setLiveStatus(next: LiveStatus): void {
  if (next === status) return;
  status = next;
  for (const l of listeners) l();
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => status,
    () => "connecting",
  );
}
