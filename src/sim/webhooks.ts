import { posterUrl } from "./catalogue";
import type { EpisodeFile, MovieFile, RadarrMovie, SonarrEpisode, SonarrSeries, TrackedDownload } from "./model/arr";
import type { WebhookFault, WebhookFaultKind } from "./model/behaviour";
import type { JfItem } from "./model/jellyfin";
import type { Release } from "./model/releases";
import { MEDIA_STATUS_NAMES } from "./model/seerr";
import type { Notice, NoticeEvent } from "./model/types";
import { ARR_VERSIONS, arrImages, tvdbArtwork } from "./services/arr-common";
import { JELLYFIN_VERSION } from "./services/jellyfin";
import { dateOnly, isoNet, isoSeconds, pad2, timeSpan } from "./util";
import type { World } from "./world";

/*
 * What the simulated services POST to the tracker, byte-compatible with the real senders:
 *  - Jellyseerr: the default JSON template, every value a string, "Requested Seasons" in extra;
 *  - Sonarr/Radarr: Newtonsoft payloads (camelCase, nulls omitted, PascalCase eventType), one
 *    Download per imported file, Sonarr's import-complete variant for packs, upper-case downloadId;
 *  - Jellyfin webhook plugin, "Send All Properties": ItemAdded, queued and sent every 30 s.
 * Deliveries go to `${tracker}/api/hooks/{service}?token=<secret>`, each with an optional fault
 * from the scenario: dropped, duplicated, held late, or overtaken by a later one.
 */

export type WebhookService = "jellyseerr" | "radarr" | "sonarr" | "jellyfin";

export interface WebhookTarget {
  url: string;
  webhookSecret: string;
}

export interface WebhookDelivery {
  id: number;
  service: WebhookService;
  /** The notice's event; Sonarr's import-complete is "ImportComplete" here, eventType "Download" on the wire. */
  event: NoticeEvent;
  key: string;
  body: Record<string, unknown>;
  /** Simulated time the service fired it. */
  firedAt: number;
  status: "scheduled" | "held" | "sent" | "failed" | "dropped" | "skipped";
  fault?: WebhookFaultKind;
  /** The second copy of a duplicated delivery. */
  copy?: boolean;
  /** Order in which deliveries left (1, 2, ...). */
  sentSeq?: number;
  httpStatus?: number;
  error?: string;
}

export interface WebhookLinks {
  jellyfinUrl: () => string;
}

/** The longest a held delivery waits for the event it must follow before going anyway. */
const MAX_HOLD_MS = 6 * 3_600_000;

export class WebhookOutbox {
  readonly log: WebhookDelivery[] = [];
  private chain: Promise<void> = Promise.resolve();
  private nextId = 1;
  private sentCount = 0;
  private readonly occurrences = new Map<string, number>();
  private readonly held: { delivery: WebhookDelivery; until?: { service: WebhookService; event: NoticeEvent } }[] = [];
  private readonly unsubscribe: () => void;

  constructor(
    private readonly world: World,
    private readonly target: () => WebhookTarget | null,
    private readonly links: WebhookLinks,
  ) {
    this.unsubscribe = world.onNotice((notice) => this.onNotice(notice));
  }

