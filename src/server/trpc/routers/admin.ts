import { desc, inArray, isNotNull, or } from "drizzle-orm";
import { SERVICE_NAMES } from "../../env";
import { integrations, requests } from "../../db/schema";
import { getRequestSummaries } from "../../api/request-queries";
import { adminProcedure, router } from "../init";

export const adminRouter = router({
  /** Every service: configured or not, healthy or not, what was last heard from it. */
  integrations: adminProcedure.query(async ({ ctx }) => {
    const { db, config, scheduler } = ctx.container;
    const rows = await db.select().from(integrations);
    const jobs = scheduler.status();
    return SERVICE_NAMES.map((service) => {
      const row = rows.find((r) => r.service === service);
      const job = jobs.find((j) => j.service === service);
      const configured = config.services[service] !== undefined;
      const failing = job ? job.consecutiveFailures > 0 : row?.lastPollErrorAt != null && (row.lastPollOkAt ?? 0) < row.lastPollErrorAt;
      return {
        service,
        configured,
        healthy: configured ? !failing : null,
        url: config.services[service]?.url ?? null,
        lastWebhookAt: row?.lastWebhookAt ?? null,
        lastWebhookEvent: row?.lastWebhookEvent ?? null,
        lastPollAt: row?.lastPollAt ?? null,
        lastPollOkAt: row?.lastPollOkAt ?? null,
        lastError: failing ? (job?.lastError ?? row?.lastError ?? null) : null,
        latencyMs: row?.latencyMs ?? null,
        version: row?.version ?? null,
        healthMessage: row?.healthMessage ?? null,
      };
    });
  }),

  /** Requests that need a person: failed, timed out, match failed, or with a stuck reason. */
  stuck: adminProcedure.query(async ({ ctx }) => {
    const { db } = ctx.container;
    const rows = await db
      .select({ id: requests.id })
      .from(requests)
      .where(or(inArray(requests.state, ["failed", "timeout", "match_failed"]), isNotNull(requests.stuckReason)))
      .orderBy(desc(requests.stateChangedAt))
      .limit(200);
    const summaries = await getRequestSummaries(db, rows.map((r) => r.id));
    return summaries.filter((r) => r.state !== "available" && r.state !== "deleted" && r.state !== "declined");
  }),
});
