export { SonarrClient } from "./client";
export {
  sonarrEpisodeSchema,
  sonarrHistoryRecordSchema,
  sonarrQueueRecordSchema,
  sonarrSeriesSchema,
  type SonarrEpisode,
  type SonarrHistoryRecord,
  type SonarrQueueRecord,
  type SonarrSeries,
} from "./schemas";