  /** Resolves when every delivery due so far has been sent. */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.chain;
      await current;
    } while (current !== this.chain);
  }

  close(): void {
    this.unsubscribe();
  }

  private onNotice(notice: Notice): void {
    const body = buildWebhookBody(this.world, notice, this.links);
    if (!body) return;
    const delivery: WebhookDelivery = {
      id: this.nextId++,
      service: notice.service,
      event: notice.event,
      key: notice.key,
      body,
      firedAt: this.world.now(),
      status: "scheduled",
    };
    this.log.push(delivery);
    const fault = this.faultFor(delivery);
    delivery.fault = fault?.fault;
    switch (fault?.fault) {
      case "drop":
        delivery.status = "dropped";
        return;
      case "duplicate": {
        this.scheduleSend(delivery, 0);
        const copy: WebhookDelivery = { ...delivery, id: this.nextId++, copy: true, status: "scheduled" };
        this.log.push(copy);
        this.scheduleSend(copy, fault.repeatAfterMs ?? 1_000);
        return;
      }
      case "late":
      case "out_of_order":
        if (fault.fault === "late" && fault.delayMs !== undefined && !fault.until) {
          this.scheduleSend(delivery, fault.delayMs);
          return;
        }
        delivery.status = "held";
        this.held.push({ delivery, until: fault.until });
        this.world.after(MAX_HOLD_MS, "webhook hold expired", () => this.release((h) => h.delivery === delivery));
        return;
      default:
        this.scheduleSend(delivery, 0);
    }
  }

  /** The scenario's fault for this occurrence of (service, event) of this title, if any. */
  private faultFor(delivery: WebhookDelivery): WebhookFault | undefined {
    const behaviour = this.world.behaviourFor(delivery.key);
    // Counted per run: a title requested again (demo loop) starts over.
    const counter = `${behaviour.runId}|${delivery.key}|${delivery.service}|${delivery.event}`;
    const nth = (this.occurrences.get(counter) ?? 0) + 1;
    this.occurrences.set(counter, nth);
    return behaviour.faults.find((f) => f.service === delivery.service && f.event === delivery.event && (f.nth ?? 1) === nth);
  }

  private scheduleSend(delivery: WebhookDelivery, delayMs: number): void {
    this.world.after(delayMs, `webhook ${delivery.service} ${delivery.event}`, () => this.enqueue(delivery));
  }

  private enqueue(delivery: WebhookDelivery): void {
    delivery.status = "scheduled";
    this.chain = this.chain.then(() => this.send(delivery));
    // Whatever was held until this event goes right after it.
    this.release(
      (h) =>
        h.delivery.key === delivery.key &&
        (h.until === undefined ? h.delivery !== delivery : h.until.service === delivery.service && h.until.event === delivery.event),
    );
  }

  private release(match: (held: { delivery: WebhookDelivery; until?: { service: WebhookService; event: NoticeEvent } }) => boolean): void {
    for (let i = 0; i < this.held.length; ) {
      if (match(this.held[i])) {
        const [{ delivery }] = this.held.splice(i, 1);
        this.enqueue(delivery);
      } else i++;
    }
  }

  private async send(delivery: WebhookDelivery): Promise<void> {
    const target = this.target();
    delivery.sentSeq = ++this.sentCount;
    if (!target) {
      delivery.status = "skipped";
      return;
    }
    const url = `${target.url.replace(/\/+$/, "")}/api/hooks/${delivery.service}?token=${encodeURIComponent(target.webhookSecret)}`;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", "user-agent": userAgent(delivery.service) },
        // Newtonsoft (arr) indents; the others send compact JSON.
        body: delivery.service === "radarr" || delivery.service === "sonarr" ? JSON.stringify(delivery.body, null, 2) : JSON.stringify(delivery.body),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      delivery.httpStatus = response.status;
      delivery.status = response.ok ? "sent" : "failed";
    } catch (err) {
      // The real senders never retry: a failed webhook is lost.
      delivery.status = "failed";
      delivery.error = err instanceof Error ? err.message : String(err);
    }
  }
}

function userAgent(service: WebhookService): string {
  switch (service) {
    case "radarr":
    case "sonarr":
      return `${ARR_VERSIONS[service].appName}/${ARR_VERSIONS[service].version} (ubuntu 24.04)`;
    case "jellyseerr":
      return "axios/1.10.0";
    case "jellyfin":
      return `Jellyfin-Server/${JELLYFIN_VERSION}`;
  }
}

// ================================================================ payloads

/** Builds the body a real service would send for a notice, from the world as it is now. */
export function buildWebhookBody(world: World, notice: Notice, links: WebhookLinks): Record<string, unknown> | undefined {
  switch (notice.service) {
    case "jellyseerr":
      return seerrBody(world, notice.event, notice.requestId);
    case "radarr":
      return radarrBody(world, notice);
    case "sonarr":
      return sonarrBody(world, notice);
    case "jellyfin": {
      const item = world.jellyfin.items.get(notice.itemId);
      return item ? jellyfinItemAdded(world, item, links.jellyfinUrl()) : undefined;
    }
  }
}

// ---------------------------------------------------------------- Jellyseerr

