import type { ImportRejection, Outage, WebhookFault } from "./model/behaviour";
import type { ReleaseSpec } from "./model/releases";
import type { SimUserName } from "./model/users";
import { DAY, HOUR, MINUTE } from "./util";

/*
 * Scenarios as data: what is requested, by whom, what the indexers have, and what goes wrong.
 * The world turns them into a timeline (request -> arr -> qBittorrent -> import -> Shoko ->
 * Jellyfin -> Seerr). Defaults make a film visibly download within a minute at speed 1; tests run
 * the same scenarios in simulated hours by advancing the clock (`settleMs` is enough to finish).
 */

/** Which catalogue titles a scenario can be replayed with (the demo loop picks a free one). */
export type TitlePool = "film" | "anime-film" | "series" | "anime-series" | "airing";

export interface ScenarioSpec {
  name: string;
  description: string;
  media: { type: "movie"; key: string } | { type: "tv"; key: string; seasons: number[] };
  pool: TitlePool;
  requestedBy: SimUserName;
  /** "auto": the user has auto-approve (MEDIA_AUTO_APPROVED); else an admin approves after a while. */
  approval: "auto" | { approveAfterMs: number };
  /** What the indexers offer, best first; [] = nothing is ever found. */
  releases: ReleaseSpec[];
  importRejection?: ImportRejection;
  shokoMatches?: boolean;
  webhookFaults?: WebhookFault[];
  outages?: Outage[];
  /** Whether the demo loop counts it as a fault (shown less often). */
  fault: boolean;
  /** The world at the end, in words. */
  endState: string;
  /** Simulated time after which the end state holds. */
  settleMs: number;
}

const FILM: ReleaseSpec = { group: "FLUX", quality: "WEBDL-1080p", magnet: true, leechs: 4 };
const FILM_ALT: ReleaseSpec = { group: "NTb", quality: "WEBDL-1080p", leechs: 2 };

