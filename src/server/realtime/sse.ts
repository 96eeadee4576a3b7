import type { IncomingMessage, ServerResponse } from "node:http";
import type { AnyTRPCRouter } from "@trpc/server";
import { callProcedure, getErrorShape, getTRPCErrorFromUnknown, isAsyncIterable, isTrackedEnvelope, TRPCError } from "@trpc/server/unstable-core-do-not-import";
import type { Logger } from "../logger";

/**
 * Serves a tRPC subscription over Server-Sent Events straight from node:http, in the exact wire
 * format of tRPC's own SSE responses (so @trpc/client's httpSubscriptionLink reads it unchanged).
 *
 * Why not the tRPC route handler: behind Next, every message to every subscriber is serialized
 * again and passes four web streams (tRPC's encoder, a TextEncoderStream, Next's pipe to the
 * socket), with a ping timer re-armed per message: about 1 ms of CPU per message per
 * subscriber, so 500 open dashboards while 50 downloads progress need far more than one core
 * (docs/BENCHMARKS.md, "Live updates"). Here the procedure still runs through tRPC (input
 * schema, sign-in middleware, the feed: resumable by id, coalescing for a slow reader), but each
 * tracked value is serialized once and the same bytes are written to every subscriber.
 */

export interface SseSubscriptionDeps {
  router: AnyTRPCRouter;
  /** Where tRPC is mounted, e.g. "/api/trpc". */
  endpoint: string;
  /** The subscription procedures served here, e.g. ["requests.onChange"]. */
  paths: readonly string[];
  createContext(req: IncomingMessage): Promise<unknown>;
  logger: Logger;
  /**
   * Frames written to one stream within this many ms go out in one socket write (0: each at
   * once). A write is the dominant cost of fanning out (a syscall per subscriber per change),
   * and the pipeline commits a poll's changes a few ms apart.
   */
  flushMs?: number;
}

interface SseConfig {
  ping?: { enabled?: boolean; intervalMs?: number };
  client?: Record<string, unknown>;
}

const HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
  connection: "keep-alive",
  vary: "trpc-accept, accept",
} as const;

const PING_FRAME = Buffer.from("event: ping\ndata: \n\n\n");
const RETURN_FRAME = Buffer.from("event: return\ndata: \n\n\n");