function seerrBody(world: World, type: string, requestId: number): Record<string, unknown> | undefined {
  const request = world.seerr.requests.get(requestId);
  const media = request && world.seerr.media.get(request.mediaId);
  if (!request || !media) return undefined;
  const title = world.catalogue.get(media.key);
  const user = world.seerr.user(request.requestedById);
  const kind = media.mediaType === "movie" ? "Movie" : "TV";
  const events: Record<string, string> = {
    MEDIA_PENDING: `New ${kind} Request`,
    MEDIA_APPROVED: `${kind} Request Approved`,
    MEDIA_AUTO_APPROVED: `${kind} Request Automatically Approved`,
    MEDIA_AVAILABLE: `${kind} Request Now Available`,
    MEDIA_DECLINED: `${kind} Request Declined`,
    MEDIA_FAILED: `${kind} Request Failed`,
  };
  const message = title.overview.length > 500 ? `${title.overview.slice(0, 500)}…` : title.overview;
  return {
    notification_type: type,
    event: events[type] ?? "",
    subject: `${title.title} (${title.year})`,
    message,
    image: posterUrl(title.posterPath),
    media: {
      media_type: media.mediaType,
      tmdbId: String(media.tmdbId),
      tvdbId: media.tvdbId === null ? "" : String(media.tvdbId),
      status: MEDIA_STATUS_NAMES[media.status],
      status4k: "UNKNOWN",
    },
    request: {
      request_id: String(request.id),
      requestedBy_email: user?.sim.email ?? "",
      requestedBy_username: user?.sim.username ?? "",
      requestedBy_avatar: user ? `/avatarproxy/${user.sim.jellyfinId}?v=${user.avatarVersion}` : "",
      requestedBy_settings_discordId: "",
      requestedBy_settings_telegramChatId: "",
    },
    issue: null,
    comment: null,
    // Series only: the requested seasons, ", "-joined; films render {{extra}} as [].
    extra: media.mediaType === "tv" ? [{ name: "Requested Seasons", value: request.seasons.map((s) => s.seasonNumber).join(", ") }] : [],
  };
}

// ---------------------------------------------------------------- arr shared pieces

function envelope(app: "radarr" | "sonarr", eventType: string): Record<string, unknown> {
  return { eventType, instanceName: ARR_VERSIONS[app].appName, applicationUrl: "" };
}

function tagLabels(world: World, app: "radarr" | "sonarr", ids: number[]): string[] {
  const tags = app === "radarr" ? world.radarr.tags : world.sonarr.tags;
  return ids.map((id) => tags.get(id)).filter((l): l is string => !!l).sort();
}

function grabRelease(release: Release, radarr: boolean): Record<string, unknown> {
  return {
    quality: release.quality.name,
    qualityVersion: release.qualityVersion,
    releaseGroup: release.releaseGroup,
    releaseTitle: release.title.replace(/\.mkv$/, ""),
    indexer: release.indexer,
    size: release.size,
    customFormatScore: release.customFormatScore,
    customFormats: release.customFormats.map((c) => c.name),
    languages: release.languages,
    ...(radarr ? { indexerFlags: release.indexerFlags } : {}),
  };
}

function customFormatInfo(release: Release): Record<string, unknown> {
  return { customFormats: release.customFormats, customFormatScore: release.customFormatScore };
}

function mediaInfo(release: Release): Record<string, unknown> {
  const japanese = release.languages[0]?.name === "Japanese";
  return {
    audioChannels: japanese ? 2 : 5.1,
    audioCodec: japanese ? "Opus" : "EAC3",
    audioLanguages: [japanese ? "jpn" : "eng"],
    height: release.quality.resolution,
    width: Math.round((release.quality.resolution * 16) / 9),
    subtitles: ["eng"],
    videoCodec: "h264",
    videoDynamicRange: "",
    videoDynamicRangeType: "",
  };
}

// ---------------------------------------------------------------- Radarr

function webhookMovie(world: World, movie: RadarrMovie): Record<string, unknown> {
  const t = movie.title;
  return {
    id: movie.id,
    title: t.title,
    year: t.year,
    releaseDate: t.physicalRelease,
    folderPath: movie.path,
    tmdbId: t.tmdbId,
    imdbId: t.imdbId,
    overview: t.overview,
    genres: t.genres,
    images: arrImages(movie.id, movie.added, [
      { coverType: "poster", remoteUrl: `https://image.tmdb.org/t/p/original${t.posterPath}` },
      { coverType: "fanart", remoteUrl: `https://image.tmdb.org/t/p/original${t.backdropPath}` },
    ]),
    tags: tagLabels(world, "radarr", movie.tagIds),
    originalLanguage: t.originalLanguage,
  };
}

function remoteMovie(movie: RadarrMovie): Record<string, unknown> {
  return { tmdbId: movie.title.tmdbId, imdbId: movie.title.imdbId, title: movie.title.title, year: movie.title.year };
}

