"use client";

import { episodeCode, percentOf } from "@/lib/format";
import { trpc } from "@/trpc/react";
import { EpisodeStateBadge } from "./badges";
import { LocalDate } from "./time";
import { ProgressBar } from "./progress-bar";

/** A TV request's episodes, compact, for a dashboard card; loaded when the card is expanded. */
export function EpisodeList({ requestId }: { requestId: number }) {
  const detail = trpc.requests.detail.useQuery({ id: requestId });
  if (detail.isPending) {
    return <p className="py-3 text-sm text-slate-500">Loading episodes…</p>;
  }
  if (detail.isError) {
    return <p className="py-3 text-sm text-rose-300">Could not load the episodes: {detail.error.message}</p>;
  }
  const episodes = detail.data.episodes;
  if (episodes.length === 0) return <p className="py-3 text-sm text-slate-500">No episodes are known yet.</p>;
  return (
    <ul data-testid="episode-list" className="divide-y divide-slate-800/70">
      {episodes.map((ep) => {
        const inFlight = ep.state === "downloading" || ep.state === "grabbing";
        const percent = percentOf(ep.progress);
        return (
          <li
            key={`${ep.season}-${ep.episode}`}
            data-testid="episode-row"
            data-episode={episodeCode(ep.season, ep.episode)}
            data-state={ep.state}
            className="grid grid-cols-[3.5rem_1fr_auto] items-center gap-x-3 gap-y-1 py-2 text-sm"
          >
            <span className="font-mono text-xs text-slate-400">{episodeCode(ep.season, ep.episode)}</span>
            <span className="truncate text-slate-200">{ep.title ?? "Untitled"}</span>
            <span className="flex items-center justify-end gap-2">
              {inFlight && percent !== null && (
                <span data-testid="episode-percent" className="text-xs tabular-nums text-slate-300">
                  {percent}%
                </span>
              )}
              {ep.state === "unaired" && ep.airDate ? (
                <span className="text-xs text-slate-400">
                  Airs <LocalDate iso={ep.airDate} />
                </span>
              ) : (
                <EpisodeStateBadge state={ep.state} />
              )}
            </span>
            {inFlight && (
              <div className="col-span-2 col-start-2">
                <ProgressBar progress={ep.progress ?? 0} size="sm" label={`${episodeCode(ep.season, ep.episode)} progress`} />
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
