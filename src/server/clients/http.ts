import type { z } from "zod";

/**
 * What every service client shares: a base URL, an injectable fetch, a timeout on every call,
 * bounded retries for idempotent reads, typed errors and zod-parsed answers. Nothing here knows a
 * service's auth; each client adds its own headers.
 */

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type ServiceErrorKind =
  /** Connection refused, DNS, reset: the service is not there. */
  | "unreachable"
  | "timeout"
  /** 401/403 after any re-login the client does. */
  | "auth"
  | "not_found"
  /** Any other non-2xx answer. */
  | "http"
  /** A 2xx answer whose body is not what the API documents. */
  | "invalid_response";

/** A failed call, worded for the admin page: names the service and what went wrong, never a secret. */
export class ServiceError extends Error {
  constructor(
    readonly service: string,
    readonly kind: ServiceErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

export interface HttpClientOptions {
  /** Service name for errors and logs, e.g. "Sonarr". */
  service: string;
  baseUrl: string;
  fetch?: FetchLike;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  /** Extra attempts for idempotent reads; default 2. */
  retries?: number;
  /** Delay before retry n (1-based); default 200 ms × 2^(n-1). Injectable so tests need not wait. */
  retryDelay?: (attempt: number) => Promise<void>;
}

export interface CallOptions<T> {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  /** Path below the base URL, e.g. "/api/v3/queue". */
  path: string;
  query?: Record<string, string | number | boolean | undefined | null | readonly (string | number)[]>;
  headers?: Record<string, string>;
  /** JSON-encoded unless it is already a string or URLSearchParams. */
  body?: unknown;
  /** Parses the JSON answer; omit for answers without a body worth reading. */
  schema?: z.ZodType<T>;
  /** Defaults to true for GET, false otherwise. */
  retry?: boolean;
  /** Answer as text instead of JSON (qBittorrent's "Ok." / "Fails."). */
  text?: boolean;
  signal?: AbortSignal;
}

export interface CallResult<T> {
  data: T;
  status: number;
  headers: Headers;
  /** Bytes of the answer body (for the poll benchmark and the admin page). */
  bytes: number;
}

const defaultDelay = (attempt: number) => new Promise<void>((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));

export class HttpClient {
  readonly service: string;
  readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelay: (attempt: number) => Promise<void>;

  constructor(opts: HttpClientOptions) {
    this.service = opts.service;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.retries = opts.retries ?? 2;
    this.retryDelay = opts.retryDelay ?? defaultDelay;
  }

  url(path: string, query?: CallOptions<unknown>["query"]): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
      else params.set(key, String(value));
    }
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ""}`;
  }

  async call<T = unknown>(opts: CallOptions<T>): Promise<CallResult<T>> {
    const method = opts.method ?? "GET";
    const retry = opts.retry ?? method === "GET";
    const attempts = retry ? this.retries + 1 : 1;
    let lastError: ServiceError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.once(method, opts);
      } catch (err) {
        const error = err instanceof ServiceError ? err : new ServiceError(this.service, "unreachable", `${this.service}: ${String(err)}`);
        lastError = error;
        // Retry what may pass on a second try; never a wrong key or a missing item.
        const transient = error.kind === "unreachable" || error.kind === "timeout" || (error.kind === "http" && (error.status ?? 0) >= 500);
        if (!transient || attempt === attempts || opts.signal?.aborted) throw error;
        await this.retryDelay(attempt);
      }
    }
    throw lastError ?? new ServiceError(this.service, "unreachable", `${this.service}: no attempt made`);
  }

  private async once<T>(method: string, opts: CallOptions<T>): Promise<CallResult<T>> {
    const headers: Record<string, string> = { accept: opts.text ? "text/plain, */*" : "application/json", ...opts.headers };
    let body: string | URLSearchParams | undefined;
    if (opts.body instanceof URLSearchParams || typeof opts.body === "string") body = opts.body;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    const where = `${method} ${opts.path}`;
    // One controller for the timeout and the caller's signal: AbortSignal.timeout + AbortSignal.any
    // cost ten times as much CPU per call, which a poll every second notices.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${this.timeoutMs} ms`, "TimeoutError")), this.timeoutMs);
    const outer = opts.signal;
    const forward = () => controller.abort(outer?.reason);
    if (outer?.aborted) forward();
    else outer?.addEventListener("abort", forward, { once: true });
    let res: Response;
    let raw: string;
    try {
      res = await this.fetchImpl(this.url(opts.path, opts.query), { method, headers, body, signal: controller.signal });
      // Still under the timeout: a body that stops half-way fails like an answer that never came.
      raw = await res.text();
    } catch (err) {
      const name = err instanceof Error ? err.name : "";
      if (name === "TimeoutError" || name === "AbortError") {
        throw new ServiceError(this.service, "timeout", `${this.service} did not answer ${where} within ${this.timeoutMs / 1000} s`);
      }
      throw new ServiceError(this.service, "unreachable", `${this.service} is unreachable at ${this.baseUrl} (${describeNetworkError(err)})`);
    }
    finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", forward);
    }
    const bytes = Buffer.byteLength(raw);
    if (!res.ok) {
      const kind: ServiceErrorKind = res.status === 401 || res.status === 403 ? "auth" : res.status === 404 ? "not_found" : "http";
      const hint = kind === "auth" ? ": check the API key or credentials" : "";
      throw new ServiceError(this.service, kind, `${this.service} answered ${res.status} to ${where}${hint}${snippet(raw)}`, res.status);
    }
    if (opts.text) return { data: raw as T, status: res.status, headers: res.headers, bytes };
    if (!opts.schema) return { data: undefined as T, status: res.status, headers: res.headers, bytes };
    let json: unknown;
    try {
      json = raw === "" ? null : JSON.parse(raw);
    } catch {
      throw new ServiceError(this.service, "invalid_response", `${this.service} answered ${where} with something that is not JSON${snippet(raw)}`, res.status);
    }
    const parsed = opts.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const at = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
      throw new ServiceError(this.service, "invalid_response", `${this.service} answered ${where} in an unexpected shape${at}: ${issue?.message ?? "invalid"}`, res.status);
    }
    return { data: parsed.data, status: res.status, headers: res.headers, bytes };
  }
}

function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** The start of an error body, for the admin: services often say what is wrong there. */
function snippet(raw: string): string {
  const text = raw.replace(/\s+/g, " ").trim();
  if (!text) return "";
  return `: ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`;
}
