import type { CatalogueEpisode, CatalogueTitle, Language } from "../catalogue";
import { episodeCode, infoHash, pad2, sceneName, unitFromSeed } from "../util";

/*
 * What the (imaginary) indexers offer: release names, sizes, qualities and the torrent's file
 * list, in the naming styles real releases use (scene dots for WEB/Bluray, brackets for anime).
 */

export type QualityName = "WEBDL-1080p" | "WEBDL-720p" | "WEBRip-1080p" | "Bluray-1080p" | "Bluray-2160p";

export interface QualityDef {
  id: number;
  name: QualityName;
  /** Sonarr's source names ("web", "bluray"); Radarr's differ ("webdl", "bluray"). */
  sonarrSource: string;
  radarrSource: string;
  resolution: number;
}

export const QUALITIES: Record<QualityName, QualityDef> = {
  "WEBDL-720p": { id: 5, name: "WEBDL-720p", sonarrSource: "web", radarrSource: "webdl", resolution: 720 },
  "WEBDL-1080p": { id: 3, name: "WEBDL-1080p", sonarrSource: "web", radarrSource: "webdl", resolution: 1080 },
  "WEBRip-1080p": { id: 15, name: "WEBRip-1080p", sonarrSource: "webRip", radarrSource: "webrip", resolution: 1080 },
  "Bluray-1080p": { id: 7, name: "Bluray-1080p", sonarrSource: "bluray", radarrSource: "bluray", resolution: 1080 },
  "Bluray-2160p": { id: 19, name: "Bluray-2160p", sonarrSource: "bluray", radarrSource: "bluray", resolution: 2160 },
};

/** How a release behaves once grabbed: the swarm decides whether and how fast it downloads. */
export interface SwarmSpec {
  /** Seeds in the swarm; 0 means it never starts (stalledDL). */
  seeds: number;
  leechs: number;
  /** Bytes per second while downloading. */
  speed: number;
  /** The seeds vanish at this fraction (0..1): the torrent stalls there for good. */
  stallAtProgress?: number;
  /** Added as a magnet: metaDL first, with size 0 and total_size -1. */
  magnet: boolean;
}

/** A release as a scenario describes it; everything else is derived. */
export interface ReleaseSpec {
  group: string;
  quality: QualityName;
  /** Total bytes of the video files. */
  sizeBytes?: number;
  /** Bytes per second. */
  speed?: number;
  seeds?: number;
  leechs?: number;
  stallAtProgress?: number;
  magnet?: boolean;
  indexer?: string;
  /** Adds a small .nfo next to the videos, as many real releases have. */
  nfo?: boolean;
}

export interface ReleaseFile {
  /** Path inside the torrent, "/"-separated, including the top folder. */
  name: string;
  size: number;
  video: boolean;
  /** The episode a video file holds (TV). */
  episode?: { season: number; number: number };
}

export type ReleaseType = "singleEpisode" | "multiEpisode" | "seasonPack" | "unknown";

export interface Release {
  guid: string;
  catalogueKey: string;
  title: string;
  indexer: string;
  size: number;
  quality: QualityDef;
  qualityVersion: number;
  releaseGroup: string;
  languages: Language[];
  customFormats: { id: number; name: string }[];
  customFormatScore: number;
  indexerFlags: string[];
  /** Lower-case v1 info-hash; the arr reports it upper-case. */
  hash: string;
  /** Single-file torrent: content_path is the file itself. */
  singleFile: boolean;
  files: ReleaseFile[];
  releaseType: ReleaseType;
  /** Episodes covered (TV). */
  episodes: { season: number; number: number }[];
  swarm: SwarmSpec;
}

const INDEXERS = ["TorrentLeech (Prowlarr)", "IPTorrents (Prowlarr)", "Nyaa.si (Prowlarr)"];
const GB = 1024 ** 3;

function jitter(seed: string, min: number, max: number): number {
  return min + (max - min) * unitFromSeed(seed);
}

function webTag(quality: QualityDef): string {
  switch (quality.name) {
    case "WEBDL-720p":
      return "720p.WEB-DL.DDP5.1.H.264";
    case "WEBDL-1080p":
      return "1080p.WEB-DL.DDP5.1.H.264";
    case "WEBRip-1080p":
      return "1080p.WEBRip.x265";
    case "Bluray-1080p":
      return "1080p.BluRay.x264";
    case "Bluray-2160p":
      return "2160p.BluRay.REMUX.HEVC.DTS-HD.MA.5.1";
  }
}

function animeTag(quality: QualityDef): string {
  return quality.name.startsWith("Bluray") ? `BD ${quality.resolution}p HEVC x265 Opus` : `WEB ${quality.resolution}p AAC`;
}

function customFormatsFor(quality: QualityDef, anime: boolean): { id: number; name: string }[] {
  if (anime) return [{ id: 34, name: "10bit" }, { id: 41, name: "Anime Dual Audio" }];
  return quality.name.startsWith("WEB") ? [{ id: 4, name: "WEB Tier 01" }] : [{ id: 3, name: "HD Bluray Tier 02" }];
}

function swarmOf(spec: ReleaseSpec, size: number): SwarmSpec {
  return {
    seeds: spec.seeds ?? 24,
    leechs: spec.leechs ?? 3,
    // Default: a film visibly downloads within a minute at speed 1.
    speed: spec.speed ?? Math.max(20 * 1024 ** 2, size / 40),
    stallAtProgress: spec.stallAtProgress,
    magnet: spec.magnet ?? false,
  };
}

