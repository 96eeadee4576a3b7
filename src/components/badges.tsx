import type { EpisodeState, MediaType, RequestState } from "@/lib/states";
import { episodeStageLabel, mediaBadge, stageLabel, stageTone, type StageTone } from "@/lib/format";

const TONE_CLASSES: Record<StageTone, string> = {
  neutral: "bg-slate-800 text-slate-200 ring-slate-700",
  active: "bg-sky-950 text-sky-200 ring-sky-800",
  success: "bg-emerald-950 text-emerald-200 ring-emerald-800",
  warning: "bg-amber-950 text-amber-200 ring-amber-700",
  danger: "bg-rose-950 text-rose-200 ring-rose-800",
};

const DOT_CLASSES: Record<StageTone, string> = {
  neutral: "bg-slate-400",
  active: "bg-sky-400",
  success: "bg-emerald-400",
  warning: "bg-amber-400",
  danger: "bg-rose-400",
};

export function toneDot(tone: StageTone): string {
  return DOT_CLASSES[tone];
}

export function StageBadge({ state, className = "" }: { state: RequestState; className?: string }) {
  const tone = stageTone(state);
  return (
    <span
      data-testid="stage-label"
      data-state={state}
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset ${TONE_CLASSES[tone]} ${className}`}
    >
      <span aria-hidden className={`size-1.5 rounded-full ${DOT_CLASSES[tone]} ${tone === "active" ? "animate-pulse" : ""}`} />
      {stageLabel(state)}
    </span>
  );
}

export function EpisodeStateBadge({ state }: { state: EpisodeState }) {
  const tone = state === "unaired" || state === "wanted" ? "neutral" : stageTone(state);
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONE_CLASSES[tone]}`}>
      {episodeStageLabel(state)}
    </span>
  );
}

export function StuckBadge() {
  return (
    <span className="inline-flex items-center gap-1 rounded-full bg-amber-400/15 px-2.5 py-0.5 text-xs font-semibold text-amber-300 ring-1 ring-inset ring-amber-500/50">
      <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className="size-3.5">
        <path
          fillRule="evenodd"
          d="M8.485 2.495c.673-1.167 2.357-1.167 3.03 0l6.28 10.875c.673 1.167-.17 2.625-1.516 2.625H3.72c-1.347 0-2.189-1.458-1.515-2.625L8.485 2.495ZM10 6a.75.75 0 0 1 .75.75v3.5a.75.75 0 0 1-1.5 0v-3.5A.75.75 0 0 1 10 6Zm0 9a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
          clipRule="evenodd"
        />
      </svg>
      Stuck
    </span>
  );
}

const MEDIA_CLASSES = {
  Movie: "text-violet-200 bg-violet-950 ring-violet-800",
  TV: "text-teal-200 bg-teal-950 ring-teal-800",
  Anime: "text-pink-200 bg-pink-950 ring-pink-800",
};

export function MediaBadge({ mediaType, isAnime }: { mediaType: MediaType; isAnime: boolean | null }) {
  const label = mediaBadge(mediaType, isAnime);
  return (
    <span data-testid="media-badge" className={`inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${MEDIA_CLASSES[label]}`}>
      {label}
    </span>
  );
}
