/**
 * The read-only REST API for scripts and dashboard widgets (Homepage, Homarr), as plain
 * Web-standard handlers. Everything but /api/health needs the X-Api-Key header.
 */
import { safeEqual } from "../security";
import { sql } from "drizzle-orm";
import { REQUEST_STATES, type RequestState } from "@/lib/states";
import type { Db } from "@/server/db/client";
import type { Logger } from "@/server/logger";
import { getRequestDetail, listRequestSummaries, type RequestListFilter } from "./request-queries";

export interface RestApiDeps {
  db: Db;
  /** Read on every call, so a key generated or changed after start applies at once. */
  apiKey: () => string;
  /** Where unexpected errors go; the client only sees "Internal error". */
  logger?: Logger;
}

export interface RestApi {
  /** GET /api/v1/requests?state=&active=&limit= */
  listRequests(req: Request): Promise<Response>;
  /** GET /api/v1/requests/{id} */
  getRequest(req: Request, id: string): Promise<Response>;
  /** GET /api/health (no key needed) */
  health(req: Request): Promise<Response>;
}

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 500;

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

function errorResponse(status: number, message: string): Response {
  return json({ error: message }, status);
}

/** A 401 response when the request lacks the right key, else null. */
function checkApiKey(req: Request, expectedKey: string): Response | null {
  const given = req.headers.get("x-api-key");
  if (given === null || given === "") return errorResponse(401, "Missing X-Api-Key header");
  // An unset key must never match anything, not even an empty header.
  if (expectedKey === "" || !safeEqual(given, expectedKey)) return errorResponse(401, "Wrong X-Api-Key header");
  return null;
}

class BadParameter extends Error {}

/** An empty value (`?state=`) counts as not given: widget configs often leave placeholders blank. */
function queryParam(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name)?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function parseListFilter(params: URLSearchParams): RequestListFilter {
  const filter: RequestListFilter = { limit: DEFAULT_LIST_LIMIT };

  const state = queryParam(params, "state");
  if (state !== undefined) {
    const names = state.split(",").map((s) => s.trim()).filter((s) => s !== "");
    const unknown = names.filter((s) => !(REQUEST_STATES as readonly string[]).includes(s));
    if (unknown.length > 0) {
      throw new BadParameter(`state: unknown state "${unknown[0]}"; expected a comma-separated list of ${REQUEST_STATES.join(", ")}`);
    }
    filter.states = names as RequestState[];
  }

  const active = queryParam(params, "active");
  if (active !== undefined) {
    if (active !== "true" && active !== "false") throw new BadParameter(`active: expected true or false, got "${active}"`);
    filter.active = active === "true";
  }

  const limit = queryParam(params, "limit");
  if (limit !== undefined) {
    const n = /^\d+$/.test(limit) ? Number(limit) : NaN;
    if (!(n >= 1 && n <= MAX_LIST_LIMIT)) {
      throw new BadParameter(`limit: expected an integer from 1 to ${MAX_LIST_LIMIT}, got "${limit}"`);
    }
    filter.limit = n;
  }
  return filter;
}

function parseId(id: string): number {
  const n = /^\d+$/.test(id) ? Number(id) : NaN;
  if (!(n >= 1 && Number.isSafeInteger(n))) throw new BadParameter(`id: expected a positive integer, got "${id}"`);
  return n;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createRestApi(deps: RestApiDeps): RestApi {
  /** Auth, then the handler; a bad parameter becomes a 400, anything unexpected a JSON 500. */
  const guarded = async (req: Request, handle: () => Promise<Response>): Promise<Response> => {
    const denied = checkApiKey(req, deps.apiKey());
    if (denied) return denied;
    try {
      return await handle();
    } catch (err) {
      if (err instanceof BadParameter) return errorResponse(400, err.message);
      deps.logger?.error("REST API request failed", { url: req.url, error: errorMessage(err) });
      return errorResponse(500, "Internal error");
    }
  };

  return {
    listRequests: (req) =>
      guarded(req, async () => {
        const filter = parseListFilter(new URL(req.url).searchParams);
        return json({ requests: await listRequestSummaries(deps.db, filter) });
      }),

    getRequest: (req, id) =>
      guarded(req, async () => {
        const detail = await getRequestDetail(deps.db, parseId(id));
        return detail ? json(detail) : errorResponse(404, `No request with id ${id}`);
      }),

    async health() {
      try {
        await deps.db.run(sql`select 1`);
        return json({ status: "ok", database: "ok", time: new Date().toISOString() });
      } catch (err) {
        return json({ status: "error", database: errorMessage(err) }, 503);
      }
    },
  };
}
