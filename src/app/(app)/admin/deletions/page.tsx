import type { Metadata } from "next";
import Link from "next/link";
import { DeletionsLog } from "@/components/admin/deletions-log";
import { LiveUpdates } from "@/components/live/live-updates";
import { liveCursor, serverCaller } from "@/trpc/server";
import { requireUser } from "../../../_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Deletions · Status Tracker" };

export default async function DeletionsPage() {
  const user = await requireUser("/admin/deletions");
  const cursor = await liveCursor();
  if (user.role !== "admin") {
    return (
      <>
        <LiveUpdates startAfter={cursor} userName={user.name} />
        <div data-testid="admins-only" className="mx-auto max-w-md rounded-xl bg-slate-900/80 px-6 py-10 text-center ring-1 ring-slate-800">
          <h1 className="text-xl font-semibold">Admins only</h1>
          <p className="mt-2 text-sm text-slate-400">The deletions log is for the people who run the media server. You are signed in as {user.name}.</p>
          <Link href="/" className="mt-5 inline-block rounded-lg bg-slate-800 px-4 py-2 text-sm font-medium text-slate-100 hover:bg-slate-700">
            Back to the dashboard
          </Link>
        </div>
      </>
    );
  }
  const first = await serverCaller(user).admin.deletions({ limit: 20 });
  return (
    <div className="space-y-5">
      <LiveUpdates startAfter={cursor} userName={user.name} />
      <Link href="/admin" className="inline-flex items-center gap-1 text-sm text-slate-400 hover:text-slate-100">
        <span aria-hidden>←</span> Admin
      </Link>
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Deletions</h1>
        <p className="mt-0.5 text-sm text-slate-400">Everything deleted, newest first: who, when, from where, and what each service did.</p>
      </div>
      <DeletionsLog initial={first} />
    </div>
  );
}
