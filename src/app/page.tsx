import { sql } from "drizzle-orm";
import { getContainer } from "@/server/container";
import { requests } from "@/server/db/schema";

export const dynamic = "force-dynamic";

/** Landing page: that the tracker runs, and how much it tracks. No request details without a session. */
export default async function HomePage() {
  const { db, config } = getContainer();
  const [counts] = await db
    .select({
      total: sql<number>`count(*)`,
      active: sql<number>`sum(case when ${requests.state} not in ('available','declined','deleted','failed') then 1 else 0 end)`,
    })
    .from(requests);
  const services = Object.keys(config.services);
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <h1 className="text-3xl font-semibold tracking-tight">Status Tracker</h1>
      <p className="mt-3 text-slate-300">Where every media request stands, from request to watchable.</p>
      <dl className="mt-8 grid grid-cols-2 gap-4">
        <div className="rounded-xl bg-slate-900 p-4">
          <dt className="text-sm text-slate-400">Requests in progress</dt>
          <dd className="mt-1 text-2xl font-semibold">{Number(counts?.active ?? 0)}</dd>
        </div>
        <div className="rounded-xl bg-slate-900 p-4">
          <dt className="text-sm text-slate-400">Requests tracked</dt>
          <dd className="mt-1 text-2xl font-semibold">{Number(counts?.total ?? 0)}</dd>
        </div>
      </dl>
      <p className="mt-8 text-sm text-slate-400">
        {services.length > 0 ? `Connected services: ${services.join(", ")}.` : "No media services are configured."} Scripts and
        dashboard widgets read <code className="text-slate-200">/api/v1/requests</code> with an API key.
      </p>
    </main>
  );
}
