import { REQUEST_STATE_LABELS } from "@/lib/states";
import type { ArrTruth, EpisodeRef, LibraryTruth, Verified } from "../pipeline/events";
import type { VerifyOutcome } from "../pollers/library";
import {
  ActionError,
  errorText,
  iso,
  loadRequest,
  OnceGate,
  plural,
  requestState,
  type ActingUser,
  type ActionDeps,
  type ActionOutcome,
  type ActionStep,
  type LoadedRequest,
} from "./common";

/*
 * "Verify now": asks Jellyfin (is it playable?) and the arr (does it have the file, is a download
 * under way?) and moves the request to what they say, from any state: a Verified event the
 * machine turns into available, imported-but-not-in-the-library, or "has to be found again".
 */

export class VerifyAction {
  private readonly gate: OnceGate<Omit<ActionOutcome, "repeated">>;

  constructor(private readonly deps: ActionDeps) {
    this.gate = new OnceGate(deps.clock, deps.repeatWindowMs ?? 30_000);
  }

  async verify(requestId: number, by: ActingUser): Promise<ActionOutcome> {
    const { value, repeated } = await this.gate.run(`verify:${requestId}`, () => this.run(requestId, by));
    return { ...value, repeated };
  }

  private async run(requestId: number, by: ActingUser): Promise<Omit<ActionOutcome, "repeated">> {
    const loaded = await loadRequest(this.deps.db, requestId);
    const r = loaded.request;
    if (r.state === "deleting") throw new ActionError("CONFLICT", `"${r.title}" is being deleted`);
    const at = this.deps.clock.now();
    const steps: ActionStep[] = [];

    let library: LibraryTruth | null = null;
    let libraryText: string;
    if (!this.deps.verifier) {
      libraryText = "Jellyfin is not configured";
      steps.push({ service: "Jellyfin", ok: false, message: libraryText });
    } else {
      try {
        const outcome = await this.deps.verifier.verify(requestId, `verify now by ${by.name}`);
        library = libraryTruth(outcome);
        libraryText = outcome.detail;
        steps.push({ service: "Jellyfin", ok: true, message: outcome.detail });
      } catch (err) {
        libraryText = errorText(err);
        steps.push({ service: "Jellyfin", ok: false, message: libraryText });
      }
    }

    const arrName = r.mediaType === "tv" ? "Sonarr" : "Radarr";
    let arr: ArrTruth | null = null;
    let arrText: string | null = null;
    try {
      arr = r.mediaType === "tv" ? await this.sonarrTruth(loaded) : await this.radarrTruth(loaded);
      if (arr) arrText = arrSentence(arrName, arr, r.mediaType === "tv");
      steps.push(arr ? { service: arrName, ok: true, message: arrText! } : { service: arrName, ok: false, message: `${arrName} is not configured` });
    } catch (err) {
      steps.push({ service: arrName, ok: false, message: errorText(err) });
    }

    const summary = [libraryText, arrText].filter((x): x is string => !!x).join("; ");
    const event: Verified = { type: "Verified", at: this.deps.clock.now(), source: "admin", media: { mediaType: r.mediaType, requestId }, by: by.name, library, arr, summary };
    await this.deps.runner.submit(event);
    const after = await requestState(this.deps.db, requestId);
    return {
      action: "verify",
      requestId,
      ok: library !== null || arr !== null,
      message: `${REQUEST_STATE_LABELS[after.state]}: ${summary}`,
      stage: null,
      steps,
      state: after.state,
      stuckReason: after.stuckReason,
      at: iso(at),
    };
  }

  private async radarrTruth(loaded: LoadedRequest): Promise<ArrTruth | null> {
    const radarr = this.deps.services.radarr;
    const r = loaded.request;
    if (!radarr) return null;
    const movie = (r.radarrId !== null ? await radarr.movie(r.radarrId) : null) ?? (r.tmdbId !== null ? await radarr.movieByTmdb(r.tmdbId) : null);
    if (!movie) return { hasMedia: false, hasFile: false, downloading: false, episodesWithFile: [] };
    const queue = await radarr.queue();
    return {
      hasMedia: true,
      hasFile: movie.hasFile === true,
      downloading: queue.some((q) => q.movieId === movie.id),
      episodesWithFile: [],
      path: movie.movieFile?.path,
    };
  }

  private async sonarrTruth(loaded: LoadedRequest): Promise<ArrTruth | null> {
    const sonarr = this.deps.services.sonarr;
    const r = loaded.request;
    if (!sonarr) return null;
    const series = (r.sonarrId !== null ? await sonarr.series(r.sonarrId) : null) ?? (r.tvdbId !== null ? await sonarr.seriesByTvdb(r.tvdbId) : null);
    if (!series) return { hasMedia: false, hasFile: false, downloading: false, episodesWithFile: [] };
    const [episodes, queue] = await Promise.all([sonarr.episodes(series.id), sonarr.queue()]);
    const inScope = (season: number) =>
      loaded.episodes.length > 0 ? loaded.episodes.some((e) => e.season === season) : r.requestedSeasons.length === 0 || r.requestedSeasons.includes(season);
    const withFile: EpisodeRef[] = episodes
      .filter((e) => e.hasFile === true && inScope(e.seasonNumber))
      .map((e) => ({ season: e.seasonNumber, episode: e.episodeNumber, sonarrEpisodeId: e.id }));
    return {
      hasMedia: true,
      hasFile: withFile.length > 0,
      downloading: queue.some((q) => q.seriesId === series.id),
      episodesWithFile: withFile,
    };
  }
}

function libraryTruth(outcome: VerifyOutcome): LibraryTruth {
  return {
    found: outcome.found,
    jellyfinItemId: outcome.jellyfinItemId,
    episodes: outcome.episodes.map((e) => ({ season: e.season, episode: e.episode, jellyfinId: e.jellyfinId })),
  };
}

function arrSentence(arr: string, t: ArrTruth, tv: boolean): string {
  if (!t.hasMedia) return `${arr} does not have it`;
  const parts: string[] = [];
  if (tv) parts.push(t.episodesWithFile.length > 0 ? `${arr} has the files of ${plural(t.episodesWithFile.length, "episode")}` : `${arr} has no file for it yet`);
  else parts.push(t.hasFile ? `${arr} has the file` : `${arr} has no file`);
  if (t.downloading) parts.push("a download is in its queue");
  return parts.join(", ");
}
