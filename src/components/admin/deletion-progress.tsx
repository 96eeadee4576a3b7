"use client";

import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/router";
import { trpc } from "@/trpc/react";
import { LocalTime } from "../time";

type Outputs = inferRouterOutputs<AppRouter>;
type DeletionView = Outputs["admin"]["deletion"];
type DeletionStepView = DeletionView["steps"][number];

const STEP_STATUS: Record<DeletionStepView["status"], { label: string; className: string }> = {
  pending: { label: "Waiting", className: "bg-slate-800 text-slate-300 ring-slate-700" },
  running: { label: "Running", className: "bg-sky-950 text-sky-200 ring-sky-800" },
  done: { label: "Done", className: "bg-emerald-950 text-emerald-200 ring-emerald-800" },
  skipped: { label: "Nothing to do", className: "bg-slate-800 text-slate-300 ring-slate-700" },
  failed: { label: "Failed", className: "bg-rose-950 text-rose-200 ring-rose-800" },
};

const JOB_STATUS: Record<DeletionView["status"], string> = {
  running: "Deleting…",
  done: "Deleted everywhere",
  stopped: "Stopped at a failed step",
};

export function DeletionStatusPill({ status }: { status: DeletionStepView["status"] }) {
  const s = STEP_STATUS[status];
  return (
    <span className={`inline-flex shrink-0 items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${s.className}`}>
      {status === "running" && <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-sky-400" />}
      {s.label}
    </span>
  );
}

/** One deletion job's steps, polled every second while it runs; a failed step can be run again. */
export function DeletionProgress({ deletionId }: { deletionId: number }) {
  const utils = trpc.useUtils();
  const query = trpc.admin.deletion.useQuery(
    { deletionId },
    { refetchInterval: (q) => (q.state.data?.status === "running" ? 1_000 : false), staleTime: 0 },
  );
  const retryStep = trpc.admin.retryDeletionStep.useMutation({
    onSuccess: (view) => {
      utils.admin.deletion.setData({ deletionId }, view);
      void utils.admin.deletions.invalidate();
    },
    onSettled: () => void utils.requests.detail.invalidate({ id: query.data?.requestId }),
  });
  // The retried step runs while the mutation waits: poll meanwhile so its progress shows.
  trpc.admin.deletion.useQuery({ deletionId }, { enabled: retryStep.isPending, refetchInterval: 1_000, staleTime: 0 });

  const d = query.data;
  if (!d) {
    return query.isError ? (
      <p className="text-sm text-amber-300">The deletion could not be loaded: {query.error.message}</p>
    ) : (
      <p role="status" className="text-sm text-slate-400">
        Loading the deletion…
      </p>
    );
  }
  return (
    <div data-testid="deletion" data-deletion-id={d.id} data-status={d.status} className="space-y-3">
      <div
        data-testid="action-outcome"
        data-ok={d.status === "running" ? "" : String(d.ok)}
        role="status"
        className={`rounded-lg px-3 py-2 text-sm ring-1 ${
          d.status === "running"
            ? "bg-sky-950/40 text-sky-100 ring-sky-900"
            : d.ok
              ? "bg-emerald-950/40 text-emerald-200 ring-emerald-900"
              : "bg-rose-950/40 text-rose-200 ring-rose-900"
        }`}
      >
        <p className="font-medium">{JOB_STATUS[d.status]}</p>
        <p className="mt-0.5 text-slate-300">{d.message}</p>
        <p className="mt-1 text-xs text-slate-400">
          Started by {d.deletedBy} · <LocalTime iso={d.startedAt} />
        </p>
      </div>
      <ol className="divide-y divide-slate-800 overflow-hidden rounded-lg ring-1 ring-slate-800">
        {d.steps.map((s) => (
          <li key={s.step} data-testid="deletion-step" data-step={s.step} data-status={s.status} className="flex flex-col gap-1.5 bg-slate-950/40 px-3 py-2.5 sm:flex-row sm:items-start sm:gap-3">
            <div className="flex items-center gap-2 sm:w-44 sm:shrink-0">
              <span className="w-24 font-medium text-slate-200">{s.service}</span>
              <DeletionStatusPill status={s.status} />
            </div>
            <p className="min-w-0 flex-1 break-words text-sm text-slate-400">
              {s.message ?? (s.status === "pending" ? "Waits for the steps before it." : "")}
              {s.attempts > 1 && <span className="text-slate-500"> · attempt {s.attempts}</span>}
            </p>
            {s.canRetry && (
              <button
                type="button"
                data-testid="deletion-step-retry"
                disabled={retryStep.isPending || d.status === "running"}
                onClick={() => retryStep.mutate({ deletionId: d.id, step: s.step })}
                className="self-start rounded-md bg-slate-800 px-3 py-1 text-xs font-medium text-slate-100 ring-1 ring-inset ring-slate-700 hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-60"
              >
                {retryStep.isPending && retryStep.variables?.step === s.step ? "Retrying…" : "Retry step"}
              </button>
            )}
          </li>
        ))}
      </ol>
      {retryStep.error && <p className="text-sm text-amber-300">{retryStep.error.message}</p>}
    </div>
  );
}
