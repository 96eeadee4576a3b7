"use client";

import Link from "next/link";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/router";
import { trpc } from "@/trpc/react";
import { MediaBadge, StageBadge } from "../badges";
import { StuckReason } from "../request-card";
import { RelativeTime } from "../time";
import { CopyButton } from "./copy-button";

type Outputs = inferRouterOutputs<AppRouter>;
export type IntegrationStatus = Outputs["admin"]["integrations"][number];
export type StuckRequest = Outputs["admin"]["stuck"][number];
export type WebhookSetup = Outputs["admin"]["webhookSetup"][number];

const SERVICE_LABELS: Record<string, string> = {
  jellyseerr: "Jellyseerr",
  sonarr: "Sonarr",
  radarr: "Radarr",
  qbittorrent: "qBittorrent",
  jellyfin: "Jellyfin",
  shoko: "Shoko",
};
const WEBHOOK_SERVICES = new Set(["jellyseerr", "sonarr", "radarr", "jellyfin"]);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function statusOf(i: IntegrationStatus): { label: string; className: string } {
  if (i.configured && i.healthy) return { label: "Healthy", className: "bg-emerald-950 text-emerald-200 ring-emerald-800" };
  if (i.configured) return { label: "Failing", className: "bg-rose-950 text-rose-200 ring-rose-800" };
  if (i.lastWebhookAt !== null) return { label: "Webhooks only", className: "bg-sky-950 text-sky-200 ring-sky-800" };
  return { label: "Not configured", className: "bg-slate-800 text-slate-300 ring-slate-700" };
}

function StatusPill({ integration }: { integration: IntegrationStatus }) {
  const s = statusOf(integration);
  return (
    <span data-testid="integration-status" className={`inline-flex rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset ${s.className}`}>
      {s.label}
    </span>
  );
}

function LastWebhook({ i }: { i: IntegrationStatus }) {
  if (!WEBHOOK_SERVICES.has(i.service)) return <span className="text-slate-600">polled only</span>;
  if (i.lastWebhookAt === null) return <span className="text-slate-500">none yet</span>;
  return (
    <span>
      <RelativeTime iso={iso(i.lastWebhookAt)} />
      {i.lastWebhookEvent && <span className="text-slate-500"> · {i.lastWebhookEvent}</span>}
    </span>
  );
}

function LastPoll({ i }: { i: IntegrationStatus }) {
  if (!i.configured) return <span className="text-slate-600">–</span>;
  if (i.lastPollAt === null) return <span className="text-slate-500">not yet</span>;
  return (
    <span>
      <RelativeTime iso={iso(i.lastPollAt)} />
      {i.latencyMs !== null && <span className="text-slate-500"> · {i.latencyMs} ms</span>}
      {i.lastError === null && i.lastPollOkAt !== null && i.lastPollOkAt === i.lastPollAt && <span className="text-emerald-400"> · ok</span>}
    </span>
  );
}

function Problem({ i }: { i: IntegrationStatus }) {
  const text = i.lastError ?? i.healthMessage;
  if (!text) return <span className="text-slate-600">–</span>;
  return <span className={i.lastError ? "text-rose-300" : "text-amber-300"}>{text}</span>;
}

