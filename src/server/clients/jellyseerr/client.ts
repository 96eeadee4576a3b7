import { z } from "zod";
import { HttpClient, ServiceError, type FetchLike } from "../http";

/**
 * Jellyseerr 2.x / Seerr 3.x, API v1. The key goes in `X-Api-Key` (it acts as the first admin).
 * There is no GET /api/v1/media/{id}: one title's media entity is the `mediaInfo` of
 * GET /api/v1/movie/{tmdbId} or /api/v1/tv/{tmdbId}, absent when Seerr has never seen the title.
 */

export interface JellyseerrClientOptions {
  baseUrl: string;
  apiKey: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  retries?: number;
  retryDelay?: (attempt: number) => Promise<void>;
}

/** MediaRequestStatus (COMPLETED since Jellyseerr 2.6). */
export const SeerrRequestStatus = { PENDING: 1, APPROVED: 2, DECLINED: 3, FAILED: 4, COMPLETED: 5 } as const;
/** MediaStatus; 6 is BLOCKLISTED and 7 DELETED in the code, whatever the OpenAPI text says. */
export const SeerrMediaStatus = { UNKNOWN: 1, PENDING: 2, PROCESSING: 3, PARTIALLY_AVAILABLE: 4, AVAILABLE: 5, BLOCKLISTED: 6, DELETED: 7 } as const;

// ---- answers ------------------------------------------------------------------------------------

const statusSchema = z.object({
  version: z.string(),
  commitTag: z.string().nullish(),
  updateAvailable: z.boolean().nullish(),
  commitsBehind: z.number().nullish(),
  restartRequired: z.boolean().nullish(),
});
export type SeerrStatus = z.infer<typeof statusSchema>;

const seasonSchema = z.object({ id: z.number().nullish(), seasonNumber: z.number(), status: z.number() });

const userSchema = z.object({
  id: z.number(),
  displayName: z.string().nullish(),
  username: z.string().nullish(),
  jellyfinUsername: z.string().nullish(),
  jellyfinUserId: z.string().nullish(),
  email: z.string().nullish(),
});

const downloadingItemSchema = z.object({
  externalId: z.number().nullish(),
  size: z.number().nullish(),
  sizeLeft: z.number().nullish(),
  status: z.string().nullish(),
  title: z.string().nullish(),
  downloadId: z.string().nullish(),
});

const mediaSchema = z.object({
  id: z.number(),
  mediaType: z.enum(["movie", "tv"]),
  tmdbId: z.number(),
  tvdbId: z.number().nullish(),
  imdbId: z.string().nullish(),
  status: z.number(),
  status4k: z.number().nullish(),
  externalServiceId: z.number().nullish(),
  externalServiceId4k: z.number().nullish(),
  jellyfinMediaId: z.string().nullish(),
  jellyfinMediaId4k: z.string().nullish(),
  mediaAddedAt: z.string().nullish(),
  seasons: z.array(seasonSchema).nullish(),
  downloadStatus: z.array(downloadingItemSchema).nullish(),
});
export type SeerrMedia = z.infer<typeof mediaSchema>;

const requestSchema = z.object({
  id: z.number(),
  status: z.number(),
  type: z.enum(["movie", "tv"]),
  is4k: z.boolean().nullish(),
  createdAt: z.string(),
  updatedAt: z.string().nullish(),
  media: mediaSchema.nullish(),
  seasons: z.array(seasonSchema).nullish(),
  requestedBy: userSchema.nullish(),
  modifiedBy: userSchema.nullish(),
});
export type SeerrRequest = z.infer<typeof requestSchema>;

const requestPageSchema = z.object({
  pageInfo: z.object({ pages: z.number(), pageSize: z.number(), results: z.number(), page: z.number() }),
  results: z.array(requestSchema),
});

const titleDetailsSchema = z.object({
  id: z.number(),
  mediaInfo: mediaSchema.extend({ requests: z.array(requestSchema).nullish() }).nullish(),
});
export type SeerrMediaInfo = NonNullable<z.infer<typeof titleDetailsSchema>["mediaInfo"]>;

export type SeerrRequestFilter = "all" | "approved" | "available" | "pending" | "processing" | "unavailable" | "failed" | "deleted" | "completed";