function radarrBody(world: World, notice: Extract<Notice, { service: "radarr" }>): Record<string, unknown> | undefined {
  const radarr = world.radarr;
  switch (notice.event) {
    case "MovieAdded":
    case "MovieDelete": {
      const movie = radarr.movies.get(notice.movieId);
      if (!movie) return undefined;
      if (notice.event === "MovieAdded") return { movie: webhookMovie(world, movie), addMethod: "manual", ...envelope("radarr", "MovieAdded") };
      const file = movie.movieFileId !== undefined ? radarr.movieFiles.get(movie.movieFileId) : undefined;
      return { movie: webhookMovie(world, movie), deletedFiles: notice.deletedFiles, movieFolderSize: file?.size ?? 0, ...envelope("radarr", "MovieDelete") };
    }
    case "Grab":
    case "ManualInteractionRequired":
    case "Download": {
      const td = radarr.tracked.get(notice.trackedId);
      const movie = td && radarr.movies.get(td.mediaId);
      if (!td || !movie) return undefined;
      if (notice.event === "Grab") {
        return {
          movie: webhookMovie(world, movie),
          remoteMovie: remoteMovie(movie),
          release: grabRelease(td.release, true),
          downloadClient: "qBittorrent",
          downloadClientType: "qBittorrent",
          downloadId: td.downloadId,
          customFormatInfo: customFormatInfo(td.release),
          ...envelope("radarr", "Grab"),
        };
      }
      if (notice.event === "ManualInteractionRequired") {
        return {
          movie: webhookMovie(world, movie),
          remoteMovie: remoteMovie(movie),
          ...manualInteraction(td),
          release: { releaseTitle: td.release.title, indexer: td.release.indexer, size: td.release.size, indexerFlags: td.release.indexerFlags },
          ...envelope("radarr", "ManualInteractionRequired"),
        };
      }
      const file = notice.event === "Download" ? radarr.movieFiles.get(notice.movieFileId) : undefined;
      if (!file) return undefined;
      return {
        movie: webhookMovie(world, movie),
        remoteMovie: remoteMovie(movie),
        movieFile: radarrMovieFile(file),
        isUpgrade: false,
        downloadClient: "qBittorrent",
        downloadClientType: "qBittorrent",
        downloadId: td.downloadId,
        customFormatInfo: customFormatInfo(td.release),
        release: { releaseTitle: td.release.title, indexer: td.release.indexer, size: td.release.size, indexerFlags: td.release.indexerFlags },
        ...envelope("radarr", "Download"),
      };
    }
  }
}

function radarrMovieFile(file: MovieFile): Record<string, unknown> {
  return {
    id: file.id,
    relativePath: file.relativePath,
    path: file.path,
    quality: file.release.quality.name,
    qualityVersion: file.release.qualityVersion,
    releaseGroup: file.release.releaseGroup,
    sceneName: file.release.title,
    // WebhookMovieFile.IndexerFlags is IndexerFlags.ToString(): a string, "0" when none.
    indexerFlags: file.release.indexerFlags.length > 0 ? file.release.indexerFlags.join(", ") : "0",
    size: file.size,
    dateAdded: isoNet(file.dateAdded),
    languages: file.release.languages,
    mediaInfo: mediaInfo(file.release),
    sourcePath: file.sourcePath,
  };
}

function manualInteraction(td: TrackedDownload): Record<string, unknown> {
  return {
    downloadInfo: { quality: td.release.quality.name, qualityVersion: td.release.qualityVersion, title: td.release.title, size: td.release.size },
    downloadClient: "qBittorrent",
    downloadClientType: "qBittorrent",
    downloadId: td.downloadId,
    // TrackedDownloadStatus.ToString(): PascalCase, unlike the rest of the payload.
    downloadStatus: td.status === "error" ? "Error" : "Warning",
    downloadStatusMessages: td.statusMessages,
    customFormatInfo: customFormatInfo(td.release),
  };
}

// ---------------------------------------------------------------- Sonarr

function webhookSeries(world: World, series: SonarrSeries): Record<string, unknown> {
  const t = series.title;
  return {
    id: series.id,
    title: t.title,
    titleSlug: series.titleSlug,
    path: series.path,
    tvdbId: t.tvdbId,
    tvMazeId: t.tvMazeId,
    tmdbId: t.tmdbId,
    imdbId: t.imdbId,
    type: series.seriesType,
    year: t.year,
    genres: t.genres,
    images: arrImages(series.id, series.added, [
      { coverType: "banner", remoteUrl: tvdbArtwork(t.tvdbId, "banners") },
      { coverType: "poster", remoteUrl: tvdbArtwork(t.tvdbId, "posters") },
      { coverType: "fanart", remoteUrl: tvdbArtwork(t.tvdbId, "backgrounds") },
    ]),
    tags: tagLabels(world, "sonarr", series.tagIds),
    originalLanguage: t.originalLanguage,
  };
}

