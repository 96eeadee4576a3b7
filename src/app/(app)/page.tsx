import type { Metadata } from "next";
import { Dashboard } from "@/components/dashboard";
import { LiveUpdates } from "@/components/live/live-updates";
import { liveCursor, serverCaller } from "@/trpc/server";
import { requireUser } from "../_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dashboard · Status Tracker" };

export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ mine?: string }> }) {
  const { mine: mineParam } = await searchParams;
  const mine = mineParam === "1" || mineParam === "true";
  const user = await requireUser(mine ? "/?mine=1" : "/");
  // The cursor is read before the data: the live feed then replays anything newer than what is shown.
  const cursor = await liveCursor();
  const list = await serverCaller(user).requests.list({ mine, limit: 200 });
  return (
    <>
      <LiveUpdates startAfter={cursor} userName={user.name} />
      <Dashboard initialMine={mine} initialList={list} />
    </>
  );
}
