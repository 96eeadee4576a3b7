"use client";

import { useDeferredValue, useEffect, useState } from "react";
import Link from "next/link";
import type { RequestCard } from "@/server/trpc/routers/requests";
import type { MediaType, RequestState } from "@/lib/states";
import { stageLabel } from "@/lib/format";
import { trpc } from "@/trpc/react";
import { MediaBadge, StageBadge } from "./badges";
import { HISTORY_FILTER_STATES, type HistoryFilters } from "./history-filters";
import { Poster } from "./poster";
import { LocalTime, RelativeTime } from "./time";

const PAGE_SIZE = 30;

interface HistoryPage {
  items: RequestCard[];
  nextCursor: number | null;
}

function toInput(f: HistoryFilters) {
  return {
    search: f.search.trim() || undefined,
    states: f.states.length > 0 ? f.states : undefined,
    mediaType: f.mediaType ?? undefined,
    limit: PAGE_SIZE,
  };
}

function sameFilters(a: HistoryFilters, b: HistoryFilters): boolean {
  return a.search.trim() === b.search.trim() && a.mediaType === b.mediaType && a.states.join() === b.states.join();
}

/** Finished, failed, timed-out and declined requests: searchable, filterable, a page at a time. */
export function HistoryView({ initialFilters, initialPage }: { initialFilters: HistoryFilters; initialPage: HistoryPage }) {
  const [filters, setFilters] = useState(initialFilters);
  // Typing does not fire a query per keystroke; the deferred value follows when React is idle.
  const [searchText, setSearchText] = useState(initialFilters.search);
  const deferredSearch = useDeferredValue(searchText);
  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.search === deferredSearch ? f : { ...f, search: deferredSearch })), 250);
    return () => clearTimeout(t);
  }, [deferredSearch]);

  // The URL follows the filters, so a reload or a shared link shows the same list.
  useEffect(() => {
    const url = new URL(window.location.href);
    const set = (k: string, v: string | null) => (v ? url.searchParams.set(k, v) : url.searchParams.delete(k));
    set("q", filters.search.trim() || null);
    set("state", filters.states.join(",") || null);
    set("type", filters.mediaType);
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url);
  }, [filters]);

  const usesInitial = sameFilters(filters, initialFilters);
  const query = trpc.requests.history.useInfiniteQuery(toInput(filters), {
    getNextPageParam: (last) => last.nextCursor,
    initialData: usesInitial ? { pages: [initialPage], pageParams: [null] } : undefined,
    placeholderData: (prev) => prev,
  });

  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const toggleState = (s: RequestState) =>
    setFilters((f) => ({ ...f, states: f.states.includes(s) ? f.states.filter((x) => x !== s) : [...f.states, s] }));

  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">History</h1>
        <p className="mt-0.5 text-sm text-slate-400">Finished, failed, timed-out and declined requests.</p>
      </div>

      <div className="space-y-3 rounded-xl bg-slate-900/60 p-3 ring-1 ring-slate-800 sm:p-4">
        <div className="flex flex-col gap-3 sm:flex-row">
          <label className="relative flex-1">
            <span className="sr-only">Search by title or requester</span>
            <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-slate-500">
              <path fillRule="evenodd" d="M9 3.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11ZM2 9a7 7 0 1 1 12.452 4.391l3.328 3.329a.75.75 0 1 1-1.06 1.06l-3.329-3.328A7 7 0 0 1 2 9Z" clipRule="evenodd" />
            </svg>
            <input
              type="search"
              data-testid="history-search"
              value={searchText}
              onChange={(e) => setSearchText(e.target.value)}
              placeholder="Search by title or requester"
              className="w-full rounded-lg border border-slate-700 bg-slate-950 py-2 pl-9 pr-3 text-sm text-slate-100 placeholder:text-slate-500 outline-none focus:border-sky-500"
            />
          </label>
          <label className="flex items-center gap-2 text-sm text-slate-400">
            <span className="shrink-0">Type</span>
            <select
              data-testid="history-type"
              value={filters.mediaType ?? ""}
              onChange={(e) => setFilters((f) => ({ ...f, mediaType: (e.target.value || null) as MediaType | null }))}
              className="w-full rounded-lg border border-slate-700 bg-slate-950 px-3 py-2 text-sm text-slate-100 outline-none focus:border-sky-500 sm:w-auto"
            >
              <option value="">Movies and TV</option>
              <option value="movie">Movies</option>
              <option value="tv">TV</option>
            </select>
          </label>
        </div>
        <div role="group" aria-label="States" data-testid="history-states" className="flex flex-wrap gap-1.5">
          {HISTORY_FILTER_STATES.map((s) => {
            const on = filters.states.includes(s);
            return (
              <button
                key={s}
                type="button"
                aria-pressed={on}
                onClick={() => toggleState(s)}
                className={`rounded-full px-3 py-1 text-xs font-medium ring-1 ring-inset ${
                  on ? "bg-sky-600 text-white ring-sky-500" : "bg-slate-950 text-slate-300 ring-slate-700 hover:bg-slate-800"
                }`}
              >
                {stageLabel(s)}
              </button>
            );
          })}
          {filters.states.length > 0 && (
            <button type="button" onClick={() => setFilters((f) => ({ ...f, states: [] }))} className="px-2 text-xs text-slate-400 underline-offset-2 hover:underline">
              Clear
            </button>
          )}
        </div>
      </div>

      {query.isError && <p className="rounded-lg bg-rose-950/60 px-4 py-3 text-sm text-rose-200">The history could not be loaded: {query.error.message}</p>}

      {query.data && items.length === 0 && (
        <div className="rounded-xl border border-dashed border-slate-800 px-6 py-12 text-center text-slate-400">
          {usesInitial && !initialFilters.search && initialFilters.states.length === 0 && !initialFilters.mediaType
            ? "Nothing has finished yet."
            : "No request matches these filters."}
        </div>
      )}

      {items.length > 0 && (
        <ul data-testid="history-list" className={`divide-y divide-slate-800/70 overflow-hidden rounded-xl bg-slate-900/60 ring-1 ring-slate-800 ${query.isPlaceholderData ? "opacity-60" : ""}`}>
          {items.map((item) => (
            <HistoryRow key={item.id} item={item} />
          ))}
        </ul>
      )}

      {query.hasNextPage && (
        <div className="flex justify-center">
          <button
            type="button"
            data-testid="history-more"
            onClick={() => void query.fetchNextPage()}
            disabled={query.isFetchingNextPage}
            className="rounded-lg bg-slate-800 px-4 py-2 text-sm font-medium text-slate-100 hover:bg-slate-700 disabled:opacity-60"
          >
            {query.isFetchingNextPage ? "Loading…" : "Show more"}
          </button>
        </div>
      )}
    </div>
  );
}

