import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the tracker's webhook endpoint: records every POST /api/hooks/{service} with its
 * token, headers and JSON body. Tests and benchmarks point a simulated stack at it.
 */
export interface CapturedWebhook {
  service: string;
  token: string | null;
  contentType: string | undefined;
  userAgent: string | undefined;
  raw: string;
  body: unknown;
  /** Arrival order, from 1. */
  seq: number;
}

export interface WebhookCapture {
  url: string;
  webhookSecret: string;
  received: CapturedWebhook[];
  /** The answer to give (default 200), e.g. 500 to see a delivery fail. */
  respondWith(status: number): void;
  stop(): Promise<void>;
}

export async function startWebhookCapture(webhookSecret = "sim-capture-secret"): Promise<WebhookCapture> {
  const received: CapturedWebhook[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://capture.invalid");
      const match = /^\/api\/hooks\/([^/]+)$/.exec(url.pathname);
      if (req.method !== "POST" || !match) {
        res.statusCode = 404;
        res.end();
        return;
      }
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      received.push({
        service: match[1],
        token: url.searchParams.get("token"),
        contentType: req.headers["content-type"],
        userAgent: req.headers["user-agent"],
        raw,
        body,
        seq: received.length + 1,
      });
      res.statusCode = status;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: status < 400 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    webhookSecret,
    received,
    respondWith(code) {
      status = code;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
