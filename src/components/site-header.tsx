import Link from "next/link";
import type { SessionUser } from "@/server/trpc/init";
import { signOutAction } from "@/app/_lib/actions";
import { LiveIndicator } from "./live/live-indicator";
import { Logo } from "./logo";
import { NavLinks, type NavItem } from "./nav-links";

export function SiteHeader({ user }: { user: SessionUser }) {
  const items: NavItem[] = [
    { href: "/", label: "Dashboard" },
    { href: "/history", label: "History" },
    ...(user.role === "admin" ? [{ href: "/admin", label: "Admin" }] : []),
  ];
  return (
    <header className="sticky top-0 z-20 border-b border-slate-800/80 bg-slate-950/85 backdrop-blur supports-[backdrop-filter]:bg-slate-950/70">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2.5 sm:px-6">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight text-slate-100">
          <Logo className="size-7" />
          <span className="hidden min-[420px]:inline">Status Tracker</span>
        </Link>
        <div className="order-3 -mx-1 w-full overflow-x-auto sm:order-none sm:mx-0 sm:w-auto">
          <NavLinks items={items} />
        </div>
        <div className="ml-auto flex items-center gap-2 sm:gap-3">
          <LiveIndicator />
          <span data-testid="user-name" className="max-w-[9rem] truncate text-sm text-slate-300" title={user.role === "admin" ? `${user.name} (admin)` : user.name}>
            {user.name}
          </span>
          <form action={signOutAction}>
            <button
              type="submit"
              className="rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-400 ring-1 ring-slate-800 hover:bg-slate-900 hover:text-slate-100"
            >
              Sign out
            </button>
          </form>
        </div>
      </div>
    </header>
  );
}
