import { ArrClient, type ArrClientOptions, type ImportMode } from "../arr/client";
import type { ArrCommand } from "../arr/schemas";
import {
  sonarrEpisodeSchema,
  sonarrHistoryRecordSchema,
  sonarrQueueRecordSchema,
  sonarrSeriesSchema,
  type SonarrEpisode,
  type SonarrHistoryRecord,
  type SonarrQueueRecord,
  type SonarrSeries,
} from "./schemas";

/** Sonarr v4 (API v3): series, episodes, the queue, history and the commands the admin actions use. */
export class SonarrClient extends ArrClient {
  constructor(opts: ArrClientOptions) {
    super("Sonarr", opts);
  }

  /** GET /api/v3/series/{id}; null when Sonarr has no such series. */
  async series(id: number): Promise<SonarrSeries | null> {
    return this.getOrNull(`/api/v3/series/${id}`, sonarrSeriesSchema);
  }

  /** GET /api/v3/series: every series (library sync reads them once instead of one lookup each). */
  async allSeries(): Promise<SonarrSeries[]> {
    return this.get("/api/v3/series", sonarrSeriesSchema.array());
  }

  /** GET /api/v3/series?tvdbId= (an array of zero or one); null when Sonarr does not have it. */
  async seriesByTvdb(tvdbId: number): Promise<SonarrSeries | null> {
    const series = await this.get("/api/v3/series", sonarrSeriesSchema.array(), { tvdbId });
    return series.find((s) => s.tvdbId === tvdbId) ?? series[0] ?? null;
  }

  /** GET /api/v3/episode?seriesId=[&seasonNumber=]: every episode with air date, hasFile, monitored and its file. */
  async episodes(seriesId: number, seasonNumber?: number): Promise<SonarrEpisode[]> {
    const episodes = await this.get("/api/v3/episode", sonarrEpisodeSchema.array(), { seriesId, seasonNumber, includeEpisodeFile: true });
    return episodes.sort((a, b) => a.seasonNumber - b.seasonNumber || a.episodeNumber - b.episodeNumber);
  }

  /** Every queue record (all pages), one per episode, each with its series and episode. */
  async queue(): Promise<SonarrQueueRecord[]> {
    return this.allPages("/api/v3/queue", { includeSeries: true, includeEpisode: true, includeUnknownSeriesItems: false }, sonarrQueueRecordSchema);
  }

  /** GET /api/v3/history/series?seriesId=[&seasonNumber=]: grabs, imports, failures per episode, newest first. */
  async seriesHistory(seriesId: number, seasonNumber?: number): Promise<SonarrHistoryRecord[]> {
    return this.get("/api/v3/history/series", sonarrHistoryRecordSchema.array(), { seriesId, seasonNumber });
  }

  /** EpisodeSearch: search the indexers for these episodes now. */
  async searchEpisodes(episodeIds: number[]): Promise<ArrCommand> {
    return this.postCommand({ name: "EpisodeSearch", episodeIds });
  }

  /** SeasonSearch: a season search (season packs first). */
  async searchSeason(seriesId: number, seasonNumber: number): Promise<ArrCommand> {
    return this.postCommand({ name: "SeasonSearch", seriesId, seasonNumber });
  }

  /** DownloadedEpisodesScan: import a finished download now (path = the queue record's outputPath). */
  async scanDownloadedEpisodes(opts: { path: string; downloadClientId?: string; importMode?: ImportMode }): Promise<ArrCommand> {
    return this.postCommand({
      name: "DownloadedEpisodesScan",
      path: opts.path,
      ...(opts.downloadClientId ? { downloadClientId: opts.downloadClientId.toUpperCase() } : {}),
      importMode: opts.importMode ?? "auto",
    });
  }

  /** RescanSeries: re-read the series folder (files put there by hand). */
  async rescanSeries(seriesId: number): Promise<ArrCommand> {
    return this.postCommand({ name: "RescanSeries", seriesId });
  }

  /** RefreshSeries: metadata refresh (new episodes, air dates) and disk rescan. */
  async refreshSeries(seriesId: number): Promise<ArrCommand> {
    return this.postCommand({ name: "RefreshSeries", seriesId });
  }

  /** DELETE /api/v3/series/{id}; deleteFiles removes the series folder too. */
  async deleteSeries(seriesId: number, opts: { deleteFiles: boolean; addImportListExclusion?: boolean }): Promise<void> {
    await this.call({
      method: "DELETE",
      path: `/api/v3/series/${seriesId}`,
      query: { deleteFiles: opts.deleteFiles, addImportListExclusion: opts.addImportListExclusion ?? false },
    });
  }
}
