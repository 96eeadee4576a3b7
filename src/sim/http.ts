import http from "node:http";
import type { AddressInfo } from "node:net";

/*
 * The plumbing every simulated service shares: a node:http server on 127.0.0.1 that can be taken
 * down (port closed, so connections are refused, or answering 503) and brought back on the same
 * port, a tiny router, and response helpers. Services stay pure request -> response functions.
 */

export interface SimRequest {
  method: string;
  /** Decoded pathname. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  remoteAddress: string;
  /** Host header, e.g. "127.0.0.1:8080". */
  host: string;
  header(name: string): string | undefined;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string;
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export function json(status: number, value: unknown, headers: Record<string, string | string[]> = {}): SimResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(value) };
}

export function text(status: number, body: string, headers: Record<string, string | string[]> = {}): SimResponse {
  return { status, headers: { "content-type": "text/plain; charset=UTF-8", ...headers }, body };
}

export function empty(status: number, headers: Record<string, string | string[]> = {}): SimResponse {
  return { status, headers };
}

/** Query values are case-insensitive in ASP.NET services (Jellyfin, Sonarr, Radarr, Shoko). */
export function queryParam(query: URLSearchParams, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of query) if (key.toLowerCase() === lower) return value;
  return undefined;
}

export function queryBool(query: URLSearchParams, name: string): boolean | undefined {
  const value = queryParam(query, name);
  if (value === undefined || value === "") return undefined;
  return value.toLowerCase() === "true" || value === "1";
}

export function queryInt(query: URLSearchParams, name: string): number | undefined {
  const value = queryParam(query, name);
  if (value === undefined || value.trim() === "" || !/^-?\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

export function parseJsonBody(req: SimRequest): unknown {
  if (req.body.trim() === "") return undefined;
  try {
    return JSON.parse(req.body) as unknown;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- routing

type RouteHandler = (req: SimRequest, params: Record<string, string>) => SimResponse | Promise<SimResponse>;

interface Route {
  methods: string[];
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

export type RouteMatch =
  | { kind: "found"; handler: RouteHandler; params: Record<string, string> }
  | { kind: "method-not-allowed"; allowed: string[] }
  | { kind: "not-found" };

/**
 * Patterns: "/api/v3/movie/:id" (one segment), "/api/v3/File/PathEndsWith/*path" (the rest).
 * ASP.NET and Express match paths case-insensitively; qBittorrent does not.
 */
export class Router {
  private readonly routes: Route[] = [];

  constructor(private readonly caseInsensitive: boolean) {}

  on(methods: string | string[], pattern: string, handler: RouteHandler): this {
    const names: string[] = [];
    const source = pattern
      .split("/")
      .map((segment) => {
        if (segment.startsWith(":")) {
          names.push(segment.slice(1));
          return "([^/]+)";
        }
        if (segment.startsWith("*")) {
          names.push(segment.slice(1));
          return "(.+)";
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({
      methods: (Array.isArray(methods) ? methods : [methods]).map((m) => m.toUpperCase()),
      pattern: new RegExp(`^${source}/?$`, this.caseInsensitive ? "i" : ""),
      names,
      handler,
    });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (!route.methods.includes(method.toUpperCase())) {
        allowed.push(...route.methods);
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = m[i + 1]));
      return { kind: "found", handler: route.handler, params };
    }
    return allowed.length > 0 ? { kind: "method-not-allowed", allowed } : { kind: "not-found" };
  }
}

// ---------------------------------------------------------------- server

export interface ServerHooks {
  /** Called before each request: the world catches up to the clock. */
  beforeRequest?: () => void;
  /** "503" answers every request with 503 while the service is down. */
  downMode?: () => "refuse" | "503" | undefined;
}

export class SimHttpServer {
  private server?: http.Server;
  private boundPort = 0;
  private listening = false;

  constructor(
    readonly name: string,
    private readonly handler: Handler,
    private readonly hooks: ServerHooks = {},
    private readonly host = "127.0.0.1",
  ) {}

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://${this.host}:${this.boundPort}`;
  }

  get isListening(): boolean {
    return this.listening;
  }

  async start(port = 0): Promise<void> {
    this.boundPort = port;
    await this.listen();
  }

  /** Closes the port: clients get ECONNREFUSED until `up()`. Open connections are cut. */
  async down(): Promise<void> {
    const server = this.server;
    if (!server || !this.listening) return;
    this.listening = false;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  async up(): Promise<void> {
    if (this.listening) return;
    await this.listen();
  }

  async stop(): Promise<void> {
    await this.down();
  }

  private listen(): Promise<void> {
    const server = http.createServer((req, res) => void this.serve(req, res));
    server.keepAliveTimeout = 5_000;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      // Same port on the way back up, so the tracker's configured URL keeps working.
      server.listen(this.boundPort, this.host, () => {
        server.off("error", reject);
        this.boundPort = (server.address() as AddressInfo).port;
        this.listening = true;
        resolve();
      });
    });
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (this.hooks.downMode?.() === "503") {
        this.send(res, text(503, "Service Unavailable"));
        return;
      }
      this.hooks.beforeRequest?.();
      const url = new URL(req.url ?? "/", "http://sim.invalid");
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        path = url.pathname;
      }
      const simReq: SimRequest = {
        method: (req.method ?? "GET").toUpperCase(),
        path,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        remoteAddress: req.socket.remoteAddress ?? "",
        host: req.headers.host ?? "",
        header: (name) => {
          const value = req.headers[name.toLowerCase()];
          return Array.isArray(value) ? value.join(", ") : value;
        },
      };
      this.send(res, await this.handler(simReq));
    } catch (err) {
      this.send(res, text(500, `Simulated ${this.name} failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  private send(res: http.ServerResponse, response: SimResponse): void {
    if (res.headersSent) return;
    const body = response.body ?? "";
    res.statusCode = response.status;
    for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
    res.setHeader("content-length", Buffer.byteLength(body));
    res.end(body);
  }
}
