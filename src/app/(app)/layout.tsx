import { currentUser } from "@/server/auth/next-auth";
import { SiteHeader } from "@/components/site-header";
import { TrpcProvider } from "@/trpc/react";

export const dynamic = "force-dynamic";

/**
 * Every page but the login page. Each page calls requireUser(its own path), which sends a
 * visitor without a session to /login?next=<that path> (a layout cannot know the path, so it
 * does not redirect itself); every query behind the pages checks the session again.
 */
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  if (!user) return <main>{children}</main>;
  return (
    <TrpcProvider>
      <SiteHeader user={user} />
      <main className="mx-auto max-w-6xl px-4 pb-16 pt-5 sm:px-6 sm:pt-8">{children}</main>
    </TrpcProvider>
  );
}
