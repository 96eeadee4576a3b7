import { empty, json, queryBool, queryInt, queryParam, type SimRequest } from "../http";
import type { BlocklistItem, EpisodeFile, HistoryRecord, QueueEntry, SonarrEpisode, SonarrSeries } from "../model/arr";
import { dateOnly, isoSeconds } from "../util";
import type { World } from "../world";
import { arrImages, ArrService, compact, languagesOf, qualityModel, queryNumbers, tvdbArtwork } from "./arr-common";

/** Sonarr v4 API v3: series, episodes and episode files on top of the shared queue/history/command API. */
export class SonarrService extends ArrService {
  constructor(world: World, apiKey: string) {
    super(world, world.sonarr, apiKey);
    const r = this.router;
    const sonarr = world.sonarr;
    r.on("GET", "/api/v3/series", (req) =>
      this.authed(req, () => {
        const tvdbId = queryInt(req.query, "tvdbId");
        const series = [...sonarr.series.values()].filter((s) => tvdbId === undefined || s.title.tvdbId === tvdbId);
        return json(200, series.map((s) => this.seriesResource(s)));
      }),
    );
    r.on("GET", "/api/v3/series/:id", (req, p) =>
      this.authed(req, () => {
        const series = sonarr.series.get(Number(p.id));
        return series ? json(200, this.seriesResource(series)) : json(404, { message: "NotFound" });
      }),
    );
    r.on("DELETE", "/api/v3/series/:id", (req, p) =>
      this.authed(req, () => (sonarr.deleteSeries(Number(p.id), queryBool(req.query, "deleteFiles") ?? false) ? json(200, {}) : json(404, { message: "NotFound" }))),
    );
    r.on("GET", "/api/v3/episode", (req) =>
      this.authed(req, () => {
        const seriesId = queryInt(req.query, "seriesId");
        const season = queryInt(req.query, "seasonNumber");
        const ids = queryNumbers(req.query, "episodeIds");
        const fileId = queryInt(req.query, "episodeFileId");
        if (seriesId === undefined && ids.length === 0 && fileId === undefined) return json(400, { message: "seriesId or episodeIds must be provided" });
        const includeFile = queryBool(req.query, "includeEpisodeFile") ?? false;
        const episodes = [...sonarr.episodes.values()]
          .filter((e) => seriesId === undefined || e.seriesId === seriesId)
          .filter((e) => season === undefined || e.catalogue.season === season)
          .filter((e) => ids.length === 0 || ids.includes(e.id))
          .filter((e) => fileId === undefined || e.episodeFileId === fileId)
          .sort((a, b) => a.catalogue.season - b.catalogue.season || a.catalogue.number - b.catalogue.number);
        return json(200, episodes.map((e) => this.episodeResource(e, includeFile)));
      }),
    );
    r.on("GET", "/api/v3/episode/:id", (req, p) =>
      this.authed(req, () => {
        const episode = sonarr.episodes.get(Number(p.id));
        return episode ? json(200, this.episodeResource(episode, true)) : json(404, { message: "NotFound" });
      }),
    );
    r.on("GET", "/api/v3/episodefile", (req) =>
      this.authed(req, () => {
        const seriesId = queryInt(req.query, "seriesId");
        const ids = queryNumbers(req.query, "episodeFileIds");
        const files = [...sonarr.episodeFiles.values()].filter((f) => (seriesId === undefined || f.seriesId === seriesId) && (ids.length === 0 || ids.includes(f.id)));
        return json(200, files.map((f) => this.episodeFileResource(f)));
      }),
    );
    r.on("GET", "/api/v3/episodefile/:id", (req, p) =>
      this.authed(req, () => {
        const file = sonarr.episodeFiles.get(Number(p.id));
        return file ? json(200, this.episodeFileResource(file)) : json(404, { message: "NotFound" });
      }),
    );
    r.on("GET", "/api/v3/history/series", (req) =>
      this.authed(req, () => {
        const seriesId = queryInt(req.query, "seriesId");
        if (seriesId === undefined) return empty(400);
        const season = queryInt(req.query, "seasonNumber");
        const records = sonarr.history
          .filter((h) => h.mediaId === seriesId)
          .filter((h) => season === undefined || (h.episodeId !== undefined && sonarr.episodes.get(h.episodeId)?.catalogue.season === season))
          .sort((a, b) => b.date - a.date)
          .map((h) => this.historyRecordResource(h));
        return json(200, records);
      }),
    );
    r.on("GET", "/api/v3/parse", (req) => this.authed(req, () => this.parse(queryParam(req.query, "title") ?? "")));
  }

