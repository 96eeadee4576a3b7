import { createHash } from "node:crypto";

/*
 * Small helpers shared by the simulated services: deterministic ids and hashes (so a run is
 * reproducible), and the date and number formats each real service writes on the wire.
 */

export function sha1Hex(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** A 40-hex info-hash, lower case as qBittorrent writes it. */
export function infoHash(seed: string): string {
  return sha1Hex(`infohash:${seed}`);
}

/** A 32-hex "N" GUID as Jellyfin and Seerr write them. */
export function guidN(seed: string): string {
  return sha1Hex(`guid:${seed}`).slice(0, 32);
}

/** A hyphenated "D" GUID (Shoko api keys). */
export function guidD(seed: string): string {
  const h = guidN(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A stable positive 31-bit int, like the arr's HashConverter.GetHashInt31 used for queue ids. */
export function hashInt31(text: string): number {
  const digest = createHash("sha256").update(text).digest();
  return digest.readUInt32BE(0) & 0x7fffffff;
}

/** Seeded PRNG (mulberry32): every simulated run with the same seed looks the same. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  int(min: number, maxInclusive: number): number {
    return Math.floor(this.between(min, maxInclusive + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/** A number in [0, 1) derived from a string: per-file jitter that does not depend on call order. */
export function unitFromSeed(seed: string): number {
  return parseInt(sha1Hex(seed).slice(0, 8), 16) / 0x100000000;
}

// ---------------------------------------------------------------- dates

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Sonarr/Radarr API (System.Text.Json STJUtcConverter): "2026-11-20T18:10:20Z", no fractions. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** .NET "o" format with 7 fractional digits: "2026-11-20T18:42:10.4567890Z" (arr webhooks, Jellyfin). */
export function isoNet(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

/** JavaScript ISO with milliseconds (Seerr / TypeORM dates). */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** "2024-09-05" (UTC). */
export function dateOnly(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** .NET TimeSpan.ToString(): "hh:mm:ss", or "d.hh:mm:ss" past a day. */
export function timeSpan(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const days = Math.floor(s / 86400);
  const hms = `${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return days > 0 ? `${days}.${hms}` : hms;
}

/** Unix seconds, as qBittorrent writes timestamps. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

// ---------------------------------------------------------------- text

/** "The Lantern Keeper's Daughter" -> "the-lantern-keepers-daughter" (arr titleSlug). */
export function slugify(title: string): string {
  return title
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** "The Lantern Keeper's Daughter" -> "The.Lantern.Keepers.Daughter" (scene release names). */
export function sceneName(title: string): string {
  return title
    .replace(/['’:!?,]/g, "")
    .replace(/&/g, "and")
    .split(/\s+/)
    .filter(Boolean)
    .join(".");
}

/** Characters the arr strips from folder and file names. */
export function safeFileName(text: string): string {
  return text.replace(/[:*?"<>|/\\]/g, "").replace(/\s+/g, " ").trim();
}

export function episodeCode(season: number, episode: number): string {
  return `S${pad(season)}E${pad(episode)}`;
}

export function pad2(n: number): string {
  return pad(n);
}
