import http from "node:http";
import https from "node:https";
import type { FetchLike } from "../http";

/*
 * A fetch for the qBittorrent client on node:http/https with keep-alive. The poller talks to
 * qBittorrent every second while something downloads; on Node 20 the built-in fetch costs about
 * 1.5 ms of CPU per call, this about a third of it (measured with bench/poll.ts). It does what
 * the client needs and no more: no redirects, bodies as strings, errors shaped like fetch's
 * (TypeError "fetch failed" with the socket error as cause; the signal's reason on abort), and
 * answers read whole before they are handed over (no body stream: text() and json() read a string).
 */

/** A Response whose body has already been read: reading it again costs nothing (no web stream). */
class ReadResponse extends Response {
  readonly #text: string;

  constructor(text: string, init: ResponseInit) {
    super(null, init);
    this.#text = text;
  }

  override text(): Promise<string> {
    return Promise.resolve(this.#text);
  }

  override json(): Promise<unknown> {
    return Promise.resolve().then(() => JSON.parse(this.#text) as unknown);
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(this.#text, "utf8");
    return Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  }
}

export interface NodeHttpFetch extends FetchLike {
  /** Closes the kept-alive connections. */
  close(): void;
}

export function nodeHttpFetch(opts: { maxSockets?: number } = {}): NodeHttpFetch {
  const agentOptions = { keepAlive: true, maxSockets: opts.maxSockets ?? 4 };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };

  const request = (input: string, init: RequestInit = {}): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input);
      const secure = url.protocol === "https:";
      if (!secure && url.protocol !== "http:") {
        reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`));
        return;
      }
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const headers: Record<string, string> = {};
      if (init.headers instanceof Headers || Array.isArray(init.headers)) new Headers(init.headers).forEach((value, name) => (headers[name.toLowerCase()] = value));
      else for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
      let body: string | undefined;
      if (init.body instanceof URLSearchParams) {
        body = init.body.toString();
        headers["content-type"] ??= "application/x-www-form-urlencoded;charset=UTF-8";
      } else if (typeof init.body === "string") {
        body = init.body;
      } else if (init.body !== undefined && init.body !== null) {
        reject(new TypeError("fetch failed: only string and URLSearchParams bodies are supported"));
        return;
      }
      if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));

      const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      const done = () => signal?.removeEventListener("abort", onAbort);
      const req = (secure ? https : http).request(url, { method: init.method ?? "GET", headers, agent: secure ? agents.https : agents.http }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (err) => {
          done();
          reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: err }));
        });
        res.on("end", () => {
          done();
          const status = res.statusCode ?? 502;
          const responseHeaders = new Headers();
          const raw = res.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i], raw[i + 1]);
          resolve(new ReadResponse(Buffer.concat(chunks).toString("utf8"), { status, statusText: res.statusMessage, headers: responseHeaders }));
        });
      });
      req.on("error", (err) => {
        done();
        reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: err }));
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      req.end(body);
    });

  return Object.assign(request, {
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  });
}
