import { createHash } from "node:crypto";
import { safeEqual } from "../security";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { inbox, integrations, type InboxStatus } from "../db/schema";
import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { PipelineRunner } from "../pipeline/runner";
import {
  WebhookParseError,
  WEBHOOK_SERVICES,
  type ParsedWebhook,
  type ServiceHealthReport,
  type WebhookParser,
  type WebhookService,
} from "./types";

/**
 * Webhook ingestion: authenticate, bound, parse, store, acknowledge; then process from the
 * stored copy. Nothing is processed that was not stored first, and a delivery seen twice
 * (same service, same bytes) is stored and processed once.
 */

export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface WebhookIngestDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  runner: PipelineRunner;
  parsers: Record<WebhookService, WebhookParser>;
  webhookSecret: () => string;
}

export class WebhookIngest {
  /** The inbox is the queue: one loop processes pending rows in id order (bounded memory, same path as a replay). */
  private draining: Promise<void> | null = null;
  private wakeAgain = false;
  private stopped = false;
  /** Last webhook per service, written to `integrations` at most once a second (not per delivery). */
  private readonly lastSeen = new Map<string, { at: number; eventType: string; health?: ServiceHealthReport }>();
  private flushTimer: NodeJS.Timeout | null = null;
  /** Webhook requests being received right now. */
  private receiving = 0;

  constructor(private readonly deps: WebhookIngestDeps) {}

