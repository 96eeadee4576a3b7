import { desc, inArray, isNotNull, or } from "drizzle-orm";
import { z } from "zod";
import { SERVICE_NAMES } from "../../env";
import { integrations, requests } from "../../db/schema";
import { getRequestSummaries } from "../../api/request-queries";
import { adminProcedure, router } from "../init";
import { adminActionProcedures } from "./admin-actions";

export const adminRouter = router({
  ...adminActionProcedures,

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

  /**
   * What to paste into each service so it posts its webhooks here: the exact URL, secret
   * included, and which boxes to tick. `baseUrl` is the address the admin's browser uses;
   * the page says to change the host when the services reach the tracker by another name.
   */
  webhookSetup: adminProcedure.input(z.object({ baseUrl: z.url({ protocol: /^https?$/ }) })).query(({ ctx, input }) => {
    const base = input.baseUrl.replace(/\/+$/, "");
    const token = encodeURIComponent(ctx.container.secrets.webhookSecret);
    return WEBHOOK_SETUP.map((s) => ({ ...s, url: `${base}/api/hooks/${s.service}?token=${token}` }));
  }),
});

const WEBHOOK_SETUP: { service: "jellyseerr" | "sonarr" | "radarr" | "jellyfin"; name: string; where: string; steps: string[] }[] = [
  {
    service: "jellyseerr",
    name: "Jellyseerr",
    where: "Settings → Notifications → Webhook",
    steps: [
      "Tick “Enable Agent”.",
      "Paste the URL below into “Webhook URL”; leave “Authorization Header” empty.",
      "Keep the default “JSON Payload” template.",
      "Notification types: Request Pending Approval, Request Automatically Approved, Request Approved, Request Declined, Request Processing Failed, Request Available.",
      "Save, then press “Test”: it appears below as the last webhook.",
    ],
  },
  {
    service: "sonarr",
    name: "Sonarr",
    where: "Settings → Connect → + → Webhook",
    steps: [
      "Name it “Status Tracker”.",
      "Triggers: On Grab, On File Import, On File Upgrade, On Import Complete, On Series Add, On Series Delete, On Episode File Delete, On Health Issue, On Health Restored, On Manual Interaction Required.",
      "Paste the URL below into “Webhook URL”; method POST; leave username and password empty.",
      "Press “Test”, then “Save”.",
    ],
  },
  {
    service: "radarr",
    name: "Radarr",
    where: "Settings → Connect → + → Webhook",
    steps: [
      "Name it “Status Tracker”.",
      "Triggers: On Grab, On File Import, On File Upgrade, On Movie Added, On Movie Delete, On Movie File Delete, On Health Issue, On Health Restored, On Manual Interaction Required.",
      "Paste the URL below into “Webhook URL”; method POST; leave username and password empty.",
      "Press “Test”, then “Save”.",
    ],
  },
  {
    service: "jellyfin",
    name: "Jellyfin",
    where: "Dashboard → Plugins → Webhook (install “Webhook” from the plugin catalog first, then restart Jellyfin)",
    steps: [
      "Set “Server Url” to your Jellyfin address.",
      "Press “Add Generic Destination”, name it “Status Tracker” and paste the URL below into “Webhook Url”.",
      "Notification type: Item Added.",
      "Item types: Movies and Episodes.",
      "Tick “Send All Properties (ignores template)”.",
      "Optionally add a header “Content-Type: application/json”. Save.",
    ],
  },
];
