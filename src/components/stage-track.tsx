import { stageLabel } from "@/lib/format";
import { PIPELINE_ORDER, pipelineRank, type PipelineState, type RequestState } from "@/lib/states";

/**
 * The forward path with the current stage highlighted. Off the path (failed, timed out, ...)
 * the furthest stage reached is shown with the problem after it.
 */
export function StageTrack({ state, reached, anime }: { state: RequestState; reached: PipelineState | null; anime: boolean }) {
  const steps = PIPELINE_ORDER.filter((s) => s !== "anime_matching" || anime);
  const rank = pipelineRank(state);
  const at = rank >= 0 ? state : reached;
  const atIndex = at ? steps.indexOf(at as PipelineState) : -1;
  const offPath = rank < 0;
  return (
    <ol data-testid="stage-track" className="flex flex-wrap gap-x-1 gap-y-2 text-xs" aria-label="Stages">
      {steps.map((step, i) => {
        const done = i < atIndex || (i === atIndex && (offPath || step === "available"));
        const current = i === atIndex && !offPath && step !== "available";
        return (
          <li key={step} className="flex items-center gap-1" aria-current={current ? "step" : undefined}>
            <span
              className={`rounded-full px-2 py-0.5 font-medium ${
                current
                  ? "bg-sky-500 text-white"
                  : done
                    ? step === "available"
                      ? "bg-emerald-600/80 text-white"
                      : "bg-slate-700 text-slate-100"
                    : "bg-slate-900 text-slate-500 ring-1 ring-inset ring-slate-800"
              }`}
            >
              {stageLabel(step)}
            </span>
            {offPath && i === atIndex && <ProblemChip state={state} />}
            {i < steps.length - 1 && (
              <svg aria-hidden viewBox="0 0 8 12" className={`h-2.5 w-2 ${i < atIndex ? "text-slate-400" : "text-slate-700"}`}>
                <path d="M1.5 1.5 6 6l-4.5 4.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
            )}
          </li>
        );
      })}
      {offPath && atIndex < 0 && (
        <li>
          <ProblemChip state={state} />
        </li>
      )}
    </ol>
  );
}

function ProblemChip({ state }: { state: RequestState }) {
  const tone = state === "timeout" ? "bg-amber-500 text-slate-950" : state === "declined" || state === "deleting" || state === "deleted" ? "bg-slate-600 text-white" : "bg-rose-600 text-white";
  return <span className={`rounded-full px-2 py-0.5 font-semibold ${tone}`}>{stageLabel(state)}</span>;
}
