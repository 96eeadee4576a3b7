"use client";

import { useSyncExternalStore } from "react";
import { formatDuration, formatLocalDate, formatLocalDateTime, formatRelative } from "@/lib/format";

/*
 * Times are rendered in the browser only: the server does not know the reader's time zone,
 * and "5 min ago" is stale by the time it arrives. The server renders an empty placeholder,
 * hydration matches it, then the browser fills in.
 */

const TICK_MS = 20_000;
let now = 0;
let timer: ReturnType<typeof setInterval> | null = null;
const listeners = new Set<() => void>();

function subscribeClock(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** The current time, refreshed every 20 s; null while server rendering or hydrating. */
export function useNow(): number | null {
  return useSyncExternalStore(
    subscribeClock,
    () => now || (now = Date.now()),
    () => null,
  );
}

const noop = () => () => undefined;

/** False on the server and during hydration, true once in the browser. */
export function useIsClient(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

function Placeholder({ className }: { className?: string }) {
  return <span className={`inline-block w-16 animate-pulse rounded bg-slate-800/60 align-middle ${className ?? ""}`}>&nbsp;</span>;
}

/** "5 min ago", with the local date and time on hover. */
export function RelativeTime({ iso, className }: { iso: string | null; className?: string }) {
  const current = useNow();
  if (current === null) return <Placeholder className={className} />;
  if (!iso) return <span className={className}>never</span>;
  return (
    <time dateTime={iso} title={formatLocalDateTime(iso, { now: current })} className={className}>
      {formatRelative(iso, current)}
    </time>
  );
}

/** "Tue 24 Nov, 14:05" in the reader's time zone. */
export function LocalTime({ iso, className }: { iso: string | null; className?: string }) {
  const isClient = useIsClient();
  if (!isClient) return <Placeholder className={className} />;
  if (!iso) return <span className={className}>–</span>;
  return (
    <time dateTime={iso} className={className}>
      {formatLocalDateTime(iso)}
    </time>
  );
}

/** "3 Dec 2026" in the reader's time zone (air dates). */
export function LocalDate({ iso, className }: { iso: string | null; className?: string }) {
  const isClient = useIsClient();
  if (!isClient) return <Placeholder className={className} />;
  return (
    <time dateTime={iso ?? undefined} className={className}>
      {formatLocalDate(iso)}
    </time>
  );
}

/** Time since `iso` ("12 min"), ticking; for the stage a request is in now. */
export function ElapsedSince({ iso, className }: { iso: string; className?: string }) {
  const current = useNow();
  if (current === null) return <Placeholder className={className} />;
  return <span className={className}>{formatDuration(Math.max(0, current - Date.parse(iso)))}</span>;
}
