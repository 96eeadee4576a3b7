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

/** One webhook request as the HTTP server hands it over. */
export interface IncomingWebhook {
  /** Path and query, e.g. "/api/hooks/sonarr?token=…". */
  url: string;
  header(name: string): string | undefined;
  /** The raw body, or null when it is larger than `limit` bytes. */
  readBody(limit: number): Promise<Buffer | null>;
}

/** The answer: an HTTP status and a JSON body. */
export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

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
  private readonly toStore: { values: typeof inbox.$inferInsert; resolve: (r: { id: number } | undefined) => void; reject: (e: unknown) => void }[] = [];

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

  async handle(service: string, req: IncomingWebhook): Promise<WebhookAnswer> {
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
  async quiet(maxWaitMs = 100): Promise<void> {
    // Checked on every event-loop turn: waking any later (a timer, or the moment the count drops
    // to zero) measurably lengthened the acknowledgements (docs/BENCHMARKS.md).
    const until = Date.now() + maxWaitMs;
    while (this.receiving > 0 && Date.now() < until) await new Promise<void>((r) => setImmediate(r));
  }

  private async receive(service: string, req: IncomingWebhook): Promise<WebhookAnswer> {
    if (!isService(service)) {
      return json(404, { error: `Unknown webhook service "${service}"; use one of ${WEBHOOK_SERVICES.join(", ")}.` });
    }
    if (!this.authorised(req)) {
      return json(401, {
        error: "Missing or wrong webhook secret: send it as ?token=, Authorization: Bearer, Basic auth password or X-Webhook-Token.",
      });
    }
    const bytes = await req.readBody(MAX_WEBHOOK_BYTES);
    const raw = bytes === null ? null : bytes.toString("utf8");
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
    const stored = await this.store({
      service,
      eventType: parsed.eventType,
      receivedAt,
      dedupeKey,
      body: raw,
      status,
      error: parsed.outcome === "ignored" ? parsed.reason : null,
      processedAt: parsed.outcome === "ignored" ? receivedAt : null,
    });
    if (!stored) return json(200, { status: "duplicate", eventType: parsed.eventType });
    if (parsed.outcome === "ignored") return json(200, { status: "ignored", id: stored.id, eventType: parsed.eventType, reason: parsed.reason });

    this.wake();
    return json(202, { status: "accepted", id: stored.id, eventType: parsed.eventType, events: parsed.events.length });
  }

  /**
   * Stores a delivery; resolves with its id once committed (undefined for a duplicate).
   * Group commit: deliveries arriving in the same event-loop turn share one multi-row insert,
   * and each is still acknowledged only after its own row is committed.
   */
  private store(values: typeof inbox.$inferInsert): Promise<{ id: number } | undefined> {
    return new Promise((resolve, reject) => {
      this.toStore.push({ values, resolve, reject });
      if (this.toStore.length === 1) setImmediate(() => void this.flushStore());
    });
  }

  private async flushStore(): Promise<void> {
    const batch = this.toStore.splice(0, 200);
    if (this.toStore.length > 0) setImmediate(() => void this.flushStore());
    try {
      // One plain statement: on this path drizzle's builder would cost more than SQLite does.
      const args: (string | number | null)[] = [];
      for (const { values: v } of batch) {
        args.push(v.service, v.eventType, v.receivedAt, v.dedupeKey, v.body, v.status, v.error ?? null, v.processedAt ?? null);
      }
      const result = await this.deps.db.$client.execute({
        sql: `insert into inbox (service, event_type, received_at, dedupe_key, body, status, error, processed_at) values ${batch
          .map(() => "(?, ?, ?, ?, ?, ?, ?, ?)")
          .join(", ")} on conflict do nothing returning id, dedupe_key`,
        args,
      });
      const ids = new Map(result.rows.map((r) => [String(r.dedupe_key), Number(r.id)]));
      for (const b of batch) {
        const id = ids.get(b.values.dedupeKey);
        ids.delete(b.values.dedupeKey); // the same bytes twice in one batch: the second is the duplicate
        b.resolve(id === undefined ? undefined : { id });
      }
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
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
  private authorised(req: IncomingWebhook): boolean {
    const expected = this.deps.webhookSecret();
    const offered: string[] = [];
    const query = req.url.indexOf("?");
    const token = query < 0 ? null : new URLSearchParams(req.url.slice(query + 1)).get("token");
    if (token) offered.push(token);
    const header = req.header("x-webhook-token");
    if (header) offered.push(header);
    const auth = req.header("authorization");
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

function healthText(h: { level: string; message: string; restored: boolean }): string | null {
  return h.restored ? null : `${h.level}: ${h.message}`;
}

function json(status: number, body: Record<string, unknown>): WebhookAnswer {
  return { status, body };
}