export interface RequestListQuery {
  take?: number;
  skip?: number;
  filter?: SeerrRequestFilter;
  sort?: "added" | "modified";
  sortDirection?: "asc" | "desc";
  mediaType?: "movie" | "tv" | "all";
  requestedBy?: number;
}

export interface RequestPage {
  requests: SeerrRequest[];
  /** Requests matching the query across all pages. */
  total: number;
  page: number;
  pages: number;
}

export class JellyseerrClient {
  readonly http: HttpClient;
  private readonly headers: Record<string, string>;

  constructor(opts: JellyseerrClientOptions) {
    this.http = new HttpClient({
      service: "Jellyseerr",
      baseUrl: opts.baseUrl,
      fetch: opts.fetch,
      timeoutMs: opts.timeoutMs,
      retries: opts.retries,
      retryDelay: opts.retryDelay,
    });
    this.headers = { "x-api-key": opts.apiKey };
  }

  /** GET /api/v1/status (public): the version. */
  async status(): Promise<SeerrStatus> {
    const { data } = await this.http.call({ path: "/api/v1/status", schema: statusSchema });
    return data;
  }

  /** GET /api/v1/request: one page (Seerr's default page is 10; ask for what you need). */
  async requests(query: RequestListQuery = {}): Promise<RequestPage> {
    const { data } = await this.http.call({
      path: "/api/v1/request",
      query: {
        take: query.take ?? 50,
        skip: query.skip ?? 0,
        filter: query.filter,
        sort: query.sort,
        sortDirection: query.sortDirection,
        mediaType: query.mediaType,
        requestedBy: query.requestedBy,
      },
      headers: this.headers,
      schema: requestPageSchema,
    });
    return { requests: data.results, total: data.pageInfo.results, page: data.pageInfo.page, pages: data.pageInfo.pages };
  }

  /** Every request matching the query, page by page (bounded by `max`). */
  async allRequests(query: Omit<RequestListQuery, "skip"> = {}, max = 5_000): Promise<SeerrRequest[]> {
    const take = query.take ?? 100;
    const out: SeerrRequest[] = [];
    for (let skip = 0; skip < max; skip += take) {
      const page = await this.requests({ ...query, take, skip });
      out.push(...page.requests);
      if (page.requests.length < take || out.length >= page.total) break;
    }
    return out.slice(0, max);
  }

  /** GET /api/v1/request/{id} (with media.seasons); undefined when it does not exist. */
  async request(id: number): Promise<SeerrRequest | undefined> {
    try {
      const { data } = await this.http.call({ path: `/api/v1/request/${id}`, headers: this.headers, schema: requestSchema });
      return data;
    } catch (err) {
      if (err instanceof ServiceError && err.kind === "not_found") return undefined;
      throw err;
    }
  }

  /**
   * The media entity of a title (with its requests), through the title's details: undefined when
   * Seerr has never seen it or TMDB does not know the id.
   */
  async mediaByTmdbId(mediaType: "movie" | "tv", tmdbId: number): Promise<SeerrMediaInfo | undefined> {
    try {
      const { data } = await this.http.call({ path: `/api/v1/${mediaType}/${tmdbId}`, headers: this.headers, schema: titleDetailsSchema });
      return data.mediaInfo ?? undefined;
    } catch (err) {
      if (err instanceof ServiceError && err.kind === "not_found") return undefined;
      throw err;
    }
  }

  /** POST /api/v1/request/{id}/retry: sends an approved request to Radarr/Sonarr again. */
  async retryRequest(id: number): Promise<void> {
    await this.http.call({ method: "POST", path: `/api/v1/request/${id}/retry`, headers: this.headers });
  }

  /** DELETE /api/v1/request/{id}. A request already gone counts as deleted. */
  async deleteRequest(id: number): Promise<void> {
    await this.deleting(`/api/v1/request/${id}`);
  }

  /** DELETE /api/v1/media/{mediaId}: Seerr forgets the title (its requests go with it). */
  async deleteMedia(mediaId: number): Promise<void> {
    await this.deleting(`/api/v1/media/${mediaId}`);
  }

  private async deleting(path: string): Promise<void> {
    try {
      await this.http.call({ method: "DELETE", path, headers: this.headers });
    } catch (err) {
      if (err instanceof ServiceError && err.kind === "not_found") return;
      throw err;
    }
  }
}
