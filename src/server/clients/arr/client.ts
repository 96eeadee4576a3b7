import type { z } from "zod";
import { HttpClient, ServiceError, type CallOptions, type FetchLike } from "../http";
import {
  arrCommandSchema,
  arrHistoryRecordSchema,
  arrSystemStatusSchema,
  arrTagSchema,
  pagedSchema,
  type ArrCommand,
  type ArrHistoryRecord,
  type ArrSystemStatus,
  type ArrTag,
} from "./schemas";

/*
 * What Sonarr v4 and Radarr v5 share (API v3): X-Api-Key auth (the key never goes into a URL,
 * where proxies and logs would keep it), system status, tags, paged queue and history, commands
 * and queue removal. The app clients add their media endpoints.
 */

export interface ArrClientOptions {
  baseUrl: string;
  apiKey: string;
  fetch?: FetchLike;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  /** Extra attempts for reads; default 2. */
  retries?: number;
  retryDelay?: (attempt: number) => Promise<void>;
  /** Records per queue/history page; default 200. */
  pageSize?: number;
}

/** How a manual import scan moves files: auto follows the arr's setting (hardlink/copy for torrents). */
export type ImportMode = "auto" | "move" | "copy";

export interface RemoveFromQueueOptions {
  /** Also delete the torrent and its data from the download client (default true). */
  removeFromClient?: boolean;
  /** Never grab this release again; the arr searches for another unless skipRedownload (default true). */
  blocklist?: boolean;
  skipRedownload?: boolean;
}

const arrTagSchemaList = arrTagSchema.array();

/** Answers that are read through several pages stop here, whatever totalRecords claims. */
const MAX_PAGES = 50;

export abstract class ArrClient {
  protected readonly http: HttpClient;
  private readonly apiKey: string;
  protected readonly pageSize: number;
  /** Calls made and answer bytes read, for the admin page and the poll benchmark. */
  readonly stats = { calls: 0, bytes: 0 };

  constructor(service: "Sonarr" | "Radarr", opts: ArrClientOptions) {
    this.http = new HttpClient({
      service,
      baseUrl: opts.baseUrl,
      fetch: opts.fetch,
      timeoutMs: opts.timeoutMs,
      retries: opts.retries,
      retryDelay: opts.retryDelay,
    });
    this.apiKey = opts.apiKey;
    this.pageSize = opts.pageSize ?? 200;
  }

  get service(): string {
    return this.http.service;
  }

  /** GET /api/v3/system/status: answers only with a valid key, so it doubles as the health check. */
  async systemStatus(): Promise<ArrSystemStatus> {
    return this.get("/api/v3/system/status", arrSystemStatusSchema);
  }

  /** GET /api/v3/tag: tag ids -> labels (series and movies carry ids only). */
  async tags(): Promise<ArrTag[]> {
    return this.get("/api/v3/tag", arrTagSchemaList);
  }

  /** GET /api/v3/command/{id}: a command's status (queued, started, completed, failed, ...). */
  async command(id: number): Promise<ArrCommand> {
    return this.get(`/api/v3/command/${id}`, arrCommandSchema);
  }

  /** RefreshMonitoredDownloads: the arr looks at the download client now and imports what is done. */
  async refreshMonitoredDownloads(): Promise<ArrCommand> {
    return this.postCommand({ name: "RefreshMonitoredDownloads" });
  }

  /**
   * DELETE /api/v3/queue/{id}. Removing one episode record of a season pack removes the whole
   * download. Defaults suit "this release is bad": remove it from the client and blocklist it.
   */
  async removeFromQueue(queueId: number, opts: RemoveFromQueueOptions = {}): Promise<void> {
    await this.call({
      method: "DELETE",
      path: `/api/v3/queue/${queueId}`,
      query: {
        removeFromClient: opts.removeFromClient ?? true,
        blocklist: opts.blocklist ?? true,
        skipRedownload: opts.skipRedownload ?? false,
      },
    });
  }

  /** GET /api/v3/history?downloadId=: what became of a download (grabbed, imported, failed, ignored), newest first. */
  async historyByDownloadId(downloadId: string): Promise<ArrHistoryRecord[]> {
    // The arr stores the id upper-case and compares it as given.
    return this.allPages("/api/v3/history", { downloadId: downloadId.toUpperCase(), sortKey: "date", sortDirection: "descending" }, arrHistoryRecordSchema);
  }

  // ---- plumbing ----------------------------------------------------------------------------

  /** POST /api/v3/command; answers 201 with the command resource (its id is polled with command(id)). */
  protected async postCommand(body: { name: string } & Record<string, unknown>): Promise<ArrCommand> {
    return (await this.call({ method: "POST", path: "/api/v3/command", body, schema: arrCommandSchema })).data;
  }

  protected async get<T>(path: string, schema: z.ZodType<T>, query?: CallOptions<T>["query"]): Promise<T> {
    return (await this.call({ path, query, schema })).data;
  }

  /** A GET whose 404 means "no such item" rather than a failure. */
  protected async getOrNull<T>(path: string, schema: z.ZodType<T>, query?: CallOptions<T>["query"]): Promise<T | null> {
    try {
      return await this.get(path, schema, query);
    } catch (err) {
      if (err instanceof ServiceError && err.kind === "not_found") return null;
      throw err;
    }
  }

  protected async call<T>(opts: CallOptions<T>) {
    const result = await this.http.call({ ...opts, headers: { ...opts.headers, "X-Api-Key": this.apiKey } });
    this.stats.calls++;
    this.stats.bytes += result.bytes;
    return result;
  }

  /** Reads every page of a paged resource. */
  protected async allPages<T>(path: string, query: NonNullable<CallOptions<unknown>["query"]>, record: z.ZodType<T>): Promise<T[]> {
    const schema = pagedSchema(record);
    const out: T[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const data = await this.get(path, schema, { ...query, page, pageSize: this.pageSize });
      out.push(...(data.records as T[]));
      const total = data.totalRecords ?? out.length;
      if (data.records.length === 0 || out.length >= total) break;
    }
    return out;
  }
}
