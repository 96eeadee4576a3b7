import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/next-auth";
import { getContainer } from "@/server/container";
import { Logo } from "@/components/logo";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in · Status Tracker" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next = "/" } = await searchParams;
  const safeNext = next.startsWith("/") && !next.startsWith("//") ? next : "/";
  if (await currentUser()) redirect(safeNext);
  const { config } = getContainer();
  const hint = config.services.jellyfin
    ? "Sign in with your Jellyfin account."
    : config.admin
      ? "Sign in with the admin account configured for this server."
      : "No Jellyfin server or admin account is configured yet: set JELLYFIN_URL, or ADMIN_USERNAME and ADMIN_PASSWORD.";
  return (
    <main className="relative flex min-h-screen items-center justify-center overflow-hidden px-4 py-12">
      <div aria-hidden className="pointer-events-none absolute -top-40 left-1/2 h-80 w-[36rem] -translate-x-1/2 rounded-full bg-sky-600/15 blur-3xl" />
      <div className="relative w-full max-w-sm">
        <div className="flex items-center gap-3">
          <Logo className="size-10" />
          <div>
            <h1 className="text-xl font-semibold tracking-tight">Status Tracker</h1>
            <p className="text-sm text-slate-400">Where every request stands, from request to watchable.</p>
          </div>
        </div>
        <div className="mt-8 rounded-2xl bg-slate-900/80 p-5 ring-1 ring-slate-800 sm:p-6">
          <LoginForm next={safeNext} hint={hint} />
        </div>
      </div>
    </main>
  );
}