export const SCENARIOS = {
  movie: {
    name: "movie",
    description: "A film, auto-approved, downloaded from a magnet, imported and added to Jellyfin.",
    media: { type: "movie", key: "lantern-keeper" },
    pool: "film",
    requestedBy: "household",
    approval: "auto",
    releases: [FILM, FILM_ALT],
    fault: false,
    endState:
      "Radarr has the file (hasFile, queue empty, history grabbed + downloadFolderImported); the torrent went metaDL -> stalledDL -> downloading -> uploading -> stalledUP; Jellyfin has a playable Movie with ProviderIds Tmdb/Imdb; Seerr's request is COMPLETED and MEDIA_AVAILABLE was sent.",
    settleMs: 30 * MINUTE,
  },
  "tv-season-pack": {
    name: "tv-season-pack",
    description: "A whole season requested, approved by the admin, grabbed as one season pack with per-file progress.",
    media: { type: "tv", key: "harrow-fen", seasons: [1] },
    pool: "series",
    requestedBy: "household",
    approval: { approveAfterMs: 8_000 },
    releases: [{ group: "NTb", quality: "WEBDL-1080p", magnet: true, nfo: true, leechs: 3 }],
    fault: false,
    endState:
      "Sonarr imported all 8 episodes (8 Download webhooks + 1 import-complete); the torrent moved to category tv-imported; Jellyfin has 8 playable episodes; Seerr's request is COMPLETED.",
    settleMs: 30 * MINUTE,
  },
  "anime-movie": {
    name: "anime-movie",
    description: "An anime film: tagged anime in Radarr, under /data/anime/movies, matched by Shoko, shown by Shokofin.",
    media: { type: "movie", key: "kazemachi" },
    pool: "anime-film",
    requestedBy: "household",
    approval: "auto",
    releases: [{ group: "Arid", quality: "Bluray-1080p", leechs: 2 }],
    fault: false,
    endState:
      "Radarr imported it under /data/anime/movies; Shoko matched the file (cross-references to its series); Jellyfin has a Movie in the Shokofin VFS with Shoko/AniDB provider ids (no Tmdb by default); Seerr's request is COMPLETED.",
    settleMs: 30 * MINUTE,
  },
  "anime-season": {
    name: "anime-season",
    description: "An anime season: series type anime, a Bluray season pack, every file matched by Shoko.",
    media: { type: "tv", key: "tsukiyo-couriers", seasons: [1] },
    pool: "anime-series",
    requestedBy: "admin",
    approval: "auto",
    releases: [{ group: "FLE", quality: "Bluray-1080p", leechs: 5 }],
    fault: false,
    endState: "Sonarr imported 12 episodes under /data/anime/shows; Shoko matched all 12 files; Jellyfin shows 12 Shokofin episodes; Seerr COMPLETED.",
    settleMs: 40 * MINUTE,
  },
  "airing-show": {
    name: "airing-show",
    description: "A show still airing: three episodes out, five with future air dates arriving weekly as single-episode releases.",
    media: { type: "tv", key: "copperline", seasons: [1] },
    pool: "airing",
    requestedBy: "household",
    approval: "auto",
    releases: [{ group: "SuccessfulCrab", quality: "WEBDL-1080p", leechs: 6 }],
    fault: false,
    endState:
      "Episodes 1-3 are available within the hour; each later episode is grabbed ~45 min after it airs (day 1, then weekly) and becomes available; Seerr stays PARTIALLY_AVAILABLE until the finale is in Jellyfin, then COMPLETED.",
    settleMs: 32 * DAY,
  },
  "fault-stalled": {
    name: "fault-stalled",
    description: "The swarm's seeds vanish at 37%: the torrent stays stalledDL with no seeds.",
    media: { type: "movie", key: "northbound-freight" },
    pool: "film",
    requestedBy: "household",
    approval: "auto",
    // The indexers also have a healthy release; Radarr only takes it once the first is blocklisted.
    releases: [
      { group: "GalaxyRG", quality: "WEBDL-720p", stallAtProgress: 0.37, leechs: 0 },
      { group: "NTb", quality: "WEBDL-720p", leechs: 3 },
    ],
    fault: true,
    endState:
      "qBittorrent: stalledDL at 37%, num_seeds 0, eta 8640000, for good; Radarr queue: status warning, errorMessage \"The download is stalled with no connections\", no timeleft; nothing imported. Removing it from the queue with blocklist and searching again grabs NTb's release, which completes.",
    settleMs: 2 * HOUR,
  },
  "fault-import-blocked": {
    name: "fault-import-blocked",
    description: "A season pack where one file is rejected: nine episodes import, the download sits importBlocked.",
    media: { type: "tv", key: "dead-reckoning-bay", seasons: [1] },
    pool: "series",
    requestedBy: "household",
    approval: "auto",
    releases: [{ group: "NTb", quality: "WEBDL-1080p", leechs: 2 }],
    importRejection: { episodes: [10], message: "No audio tracks detected" },
    fault: true,
    endState:
      "Episodes 1-9 imported (9 Download webhooks, no import-complete); the queue keeps the pack as completed / importBlocked / warning with statusMessages (\"One or more episodes expected in this release were not imported or missing from the release\", \"No audio tracks detected\"); one ManualInteractionRequired webhook; Seerr stays PARTIALLY_AVAILABLE.",
    settleMs: 40 * MINUTE,
  },
  "fault-no-release": {
    name: "fault-no-release",
    description: "Nothing on the indexers: every search comes back empty.",
    media: { type: "movie", key: "salt-and-static" },
    pool: "film",
    requestedBy: "household",
    approval: "auto",
    releases: [],
    fault: true,
    endState: "Radarr has the movie monitored without a file; no Grab, nothing in the queue or qBittorrent; Seerr stays PROCESSING.",
    settleMs: 2 * HOUR,
  },
  "fault-shoko-unmatched": {
    name: "fault-shoko-unmatched",
    description: "A brand-new anime film that AniDB does not know yet: Shoko leaves the file unrecognised.",
    media: { type: "movie", key: "hoshizora-relay" },
    pool: "anime-film",
    requestedBy: "household",
    approval: "auto",
    releases: [{ group: "SubsPlease", quality: "WEBDL-1080p", leechs: 8 }],
    shokoMatches: false,
    fault: true,
    endState:
      "Radarr imported it under /data/anime/movies; Shoko lists the file under include_only=Unrecognized (no cross-references); Shokofin never shows it, so Jellyfin has no item; Seerr stays PROCESSING.",
    settleMs: 2 * HOUR,
  },
  "fault-webhook-missing": {
    name: "fault-webhook-missing",
    description: "Radarr's Download (import) webhook is lost: only polling can tell the film was imported.",
    media: { type: "movie", key: "glass-harbour" },
    pool: "film",
    requestedBy: "household",
    approval: "auto",
    releases: [FILM],
    webhookFaults: [{ service: "radarr", event: "Download", fault: "drop" }],
    fault: true,
    endState: "As 'movie', but the tracker never receives Radarr's Download webhook.",
    settleMs: 30 * MINUTE,
  },
  "fault-webhook-duplicate": {
    name: "fault-webhook-duplicate",
    description: "Webhooks delivered twice: the approval, Sonarr's Grab and the first episode's Download.",
    media: { type: "tv", key: "tinkers-ledger", seasons: [1] },
    pool: "series",
    requestedBy: "admin",
    approval: "auto",
    releases: [{ group: "NTb", quality: "WEBDL-1080p", leechs: 2 }],
    webhookFaults: [
      { service: "jellyseerr", event: "MEDIA_AUTO_APPROVED", fault: "duplicate" },
      { service: "sonarr", event: "Grab", fault: "duplicate", repeatAfterMs: 4_000 },
      { service: "sonarr", event: "Download", fault: "duplicate" },
    ],
    fault: true,
    endState: "As a season pack (6 episodes), with three webhooks arriving twice, byte for byte.",
    settleMs: 30 * MINUTE,
  },
  "fault-webhook-late": {
    name: "fault-webhook-late",
    description: "Radarr's Grab webhook is held back and arrives after the Download (import) webhook it precedes.",
    media: { type: "movie", key: "cartographers-error" },
    pool: "film",
    requestedBy: "household",
    approval: "auto",
    releases: [FILM_ALT],
    webhookFaults: [{ service: "radarr", event: "Grab", fault: "late", until: { service: "radarr", event: "Download" } }],
    fault: true,
    endState: "As 'movie', but the tracker receives Grab only after Download.",
    settleMs: 30 * MINUTE,
  },
  "fault-webhook-out-of-order": {
    name: "fault-webhook-out-of-order",
    description: "Seerr's approval webhook arrives after Radarr's Grab for the same film.",
    media: { type: "movie", key: "pell-street" },
    pool: "film",
    requestedBy: "household",
    approval: "auto",
    releases: [FILM],
    webhookFaults: [{ service: "jellyseerr", event: "MEDIA_AUTO_APPROVED", fault: "out_of_order", until: { service: "radarr", event: "Grab" } }],
    fault: true,
    endState: "As 'movie', but the tracker first hears of the film from Radarr (MovieAdded, Grab) and only then from Seerr.",
    settleMs: 30 * MINUTE,
  },
  "fault-service-down": {
    name: "fault-service-down",
    description: "qBittorrent's WebUI goes away mid-download for three minutes (connections refused), then recovers.",
    media: { type: "movie", key: "worlds-end-orchard" },
    pool: "film",
    requestedBy: "household",
    approval: "auto",
    releases: [{ group: "FLUX", quality: "WEBDL-1080p", leechs: 2, speed: 40 * 1024 ** 2 }],
    outages: [{ service: "qbittorrent", atMs: 25_000, forMs: 3 * MINUTE }],
    fault: true,
    endState:
      "From 25 s to 3 min 25 s qBittorrent refuses connections (Radarr cannot see it either, so the import waits); afterwards everything completes as 'movie'.",
    settleMs: 40 * MINUTE,
  },
  "fault-arr-down": {
    name: "fault-arr-down",
    description: "Radarr is down when Seerr sends the request: Seerr 3.1 drops it silently until someone retries.",
    media: { type: "movie", key: "paper-lantern-festival" },
    pool: "anime-film",
    requestedBy: "household",
    approval: "auto",
    releases: [{ group: "Arid", quality: "Bluray-1080p", leechs: 2 }],
    outages: [{ service: "radarr", atMs: 0, forMs: 5 * MINUTE }],
    fault: true,
    endState:
      "Seerr's request stays APPROVED (media PROCESSING) and Radarr never gets the film; after POST /api/v1/request/{id}/retry it runs like 'anime-movie'.",
    settleMs: 2 * HOUR,
  },
} satisfies Record<string, ScenarioSpec>;

export type ScenarioName = keyof typeof SCENARIOS;

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export function scenario(name: string): ScenarioSpec {
  const spec = (SCENARIOS as Record<string, ScenarioSpec>)[name];
  if (!spec) throw new Error(`Unknown scenario "${name}"; known: ${SCENARIO_NAMES.join(", ")}`);
  return spec;
}