  /** Resolves once every stored delivery accepted so far has been processed. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
    await this.flushLastSeen();
  }

  /** Stops taking rows from the inbox (what is pending stays there for the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.draining) await this.draining;
    await this.flushLastSeen();
  }

  /** Starts (or continues) processing pending deliveries, including those stored before a restart. */
  wake(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.wakeAgain = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      }
    });
  }

  private async drain(): Promise<void> {
    const { db, logger } = this.deps;
    for (;;) {
      this.wakeAgain = false;
      const rows = await db.select().from(inbox).where(eq(inbox.status, "pending")).orderBy(inbox.id).limit(50);
      if (rows.length === 0 || this.stopped) return;
      for (const row of rows) {
        if (this.stopped) return;
        try {
          await this.processRow(row.id, row.service, row.body, row.receivedAt);
        } catch (err) {
          logger.error("could not record webhook outcome", { id: row.id, error: err instanceof Error ? err.message : String(err) });
          return; // the database is failing; the next wake retries
        }
      }
    }
  }

  async handle(service: string, req: Request): Promise<Response> {
    this.receiving++;
    try {
      return await this.receive(service, req);
    } finally {
      this.receiving--;
    }
  }

  /**
   * Resolves once no webhook is being received, or after `maxWaitMs`: processing gives way to
   * acknowledging (the services wait on our answer), but never stops.
   */
  async quiet(maxWaitMs = 25): Promise<void> {
    const until = Date.now() + maxWaitMs;
    while (this.receiving > 0 && Date.now() < until) await new Promise<void>((r) => setImmediate(r));
  }

  private async receive(service: string, req: Request): Promise<Response> {
    if (!isService(service)) {
      return json(404, { error: `Unknown webhook service "${service}"; use one of ${WEBHOOK_SERVICES.join(", ")}.` });
    }
    if (!this.authorised(req)) {
      return json(401, {
        error: "Missing or wrong webhook secret: send it as ?token=, Authorization: Bearer, Basic auth password or X-Webhook-Token.",
      });
    }
    const raw = await readBounded(req, MAX_WEBHOOK_BYTES);
    if (raw === null) return json(413, { error: `Body too large: the limit is ${MAX_WEBHOOK_BYTES} bytes.` });
    if (raw.trim() === "") return json(400, { error: "Empty body: expected a JSON object." });

    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (err) {
      return json(400, { error: `Body is not valid JSON: ${err instanceof Error ? err.message : String(err)}` });
    }
    const receivedAt = this.deps.clock.now();
    let parsed: ParsedWebhook;
    try {
      parsed = this.deps.parsers[service](body, receivedAt);
    } catch (err) {
      if (err instanceof WebhookParseError) return json(400, { error: err.message });
      throw err;
    }

    const status: InboxStatus = parsed.outcome === "ignored" ? "ignored" : "pending";
    const dedupeKey = createHash("sha256").update(service).update("\n").update(raw).digest("hex");
    const { db } = this.deps;
    this.noteWebhook(service, parsed.eventType, receivedAt, parsed.health);
    const insertResult = await db
        .insert(inbox)
        .values({
          service,
          eventType: parsed.eventType,
          receivedAt,
          dedupeKey,
          body: raw,
          status,
          error: parsed.outcome === "ignored" ? parsed.reason : null,
          processedAt: parsed.outcome === "ignored" ? receivedAt : null,
        })
        .onConflictDoNothing()
        .returning({ id: inbox.id });
    const stored = insertResult[0];
    if (!stored) return json(200, { status: "duplicate", eventType: parsed.eventType });
    if (parsed.outcome === "ignored") return json(200, { status: "ignored", id: stored.id, eventType: parsed.eventType, reason: parsed.reason });

    this.wake();
    return json(202, { status: "accepted", id: stored.id, eventType: parsed.eventType, events: parsed.events.length });
  }

  private noteWebhook(service: string, eventType: string, at: number, health?: ServiceHealthReport): void {
    const previous = this.lastSeen.get(service);
    this.lastSeen.set(service, { at, eventType, health: health ?? previous?.health });
    this.flushTimer ??= setTimeout(() => void this.flushLastSeen(), 1000);
    this.flushTimer.unref?.();
  }

  /** Writes the last webhook per service to `integrations` (also called on stop). */
  async flushLastSeen(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const entries = [...this.lastSeen.entries()];
    this.lastSeen.clear();
    for (const [service, seen] of entries) {
      const values = {
        lastWebhookAt: seen.at,
        lastWebhookEvent: seen.eventType,
        updatedAt: seen.at,
        ...(seen.health ? { healthMessage: healthText(seen.health) } : {}),
      };
      await this.deps.db
        .insert(integrations)
        .values({ service, ...values })
        .onConflictDoUpdate({ target: integrations.service, set: values })
        .catch((err: unknown) => this.deps.logger.error("could not record the last webhook", { service, error: err instanceof Error ? err.message : String(err) }));
    }
  }

  /** Runs one stored delivery through the pipeline, from its raw body as of when it was received, and records the outcome. */
  private async processRow(id: number, service: string, body: string, receivedAt: number): Promise<void> {
    const { db, runner, logger, clock } = this.deps;
    let status: InboxStatus = "processed";
    let error: string | null = null;
    try {
      if (!isService(service)) throw new WebhookParseError(`unknown service ${service}`);
      const parsed = this.deps.parsers[service](JSON.parse(body), receivedAt);
      if (parsed.outcome === "ignored") {
        status = "ignored";
        error = parsed.reason;
      } else {
        for (const event of parsed.events) {
          const results = await runner.submit(event);
          const unmatched = results.find((r) => r.unmatched)?.unmatched;
          if (unmatched && parsed.events.length === 1) error = unmatched;
        }
      }
    } catch (err) {
      status = "failed";
      error = err instanceof Error ? err.message : String(err);
      logger.error("webhook processing failed", { id, service, error });
    }
    await db
      .update(inbox)
      .set({ status, error, processedAt: clock.now(), attempts: sql`${inbox.attempts} + 1` })
      .where(eq(inbox.id, id));
  }

  /** Puts a failed delivery back in the queue (an admin's retry). */
  async retry(id: number): Promise<void> {
    await this.deps.db.update(inbox).set({ status: "pending", error: null }).where(and(eq(inbox.id, id), eq(inbox.status, "failed")));
    this.wake();
  }

  /** The secret may arrive in any of the ways the services offer; compared in constant time. */
  private authorised(req: Request): boolean {
    const expected = this.deps.webhookSecret();
    const offered: string[] = [];
    const url = new URL(req.url);
    const token = url.searchParams.get("token");
    if (token) offered.push(token);
    const header = req.headers.get("x-webhook-token");
    if (header) offered.push(header);
    const auth = req.headers.get("authorization");
    if (auth) {
      const [scheme, value = ""] = auth.split(/\s+/, 2);
      if (/^bearer$/i.test(scheme)) offered.push(value);
      if (/^basic$/i.test(scheme)) {
        const decoded = Buffer.from(value, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon >= 0) offered.push(decoded.slice(colon + 1));
      }
    }
    let ok = false;
    for (const candidate of offered) ok = safeEqual(candidate, expected) || ok;
    return ok;
  }
}

function isService(s: string): s is WebhookService {
  return (WEBHOOK_SERVICES as readonly string[]).includes(s);
}

/** Reads the body up to `limit` bytes; null when it is larger (checked before and while reading). */
async function readBounded(req: Request, limit: number): Promise<string | null> {
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) return null;
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function healthText(h: { level: string; message: string; restored: boolean }): string | null {
  return h.restored ? null : `${h.level}: ${h.message}`;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}
