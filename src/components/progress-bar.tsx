import { formatEta, formatSpeed, percentOf } from "@/lib/format";

/** A labelled progress bar: percent, and speed and time left while downloading. */
export function ProgressBar({
  progress,
  speed,
  eta,
  tone = "active",
  label = "Download progress",
  size = "md",
}: {
  progress: number;
  speed?: number | null;
  eta?: number | null;
  tone?: "active" | "stalled" | "done";
  label?: string;
  size?: "sm" | "md";
}) {
  const percent = percentOf(progress) ?? 0;
  const speedText = formatSpeed(speed);
  const etaText = formatEta(eta);
  const fill = tone === "done" ? "bg-emerald-500" : tone === "stalled" ? "bg-amber-500" : "bg-sky-500";
  return (
    <div className="w-full">
      <div
        data-testid="progress-bar"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        className={`w-full overflow-hidden rounded-full bg-slate-800 ${size === "sm" ? "h-1.5" : "h-2"}`}
      >
        <div className={`h-full rounded-full transition-[width] duration-700 ease-out ${fill}`} style={{ width: `${percent}%` }} />
      </div>
      {size === "md" && (
        <div className="mt-1.5 flex flex-wrap items-baseline gap-x-3 gap-y-0.5 text-xs text-slate-400">
          <span data-testid="progress-percent" className="font-semibold tabular-nums text-slate-100">
            {percent}%
          </span>
          {speedText && (
            <span data-testid="progress-speed" className="tabular-nums">
              {speedText}
            </span>
          )}
          {etaText && (
            <span data-testid="progress-eta" className="tabular-nums">
              {etaText}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
