import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { IntegrationsPanel, StuckPanel, WebhookSetupPanel } from "@/components/admin/admin-view";
import { DemoPanel } from "@/components/admin/demo-panel";
import { LibrarySyncPanel } from "@/components/admin/library-sync-panel";
import { LiveUpdates } from "@/components/live/live-updates";
import { liveCursor, serverCaller } from "@/trpc/server";
import { requireUser } from "../../_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Admin · Status Tracker" };

/** The address this browser used, so the webhook URLs shown are ones that reach this server. */
async function requestBaseUrl(): Promise<string> {
  const h = await headers();
  const host = h.get("x-forwarded-host")?.split(",")[0]?.trim() || h.get("host") || "localhost";
  const proto = h.get("x-forwarded-proto")?.split(",")[0]?.trim() || "http";
  return `${proto === "https" ? "https" : "http"}://${host}`;
}

export default async function AdminPage() {
  const user = await requireUser("/admin");
  if (user.role !== "admin") {
    return (
      <>
        <LiveUpdates startAfter={await liveCursor()} userName={user.name} />
        <div data-testid="admins-only" className="mx-auto max-w-md rounded-xl bg-slate-900/80 px-6 py-10 text-center ring-1 ring-slate-800">
          <h1 className="text-xl font-semibold">Admins only</h1>
          <p className="mt-2 text-sm text-slate-400">
            The integrations, stuck requests and webhook setup are for the people who run the media server. You are signed in as {user.name}.
          </p>
          <Link href="/" className="mt-5 inline-block rounded-lg bg-slate-800 px-4 py-2 text-sm font-medium text-slate-100 hover:bg-slate-700">
            Back to the dashboard
          </Link>
        </div>
      </>
    );
  }
  const caller = serverCaller(user);
  const cursor = await liveCursor();
  const [integrations, stuck, setup, demo, librarySync] = await Promise.all([
    caller.admin.integrations(),
    caller.admin.stuck(),
    caller.admin.webhookSetup({ baseUrl: await requestBaseUrl() }),
    caller.demo.info(),
    caller.admin.librarySync.status(),
  ]);
  return (
    <div className="space-y-8">
      <LiveUpdates startAfter={cursor} userName={user.name} />
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Admin</h1>
          <p className="mt-0.5 text-sm text-slate-400">How the services are doing, what needs a person, and how to connect them.</p>
        </div>
        <Link
          href="/admin/deletions"
          data-testid="deletions-link"
          className="self-start rounded-lg bg-slate-800 px-3 py-1.5 text-sm font-medium text-slate-100 ring-1 ring-inset ring-slate-700 hover:bg-slate-700 sm:self-auto"
        >
          Deletions log →
        </Link>
      </div>
      <StuckPanel initial={stuck} />
      {demo.enabled && <DemoPanel scenarios={demo.scenarios} speed={demo.speed} />}
      <IntegrationsPanel initial={integrations} />
      <LibrarySyncPanel initial={librarySync} />
      <WebhookSetupPanel setup={setup} integrations={integrations} />
    </div>
  );
}