function HistoryRow({ item }: { item: RequestCard }) {
  return (
    <li data-testid="history-item" data-request-id={item.id} data-state={item.state}>
      <Link href={`/requests/${item.id}`} className="flex items-center gap-3 px-3 py-3 hover:bg-slate-800/50 sm:px-4">
        <Poster title={item.title} url={item.posterUrl} className="w-10" />
        <div className="min-w-0 flex-1">
          <p className="truncate font-medium text-slate-100">
            {item.title}
            {item.year !== null && <span className="ml-1.5 font-normal text-slate-400">{item.year}</span>}
          </p>
          <p className="mt-0.5 truncate text-xs text-slate-500">
            {item.requestedBy ? `${item.requestedBy} · ` : ""}
            {item.state === "available" && item.availableAt ? (
              <>
                ready <LocalTime iso={item.availableAt} />
              </>
            ) : (
              <>
                {stageLabel(item.state).toLowerCase()} <RelativeTime iso={item.stateChangedAt} />
              </>
            )}
          </p>
          {item.stuckReason && item.state !== "available" && <p className="mt-0.5 truncate text-xs text-amber-300/90">{item.stuckReason}</p>}
        </div>
        <div className="flex shrink-0 flex-col items-end gap-1.5 sm:flex-row sm:items-center">
          <MediaBadge mediaType={item.mediaType} isAnime={item.isAnime} />
          <StageBadge state={item.state} />
        </div>
      </Link>
    </li>
  );
}
