"use client";

import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/router";
import { trpc } from "@/trpc/react";
import { RelativeTime } from "../time";

type LibrarySyncStatus = inferRouterOutputs<AppRouter>["admin"]["librarySync"]["status"];

const PHASES: Record<LibrarySyncStatus["phase"], string> = {
  idle: "Not run yet",
  reading: "Reading Radarr, Sonarr and Jellyseerr",
  jellyfin: "Importing what Jellyfin has",
  jellyseerr: "Importing Jellyseerr's requests",
  repair: "Filling in missing ids",
  done: "Done",
  failed: "Failed",
};

/** Library sync: what Jellyfin and Jellyseerr already have becomes requests; missing ids are filled in. */
export function LibrarySyncPanel({ initial }: { initial: LibrarySyncStatus }) {
  const utils = trpc.useUtils();
  const status = trpc.admin.librarySync.status.useQuery(undefined, {
    initialData: initial,
    staleTime: 0,
    refetchInterval: (q) => (q.state.data?.running ? 1_000 : false),
  });
  const start = trpc.admin.librarySync.start.useMutation({
    onSuccess: (s) => utils.admin.librarySync.status.setData(undefined, s),
  });
  const s = status.data ?? initial;
  const fraction = s.total > 0 ? Math.min(1, s.scanned / s.total) : s.phase === "done" ? 1 : 0;

  return (
    <section className="space-y-3" aria-labelledby="sync-heading">
      <h2 id="sync-heading" className="text-lg font-semibold">
        Library sync
      </h2>
      <div className="space-y-3 rounded-xl bg-slate-900/80 p-3 ring-1 ring-slate-800 sm:p-4">
        <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
          <p className="max-w-prose text-sm text-slate-400">
            Adds what is already in Jellyfin and Jellyseerr as ready requests, and fills in the Radarr, Sonarr, Jellyfin and Jellyseerr ids that requests are missing.
          </p>
          <button
            type="button"
            data-testid="library-sync-start"
            disabled={s.running || start.isPending}
            onClick={() => start.mutate()}
            className="shrink-0 rounded-lg bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-500 disabled:cursor-not-allowed disabled:opacity-60"
          >
            {s.running ? "Syncing…" : "Sync library"}
          </button>
        </div>
        <div data-testid="library-sync-status" data-phase={s.phase} data-running={String(s.running)} className="space-y-2" role="status">
          <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1 text-sm">
            <span className={`font-medium ${s.phase === "failed" ? "text-rose-300" : s.phase === "done" ? "text-emerald-300" : "text-slate-200"}`}>
              {PHASES[s.phase]}
            </span>
            {s.finishedAt ? (
              <span className="text-xs text-slate-500">
                finished <RelativeTime iso={s.finishedAt} />
                {s.startedBy && <> · by {s.startedBy}</>}
              </span>
            ) : s.startedAt ? (
              <span className="text-xs text-slate-500">
                started <RelativeTime iso={s.startedAt} />
                {s.startedBy && <> · by {s.startedBy}</>}
              </span>
            ) : null}
          </div>
          {s.phase !== "idle" && (
            <div className="h-1.5 overflow-hidden rounded-full bg-slate-800" aria-hidden>
              <div className={`h-full rounded-full ${s.phase === "failed" ? "bg-rose-500" : s.running ? "bg-sky-500" : "bg-emerald-500"}`} style={{ width: `${Math.round(fraction * 100)}%` }} />
            </div>
          )}
          <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-5">
            <Figure label="Scanned" value={s.total > 0 ? `${s.scanned} of ${s.total}` : String(s.scanned)} />
            <Figure label="Imported" value={String(s.imported)} />
            <Figure label="Repaired" value={String(s.repaired)} />
            <Figure label="Unchanged" value={String(s.unchanged)} />
            <Figure label="Errors" value={String(s.errors.length)} tone={s.errors.length > 0 ? "text-amber-300" : undefined} />
          </dl>
          <p className="text-sm text-slate-400">{s.message}</p>
          {s.errors.length > 0 && (
            <ul className="space-y-0.5 text-xs text-amber-300">
              {s.errors.slice(0, 10).map((e, i) => (
                <li key={i} className="break-words">
                  {e}
                </li>
              ))}
              {s.errors.length > 10 && <li className="text-slate-500">and {s.errors.length - 10} more</li>}
            </ul>
          )}
          {start.error && <p className="text-sm text-amber-300">{start.error.message}</p>}
        </div>
      </div>
    </section>
  );
}

function Figure({ label, value, tone }: { label: string; value: string; tone?: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={`tabular-nums ${tone ?? "text-slate-200"}`}>{value}</dd>
    </div>
  );
}