function base(title: CatalogueTitle, spec: ReleaseSpec, releaseTitle: string, size: number) {
  const quality = QUALITIES[spec.quality];
  const anime = title.anime !== undefined;
  const customFormats = customFormatsFor(quality, anime);
  return {
    guid: `${(spec.indexer ?? "TorrentLeech").split(" ")[0]}-${parseInt(infoHash(releaseTitle).slice(0, 6), 16)}`,
    catalogueKey: title.key,
    title: releaseTitle,
    indexer: spec.indexer ?? (anime ? INDEXERS[2] : INDEXERS[0]),
    size,
    quality,
    qualityVersion: 1,
    releaseGroup: spec.group,
    languages: [title.originalLanguage],
    customFormats,
    customFormatScore: customFormats.length * 500,
    indexerFlags: anime ? [] : ["G_Freeleech"],
    hash: infoHash(releaseTitle),
    swarm: swarmOf(spec, size),
  };
}

function nfoFile(folder: string, releaseTitle: string): ReleaseFile {
  return { name: `${folder}/${releaseTitle}.nfo`, size: 4053 + (releaseTitle.length % 900), video: false };
}

/** A film release: a folder with one .mkv (and an optional .nfo). */
export function movieRelease(title: CatalogueTitle, spec: ReleaseSpec): Release {
  const quality = QUALITIES[spec.quality];
  const size = Math.round(spec.sizeBytes ?? jitter(`${title.key}:${spec.group}:size`, 3.6, 6.2) * GB);
  const releaseTitle = title.anime
    ? `[${spec.group}] ${title.title.replace(/:/g, " -")} (${title.year}) (${animeTag(quality)})`
    : `${sceneName(title.title)}.${title.year}.${webTag(quality)}-${spec.group}`;
  const videoName = title.anime ? `${releaseTitle}.mkv` : `${releaseTitle}.mkv`;
  const files: ReleaseFile[] = [{ name: `${releaseTitle}/${videoName}`, size, video: true }];
  if (spec.nfo ?? !title.anime) files.unshift(nfoFile(releaseTitle, releaseTitle));
  return { ...base(title, spec, releaseTitle, size), singleFile: false, files, releaseType: "unknown", episodes: [] };
}

function episodeFileName(title: CatalogueTitle, spec: ReleaseSpec, episode: CatalogueEpisode): string {
  const quality = QUALITIES[spec.quality];
  if (title.anime) {
    // As real anime packs (FLE, captured): scene-style names with SxxEyy inside a bracketed folder.
    const source = quality.name.startsWith("Bluray") ? "BluRay" : "WEB-DL";
    return `${sceneName(title.title)}.${episodeCode(episode.season, episode.number)}.${quality.resolution}p.${source}.Dual-Audio.Opus2.0.x265-${spec.group}.mkv`;
  }
  return `${sceneName(title.title)}.${episodeCode(episode.season, episode.number)}.${webTag(quality)}-${spec.group}.mkv`;
}

/** A season pack: one folder, one file per episode. */
export function seasonPackRelease(title: CatalogueTitle, spec: ReleaseSpec, season: number, episodes: CatalogueEpisode[]): Release {
  const quality = QUALITIES[spec.quality];
  const perEpisode = title.anime ? 1.1 : 1.4;
  const total = Math.round(spec.sizeBytes ?? episodes.length * perEpisode * GB);
  const releaseTitle = title.anime
    ? `[${spec.group}] ${title.title} - S${pad2(season)} (${animeTag(quality)}) [Dual Audio]`
    : `${sceneName(title.title)}.S${pad2(season)}.${webTag(quality)}-${spec.group}`;
  // Episode sizes vary a little, as real ones do; they add up to the total.
  const weights = episodes.map((e) => jitter(`${releaseTitle}:${e.number}:w`, 0.85, 1.15));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const files: ReleaseFile[] = episodes.map((episode, i) => ({
    name: `${releaseTitle}/${episodeFileName(title, spec, episode)}`,
    size: Math.round((total * weights[i]) / weightSum),
    video: true,
    episode: { season: episode.season, number: episode.number },
  }));
  if (spec.nfo) files.unshift(nfoFile(releaseTitle, releaseTitle));
  const size = files.filter((f) => f.video).reduce((sum, f) => sum + f.size, 0);
  return {
    ...base(title, spec, releaseTitle, size),
    singleFile: false,
    files,
    releaseType: "seasonPack",
    episodes: episodes.map((e) => ({ season: e.season, number: e.number })),
  };
}

/** One episode as a single-file torrent (what an airing show's weekly release looks like). */
export function episodeRelease(title: CatalogueTitle, spec: ReleaseSpec, episode: CatalogueEpisode): Release {
  const size = Math.round(spec.sizeBytes ?? jitter(`${title.key}:${episode.number}:size`, 1.1, 1.6) * GB);
  const fileName = episodeFileName(title, spec, episode);
  const releaseTitle = fileName.replace(/\.mkv$/, "");
  return {
    ...base(title, spec, releaseTitle, size),
    singleFile: true,
    files: [{ name: fileName, size, video: true, episode: { season: episode.season, number: episode.number } }],
    releaseType: "singleEpisode",
    episodes: [{ season: episode.season, number: episode.number }],
  };
}