export function IntegrationsPanel({ initial }: { initial: IntegrationStatus[] }) {
  const query = trpc.admin.integrations.useQuery(undefined, { initialData: initial, refetchInterval: 10_000 });
  const rows = query.data ?? initial;
  return (
    <section className="space-y-3" aria-labelledby="integrations-heading">
      <h2 id="integrations-heading" className="text-lg font-semibold">
        Integrations
      </h2>
      {/* Phone: one card per service. */}
      <ul className="grid grid-cols-1 gap-2 sm:grid-cols-2 md:hidden">
        {rows.map((i) => (
          <li key={i.service} data-testid="integration-card" data-service={i.service} className="space-y-1.5 rounded-xl bg-slate-900/80 p-3 text-sm ring-1 ring-slate-800">
            <div className="flex items-center justify-between gap-2">
              <span className="font-medium text-slate-100">{SERVICE_LABELS[i.service] ?? i.service}</span>
              <StatusPill integration={i} />
            </div>
            <dl className="grid grid-cols-[6.5rem_1fr] gap-x-2 gap-y-1 text-xs text-slate-300">
              <dt className="text-slate-500">Last webhook</dt>
              <dd>
                <LastWebhook i={i} />
              </dd>
              <dt className="text-slate-500">Last poll</dt>
              <dd>
                <LastPoll i={i} />
              </dd>
              <dt className="text-slate-500">Version</dt>
              <dd>{i.version ?? "–"}</dd>
              {(i.lastError || i.healthMessage) && (
                <>
                  <dt className="text-slate-500">Problem</dt>
                  <dd className="break-words">
                    <Problem i={i} />
                  </dd>
                </>
              )}
            </dl>
          </li>
        ))}
      </ul>
      {/* Wider screens: a table. */}
      <div className="hidden overflow-hidden rounded-xl ring-1 ring-slate-800 md:block">
        <table data-testid="integrations-table" className="w-full text-left text-sm">
          <thead className="bg-slate-900 text-xs uppercase tracking-wide text-slate-400">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">Service</th>
              <th scope="col" className="px-4 py-2 font-medium">Status</th>
              <th scope="col" className="px-4 py-2 font-medium">Last webhook</th>
              <th scope="col" className="px-4 py-2 font-medium">Last poll</th>
              <th scope="col" className="px-4 py-2 font-medium">Version</th>
              <th scope="col" className="px-4 py-2 font-medium">Problem</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-800/70 bg-slate-950/40 text-slate-300">
            {rows.map((i) => (
              <tr key={i.service} data-testid="integration-row" data-service={i.service}>
                <td className="px-4 py-2.5">
                  <div className="font-medium text-slate-100">{SERVICE_LABELS[i.service] ?? i.service}</div>
                  {i.url && <div className="max-w-[14rem] truncate text-xs text-slate-500">{i.url}</div>}
                </td>
                <td className="px-4 py-2.5">
                  <StatusPill integration={i} />
                </td>
                <td className="px-4 py-2.5 text-xs">
                  <LastWebhook i={i} />
                </td>
                <td className="px-4 py-2.5 text-xs">
                  <LastPoll i={i} />
                </td>
                <td className="px-4 py-2.5 text-xs">{i.version ?? "–"}</td>
                <td className="max-w-xs break-words px-4 py-2.5 text-xs">
                  <Problem i={i} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function StuckPanel({ initial }: { initial: StuckRequest[] }) {
  const query = trpc.admin.stuck.useQuery(undefined, { initialData: initial });
  const rows = query.data ?? initial;
  return (
    <section className="space-y-3" aria-labelledby="stuck-heading">
      <h2 id="stuck-heading" className="text-lg font-semibold">
        Stuck requests <span className="ml-1 text-sm font-normal text-slate-400">{rows.length}</span>
      </h2>
      {rows.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-800 px-4 py-6 text-center text-sm text-slate-400">Nothing is stuck.</p>
      ) : (
        <ul data-testid="stuck-list" className="space-y-2">
          {rows.map((r) => (
            <li key={r.id} data-testid="stuck-item" data-request-id={r.id} className="space-y-2 rounded-xl bg-slate-900/80 p-3 ring-1 ring-slate-800 sm:p-4">
              <div className="flex flex-wrap items-center gap-x-2 gap-y-1.5">
                <Link href={`/requests/${r.id}`} className="font-medium text-slate-100 hover:underline">
                  {r.title}
                  {r.year !== null && <span className="ml-1.5 font-normal text-slate-400">{r.year}</span>}
                </Link>
                <MediaBadge mediaType={r.mediaType} isAnime={r.isAnime} />
                <StageBadge state={r.state} />
                <span className="text-xs text-slate-500">
                  since <RelativeTime iso={r.stateChangedAt} />
                  {r.requestedBy && <> · for {r.requestedBy}</>}
                </span>
              </div>
              <StuckReason reason={r.stuckReason ?? "No reason was recorded; the timeline shows the last step seen."} state={r.state} />
              <Link href={`/requests/${r.id}`} className="inline-block text-xs font-medium text-sky-300 hover:underline">
                Open the timeline →
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function WebhookSetupPanel({ setup, integrations }: { setup: WebhookSetup[]; integrations: IntegrationStatus[] }) {
  const live = trpc.admin.integrations.useQuery(undefined, { initialData: integrations, refetchInterval: 10_000 });
  const byService = new Map((live.data ?? integrations).map((i) => [i.service, i]));
  return (
    <section className="space-y-3" aria-labelledby="webhooks-heading">
      <div>
        <h2 id="webhooks-heading" className="text-lg font-semibold">
          Webhook setup
        </h2>
        <p className="mt-1 max-w-prose text-sm text-slate-400">
          Each service posts what happens to the URL below; the token in it is the webhook secret, so keep it private. The address is the one this
          browser uses: if the services reach the tracker by another name (a Docker network, a LAN address), change the part before{" "}
          <code className="text-slate-300">/api/hooks</code>.
        </p>
      </div>
      <div className="grid grid-cols-1 gap-3 lg:grid-cols-2">
        {setup.map((s) => {
          const integration = byService.get(s.service);
          return (
            <article key={s.service} data-testid="webhook-setup" data-service={s.service} className="flex flex-col gap-3 rounded-xl bg-slate-900/80 p-4 ring-1 ring-slate-800">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h3 className="font-semibold text-slate-100">{s.name}</h3>
                <span className="text-xs text-slate-500">
                  {integration?.lastWebhookAt ? (
                    <>
                      last received <RelativeTime iso={iso(integration.lastWebhookAt)} />
                    </>
                  ) : (
                    "nothing received yet"
                  )}
                </span>
              </div>
              <p className="text-sm text-slate-300">{s.where}</p>
              <div className="flex items-center gap-2 rounded-lg bg-slate-950 p-2 ring-1 ring-slate-800">
                <code data-testid="webhook-url" className="min-w-0 flex-1 select-all break-all font-mono text-xs text-sky-200">
                  {s.url}
                </code>
                <CopyButton text={s.url} testId="webhook-copy" />
              </div>
              <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-300 marker:text-slate-500">
                {s.steps.map((step) => (
                  <li key={step}>{step}</li>
                ))}
              </ol>
            </article>
          );
        })}
      </div>
    </section>
  );
}