function webhookEpisode(episode: SonarrEpisode): Record<string, unknown> {
  const e = episode.catalogue;
  const out: Record<string, unknown> = { id: episode.id, episodeNumber: e.number, seasonNumber: e.season, title: e.title, overview: e.overview };
  if (e.airDateUtc !== undefined) {
    out.airDate = dateOnly(e.airDateUtc);
    out.airDateUtc = isoSeconds(e.airDateUtc);
  }
  out.seriesId = episode.seriesId;
  out.tvdbId = e.tvdbId;
  return out;
}

function sonarrEpisodeFile(file: EpisodeFile, withSource: boolean): Record<string, unknown> {
  return {
    id: file.id,
    relativePath: file.relativePath,
    path: file.path,
    quality: file.release.quality.name,
    qualityVersion: file.release.qualityVersion,
    releaseGroup: file.release.releaseGroup,
    sceneName: (file.sourcePath.split("/").pop() ?? "").replace(/\.mkv$/, ""),
    size: file.size,
    dateAdded: isoNet(file.dateAdded),
    languages: file.release.languages,
    mediaInfo: mediaInfo(file.release),
    ...(withSource ? { sourcePath: file.sourcePath } : {}),
  };
}

function grabbedRelease(release: Release): Record<string, unknown> {
  return { releaseTitle: release.title.replace(/\.mkv$/, ""), indexer: release.indexer, size: release.size, releaseType: release.releaseType };
}

function sonarrBody(world: World, notice: Extract<Notice, { service: "sonarr" }>): Record<string, unknown> | undefined {
  const sonarr = world.sonarr;
  if (notice.event === "SeriesAdd" || notice.event === "SeriesDelete") {
    const series = sonarr.series.get(notice.seriesId);
    if (!series) return undefined;
    return notice.event === "SeriesAdd"
      ? { series: webhookSeries(world, series), ...envelope("sonarr", "SeriesAdd") }
      : { series: webhookSeries(world, series), deletedFiles: notice.deletedFiles, ...envelope("sonarr", "SeriesDelete") };
  }
  const td = sonarr.tracked.get(notice.trackedId);
  const series = td && sonarr.series.get(td.mediaId);
  if (!td || !series) return undefined;
  const episodesOf = (ids: number[]) =>
    ids
      .map((id) => sonarr.episodes.get(id))
      .filter((e): e is SonarrEpisode => !!e)
      .map(webhookEpisode);
  const common = { downloadClient: "qBittorrent", downloadClientType: "qBittorrent", downloadId: td.downloadId };
  switch (notice.event) {
    case "Grab":
      return {
        series: webhookSeries(world, series),
        episodes: episodesOf(td.episodeIds),
        release: grabRelease(td.release, false),
        ...common,
        customFormatInfo: customFormatInfo(td.release),
        ...envelope("sonarr", "Grab"),
      };
    case "Download": {
      const file = sonarr.episodeFiles.get(notice.episodeFileId);
      if (!file) return undefined;
      return {
        series: webhookSeries(world, series),
        episodes: episodesOf(file.episodeIds),
        episodeFile: sonarrEpisodeFile(file, true),
        isUpgrade: false,
        ...common,
        customFormatInfo: customFormatInfo(td.release),
        release: grabbedRelease(td.release),
        ...envelope("sonarr", "Download"),
      };
    }
    case "ImportComplete": {
      const files = notice.episodeFileIds.map((id) => sonarr.episodeFiles.get(id)).filter((f): f is EpisodeFile => !!f);
      const folders = files.map((f) => f.path.slice(0, f.path.lastIndexOf("/")));
      return {
        series: webhookSeries(world, series),
        episodes: episodesOf(td.episodeIds),
        episodeFiles: files.map((f) => sonarrEpisodeFile(f, false)),
        ...common,
        release: grabbedRelease(td.release),
        fileCount: files.length,
        sourcePath: `${sonarr.downloadFolder}/${td.release.singleFile ? td.release.files[0].name : td.release.title}`,
        // The longest common path of the imported files: usually the season folder.
        destinationPath: folders.length > 0 ? commonDirectory(folders) : series.path,
        // Sonarr sends import-complete with eventType "Download" (WebhookImportCompletePayload).
        ...envelope("sonarr", "Download"),
      };
    }
    case "ManualInteractionRequired":
      return {
        series: webhookSeries(world, series),
        episodes: episodesOf(td.episodeIds),
        ...manualInteraction(td),
        release: grabbedRelease(td.release),
        ...envelope("sonarr", "ManualInteractionRequired"),
      };
  }
}

