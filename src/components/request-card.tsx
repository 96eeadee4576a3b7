"use client";

import { memo, useState } from "react";
import Link from "next/link";
import type { RequestCard as RequestCardData } from "@/server/trpc/routers/requests";
import { episodeCountsSentence, isStuck, PROBLEM_STATES } from "@/lib/format";
import { MediaBadge, StageBadge, StuckBadge } from "./badges";
import { EpisodeList } from "./episode-list";
import { Poster } from "./poster";
import { ProgressBar } from "./progress-bar";
import { RelativeTime } from "./time";

const DOWNLOAD_STATES = new Set(["grabbing", "downloading"]);

/** Whether the card shows a progress bar: while downloading, or when partly downloaded. */
export function showsProgress(card: Pick<RequestCardData, "state" | "progress">): boolean {
  if (card.progress === null) return false;
  return DOWNLOAD_STATES.has(card.state) || (card.progress > 0 && card.progress < 1 && card.state !== "available");
}

export function StuckReason({ reason, state }: { reason: string; state: RequestCardData["state"] }) {
  const danger = state === "failed" || state === "match_failed";
  return (
    <p
      data-testid="stuck-reason"
      className={`rounded-lg px-3 py-2 text-sm leading-snug ring-1 ring-inset ${
        danger ? "bg-rose-950/60 text-rose-100 ring-rose-800/70" : "bg-amber-950/50 text-amber-100 ring-amber-700/60"
      }`}
    >
      {reason}
    </p>
  );
}

/**
 * One request on the dashboard. Memoised: a live change swaps in a new object for the changed
 * request only, so the other cards keep their props and do not re-render.
 */
export const RequestCard = memo(function RequestCard({ card }: { card: RequestCardData }) {
  const [open, setOpen] = useState(false);
  const stuck = isStuck(card);
  const problem = PROBLEM_STATES.includes(card.state);
  const reason = card.stuckReason ?? (problem ? "Something went wrong; the timeline on the detail page says what." : null);
  const stalled = card.download?.clientState?.startsWith("stalled") ?? false;
  return (
    <article
      data-testid="request-card"
      data-request-id={card.id}
      data-state={card.state}
      className={`flex flex-col rounded-xl bg-slate-900/80 p-3 ring-1 sm:p-4 ${stuck || problem ? "ring-amber-700/50" : "ring-slate-800"}`}
    >
      <div className="flex gap-3 sm:gap-4">
        <Link href={`/requests/${card.id}`} tabIndex={-1} aria-hidden className="shrink-0">
          <Poster title={card.title} url={card.posterUrl} className="w-16 sm:w-20" />
        </Link>
        <div className="flex min-w-0 flex-1 flex-col gap-2">
          <div>
            <h3 className="text-base font-semibold leading-tight text-slate-50">
              <Link href={`/requests/${card.id}`} className="hover:underline" data-testid="request-title">
                {card.title}
              </Link>
              {card.year !== null && <span className="ml-1.5 font-normal text-slate-400">{card.year}</span>}
            </h3>
            <div className="mt-1.5 flex flex-wrap items-center gap-1.5">
              <MediaBadge mediaType={card.mediaType} isAnime={card.isAnime} />
              <StageBadge state={card.state} />
              {stuck && !problem && <StuckBadge />}
            </div>
          </div>
          {showsProgress(card) && (
            <ProgressBar
              progress={card.progress ?? 0}
              speed={card.download?.speed}
              eta={card.download?.eta}
              tone={stalled || stuck ? "stalled" : "active"}
            />
          )}
          {card.episodes && (
            <p data-testid="episode-counts" className="text-xs text-slate-400">
              {episodeCountsSentence(card.episodes.byState)}
            </p>
          )}
        </div>
      </div>
      {reason && (stuck || problem) && (
        <div className="mt-3">
          <StuckReason reason={reason} state={card.state} />
        </div>
      )}
      <div className="mt-3 flex flex-wrap items-center justify-between gap-2 border-t border-slate-800/70 pt-2.5 text-xs text-slate-500">
        <span>
          {card.requestedBy ? <>By {card.requestedBy} · </> : null}
          changed <RelativeTime iso={card.stateChangedAt} />
        </span>
        {card.episodes && card.episodes.total > 0 && (
          <button
            type="button"
            onClick={() => setOpen((v) => !v)}
            aria-expanded={open}
            data-testid="episodes-toggle"
            className="inline-flex items-center gap-1 rounded-md px-2 py-1 font-medium text-sky-300 hover:bg-slate-800"
          >
            {open ? "Hide" : "Show"} {card.episodes.total} episodes
            <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className={`size-4 transition-transform ${open ? "rotate-180" : ""}`}>
              <path fillRule="evenodd" d="M5.22 8.22a.75.75 0 0 1 1.06 0L10 11.94l3.72-3.72a.75.75 0 1 1 1.06 1.06l-4.25 4.25a.75.75 0 0 1-1.06 0L5.22 9.28a.75.75 0 0 1 0-1.06Z" clipRule="evenodd" />
            </svg>
          </button>
        )}
      </div>
      {open && (
        <div className="mt-2 rounded-lg bg-slate-950/60 px-3">
          <EpisodeList requestId={card.id} />
        </div>
      )}
    </article>
  );
});
