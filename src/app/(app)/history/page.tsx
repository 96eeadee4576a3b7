import type { Metadata } from "next";
import { HistoryView } from "@/components/history-view";
import { HISTORY_FILTER_STATES, type HistoryFilters } from "@/components/history-filters";
import { LiveUpdates } from "@/components/live/live-updates";
import type { RequestState } from "@/lib/states";
import { liveCursor, serverCaller } from "@/trpc/server";
import { requireUser } from "../../_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "History · Status Tracker" };

type Search = { q?: string; state?: string; type?: string };

function parseFilters(sp: Search): HistoryFilters {
  const states = (sp.state ?? "")
    .split(",")
    .filter((s): s is RequestState => (HISTORY_FILTER_STATES as string[]).includes(s));
  return {
    search: (sp.q ?? "").slice(0, 200),
    states,
    mediaType: sp.type === "movie" || sp.type === "tv" ? sp.type : null,
  };
}

export default async function HistoryPage({ searchParams }: { searchParams: Promise<Search> }) {
  const sp = await searchParams;
  const qs = new URLSearchParams(Object.entries(sp).filter((e): e is [string, string] => typeof e[1] === "string")).toString();
  const user = await requireUser(qs ? `/history?${qs}` : "/history");
  const filters = parseFilters(sp);
  const cursor = await liveCursor();
  const page = await serverCaller(user).requests.history({
    search: filters.search.trim() || undefined,
    states: filters.states.length > 0 ? filters.states : undefined,
    mediaType: filters.mediaType ?? undefined,
    limit: 30,
  });
  return (
    <>
      <LiveUpdates startAfter={cursor} userName={user.name} />
      <HistoryView initialFilters={filters} initialPage={page} />
    </>
  );
}
