"use client";

import { useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/router";
import type { RequestDetailView } from "@/server/trpc/routers/requests";
import { pipelineRank, type RequestState } from "@/lib/states";
import { trpc } from "@/trpc/react";
import { DeletionProgress } from "./deletion-progress";

type Outputs = inferRouterOutputs<AppRouter>;
export type ActionOutcomeView = Outputs["admin"]["retry"];
export type DeletionView = Outputs["admin"]["deletion"];

const RETRY_LABELS = {
  search: "Search again",
  download: "Replace download",
  import: "Rescan import",
  matching: "Rematch in Shoko",
  library: "Check Jellyfin",
} as const;
type RetryStage = keyof typeof RETRY_LABELS;

/**
 * What "Retry" will do, from what the page knows (the server decides for real and its outcome names
 * the stage it found). Mirrors the server's plan: a healthy download needs nothing, so only a
 * stalled or failed one is replaced; timed-out and failed requests are placed by how far they got.
 */
export function retryStage(d: Pick<RequestDetailView, "state" | "stuckReason" | "isAnime" | "timeline" | "download">): RetryStage {
  const downloadProblem = d.stuckReason?.startsWith("Download ") ?? false;
  switch (d.state) {
    case "approved":
    case "searching":
      return "search";
    case "grabbing":
    case "downloading":
      return downloadProblem ? "download" : "library";
    case "downloaded":
      return "import";
    case "anime_matching":
    case "match_failed":
      return "matching";
    case "timeout":
    case "failed": {
      if (d.stuckReason?.startsWith("The file was deleted")) return "search";
      let furthest = -1;
      for (const item of d.timeline) if (item.state) furthest = Math.max(furthest, pipelineRank(item.state));
      if (downloadProblem || furthest === pipelineRank("grabbing") || furthest === pipelineRank("downloading")) return "download";
      if (furthest < pipelineRank("grabbing")) return "search";
      if (furthest <= pipelineRank("importing")) return "import";
      return d.isAnime ? "matching" : "library";
    }
    default:
      return "library";
  }
}

const DELETING: RequestState[] = ["deleting", "deleted"];

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What "Delete everywhere" removes, service by service, in the order it goes. */
function deletionPlan(d: Pick<RequestDetailView, "mediaType" | "isAnime">): { service: string; what: string }[] {
  const movie = d.mediaType === "movie";
  return [
    { service: "qBittorrent", what: "the torrents and their downloaded files" },
    movie
      ? { service: "Radarr", what: "the movie and its files on disk" }
      : { service: "Sonarr", what: "the series and all its episode files on disk" },
    { service: "Shoko", what: d.isAnime ? "forgets the files that are gone" : "forgets any files of it that are gone (if it knew them)" },
    { service: "Jellyfin", what: "a library scan drops the item" },
    { service: "Jellyseerr", what: "the request and its media entry, so it can be requested again" },
  ];
}

/**
 * The admin's actions on one request: retry its stage, verify now, delete everywhere (with a
 * confirm step). Each press shows what the services did; the detail itself refreshes from the
 * live feed. While a deletion runs or after it, its steps are shown instead.
 */
export function RequestActions({ detail }: { detail: RequestDetailView }) {
  const utils = trpc.useUtils();
  const [confirming, setConfirming] = useState(false);
  const [last, setLast] = useState<"retry" | "verify" | "delete" | null>(null);
  const refresh = () => void utils.requests.detail.invalidate({ id: detail.id });

  const retry = trpc.admin.retry.useMutation({ onSettled: refresh });
  const verify = trpc.admin.verify.useMutation({ onSettled: refresh });
  const remove = trpc.admin.delete.useMutation({
    onSuccess: (view) => {
      utils.admin.deletion.setData({ deletionId: view.id }, { ...view, repeated: false });
      void utils.admin.deletions.invalidate();
    },
    onSettled: refresh,
  });
  const pending = retry.isPending || verify.isPending || remove.isPending;

  const deletingNow = DELETING.includes(detail.state) || remove.isPending || remove.isSuccess;
  const latest = trpc.admin.deletions.useQuery({ requestId: detail.id, limit: 1 }, { enabled: deletingNow && !remove.data, staleTime: 0 });
  const deletionId = remove.data?.id ?? latest.data?.items[0]?.id ?? null;

  const stage = retryStage(detail);
  const outcome = last === "retry" ? retry : last === "verify" ? verify : null;

  return (
    <section data-testid="request-actions" aria-labelledby="actions-heading" className="space-y-3 rounded-xl bg-slate-900/80 p-4 ring-1 ring-slate-800">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="actions-heading" className="text-lg font-semibold">
          Actions
        </h2>
        <span className="text-xs text-slate-500">admins only</span>
      </div>

      {!DELETING.includes(detail.state) && (
        <div className="flex flex-col gap-2 sm:flex-row sm:flex-wrap">
          <button
            type="button"
            data-testid="action-retry"
            data-stage={stage}
            disabled={pending}
            onClick={() => {
              setLast("retry");
              retry.mutate({ id: detail.id });
            }}
            className="rounded-lg bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-500 disabled:cursor-not-allowed disabled:opacity-60"
          >
            {retry.isPending ? `${RETRY_LABELS[stage]}…` : RETRY_LABELS[stage]}
          </button>
          <button
            type="button"
            data-testid="action-verify"
            disabled={pending}
            onClick={() => {
              setLast("verify");
              verify.mutate({ id: detail.id });
            }}
            className="rounded-lg bg-slate-800 px-4 py-2 text-sm font-medium text-slate-100 ring-1 ring-inset ring-slate-700 hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-60"
          >
            {verify.isPending ? "Verifying…" : "Verify now"}
          </button>
          <button
            type="button"
            data-testid="action-delete"
            disabled={pending}
            aria-expanded={confirming}
            onClick={() => setConfirming((c) => !c)}
            className="rounded-lg px-4 py-2 text-sm font-medium text-rose-200 ring-1 ring-inset ring-rose-800 hover:bg-rose-950 disabled:cursor-not-allowed disabled:opacity-60 sm:ml-auto"
          >
            Delete everywhere
          </button>
        </div>
      )}

      {confirming && !DELETING.includes(detail.state) && (
        <div data-testid="delete-confirm" role="alertdialog" aria-labelledby="delete-confirm-heading" className="space-y-3 rounded-lg bg-rose-950/40 p-3 ring-1 ring-rose-900">
          <p id="delete-confirm-heading" className="text-sm font-medium text-rose-100">
            Delete “{detail.title}” everywhere? This removes:
          </p>
          <ul className="space-y-1 text-sm">
            {deletionPlan(detail).map((p) => (
              <li key={p.service} className="flex gap-2">
                <span className="w-24 shrink-0 font-medium text-slate-200">{p.service}</span>
                <span className="text-slate-400">{p.what}</span>
              </li>
            ))}
          </ul>
          <p className="text-xs text-slate-400">Files cannot be brought back. Each step is checked, and a failed step can be retried.</p>
          <div className="flex flex-col gap-2 sm:flex-row">
            <button
              type="button"
              data-testid="action-delete-confirm"
              disabled={pending}
              onClick={() => {
                setLast("delete");
                setConfirming(false);
                remove.mutate({ id: detail.id });
              }}
              className="rounded-lg bg-rose-600 px-4 py-2 text-sm font-medium text-white hover:bg-rose-500 disabled:cursor-not-allowed disabled:opacity-60"
            >
              Yes, delete everywhere
            </button>
            <button
              type="button"
              onClick={() => setConfirming(false)}
              className="rounded-lg bg-slate-800 px-4 py-2 text-sm font-medium text-slate-100 hover:bg-slate-700"
            >
              Cancel
            </button>
          </div>
        </div>
      )}

      {outcome?.isPending && (
        <p role="status" className="text-sm text-slate-400">
          {last === "retry" ? "Asking the services…" : "Checking Jellyfin and the arr…"}
        </p>
      )}
      {outcome?.data && <OutcomeView outcome={outcome.data} />}
      {outcome?.error && <Refusal message={outcome.error.message} />}

      {last === "delete" && remove.isPending && !deletionId && (
        <p role="status" className="text-sm text-slate-400">
          Starting the deletion…
        </p>
      )}
      {last === "delete" && remove.error && <Refusal message={errorMessage(remove.error)} />}
      {deletionId !== null && <DeletionProgress deletionId={deletionId} />}
    </section>
  );
}

function Refusal({ message }: { message: string }) {
  return (
    <div data-testid="action-outcome" data-ok="false" role="status" className="rounded-lg bg-amber-950/50 px-3 py-2 text-sm text-amber-200 ring-1 ring-amber-800">
      {message}
    </div>
  );
}

export function StepMark({ ok }: { ok: boolean | null }) {
  if (ok === null) return <span aria-hidden className="mt-1 size-2 shrink-0 rounded-full bg-slate-500" />;
  return ok ? (
    <svg aria-label="done" viewBox="0 0 20 20" fill="currentColor" className="mt-0.5 size-4 shrink-0 text-emerald-400">
      <path fillRule="evenodd" d="M16.704 4.153a.75.75 0 0 1 .143 1.052l-8 10.5a.75.75 0 0 1-1.127.075l-4.5-4.5a.75.75 0 0 1 1.06-1.06l3.894 3.893 7.48-9.817a.75.75 0 0 1 1.05-.143Z" clipRule="evenodd" />
    </svg>
  ) : (
    <svg aria-label="failed" viewBox="0 0 20 20" fill="currentColor" className="mt-0.5 size-4 shrink-0 text-rose-400">
      <path d="M6.28 5.22a.75.75 0 0 0-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 1 0 1.06 1.06L10 11.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L11.06 10l3.72-3.72a.75.75 0 0 0-1.06-1.06L10 8.94 6.28 5.22Z" />
    </svg>
  );
}

function OutcomeView({ outcome }: { outcome: ActionOutcomeView }) {
  return (
    <div
      data-testid="action-outcome"
      data-ok={String(outcome.ok)}
      data-stage={outcome.stage ?? ""}
      role="status"
      className={`space-y-2 rounded-lg px-3 py-2.5 ring-1 ${outcome.ok ? "bg-emerald-950/40 ring-emerald-900" : "bg-amber-950/40 ring-amber-800"}`}
    >
      <p className={`text-sm font-medium ${outcome.ok ? "text-emerald-200" : "text-amber-200"}`}>
        {outcome.message}
        {outcome.repeated && <span className="ml-1 font-normal text-slate-400">(already done a moment ago; nothing was sent again)</span>}
      </p>
      {outcome.steps.length > 0 && (
        <ul className="space-y-1">
          {outcome.steps.map((s, i) => (
            <li key={i} data-testid="action-step" data-ok={String(s.ok)} className="flex gap-2 text-sm">
              <StepMark ok={s.ok} />
              <span className="min-w-0">
                <span className="font-medium text-slate-200">{s.service}</span> <span className="break-words text-slate-400">{s.message}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
      {outcome.stuckReason && !outcome.ok && <p className="text-xs text-amber-300">Still: {outcome.stuckReason}</p>}
    </div>
  );
}
