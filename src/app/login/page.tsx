import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/next-auth";
import { getContainer } from "@/server/container";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next = "/" } = await searchParams;
  if (await currentUser()) redirect(next.startsWith("/") ? next : "/");
  const { config } = getContainer();
  const hint = config.services.jellyfin
    ? "Sign in with your Jellyfin account."
    : config.admin
      ? "Sign in with the admin account configured for this server."
      : "No Jellyfin server or admin account is configured yet.";
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-6 py-12">
      <h1 className="text-2xl font-semibold tracking-tight">Status Tracker</h1>
      <p className="mt-2 text-slate-400">Where every request stands, from request to watchable.</p>
      <LoginForm next={next} hint={hint} />
    </main>
  );
}