function commonDirectory(paths: string[]): string {
  const parts = paths.map((p) => p.split("/"));
  const common: string[] = [];
  for (let i = 0; i < parts[0].length && parts.every((p) => p[i] === parts[0][i]); i++) common.push(parts[0][i]);
  return common.join("/");
}

// ---------------------------------------------------------------- Jellyfin webhook plugin

/** ItemAdded with "Send All Properties": PascalCase keys, typed values, Provider_<lower-case key>. */
function jellyfinItemAdded(world: World, item: JfItem, serverUrl: string): Record<string, unknown> {
  const now = world.now();
  const ticks = item.runTimeTicks ?? 0;
  const body: Record<string, unknown> = {
    ServerId: world.jellyfin.serverId,
    ServerName: "sim-jellyfin",
    ServerVersion: JELLYFIN_VERSION,
    ServerUrl: serverUrl,
    NotificationType: "ItemAdded",
    Timestamp: isoNet(now).replace("Z", "+00:00"),
    UtcTimestamp: isoNet(now),
    Name: item.name,
    Overview: item.overview ?? "",
    Tagline: "",
    ItemId: item.id,
    ItemType: item.type,
    RunTimeTicks: ticks,
    RunTime: timeSpan(ticks / 10_000_000),
  };
  if (item.productionYear !== undefined) body.Year = item.productionYear;
  if (item.premiereDate !== undefined) body.PremiereDate = dateOnly(item.premiereDate);
  body.Genres = item.genres.join(", ");
  body.AspectRatio = "16:9";
  if (item.type === "Episode") {
    const series = item.seriesId ? world.jellyfin.items.get(item.seriesId) : undefined;
    Object.assign(body, {
      SeriesName: item.seriesName,
      SeriesId: item.seriesId,
      SeasonId: item.seasonId,
      ...(series?.premiereDate !== undefined ? { SeriesPremiereDate: dateOnly(series.premiereDate) } : {}),
      SeasonNumber: item.parentIndexNumber,
      SeasonNumber00: pad2(item.parentIndexNumber ?? 0),
      SeasonNumber000: String(item.parentIndexNumber ?? 0).padStart(3, "0"),
      EpisodeNumber: item.indexNumber,
      EpisodeNumber00: pad2(item.indexNumber ?? 0),
      EpisodeNumber000: String(item.indexNumber ?? 0).padStart(3, "0"),
    });
  }
  for (const [provider, value] of Object.entries(item.providerIds)) body[`Provider_${provider.toLowerCase()}`] = value;
  const height = item.quality?.includes("2160") ? 2160 : item.quality?.includes("720") ? 720 : 1080;
  const japanese = item.providerIds.AniDB !== undefined;
  Object.assign(body, {
    Video_0_Title: `${height}p H264 SDR`,
    Video_0_Type: "Video",
    Video_0_Codec: "h264",
    Video_0_Profile: "High",
    Video_0_Level: 40,
    Video_0_Height: height,
    Video_0_Width: Math.round((height * 16) / 9),
    Video_0_AspectRatio: "16:9",
    Video_0_Interlaced: false,
    Video_0_FrameRate: 23.976025,
    Video_0_VideoRange: "SDR",
    Video_0_ColorSpace: "bt709",
    Video_0_ColorTransfer: "bt709",
    Video_0_ColorPrimaries: "bt709",
    Video_0_PixelFormat: "yuv420p",
    Video_0_RefFrames: 1,
    Audio_0_Title: `${japanese ? "Japanese" : "English"} - AAC - Stereo - Default`,
    Audio_0_Type: "Audio",
    Audio_0_Language: japanese ? "jpn" : "eng",
    Audio_0_Codec: "aac",
    Audio_0_Channels: 2,
    Audio_0_Bitrate: 128000,
    Audio_0_SampleRate: 48000,
    Audio_0_Default: true,
    Subtitle_0_Title: "English - Default - ASS",
    Subtitle_0_Type: "Subtitle",
    Subtitle_0_Language: "eng",
    Subtitle_0_Codec: "ass",
    Subtitle_0_Default: true,
    Subtitle_0_Forced: false,
    Subtitle_0_External: false,
  });
  return body;
}
