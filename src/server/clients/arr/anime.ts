import type { AnimeHint } from "../../pipeline/events";

/**
 * Anime, by one precedence rule: the arr's series type, then an "anime" tag, then an "anime"
 * segment in the root folder or path. Without any of them, the series type (Sonarr) or the tags
 * (Radarr) say "not anime" explicitly.
 */
export function arrAnimeHint(input: { seriesType?: string; tagLabels: string[]; paths: (string | undefined)[] }): AnimeHint | undefined {
  if (input.seriesType?.toLowerCase() === "anime") return { isAnime: true, source: "series type" };
  if (input.tagLabels.some((t) => t.trim().toLowerCase() === "anime")) return { isAnime: true, source: "tag" };
  if (input.paths.some(hasAnimeSegment)) return { isAnime: true, source: "root folder" };
  if (input.seriesType !== undefined) return { isAnime: false, source: "series type" };
  return { isAnime: false, source: "tag" };
}

/** "/data/anime/shows/X" has an "anime" segment; "/data/animeX" does not. */
function hasAnimeSegment(path: string | undefined): boolean {
  return path?.split(/[\\/]/).some((segment) => segment.toLowerCase() === "anime") ?? false;
}
