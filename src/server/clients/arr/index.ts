export { ArrClient, type ArrClientOptions, type ImportMode, type RemoveFromQueueOptions } from "./client";
export { arrAnimeHint } from "./anime";
export { isImportBlocked, queueStuckReason, MAX_REASON_LENGTH, type QueueProblemInput } from "./stuck-reason";
export {
  arrCommandSchema,
  arrHistoryRecordSchema,
  arrSystemStatusSchema,
  arrTagSchema,
  pagedSchema,
  type ArrCommand,
  type ArrHistoryRecord,
  type ArrMediaFile,
  type ArrStatusMessage,
  type ArrSystemStatus,
  type ArrTag,
} from "./schemas";
