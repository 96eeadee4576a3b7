import type { EpisodeSummary } from "@/server/api/summary";
import { episodeCode, percentOf } from "@/lib/format";
import { EpisodeStateBadge } from "./badges";
import { ProgressBar } from "./progress-bar";
import { LocalDate } from "./time";

const DONE = new Set(["downloaded", "importing", "anime_matching", "available", "match_failed"]);

/** Every episode of a TV request: code, title, state, percent, and the air date of those not aired yet. */
export function EpisodeTable({ episodes }: { episodes: EpisodeSummary[] }) {
  const seasons = [...new Set(episodes.map((e) => e.season))];
  return (
    <div className="overflow-hidden rounded-xl ring-1 ring-slate-800">
      <table data-testid="episode-list" className="w-full table-fixed text-left text-sm">
        <thead className="bg-slate-900 text-xs uppercase tracking-wide text-slate-400">
          <tr>
            <th scope="col" className="w-[4.25rem] px-3 py-2 font-medium">
              Ep.
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Title
            </th>
            <th scope="col" className="w-[7.5rem] px-3 py-2 font-medium sm:w-36">
              State
            </th>
            <th scope="col" className="hidden w-44 px-3 py-2 font-medium md:table-cell">
              Progress
            </th>
            <th scope="col" className="hidden w-32 px-3 py-2 font-medium sm:table-cell">
              Air date
            </th>
          </tr>
        </thead>
        {seasons.map((season) => (
          <tbody key={season} className="divide-y divide-slate-800/70 bg-slate-950/40">
            {seasons.length > 1 && (
              <tr className="bg-slate-900/60">
                <th colSpan={5} scope="rowgroup" className="px-3 py-1.5 text-xs font-semibold text-slate-300">
                  {season === 0 ? "Specials" : `Season ${season}`}
                </th>
              </tr>
            )}
            {episodes
              .filter((e) => e.season === season)
              .map((ep) => {
                const code = episodeCode(ep.season, ep.episode);
                const inFlight = ep.state === "grabbing" || ep.state === "downloading";
                const progress = DONE.has(ep.state) ? 1 : inFlight ? (ep.progress ?? 0) : null;
                return (
                  <tr key={code} data-testid="episode-row" data-episode={code} data-state={ep.state}>
                    <td className="px-3 py-2 font-mono text-xs text-slate-400">{code}</td>
                    <td className="truncate px-3 py-2 text-slate-200" title={ep.title ?? undefined}>
                      {ep.title ?? <span className="text-slate-500">Untitled</span>}
                      {ep.state === "unaired" && ep.airDate && (
                        <span className="block text-xs text-slate-500 sm:hidden">
                          Airs <LocalDate iso={ep.airDate} />
                        </span>
                      )}
                      {inFlight && (
                        <span className="mt-1 flex items-center gap-2 md:hidden">
                          <ProgressBar progress={ep.progress ?? 0} size="sm" label={`${code} progress`} />
                          <span data-testid="episode-percent" className="w-8 shrink-0 text-right text-xs tabular-nums text-slate-300">
                            {percentOf(ep.progress) ?? 0}%
                          </span>
                        </span>
                      )}
                    </td>
                    <td className="px-3 py-2">
                      <EpisodeStateBadge state={ep.state} />
                    </td>
                    <td className="hidden px-3 py-2 md:table-cell">
                      {progress !== null ? (
                        <span className="flex items-center gap-2">
                          <ProgressBar progress={progress} size="sm" tone={progress >= 1 ? "done" : "active"} label={`${code} progress`} />
                          <span className="w-9 shrink-0 text-right text-xs tabular-nums text-slate-300">{percentOf(progress)}%</span>
                        </span>
                      ) : (
                        <span className="text-xs text-slate-600">–</span>
                      )}
                    </td>
                    <td className="hidden px-3 py-2 text-xs text-slate-400 sm:table-cell">
                      {ep.airDate ? <LocalDate iso={ep.airDate} className={ep.state === "unaired" ? "text-slate-200" : undefined} /> : "–"}
                    </td>
                  </tr>
                );
              })}
          </tbody>
        ))}
      </table>
    </div>
  );
}
