import type { RequestRow } from "@/server/db/schema";
import type { DomainEvent, EpisodeRef, MediaRef } from "@/server/pipeline/events";
import { decide, newRequest, type Decision, type MachineContext, type Snapshot } from "@/server/pipeline/machine";

export const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);

export const ctx = (over: Partial<MachineContext> = {}): MachineContext => ({
  now: T0,
  shokoEnabled: false,
  libraryVerification: false,
  ...over,
});

/** Runs events through the machine one after another, as the runner would for one request. */
export function run(events: DomainEvent[], c: Partial<MachineContext> = {}, start?: Snapshot): { snap: Snapshot; decisions: Decision[] } {
  let snap: Snapshot = start ?? { request: newRequest(events[0], T0), episodes: [], downloads: [] };
  const decisions: Decision[] = [];
  for (const e of events) {
    const d = decide(snap, e, ctx(c));
    decisions.push(d);
    // Persisting gives the request an id and the episodes ids, as the runner does.
    snap = {
      request: { ...d.snapshot.request, id: d.snapshot.request.id || 1 },
      episodes: d.snapshot.episodes.map((ep, i) => ({ ...ep, id: ep.id ?? 1000 + i })),
      downloads: d.snapshot.downloads,
    };
  }
  return { snap, decisions };
}

export function existing(over: Partial<RequestRow>): Snapshot {
  const base = newRequest({ type: "MediaDeleted", at: T0, source: "tracker", media: { mediaType: over.mediaType ?? "movie" }, deletedFiles: false }, T0);
  return { request: { ...base, id: 7, title: "Existing", ...over }, episodes: [], downloads: [] };
}

let clock = T0;
const at = () => (clock += 1000);

export const movie: MediaRef = { mediaType: "movie", tmdbId: 603, radarrId: 5 };
export const show: MediaRef = { mediaType: "tv", tvdbId: 414057, tmdbId: 154494, sonarrId: 23 };
export const HASH = "3f92992e2fbeb6ebb251304236bf5e0b600a91c3";

export const eps = (season: number, from: number, to: number): EpisodeRef[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ season, episode: from + i, title: `Episode ${from + i}`, sonarrEpisodeId: 700 + from + i }));

export const ev = {
  approved: (media: MediaRef = movie, seasons: number[] = [], id = 69): DomainEvent => ({
    type: "RequestApproved", at: at(), source: "jellyseerr", media: { ...media, jellyseerrRequestId: id }, info: { title: "The Film", year: 1999 }, requestedBy: "mira", seasons, autoApproved: true,
  }),
  submitted: (media: MediaRef = movie, id = 69): DomainEvent => ({
    type: "RequestSubmitted", at: at(), source: "jellyseerr", media: { ...media, jellyseerrRequestId: id }, info: { title: "The Film" }, requestedBy: "mira", seasons: [],
  }),
  declined: (media: MediaRef = movie, id = 69): DomainEvent => ({
    type: "RequestDeclined", at: at(), source: "jellyseerr", media: { ...media, jellyseerrRequestId: id }, info: {}, seasons: [],
  }),
  failed: (media: MediaRef = movie, id = 69): DomainEvent => ({
    type: "RequestFailed", at: at(), source: "jellyseerr", media: { ...media, jellyseerrRequestId: id }, info: {}, seasons: [], reason: "Jellyseerr could not add it to Radarr",
  }),
  added: (media: MediaRef = movie): DomainEvent => ({ type: "MediaAdded", at: at(), source: "radarr", media, info: {} }),
  grab: (media: MediaRef = movie, hash = HASH, episodes: EpisodeRef[] = [], anime?: boolean): DomainEvent => ({
    type: "Grabbed", at: at(), source: media.mediaType === "tv" ? "sonarr" : "radarr", media, info: { title: "The Film" }, hash, release: { quality: "Bluray-1080p", indexer: "Nyaa" }, episodes,
    anime: anime === undefined ? undefined : { isAnime: anime, source: "tag" },
  }),
  progress: (p: number, hash = HASH, clientState = "downloading", extra: Partial<Extract<DomainEvent, { type: "DownloadProgress" }>> = {}): DomainEvent => ({
    type: "DownloadProgress", at: at(), source: "qbittorrent", hash, clientState, progress: p, speed: 1_000_000, eta: 60, ...extra,
  }),
  completed: (hash = HASH): DomainEvent => ({ type: "DownloadCompleted", at: at(), source: "qbittorrent", hash }),
  imported: (media: MediaRef = movie, files: { path: string; episodes: EpisodeRef[] }[] = [{ path: "/data/movies/The Film (1999)/film.mkv", episodes: [] }], isUpgrade = false): DomainEvent => ({
    type: "Imported", at: at(), source: media.mediaType === "tv" ? "sonarr" : "radarr", media, info: {}, hash: HASH, files, isUpgrade,
  }),
  blocked: (media: MediaRef = movie, reason = "Import blocked: No files found are eligible for import"): DomainEvent => ({
    type: "ImportBlocked", at: at(), source: "radarr", media, hash: HASH, episodes: [], reason,
  }),
  hint: (media: object = movie, episodes: EpisodeRef[] = [], source: "jellyseerr" | "jellyfin" = "jellyseerr"): DomainEvent => ({
    type: "AvailableHint", at: at(), source, media: { mediaType: "movie", ...media }, episodes,
  }),
  seen: (media: object = movie, episodes: EpisodeRef[] = []): DomainEvent => ({
    type: "SeenInLibrary", at: at(), source: "jellyfin", media: { mediaType: "movie", ...media }, jellyfinItemId: "abc", episodes,
  }),
  matched: (linked = true, episodes: EpisodeRef[] = []): DomainEvent => ({ type: "AnimeMatched", at: at(), source: "shoko", media: { mediaType: "movie" }, episodes, linked }),
  matchFailed: (episodes: EpisodeRef[] = []): DomainEvent => ({ type: "MatchFailed", at: at(), source: "shoko", media: { mediaType: "movie" }, episodes, reason: "Shoko could not match film.mkv" }),
  deleted: (media: MediaRef = movie): DomainEvent => ({ type: "MediaDeleted", at: at(), source: "radarr", media, deletedFiles: true }),
  fileDeleted: (reason: string, media: MediaRef = movie, episodes: EpisodeRef[] = []): DomainEvent => ({ type: "FileDeleted", at: at(), source: "radarr", media, episodes, reason }),
  timedOut: (): DomainEvent => ({ type: "TimedOut", at: at(), source: "tracker", media: { mediaType: "movie", requestId: 7 }, reason: "Downloading for more than 24 hours" }),
};
