import { ArrClient, type ArrClientOptions, type ImportMode } from "../arr/client";
import type { ArrCommand } from "../arr/schemas";
import {
  radarrHistoryRecordSchema,
  radarrMovieSchema,
  radarrQueueRecordSchema,
  type RadarrHistoryRecord,
  type RadarrMovie,
  type RadarrQueueRecord,
} from "./schemas";

/** Radarr v5 (API v3): movies, the queue, history and the commands the admin actions use. */
export class RadarrClient extends ArrClient {
  constructor(opts: ArrClientOptions) {
    super("Radarr", opts);
  }

  /** GET /api/v3/movie/{id}; null when Radarr has no such movie. */
  async movie(id: number): Promise<RadarrMovie | null> {
    return this.getOrNull(`/api/v3/movie/${id}`, radarrMovieSchema);
  }

  /** GET /api/v3/movie: every movie (library sync reads them once instead of one lookup each). */
  async movies(): Promise<RadarrMovie[]> {
    return this.get("/api/v3/movie", radarrMovieSchema.array());
  }

  /** GET /api/v3/movie?tmdbId= (an array of zero or one); null when Radarr does not have it. */
  async movieByTmdb(tmdbId: number): Promise<RadarrMovie | null> {
    const movies = await this.get("/api/v3/movie", radarrMovieSchema.array(), { tmdbId });
    return movies.find((m) => m.tmdbId === tmdbId) ?? movies[0] ?? null;
  }

  /** Every queue record (all pages), each with its movie. Items leave the queue once imported, failed or ignored. */
  async queue(): Promise<RadarrQueueRecord[]> {
    return this.allPages("/api/v3/queue", { includeMovie: true, includeUnknownMovieItems: false }, radarrQueueRecordSchema);
  }

  /** GET /api/v3/history/movie?movieId=: the movie's grabs, imports, failures, newest first. */
  async movieHistory(movieId: number): Promise<RadarrHistoryRecord[]> {
    return this.get("/api/v3/history/movie", radarrHistoryRecordSchema.array(), { movieId });
  }

  /** MoviesSearch: search the indexers for these movies now. */
  async searchMovies(movieIds: number[]): Promise<ArrCommand> {
    return this.postCommand({ name: "MoviesSearch", movieIds });
  }

  /** DownloadedMoviesScan: import a finished download now (path = the queue record's outputPath). */
  async scanDownloadedMovies(opts: { path: string; downloadClientId?: string; importMode?: ImportMode }): Promise<ArrCommand> {
    return this.postCommand({
      name: "DownloadedMoviesScan",
      path: opts.path,
      ...(opts.downloadClientId ? { downloadClientId: opts.downloadClientId.toUpperCase() } : {}),
      importMode: opts.importMode ?? "auto",
    });
  }

  /** RescanMovie: re-read the movie's folder (a file put there by hand). */
  async rescanMovie(movieId: number): Promise<ArrCommand> {
    return this.postCommand({ name: "RescanMovie", movieId });
  }

  /** RefreshMovie: metadata refresh and disk rescan. */
  async refreshMovie(movieIds: number[]): Promise<ArrCommand> {
    return this.postCommand({ name: "RefreshMovie", movieIds });
  }

  /** DELETE /api/v3/movie/{id}; deleteFiles removes the movie folder too. */
  async deleteMovie(movieId: number, opts: { deleteFiles: boolean; addImportExclusion?: boolean }): Promise<void> {
    await this.call({
      method: "DELETE",
      path: `/api/v3/movie/${movieId}`,
      query: { deleteFiles: opts.deleteFiles, addImportExclusion: opts.addImportExclusion ?? false },
    });
  }
}
