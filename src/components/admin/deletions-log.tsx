"use client";

import Link from "next/link";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/router";
import { trpc } from "@/trpc/react";
import { MediaBadge } from "../badges";
import { LocalTime } from "../time";
import { DeletionStatusPill } from "./deletion-progress";

type DeletionPage = inferRouterOutputs<AppRouter>["admin"]["deletions"];
type DeletionView = DeletionPage["items"][number];

const PAGE_SIZE = 20;

const SOURCE: Record<DeletionView["source"], string> = {
  admin: "Status Tracker",
  radarr: "Radarr",
  sonarr: "Sonarr",
};

const JOB: Record<DeletionView["status"], { label: string; className: string }> = {
  running: { label: "Running", className: "bg-sky-950 text-sky-200 ring-sky-800" },
  done: { label: "Done", className: "bg-emerald-950 text-emerald-200 ring-emerald-800" },
  stopped: { label: "Stopped", className: "bg-rose-950 text-rose-200 ring-rose-800" },
};

/** The deletions audit log, newest first: who deleted what, where from, and what each service did. */
export function DeletionsLog({ initial }: { initial: DeletionPage }) {
  const query = trpc.admin.deletions.useInfiniteQuery(
    { limit: PAGE_SIZE },
    {
      getNextPageParam: (last) => last.nextCursor,
      initialData: { pages: [initial], pageParams: [null] },
      // A running job's steps change: refresh while one is on screen.
      refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((i) => i.status === "running")) ? 2_000 : false),
    },
  );
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];

  if (items.length === 0) {
    return <p className="rounded-xl border border-dashed border-slate-800 px-4 py-6 text-center text-sm text-slate-400">Nothing has been deleted yet.</p>;
  }
  return (
    <div className="space-y-3">
      <ul data-testid="deletion-list" className="space-y-2">
        {items.map((d) => (
          <DeletionRow key={d.id} d={d} />
        ))}
      </ul>
      {query.hasNextPage && (
        <button
          type="button"
          data-testid="deletions-more"
          disabled={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}
          className="w-full rounded-lg bg-slate-800 px-4 py-2 text-sm font-medium text-slate-100 hover:bg-slate-700 disabled:opacity-60 sm:w-auto"
        >
          {query.isFetchingNextPage ? "Loading…" : "Older deletions"}
        </button>
      )}
      {query.isError && <p className="text-sm text-amber-300">The deletions could not be loaded: {query.error.message}</p>}
    </div>
  );
}

function DeletionRow({ d }: { d: DeletionView }) {
  const job = JOB[d.status];
  return (
    <li data-testid="deletion-row" data-deletion-id={d.id} data-request-id={d.requestId} data-status={d.status} data-source={d.source} className="space-y-2 rounded-xl bg-slate-900/80 p-3 ring-1 ring-slate-800 sm:p-4">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1.5">
        <Link href={`/requests/${d.requestId}`} className="font-medium text-slate-100 hover:underline">
          {d.title}
        </Link>
        <MediaBadge mediaType={d.mediaType} isAnime={null} />
        <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${job.className}`}>{job.label}</span>
      </div>
      <p className="text-xs text-slate-400">
        <LocalTime iso={d.startedAt} /> · by <span className="text-slate-200">{d.deletedBy}</span> · from <span className="text-slate-200">{SOURCE[d.source]}</span>
        {!d.deletedFiles && <> · files kept</>}
      </p>
      <p className="text-sm text-slate-300">{d.message}</p>
      {d.steps.length > 0 && (
        <ol className="space-y-1">
          {d.steps.map((s) => (
            <li key={s.step} data-testid="deletion-row-step" data-status={s.status} className="flex min-w-0 items-start gap-2 text-sm">
              <span className="w-24 shrink-0 text-slate-300">{s.service}</span>
              <DeletionStatusPill status={s.status} />
              {s.message && (
                <span className="min-w-0 break-words text-xs leading-5 text-slate-500" title={s.message}>
                  {s.message}
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}
