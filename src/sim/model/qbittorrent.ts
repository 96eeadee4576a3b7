import type { Release } from "./releases";
import type { QbitVersion, SimTimings } from "./types";
import { unitFromSeed } from "../util";

/*
 * qBittorrent's torrents. Each torrent's life is a timeline fixed when it is added (metadata,
 * first bytes, completion, stall, seeding stop), so its state at any time is a pure function of
 * that time: jumping the clock by a week gives exactly what polling through the week would show.
 * State sequences follow reference/qbittorrent-real.md section 3:
 *   magnet: metaDL -> stalledDL -> downloading -> uploading -> stalledUP (-> pausedUP / stoppedUP)
 *   no seeds: stalledDL for good.
 */

export const ETA_INFINITY = 8_640_000;
export const TRACKER_URL = "https://tracker.sim.example/announce";

export interface TorrentFile {
  index: number;
  name: string;
  size: number;
  /** Byte offset inside the torrent (for piece ranges). */
  offset: number;
  /** Relative fetch rate: pieces arrive rarest-first, so files progress unevenly, in parallel. */
  weight: number;
  video: boolean;
}

export interface Torrent {
  hash: string;
  name: string;
  category: string;
  tags: string[];
  savePath: string;
  singleFile: boolean;
  files: TorrentFile[];
  totalSize: number;
  pieceSize: number;
  magnet: boolean;
  addedAt: number;
  /** Metadata known (immediately for a .torrent file). */
  metadataAt: number;
  /** First payload bytes; undefined when no seed ever shows up. */
  startAt?: number;
  /** When the last byte arrives; undefined if it never will. */
  completeAt?: number;
  /** Seeds vanish: the torrent stalls here. */
  stallAt?: number;
  speed: number;
  seeds: number;
  leechs: number;
  /** Paused/stopped by the user or a seeding limit. */
  pausedAt?: number;
  /** Seeding limit reached: the torrent stops itself. */
  seedingStopAt?: number;
  release: Release;
}

export type TorrentState =
  | "metaDL"
  | "stalledDL"
  | "downloading"
  | "uploading"
  | "stalledUP"
  | "pausedDL"
  | "pausedUP"
  | "stoppedDL"
  | "stoppedUP";

function pieceSizeFor(total: number): number {
  let size = 256 * 1024;
  while (total / size > 2000 && size < 16 * 1024 * 1024) size *= 2;
  return size;
}

export class QbitModel {
  readonly torrents = new Map<string, Torrent>();
  readonly categories = new Map<string, string>([
    ["radarr", ""],
    ["tv-sonarr", ""],
    ["tv-imported", ""],
  ]);
  /** Bytes uploaded by torrents since deleted, so all-time totals never go down. */
  private uploadedBefore = 0;

  constructor(
    readonly version: QbitVersion,
    private readonly timings: SimTimings,
  ) {}

  add(release: Release, category: string, savePath: string, at: number): Torrent {
    const existing = this.torrents.get(release.hash);
    if (existing) return existing;
    const pieceSize = pieceSizeFor(release.size);
    let offset = 0;
    const files: TorrentFile[] = release.files.map((file, index) => {
      const entry: TorrentFile = {
        index,
        name: file.name,
        size: file.size,
        offset,
        // Small extras (.nfo) share the first piece and finish almost at once.
        weight: file.video ? 0.75 + 0.6 * unitFromSeed(`${release.hash}:${index}`) : 8,
        video: file.video,
      };
      offset += file.size;
      return entry;
    });
    const { swarm } = release;
    const metadataAt = swarm.magnet ? at + this.timings.metadataMs : at;
    const totalSize = offset;
    const torrent: Torrent = {
      hash: release.hash,
      name: release.singleFile ? release.files[0].name : release.title,
      category,
      tags: [],
      savePath,
      singleFile: release.singleFile,
      files,
      totalSize,
      pieceSize,
      magnet: swarm.magnet,
      addedAt: at,
      metadataAt,
      speed: swarm.speed,
      seeds: swarm.seeds,
      leechs: swarm.leechs,
      release,
    };
    if (swarm.seeds > 0) {
      torrent.startAt = metadataAt + this.timings.connectMs;
      const fullMs = Math.ceil((totalSize / swarm.speed) * 1000);
      if (swarm.stallAtProgress !== undefined && swarm.stallAtProgress < 1) {
        torrent.stallAt = torrent.startAt + Math.floor(fullMs * swarm.stallAtProgress);
      } else {
        torrent.completeAt = torrent.startAt + fullMs;
        torrent.seedingStopAt = torrent.completeAt + this.timings.seedingStopMs;
      }
    }
    this.torrents.set(torrent.hash, torrent);
    return torrent;
  }

  get(hash: string): Torrent | undefined {
    return this.torrents.get(hash.toLowerCase());
  }

  delete(hash: string): boolean {
    const torrent = this.get(hash);
    if (!torrent) return false;
    this.uploadedBefore += this.uploaded(torrent, Number.MAX_SAFE_INTEGER);
    return this.torrents.delete(torrent.hash);
  }

  pause(torrent: Torrent, at: number): void {
    if (torrent.pausedAt === undefined) torrent.pausedAt = at;
  }

