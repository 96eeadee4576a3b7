export { RadarrClient } from "./client";
export {
  radarrHistoryRecordSchema,
  radarrMovieSchema,
  radarrQueueRecordSchema,
  type RadarrHistoryRecord,
  type RadarrMovie,
  type RadarrQueueRecord,
} from "./schemas";