  private historyRecordResource(h: HistoryRecord): Record<string, unknown> {
    return compact({
      episodeId: h.episodeId,
      seriesId: h.mediaId,
      sourceTitle: h.sourceTitle,
      languages: languagesOf(h.release),
      quality: qualityModel("sonarr", h.release),
      customFormats: h.release.customFormats,
      customFormatScore: h.release.customFormatScore,
      qualityCutoffNotMet: false,
      date: isoSeconds(h.date),
      downloadId: h.downloadId,
      eventType: h.eventType,
      data: h.data,
      id: h.id,
    });
  }

  /** GET /parse?title=: maps a release or file name to the series and its episodes. */
  private parse(title: string) {
    const sonarr = this.world.sonarr;
    const code = /S(\d{1,2})E(\d{1,3})/i.exec(title);
    const seasonOnly = /\.S(\d{1,2})\./i.exec(title);
    const normalised = title.toLowerCase().replace(/[^a-z0-9]/g, "");
    const series = [...sonarr.series.values()].find((s) => normalised.includes(s.title.title.toLowerCase().replace(/[^a-z0-9]/g, "")));
    const season = code ? Number(code[1]) : seasonOnly ? Number(seasonOnly[1]) : undefined;
    const episodes = series && code ? sonarr.episodesOf(series.id).filter((e) => e.catalogue.season === season && e.catalogue.number === Number(code[2])) : [];
    const group = /-([A-Za-z0-9]+)(?:\.mkv)?$/.exec(title)?.[1] ?? /^\[([^\]]+)\]/.exec(title)?.[1];
    return json(
      200,
      compact({
        title,
        parsedEpisodeInfo: compact({
          releaseTitle: title,
          seriesTitle: series?.title.title,
          seasonNumber: season ?? 0,
          episodeNumbers: code ? [Number(code[2])] : [],
          absoluteEpisodeNumbers: [],
          fullSeason: !code && season !== undefined,
          releaseGroup: group,
          special: false,
          releaseType: code ? "singleEpisode" : season !== undefined ? "seasonPack" : "unknown",
        }),
        series: series ? this.seriesResource(series) : undefined,
        episodes: episodes.map((e) => this.episodeResource(e, false)),
        languages: [{ id: 1, name: "English" }],
        customFormats: [],
        customFormatScore: 0,
      }),
    );
  }

  protected queueRecord(entry: QueueEntry, req: SimRequest): Record<string, unknown> {
    const sonarr = this.world.sonarr;
    const episode = entry.episodeId !== undefined ? sonarr.episodes.get(entry.episodeId) : undefined;
    const series = sonarr.series.get(entry.mediaId);
    return {
      seriesId: entry.mediaId,
      episodeId: entry.episodeId,
      seasonNumber: episode?.catalogue.season,
      ...(queryBool(req.query, "includeSeries") && series ? { series: this.seriesResource(series) } : {}),
      ...(queryBool(req.query, "includeEpisode") && episode ? { episode: this.episodeResource(episode, false) } : {}),
      ...this.queueCommon(entry),
      episodeHasFile: episode?.episodeFileId !== undefined,
      ...this.queueTail(entry),
    };
  }

  protected historyIds(record: HistoryRecord): Record<string, unknown> {
    return { episodeId: record.episodeId, seriesId: record.mediaId };
  }

  protected historyFilter(record: HistoryRecord, req: SimRequest): boolean {
    const seriesIds = queryNumbers(req.query, "seriesIds");
    const episodeId = queryInt(req.query, "episodeId");
    return (seriesIds.length === 0 || seriesIds.includes(record.mediaId)) && (episodeId === undefined || record.episodeId === episodeId);
  }

  protected blocklistIds(item: BlocklistItem): Record<string, unknown> {
    return { seriesId: item.mediaId, episodeIds: item.episodeIds };
  }

  episodeFileResource(file: EpisodeFile): Record<string, unknown> {
    return {
      seriesId: file.seriesId,
      seasonNumber: file.seasonNumber,
      relativePath: file.relativePath,
      path: file.path,
      size: file.size,
      dateAdded: isoSeconds(file.dateAdded),
      sceneName: file.sourcePath.split("/").pop()?.replace(/\.mkv$/, ""),
      releaseGroup: file.release.releaseGroup,
      languages: languagesOf(file.release),
      quality: qualityModel("sonarr", file.release),
      customFormats: file.release.customFormats,
      customFormatScore: file.release.customFormatScore,
      indexerFlags: 0,
      releaseType: file.release.releaseType,
      mediaInfo: {
        audioBitrate: 640000,
        audioChannels: 5.1,
        audioCodec: "EAC3",
        audioLanguages: file.release.languages[0]?.name === "Japanese" ? "jpn" : "eng",
        audioStreamCount: 1,
        videoBitDepth: 8,
        videoBitrate: 0,
        videoCodec: "h264",
        videoFps: 23.976,
        videoDynamicRange: "",
        videoDynamicRangeType: "",
        resolution: "1920x1080",
        runTime: "48:12",
        scanType: "Progressive",
        subtitles: "eng",
      },
      qualityCutoffNotMet: false,
      id: file.id,
    };
  }

  episodeResource(episode: SonarrEpisode, includeFile: boolean): Record<string, unknown> {
    const sonarr = this.world.sonarr;
    const e = episode.catalogue;
    const series = sonarr.series.get(episode.seriesId);
    const file = episode.episodeFileId !== undefined ? sonarr.episodeFiles.get(episode.episodeFileId) : undefined;
    const grabbed = sonarr.tracked.size > 0 && [...sonarr.tracked.values()].some((td) => td.episodeIds.includes(episode.id) && td.state !== "imported" && td.state !== "failed" && td.state !== "ignored");
    return compact({
      seriesId: episode.seriesId,
      tvdbId: e.tvdbId,
      episodeFileId: file?.id ?? 0,
      seasonNumber: e.season,
      episodeNumber: e.number,
      title: e.title,
      airDate: e.airDateUtc === undefined ? undefined : dateOnly(e.airDateUtc),
      airDateUtc: e.airDateUtc === undefined ? undefined : isoSeconds(e.airDateUtc),
      runtime: series?.title.runtime,
      overview: e.overview,
      episodeFile: includeFile && file ? this.episodeFileResource(file) : undefined,
      hasFile: file !== undefined,
      monitored: episode.monitored,
      absoluteEpisodeNumber: e.absolute,
      unverifiedSceneNumbering: false,
      grabbed,
      id: episode.id,
    });
  }

  seriesResource(series: SonarrSeries): Record<string, unknown> {
    const sonarr = this.world.sonarr;
    const t = series.title;
    const now = this.world.now();
    const episodes = sonarr.episodesOf(series.id);
    const aired = (e: SonarrEpisode) => e.catalogue.airDateUtc !== undefined && e.catalogue.airDateUtc <= now;
    const airDates = episodes.map((e) => e.catalogue.airDateUtc).filter((d): d is number => d !== undefined);
    const previous = Math.max(...airDates.filter((d) => d <= now), -Infinity);
    const next = Math.min(...airDates.filter((d) => d > now), Infinity);
    const stats = (list: SonarrEpisode[]) => {
      const withFile = list.filter((e) => e.episodeFileId !== undefined);
      const counted = list.filter((e) => e.episodeFileId !== undefined || (e.monitored && aired(e)));
      const size = withFile.reduce((sum, e) => sum + (sonarr.episodeFiles.get(e.episodeFileId as number)?.size ?? 0), 0);
      return {
        episodeFileCount: withFile.length,
        episodeCount: counted.length,
        totalEpisodeCount: list.length,
        sizeOnDisk: size,
        releaseGroups: [...new Set(withFile.map((e) => sonarr.episodeFiles.get(e.episodeFileId as number)?.release.releaseGroup).filter(Boolean))],
        percentOfEpisodes: counted.length === 0 ? 0 : (withFile.length / counted.length) * 100,
      };
    };
    return compact({
      title: t.title,
      alternateTitles: [],
      sortTitle: t.title.toLowerCase().replace(/^the /, ""),
      status: t.status,
      ended: t.status === "ended",
      overview: t.overview,
      previousAiring: Number.isFinite(previous) ? isoSeconds(previous) : undefined,
      nextAiring: Number.isFinite(next) ? isoSeconds(next) : undefined,
      network: t.network,
      airTime: t.airTime,
      images: arrImages(series.id, series.added, [
        { coverType: "banner", remoteUrl: tvdbArtwork(t.tvdbId, "banners") },
        { coverType: "poster", remoteUrl: tvdbArtwork(t.tvdbId, "posters") },
        { coverType: "fanart", remoteUrl: tvdbArtwork(t.tvdbId, "backgrounds") },
      ]),
      originalLanguage: t.originalLanguage,
      seasons: t.seasons.map((season) => {
        const list = episodes.filter((e) => e.catalogue.season === season.seasonNumber);
        const seasonDates = list.map((e) => e.catalogue.airDateUtc).filter((d): d is number => d !== undefined);
        const seasonNext = Math.min(...seasonDates.filter((d) => d > now), Infinity);
        const seasonPrevious = Math.max(...seasonDates.filter((d) => d <= now), -Infinity);
        return {
          seasonNumber: season.seasonNumber,
          monitored: list.some((e) => e.monitored),
          statistics: compact({
            nextAiring: Number.isFinite(seasonNext) ? isoSeconds(seasonNext) : undefined,
            previousAiring: Number.isFinite(seasonPrevious) ? isoSeconds(seasonPrevious) : undefined,
            ...stats(list),
          }),
        };
      }),
      year: t.year,
      path: series.path,
      qualityProfileId: 4,
      seasonFolder: true,
      monitored: series.monitored,
      monitorNewItems: "all",
      useSceneNumbering: false,
      runtime: t.runtime,
      tvdbId: t.tvdbId,
      tvRageId: 0,
      tvMazeId: t.tvMazeId,
      tmdbId: t.tmdbId,
      firstAired: airDates.length > 0 ? isoSeconds(Math.min(...airDates)) : undefined,
      lastAired: t.status === "ended" && airDates.length > 0 ? isoSeconds(Math.max(...airDates)) : undefined,
      seriesType: series.seriesType,
      cleanTitle: t.title.toLowerCase().replace(/[^a-z0-9]/g, ""),
      imdbId: t.imdbId,
      titleSlug: series.titleSlug,
      rootFolderPath: `${series.rootFolderPath}/`,
      certification: "TV-14",
      genres: t.genres,
      tags: series.tagIds,
      added: isoSeconds(series.added),
      ratings: { votes: 1_204, value: 7.8 },
      statistics: { seasonCount: t.seasons.length, ...stats(episodes) },
      languageProfileId: 1,
      id: series.id,
    });
  }
}
