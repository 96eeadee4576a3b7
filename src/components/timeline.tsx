"use client";

import type { TimelineItem } from "@/server/api/summary";
import { formatDuration, serviceName, stageLabel, stageSpans, timelinePhrase } from "@/lib/format";
import { REQUEST_STATES, type RequestState } from "@/lib/states";
import { LocalTime, useNow } from "./time";

const KIND_DOT: Record<string, string> = {
  failed: "bg-rose-500 ring-rose-500/30",
  stuck: "bg-amber-400 ring-amber-400/30",
  timeout: "bg-amber-400 ring-amber-400/30",
  available: "bg-emerald-400 ring-emerald-400/30",
  declined: "bg-rose-500 ring-rose-500/30",
  deleted: "bg-slate-500 ring-slate-500/30",
};

function asState(state: string): RequestState | null {
  return (REQUEST_STATES as readonly string[]).includes(state) ? (state as RequestState) : null;
}

/**
 * What happened, oldest first, in the past tense: with the time spent in each stage, and the
 * steps the tracker filled in without seeing them marked as inferred. Times are the reader's.
 */
export function Timeline({ items, finished }: { items: TimelineItem[]; finished: boolean }) {
  const now = useNow();
  const spans = new Map(stageSpans(items, now ?? Date.now(), finished).map((s) => [s.index, s]));
  if (items.length === 0) return <p className="text-sm text-slate-500">Nothing has happened yet.</p>;
  return (
    <ol data-testid="timeline" className="relative space-y-0">
      {items.map((item, index) => {
        const span = spans.get(index);
        const state = item.state ? asState(item.state) : null;
        const last = index === items.length - 1;
        return (
          <li key={`${item.at}-${index}`} data-testid="timeline-entry" data-kind={item.kind} data-inferred={item.inferred} className="relative flex gap-3 pb-5">
            {!last && <span aria-hidden className="absolute left-[0.4375rem] top-4 h-full w-px bg-slate-800" />}
            <span
              aria-hidden
              className={`relative mt-1.5 size-3.5 shrink-0 rounded-full ring-4 ${
                item.inferred ? "border-2 border-dashed border-slate-500 bg-slate-950 ring-transparent" : (KIND_DOT[item.kind] ?? "bg-sky-500 ring-sky-500/25")
              }`}
            />
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
                <span className={`font-medium ${item.inferred ? "text-slate-300" : "text-slate-100"}`}>{timelinePhrase(item.kind)}</span>
                {item.episode && <span className="font-mono text-xs text-slate-400">{item.episode}</span>}
                {item.inferred && (
                  <span
                    data-testid="timeline-inferred"
                    title="Not seen directly: a later step showed it must have happened"
                    className="rounded border border-dashed border-slate-600 px-1.5 text-[0.7rem] uppercase tracking-wide text-slate-400"
                  >
                    inferred
                  </span>
                )}
              </div>
              {item.details && <p className="mt-0.5 break-words text-sm text-slate-400">{item.details}</p>}
              <p className="mt-1 flex flex-wrap gap-x-2 text-xs text-slate-500">
                <LocalTime iso={item.at} />
                <span>via {serviceName(item.source)}</span>
                {span && state && (
                  <span data-testid="timeline-duration" className="text-slate-400">
                    {span.current
                      ? `${stageLabel(state)} for ${now === null ? "…" : formatDuration(span.durationMs)} so far`
                      : span.durationMs >= 1000
                        ? `${formatDuration(span.durationMs)} in ${stageLabel(state)}`
                        : null}
                  </span>
                )}
              </p>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
