"use client";

import { useMemo, useState } from "react";
import type { RequestCard as RequestCardData } from "@/server/trpc/routers/requests";
import { isStuck, PROBLEM_STATES, stageLabel, stageTone } from "@/lib/format";
import { PIPELINE_ORDER, type RequestState } from "@/lib/states";
import { trpc } from "@/trpc/react";
import { toneDot } from "./badges";
import { RequestCard } from "./request-card";

const LIMIT = 200;

/** "stuck" groups every request that needs a person, whatever its stage. */
type StageFilter = RequestState | "stuck" | null;

const STAGE_ORDER: RequestState[] = [...PIPELINE_ORDER, "timeout", "match_failed", "failed", "declined", "deleting", "deleted"];

function needsAttention(card: RequestCardData): boolean {
  return isStuck(card) || PROBLEM_STATES.includes(card.state);
}

export function Dashboard({ initialMine, initialList }: { initialMine: boolean; initialList: RequestCardData[] }) {
  const [mine, setMine] = useState(initialMine);
  const [stage, setStage] = useState<StageFilter>(null);
  const [initial] = useState(() => ({ mine: initialMine, list: initialList }));
  const list = trpc.requests.list.useQuery(
    { mine, limit: LIMIT },
    // Server-rendered data only for the filter it was rendered with.
    { initialData: mine === initial.mine ? initial.list : undefined },
  );

  const toggleMine = (next: boolean) => {
    setMine(next);
    setStage(null);
    const url = new URL(window.location.href);
    if (next) url.searchParams.set("mine", "1");
    else url.searchParams.delete("mine");
    window.history.replaceState(window.history.state, "", url);
  };

  const cards = list.data;
  const counts = useMemo(() => {
    const byStage = new Map<RequestState, number>();
    let stuck = 0;
    for (const card of cards ?? []) {
      byStage.set(card.state, (byStage.get(card.state) ?? 0) + 1);
      if (needsAttention(card)) stuck++;
    }
    return { byStage: STAGE_ORDER.filter((s) => byStage.has(s)).map((s) => [s, byStage.get(s)!] as const), stuck };
  }, [cards]);

  const visible = useMemo(() => {
    if (!cards || stage === null) return cards;
    return stage === "stuck" ? cards.filter(needsAttention) : cards.filter((c) => c.state === stage);
  }, [cards, stage]);

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">In progress</h1>
          <p className="mt-0.5 text-sm text-slate-400">
            {cards ? `${cards.length} ${cards.length === 1 ? "request" : "requests"} on the way` : "Loading…"}
          </p>
        </div>
        <div role="group" aria-label="Whose requests" data-testid="mine-filter" className="inline-flex rounded-lg bg-slate-900 p-0.5 ring-1 ring-slate-800">
          {[
            { value: false, label: "Everyone" },
            { value: true, label: "Mine" },
          ].map((opt) => (
            <button
              key={opt.label}
              type="button"
              aria-pressed={mine === opt.value}
              onClick={() => toggleMine(opt.value)}
              className={`rounded-md px-3.5 py-1.5 text-sm font-medium ${mine === opt.value ? "bg-slate-700 text-white" : "text-slate-400 hover:text-slate-100"}`}
            >
              {opt.label}
            </button>
          ))}
        </div>
      </div>

      {counts.byStage.length > 0 && (
        <div data-testid="stage-counts" className="-mx-4 flex gap-2 overflow-x-auto px-4 pb-1 sm:mx-0 sm:flex-wrap sm:px-0">
          <StageChip label="All" count={cards?.length ?? 0} active={stage === null} onClick={() => setStage(null)} />
          {counts.stuck > 0 && (
            <StageChip
              label="Needs attention"
              count={counts.stuck}
              active={stage === "stuck"}
              onClick={() => setStage(stage === "stuck" ? null : "stuck")}
              dot="bg-amber-400"
              testId="stage-count-stuck"
            />
          )}
          {counts.byStage.map(([s, n]) => (
            <StageChip
              key={s}
              label={stageLabel(s)}
              count={n}
              active={stage === s}
              onClick={() => setStage(stage === s ? null : s)}
              dot={toneDot(stageTone(s))}
              testId={`stage-count-${s}`}
            />
          ))}
        </div>
      )}

      {list.isError && !cards && (
        <p className="rounded-lg bg-rose-950/60 px-4 py-3 text-sm text-rose-200">The requests could not be loaded: {list.error.message}</p>
      )}

      {cards && cards.length === 0 && (
        <div className="rounded-xl border border-dashed border-slate-800 px-6 py-14 text-center">
          <p className="text-lg font-medium text-slate-200">{mine ? "You have nothing on the way." : "Nothing on the way."}</p>
          <p className="mt-1 text-sm text-slate-400">
            New requests from Jellyseerr appear here by themselves, and move along as they download. Finished ones are in the history.
          </p>
        </div>
      )}

      {visible && visible.length > 0 && (
        <div data-testid="request-cards" className="grid grid-cols-1 items-start gap-3 sm:gap-4 lg:grid-cols-2">
          {visible.map((card) => (
            <RequestCard key={card.id} card={card} />
          ))}
        </div>
      )}
    </div>
  );
}

function StageChip({
  label,
  count,
  active,
  onClick,
  dot,
  testId,
}: {
  label: string;
  count: number;
  active: boolean;
  onClick: () => void;
  dot?: string;
  testId?: string;
}) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-pressed={active}
      data-testid={testId}
      className={`inline-flex shrink-0 items-center gap-2 rounded-full px-3 py-1 text-sm ring-1 ring-inset transition-colors ${
        active ? "bg-slate-100 text-slate-900 ring-slate-100" : "bg-slate-900 text-slate-300 ring-slate-800 hover:bg-slate-800"
      }`}
    >
      {dot && <span aria-hidden className={`size-2 rounded-full ${dot}`} />}
      {label}
      <span className={`tabular-nums font-semibold ${active ? "text-slate-900" : "text-slate-100"}`}>{count}</span>
    </button>
  );
}