  /** Resuming shifts the rest of the timeline by the time spent paused. */
  resume(torrent: Torrent, at: number): void {
    if (torrent.pausedAt === undefined) return;
    const shift = Math.max(0, at - torrent.pausedAt);
    const downloadedAtPause = this.downloaded(torrent, torrent.pausedAt);
    torrent.pausedAt = undefined;
    if (downloadedAtPause >= torrent.totalSize) {
      // A finished torrent resumed after a seeding stop seeds again, unlimited.
      torrent.seedingStopAt = undefined;
      return;
    }
    for (const key of ["startAt", "completeAt", "stallAt", "seedingStopAt"] as const) {
      if (torrent[key] !== undefined) torrent[key] = (torrent[key] as number) + shift;
    }
  }

  /** Payload bytes received by time t. */
  downloaded(torrent: Torrent, t: number): number {
    if (torrent.startAt === undefined || t <= torrent.startAt) return 0;
    let until = t;
    if (torrent.stallAt !== undefined) until = Math.min(until, torrent.stallAt);
    if (torrent.pausedAt !== undefined) until = Math.min(until, torrent.pausedAt);
    const bytes = ((until - torrent.startAt) / 1000) * torrent.speed;
    if (torrent.completeAt !== undefined && until >= torrent.completeAt) return torrent.totalSize;
    return Math.min(torrent.totalSize, Math.max(0, Math.floor(bytes)));
  }

  isComplete(torrent: Torrent, t: number): boolean {
    return torrent.completeAt !== undefined && t >= torrent.completeAt && this.downloaded(torrent, t) >= torrent.totalSize;
  }

  hasMetadata(torrent: Torrent, t: number): boolean {
    return t >= torrent.metadataAt;
  }

  progress(torrent: Torrent, t: number): number {
    if (!this.hasMetadata(torrent, t)) return 0;
    return torrent.totalSize === 0 ? 0 : this.downloaded(torrent, t) / torrent.totalSize;
  }

  state(torrent: Torrent, t: number): TorrentState {
    const stopped = this.version === "4.5" ? { dl: "pausedDL" as const, up: "pausedUP" as const } : { dl: "stoppedDL" as const, up: "stoppedUP" as const };
    const complete = this.isComplete(torrent, t);
    const pausedAt = torrent.pausedAt ?? (complete ? torrent.seedingStopAt : undefined);
    if (pausedAt !== undefined && t >= pausedAt) return complete ? stopped.up : stopped.dl;
    if (!this.hasMetadata(torrent, t)) return "metaDL";
    if (complete) {
      return t < (torrent.completeAt as number) + this.timings.uploadingMs && torrent.leechs > 0 ? "uploading" : "stalledUP";
    }
    if (torrent.startAt === undefined || t < torrent.startAt) return "stalledDL";
    if (torrent.stallAt !== undefined && t >= torrent.stallAt) return "stalledDL";
    return "downloading";
  }

  /** Current payload rate; wobbles a little around the nominal speed, as a real swarm does. */
  dlspeed(torrent: Torrent, t: number): number {
    if (this.state(torrent, t) !== "downloading") return 0;
    const phase = unitFromSeed(torrent.hash) * Math.PI * 2;
    return Math.round(torrent.speed * (1 + 0.06 * Math.sin(t / 2900 + phase)));
  }

  upspeed(torrent: Torrent, t: number): number {
    const state = this.state(torrent, t);
    if (state === "uploading") return Math.round(torrent.speed * 0.02 * (1 + 0.3 * Math.sin(t / 3100)));
    if (state === "downloading" && torrent.leechs > 0) return Math.round(torrent.speed * 0.004);
    return 0;
  }

  uploaded(torrent: Torrent, t: number): number {
    if (torrent.completeAt === undefined || t <= torrent.completeAt) return 0;
    const activeMs = Math.min(t - torrent.completeAt, this.timings.uploadingMs);
    return torrent.leechs > 0 ? Math.floor((activeMs / 1000) * torrent.speed * 0.02) : 0;
  }

  totalUploadedEver(t: number): number {
    let sum = this.uploadedBefore;
    for (const torrent of this.torrents.values()) sum += this.uploaded(torrent, t);
    return sum;
  }

  eta(torrent: Torrent, t: number): number {
    if (this.state(torrent, t) !== "downloading") return ETA_INFINITY;
    const left = torrent.totalSize - this.downloaded(torrent, t);
    return Math.max(1, Math.ceil(left / torrent.speed));
  }

  /**
   * Per-file progress: each file fetches at `weight` x its share, capped at its size, so bytes
   * add up to the torrent's total while files finish at different times.
   */
  fileProgress(torrent: Torrent, t: number): number[] {
    const done = this.downloaded(torrent, t);
    if (done >= torrent.totalSize) return torrent.files.map(() => 1);
    if (done <= 0) return torrent.files.map(() => 0);
    const bytesAt = (u: number) => torrent.files.reduce((sum, f) => sum + Math.min(f.size, f.weight * f.size * u), 0);
    let lo = 0;
    let hi = Math.max(...torrent.files.map((f) => 1 / f.weight));
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (bytesAt(mid) < done) lo = mid;
      else hi = mid;
    }
    return torrent.files.map((f) => Math.min(1, f.weight * hi));
  }

  /** Where the content is on disk: the folder of a multi-file torrent, the file of a single-file one. */
  contentPath(torrent: Torrent, t: number): string {
    if (!this.hasMetadata(torrent, t)) return "";
    return `${torrent.savePath}/${torrent.singleFile ? torrent.files[0].name : torrent.name}`;
  }

  setCategory(torrent: Torrent, category: string): void {
    if (!this.categories.has(category)) this.categories.set(category, "");
    torrent.category = category;
  }
}
