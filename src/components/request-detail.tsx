"use client";

import Link from "next/link";
import type { RequestDetailView } from "@/server/trpc/routers/requests";
import { episodeCountsSentence, formatBytes, isStuck, PROBLEM_STATES } from "@/lib/format";
import { pipelineRank, PIPELINE_ORDER, type PipelineState } from "@/lib/states";
import { trpc } from "@/trpc/react";
import { RequestActions } from "./admin/request-actions";
import { MediaBadge, StageBadge, StuckBadge } from "./badges";
import { EpisodeTable } from "./episode-table";
import { Poster } from "./poster";
import { ProgressBar } from "./progress-bar";
import { StageTrack } from "./stage-track";
import { showsProgress, StuckReason } from "./request-card";
import { ElapsedSince, LocalTime } from "./time";
import { Timeline } from "./timeline";

const FINISHED = new Set(["available", "declined", "deleted", "failed"]);

/** The furthest forward stage the timeline shows, for a request that left the path. */
function furthestReached(detail: RequestDetailView): PipelineState | null {
  let best = -1;
  for (const item of detail.timeline) if (item.state) best = Math.max(best, pipelineRank(item.state));
  return best >= 0 ? PIPELINE_ORDER[best] : null;
}

/** `isAdmin` adds the actions panel (retry, verify, delete everywhere); the server checks the role again on each action. */
export function RequestDetail({ id, initial, isAdmin = false }: { id: number; initial: RequestDetailView; isAdmin?: boolean }) {
  const query = trpc.requests.detail.useQuery({ id }, { initialData: initial });
  const d = query.data ?? initial;
  const stuck = isStuck(d);
  const problem = PROBLEM_STATES.includes(d.state);
  const stalled = d.download?.clientState?.startsWith("stalled") ?? false;
  const gone = query.isError && query.error.data?.code === "NOT_FOUND";

  return (
    <div className="space-y-6" data-testid="request-detail" data-request-id={d.id} data-state={d.state}>
      <Link href="/" className="inline-flex items-center gap-1 text-sm text-slate-400 hover:text-slate-100">
        <span aria-hidden>←</span> Dashboard
      </Link>

      {gone && (
        <p role="status" className="rounded-lg bg-slate-800 px-4 py-3 text-sm text-slate-200">
          This request has just been deleted; what is shown below is its last known state.
        </p>
      )}

      <section className="flex gap-4 sm:gap-6">
        <Poster title={d.title} url={d.posterUrl} className="w-24 sm:w-36" />
        <div className="min-w-0 flex-1 space-y-3">
          <div>
            <h1 className="text-xl font-semibold leading-tight tracking-tight sm:text-3xl">
              {d.title}
              {d.year !== null && <span className="ml-2 font-normal text-slate-400">{d.year}</span>}
            </h1>
            <div className="mt-2 flex flex-wrap items-center gap-1.5">
              <MediaBadge mediaType={d.mediaType} isAnime={d.isAnime} />
              <StageBadge state={d.state} />
              {stuck && !problem && <StuckBadge />}
            </div>
          </div>
          <dl className="flex flex-col gap-y-1 text-sm text-slate-400">
            {d.requestedBy && (
              <div>
                <dt className="inline">Requested by </dt>
                <dd className="inline text-slate-200">{d.requestedBy}</dd>
              </div>
            )}
            <div>
              <dt className="inline">Requested </dt>
              <dd className="inline text-slate-200">
                <LocalTime iso={d.createdAt} />
              </dd>
            </div>
            {!FINISHED.has(d.state) && (
              <div>
                <dt className="inline">In this stage for </dt>
                <dd className="inline text-slate-200">
                  <ElapsedSince iso={d.stateChangedAt} />
                </dd>
              </div>
            )}
            {d.availableAt && (
              <div>
                <dt className="inline">Ready since </dt>
                <dd className="inline text-slate-200">
                  <LocalTime iso={d.availableAt} />
                </dd>
              </div>
            )}
          </dl>
          {d.overview && <p className="hidden max-w-prose text-sm leading-relaxed text-slate-400 sm:block">{d.overview}</p>}
        </div>
      </section>

      {d.overview && <p className="text-sm leading-relaxed text-slate-400 sm:hidden">{d.overview}</p>}

      <StageTrack state={d.state} reached={furthestReached(d)} anime={d.isAnime === true} />

      {(stuck || problem) && (
        <StuckReason reason={d.stuckReason ?? "Something went wrong; the timeline below says what."} state={d.state} />
      )}

      {isAdmin && <RequestActions detail={d} />}

      {(showsProgress(d) || d.releaseTitle || d.quality) && (
        <section className="space-y-3 rounded-xl bg-slate-900/80 p-4 ring-1 ring-slate-800">
          {showsProgress(d) && (
            <ProgressBar progress={d.progress ?? 0} speed={d.download?.speed} eta={d.download?.eta} tone={stalled || stuck ? "stalled" : "active"} />
          )}
          <dl className="grid grid-cols-1 gap-x-6 gap-y-1.5 text-sm sm:grid-cols-2">
            {d.releaseTitle && (
              <div className="sm:col-span-2">
                <dt className="text-xs text-slate-500">Release</dt>
                <dd className="break-words text-slate-200">{d.releaseTitle}</dd>
              </div>
            )}
            {d.quality && (
              <div>
                <dt className="text-xs text-slate-500">Quality</dt>
                <dd className="text-slate-200">{d.quality}</dd>
              </div>
            )}
            {d.indexer && (
              <div>
                <dt className="text-xs text-slate-500">Indexer</dt>
                <dd className="text-slate-200">{d.indexer}</dd>
              </div>
            )}
            {d.download && (
              <div>
                <dt className="text-xs text-slate-500">Download</dt>
                <dd className="text-slate-200">
                  {d.download.bytesLeft !== null && d.download.size !== null
                    ? `${formatBytes(d.download.size - d.download.bytesLeft)} of ${formatBytes(d.download.size)}`
                    : formatBytes(d.download.size)}
                  {d.download.seeds !== null && <span className="text-slate-400"> · {d.download.seeds} seeds</span>}
                  {d.download.torrents > 1 && <span className="text-slate-400"> · {d.download.torrents} torrents</span>}
                </dd>
              </div>
            )}
          </dl>
        </section>
      )}

      {d.mediaType === "tv" && (
        <section className="space-y-3">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <h2 className="text-lg font-semibold">Episodes</h2>
            {d.episodeCounts && (
              <p data-testid="episode-counts" className="text-sm text-slate-400">
                {episodeCountsSentence(d.episodeCounts.byState)}
              </p>
            )}
          </div>
          {d.episodes.length > 0 ? (
            <EpisodeTable episodes={d.episodes} />
          ) : (
            <p className="text-sm text-slate-500">No episodes are known yet: they appear once Sonarr grabs a release.</p>
          )}
        </section>
      )}

      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Timeline</h2>
        <Timeline items={d.timeline} finished={FINISHED.has(d.state)} />
      </section>
    </div>
  );
}
