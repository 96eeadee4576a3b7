"use client";

import { useLiveStatus, type LiveStatus } from "./live-status";

const LOOK: Record<Exclude<LiveStatus, "off">, { text: string; dot: string; title: string }> = {
  connecting: { text: "Connecting", dot: "bg-slate-400 animate-pulse", title: "Connecting to live updates" },
  live: { text: "Live", dot: "bg-emerald-400", title: "Changes appear as they happen" },
  reconnecting: { text: "Reconnecting", dot: "bg-amber-400 animate-pulse", title: "The connection dropped; missed changes arrive on reconnect" },
  offline: { text: "Offline", dot: "bg-rose-500", title: "Live updates stopped; retrying" },
};

export function LiveIndicator() {
  const status = useLiveStatus();
  if (status === "off") return null;
  const look = LOOK[status];
  return (
    <span
      data-testid="live-indicator"
      data-status={status}
      title={look.title}
      role="status"
      className="inline-flex items-center gap-1.5 rounded-full bg-slate-900 px-2.5 py-1 text-xs font-medium text-slate-300 ring-1 ring-slate-800"
    >
      <span aria-hidden className="relative flex size-2">
        {status === "live" && <span className="absolute inline-flex size-full animate-ping rounded-full bg-emerald-400 opacity-50" />}
        <span className={`relative inline-flex size-2 rounded-full ${look.dot}`} />
      </span>
      {look.text}
    </span>
  );
}
