import { sha1Hex } from "../util";
import type { LibraryFile, World } from "../world";

/*
 * Shoko Server 5.x: watches the anime import folders, hashes new files, asks AniDB, and either
 * links the file to a series/episode (cross-references) or leaves it unrecognised. Files only
 * appear in the API once hashed; unrecognised = hashed with no cross-references.
 */

export interface ShokoImportFolder {
  id: number;
  name: string;
  path: string;
  dropFolderType: string;
}

export interface ShokoFile {
  id: number;
  locationId: number;
  importFolderId: number;
  /** Relative to the import folder, no leading separator (the REST model's form). */
  relativePath: string;
  absolutePath: string;
  size: number;
  key: string;
  library: LibraryFile;
  hashes: { ED2K: string; SHA1: string; CRC32: string; MD5: string };
  created: number;
  updated: number;
  imported: number | null;
  xref?: { seriesId: number; episodeId: number };
  autoMatchAttempts: number;
  durationSeconds: number;
}

export interface ShokoSeries {
  id: number;
  key: string;
  anidbId: number;
  name: string;
  groupId: number;
  created: number;
  updated: number;
}

export interface ShokoEpisode {
  id: number;
  seriesId: number;
  key: string;
  anidbEpisodeId: number;
  tmdbEpisodeIds: number[];
  tmdbMovieIds: number[];
}

export class ShokoModel {
  readonly importFolders: ShokoImportFolder[] = [
    { id: 1, name: "Anime Shows", path: "/data/anime/shows", dropFolderType: "Destination" },
    { id: 2, name: "Anime Movies", path: "/data/anime/movies", dropFolderType: "Destination" },
  ];
  readonly files = new Map<number, ShokoFile>();
  readonly series = new Map<number, ShokoSeries>();
  readonly episodes = new Map<number, ShokoEpisode>();
  private nextFileId = 9_120;
  private nextLocationId = 9_133;
  private nextSeriesId = 412;
  private nextGroupId = 380;
  private nextEpisodeId = 15_503;

  constructor(private readonly world: World) {}

  folderFor(path: string): ShokoImportFolder | undefined {
    return this.importFolders.find((f) => path.startsWith(`${f.path}/`));
  }

  coversPath(path: string): boolean {
    return this.folderFor(path) !== undefined;
  }

  /** The watcher sees the file, hashes it, then tries AniDB. */
  fileAppeared(library: LibraryFile): void {
    const { timings } = this.world;
    const hashMs = Math.ceil((library.size / timings.shokoHashBytesPerSec) * 1000);
    this.world.whenUp(
      "shoko",
      `shoko detect ${library.path}`,
      () => this.world.after(hashMs, `shoko hashed ${library.path}`, () => this.world.whenUp("shoko", "shoko hashed", () => this.hashed(library))),
      timings.shokoDetectMs,
    );
  }

  private hashed(library: LibraryFile): void {
    const folder = this.folderFor(library.path);
    if (!folder || [...this.files.values()].some((f) => f.absolutePath === library.path)) return;
    const now = this.world.now();
    const digest = sha1Hex(`shoko:${library.path}`).toUpperCase();
    const file: ShokoFile = {
      id: this.nextFileId++,
      locationId: this.nextLocationId++,
      importFolderId: folder.id,
      relativePath: library.path.slice(folder.path.length + 1),
      absolutePath: library.path,
      size: library.size,
      key: library.key,
      library,
      hashes: { ED2K: digest.slice(0, 32), SHA1: digest, CRC32: digest.slice(32, 40), MD5: sha1Hex(`md5:${library.path}`).slice(0, 32).toUpperCase() },
      created: now,
      updated: now,
      imported: null,
      autoMatchAttempts: 0,
      durationSeconds: this.world.catalogue.get(library.key).runtime * 60 - 12,
    };
    this.files.set(file.id, file);
    this.scheduleMatch(file);
  }

  private scheduleMatch(file: ShokoFile): void {
    this.world.after(this.world.timings.shokoMatchMs, `shoko match ${file.id}`, () =>
      this.world.whenUp("shoko", "shoko match", () => this.tryMatch(file.id)),
    );
  }

  private tryMatch(fileId: number): void {
    const file = this.files.get(fileId);
    if (!file || file.xref) return;
    file.autoMatchAttempts++;
    file.updated = this.world.now();
    // A brand-new release is often not in AniDB yet: it stays unrecognised.
    if (!this.world.behaviourFor(file.key).shokoMatches) return;
    const title = this.world.catalogue.get(file.key);
    if (!title.anime) return;
    const series = this.ensureSeries(file.key, title.anime.anidbId, title.title);
    const episode = this.ensureEpisode(series, file.library);
    file.xref = { seriesId: series.id, episodeId: episode.id };
    file.imported = this.world.now();
    this.world.shokoMatched({
      ...file.library,
      shoko: { fileId: file.id, seriesId: series.id, episodeId: episode.id, anidbEpisodeId: episode.anidbEpisodeId, anidbAnimeId: series.anidbId },
    });
  }

  private ensureSeries(key: string, anidbId: number, name: string): ShokoSeries {
    const existing = [...this.series.values()].find((s) => s.key === key);
    if (existing) return existing;
    const now = this.world.now();
    const series: ShokoSeries = { id: this.nextSeriesId++, key, anidbId, name, groupId: this.nextGroupId++, created: now, updated: now };
    this.series.set(series.id, series);
    return series;
  }

  private ensureEpisode(series: ShokoSeries, library: LibraryFile): ShokoEpisode {
    const anidbEpisodeId = library.episode?.anidbEpisodeId ?? 200_000 + series.anidbId;
    const existing = [...this.episodes.values()].find((e) => e.seriesId === series.id && e.anidbEpisodeId === anidbEpisodeId);
    if (existing) return existing;
    const title = this.world.catalogue.get(series.key);
    const episode: ShokoEpisode = {
      id: this.nextEpisodeId++,
      seriesId: series.id,
      key: series.key,
      anidbEpisodeId,
      tmdbEpisodeIds: library.episode ? [library.episode.tmdbEpisodeId] : [],
      tmdbMovieIds: title.kind === "movie" ? [title.tmdbId] : [],
    };
    this.episodes.set(episode.id, episode);
    return episode;
  }

  /** POST /File/{id}/Rescan: ask AniDB again. */
  rescan(fileId: number): boolean {
    const file = this.files.get(fileId);
    if (!file) return false;
    if (!file.xref) this.scheduleMatch(file);
    return true;
  }

  /** Action/RunImport, ImportFolder/{id}/Scan: retries every unrecognised file (in that folder). */
  retryUnrecognised(importFolderId?: number): void {
    for (const file of this.files.values()) {
      if (!file.xref && (importFolderId === undefined || file.importFolderId === importFolderId)) this.scheduleMatch(file);
    }
  }

  /**
   * Action/RemoveMissingFiles: forgets files no longer on disk (their cross-references go with
   * them; series and episodes stay, as AniDB data). Returns how many were removed.
   */
  removeMissingFiles(): number {
    let removed = 0;
    for (const [id, file] of this.files) {
      if (this.world.disk.has(file.absolutePath)) continue;
      this.files.delete(id);
      removed++;
    }
    return removed;
  }

  seriesForKey(key: string): ShokoSeries | undefined {
    return [...this.series.values()].find((s) => s.key === key);
  }

  removeTitle(key: string): void {
    for (const [id, file] of this.files) if (file.key === key) this.files.delete(id);
    for (const [id, episode] of this.episodes) if (episode.key === key) this.episodes.delete(id);
    for (const [id, series] of this.series) if (series.key === key) this.series.delete(id);
  }
}
