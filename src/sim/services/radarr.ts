import { empty, json, queryBool, queryInt, type SimRequest } from "../http";
import type { BlocklistItem, HistoryRecord, MovieFile, QueueEntry, RadarrMovie } from "../model/arr";
import { isoSeconds } from "../util";
import type { World } from "../world";
import { arrImages, ArrService, compact, languagesOf, qualityModel, queryNumbers } from "./arr-common";

/** Radarr v5 API v3: movies and movie files on top of the shared queue/history/command API. */
export class RadarrService extends ArrService {
  constructor(world: World, apiKey: string) {
    super(world, world.radarr, apiKey);
    const r = this.router;
    const radarr = world.radarr;
    r.on("GET", "/api/v3/movie", (req) =>
      this.authed(req, () => {
        const tmdbId = queryInt(req.query, "tmdbId");
        const movies = [...radarr.movies.values()].filter((m) => tmdbId === undefined || m.title.tmdbId === tmdbId);
        return json(200, movies.map((m) => this.movieResource(m)));
      }),
    );
    r.on("GET", "/api/v3/movie/:id", (req, p) =>
      this.authed(req, () => {
        const movie = radarr.movies.get(Number(p.id));
        return movie ? json(200, this.movieResource(movie)) : json(404, { message: "NotFound" });
      }),
    );
    r.on("DELETE", "/api/v3/movie/:id", (req, p) =>
      this.authed(req, () => (radarr.deleteMovie(Number(p.id), queryBool(req.query, "deleteFiles") ?? false) ? json(200, {}) : json(404, { message: "NotFound" }))),
    );
    r.on("GET", "/api/v3/moviefile", (req) =>
      this.authed(req, () => {
        const movieIds = queryNumbers(req.query, "movieId");
        const files = [...radarr.movieFiles.values()].filter((f) => movieIds.length === 0 || movieIds.includes(f.movieId));
        return json(200, files.map((f) => this.movieFileResource(f)));
      }),
    );
    r.on("GET", "/api/v3/moviefile/:id", (req, p) =>
      this.authed(req, () => {
        const file = radarr.movieFiles.get(Number(p.id));
        return file ? json(200, this.movieFileResource(file)) : json(404, { message: "NotFound" });
      }),
    );
    r.on("GET", "/api/v3/history/movie", (req) =>
      this.authed(req, () => {
        const movieId = queryInt(req.query, "movieId");
        return movieId === undefined ? empty(400) : this.historyForMovie(movieId);
      }),
    );
  }

  /** GET /history/movie?movieId=: unpaged, newest first. */
  private historyForMovie(movieId: number) {
    const records = this.world.radarr.history
      .filter((h) => h.mediaId === movieId)
      .sort((a, b) => b.date - a.date)
      .map((h) => ({
        movieId: h.mediaId,
        sourceTitle: h.sourceTitle,
        languages: languagesOf(h.release),
        quality: qualityModel("radarr", h.release),
        customFormats: h.release.customFormats,
        customFormatScore: h.release.customFormatScore,
        qualityCutoffNotMet: false,
        date: isoSeconds(h.date),
        downloadId: h.downloadId,
        eventType: h.eventType,
        data: h.data,
        id: h.id,
      }));
    return json(200, records);
  }

  protected queueRecord(entry: QueueEntry, req: SimRequest): Record<string, unknown> {
    const movie = this.world.radarr.movies.get(entry.mediaId);
    return {
      movieId: entry.mediaId,
      ...(queryBool(req.query, "includeMovie") && movie ? { movie: this.movieResource(movie) } : {}),
      ...this.queueCommon(entry),
      ...this.queueTail(entry),
    };
  }

  protected historyIds(record: HistoryRecord): Record<string, unknown> {
    return { movieId: record.mediaId };
  }

  protected historyFilter(record: HistoryRecord, req: SimRequest): boolean {
    const movieIds = queryNumbers(req.query, "movieIds");
    return movieIds.length === 0 || movieIds.includes(record.mediaId);
  }

  protected blocklistIds(item: BlocklistItem): Record<string, unknown> {
    return { movieId: item.mediaId };
  }

  movieFileResource(file: MovieFile): Record<string, unknown> {
    return {
      movieId: file.movieId,
      relativePath: file.relativePath,
      path: file.path,
      size: file.size,
      dateAdded: isoSeconds(file.dateAdded),
      sceneName: file.release.title,
      releaseGroup: file.release.releaseGroup,
      edition: "",
      languages: languagesOf(file.release),
      quality: qualityModel("radarr", file.release),
      customFormats: file.release.customFormats,
      customFormatScore: file.release.customFormatScore,
      indexerFlags: 0,
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
        resolution: `1920x1080`,
        runTime: "1:52:04",
        scanType: "Progressive",
        subtitles: "eng",
      },
      originalFilePath: file.sourcePath.split("/").slice(-2).join("/"),
      qualityCutoffNotMet: false,
      id: file.id,
    };
  }

  movieResource(movie: RadarrMovie): Record<string, unknown> {
    const t = movie.title;
    const file = movie.movieFileId !== undefined ? this.world.radarr.movieFiles.get(movie.movieFileId) : undefined;
    const iso = (date: string) => `${date}T00:00:00Z`;
    return compact({
      title: t.title,
      originalTitle: t.title,
      originalLanguage: t.originalLanguage,
      alternateTitles: [],
      secondaryYearSourceId: 0,
      sortTitle: t.title.toLowerCase().replace(/^the /, ""),
      sizeOnDisk: file?.size ?? 0,
      status: "released",
      overview: t.overview,
      inCinemas: iso(t.inCinemas),
      physicalRelease: iso(t.physicalRelease),
      digitalRelease: iso(t.physicalRelease),
      releaseDate: iso(t.physicalRelease),
      images: arrImages(movie.id, movie.added, [
        { coverType: "poster", remoteUrl: `https://image.tmdb.org/t/p/original${t.posterPath}` },
        { coverType: "fanart", remoteUrl: `https://image.tmdb.org/t/p/original${t.backdropPath}` },
      ]),
      website: "",
      year: t.year,
      youTubeTrailerId: "",
      studio: t.studio,
      path: movie.path,
      qualityProfileId: 6,
      hasFile: file !== undefined,
      movieFileId: file?.id ?? 0,
      monitored: movie.monitored,
      minimumAvailability: "released",
      isAvailable: true,
      folderName: movie.path,
      runtime: t.runtime,
      cleanTitle: t.title.toLowerCase().replace(/[^a-z0-9]/g, ""),
      imdbId: t.imdbId,
      tmdbId: t.tmdbId,
      titleSlug: String(t.tmdbId),
      rootFolderPath: movie.rootFolderPath,
      certification: t.certification,
      genres: t.genres,
      keywords: [],
      tags: movie.tagIds,
      added: isoSeconds(movie.added),
      ratings: { imdb: { votes: 18_204, value: 7.1, type: "user" }, tmdb: { votes: 912, value: 7.0, type: "user" } },
      movieFile: file ? this.movieFileResource(file) : undefined,
      popularity: 21.4,
      statistics: { movieFileCount: file ? 1 : 0, sizeOnDisk: file?.size ?? 0, releaseGroups: file ? [file.release.releaseGroup] : [] },
      id: movie.id,
    });
  }
}