export class SseSubscriptionServer {
  private readonly streams = new Set<ServerResponse>();
  /** A value's frame, made once: every subscriber of a change is handed the same object. */
  private readonly frames = new WeakMap<object, { id: string | undefined; frame: Buffer }>();
  private readonly transformer: { input: { deserialize(v: unknown): unknown }; output: { serialize(v: unknown): unknown } };
  private readonly sse: SseConfig;
  private readonly connectedFrame: Buffer;
  private readonly flushMs: number;
  private readonly corked = new Set<ServerResponse>();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: SseSubscriptionDeps) {
    const config = deps.router._def._config as { transformer: SseSubscriptionServer["transformer"]; sse?: SseConfig };
    this.transformer = config.transformer;
    this.sse = config.sse ?? {};
    this.connectedFrame = Buffer.from(`event: connected\ndata: ${JSON.stringify(this.sse.client ?? {})}\n\n\n`);
    this.flushMs = deps.flushMs ?? 20;
  }

  /** The procedure path when the request is a GET of one of ours, else null. */
  match(req: IncomingMessage): string | null {
    if (req.method !== "GET" || !req.url) return null;
    const end = req.url.indexOf("?");
    const pathname = end === -1 ? req.url : req.url.slice(0, end);
    const prefix = `${this.deps.endpoint}/`;
    if (!pathname.startsWith(prefix)) return null;
    let path: string;
    try {
      path = decodeURIComponent(pathname.slice(prefix.length));
    } catch {
      return null; // malformed escapes: not ours (tRPC will refuse it)
    }
    return this.deps.paths.includes(path) ? path : null;
  }

  get connections(): number {
    return this.streams.size;
  }

  /** Streams until the client goes away (or the procedure ends or fails). */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const abort = new AbortController();
    res.once("close", () => abort.abort());
    // A client that went away mid-write is not an error worth more than ending its stream.
    res.on("error", () => abort.abort());
    // The stream opens once the subscription has started listening (below), so a change committed
    // after the client saw "connected" is never missed.
    let opened = false;
    const open = () => {
      if (opened) return;
      opened = true;
      res.writeHead(200, HEADERS);
      res.write(this.connectedFrame);
    };
    this.streams.add(res);

    const pingMs = this.sse.ping?.enabled ? (this.sse.ping.intervalMs ?? 1_000) : 0;
    // Re-armed after every frame: a ping goes out only after that long without one.
    const ping = pingMs > 0 ? setInterval(() => this.send(res, PING_FRAME), pingMs) : null;
    let ctx: unknown;
    let input: unknown;
    try {
      input = this.readInput(req);
      ctx = await this.deps.createContext(req);
      const result: unknown = await callProcedure({
        router: this.deps.router,
        path,
        getRawInput: async () => input,
        ctx,
        type: "subscription",
        signal: abort.signal,
        batchIndex: 0,
      });
      if (!isAsyncIterable(result)) {
        throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: `Subscription ${path} did not return an AsyncGenerator` });
      }
      const iterator = result[Symbol.asyncIterator]();
      // The first step runs the procedure up to its first wait: it is listening for changes by then.
      const first = iterator.next();
      open();
      const values: AsyncIterable<unknown> = {
        [Symbol.asyncIterator]: () => ({
          next: (() => {
            let pending: Promise<IteratorResult<unknown>> | null = first;
            return () => {
              const step = pending ?? iterator.next();
              pending = null;
              return step;
            };
          })(),
          return: (value?: unknown) => iterator.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
        }),
      };
      for await (const value of values) {
        if (abort.signal.aborted) break;
        const ok = this.send(res, this.frame(value));
        ping?.refresh();
        // A slow reader: stop pulling, so the feed coalesces what piles up meanwhile.
        if (!ok) await drained(res, abort.signal);
      }
      if (!abort.signal.aborted) this.send(res, RETURN_FRAME);
    } catch (cause) {
      if (!abort.signal.aborted) {
        open();
        const error = getTRPCErrorFromUnknown(cause);
        if (error.code === "INTERNAL_SERVER_ERROR") this.deps.logger.error("subscription failed", { path, error: error.message });
        const shape = getErrorShape({ config: this.deps.router._def._config, error, type: "subscription", path, input, ctx });
        this.send(res, Buffer.from(`event: serialized-error\ndata: ${JSON.stringify(this.transformer.output.serialize(shape))}\n\n\n`));
      }
    } finally {
      if (ping) clearInterval(ping);
      this.streams.delete(res);
      if (this.corked.delete(res)) res.uncork();
      if (!opened && !res.headersSent) res.writeHead(200, HEADERS);
      res.end();
    }
  }

  /** Ends every open stream (at shutdown). */
  close(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flush();
    for (const res of this.streams) res.destroy();
    this.streams.clear();
  }

  /** Writes a frame; it leaves with the stream's next flush (false: the stream's buffer is full). */
  private send(res: ServerResponse, frame: Buffer): boolean {
    if (this.flushMs > 0 && !this.corked.has(res)) {
      res.cork();
      this.corked.add(res);
      this.flushTimer ??= setTimeout(this.flush, this.flushMs);
    }
    return res.write(frame);
  }

  private readonly flush = (): void => {
    this.flushTimer = null;
    for (const res of this.corked) res.uncork();
    this.corked.clear();
  };

  /** The `?input=` (tRPC-serialized JSON), with a reconnecting EventSource's Last-Event-ID merged in, as tRPC does. */
  private readInput(req: IncomingMessage): unknown {
    const query = new URLSearchParams((req.url ?? "").split("?")[1] ?? "");
    const raw = query.get("input");
    let input: unknown;
    if (raw !== null) {
      try {
        input = this.transformer.input.deserialize(JSON.parse(raw));
      } catch (cause) {
        throw new TRPCError({ code: "PARSE_ERROR", cause });
      }
    }
    const header = req.headers["last-event-id"];
    const lastEventId = (typeof header === "string" ? header : null) ?? query.get("lastEventId") ?? query.get("Last-Event-Id");
    if (lastEventId) {
      if (input !== null && typeof input === "object") input = { ...input, lastEventId };
      else input ??= { lastEventId };
    }
    return input;
  }

  private frame(value: unknown): Buffer {
    const tracked = isTrackedEnvelope(value);
    const id = tracked ? value[0] : undefined;
    const data: unknown = tracked ? value[1] : value;
    const shareable = data !== null && typeof data === "object";
    const cached = shareable ? this.frames.get(data) : undefined;
    if (cached && cached.id === id) return cached.frame;
    const json = JSON.stringify(this.transformer.output.serialize(data));
    const frame = Buffer.from(id === undefined ? `data: ${json}\n\n\n` : `data: ${json}\nid: ${id}\n\n\n`);
    if (shareable) this.frames.set(data, { id, frame });
    return frame;
  }
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    res.on("drain", done);
    signal.addEventListener("abort", done);
  });
}
