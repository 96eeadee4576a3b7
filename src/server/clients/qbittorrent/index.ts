export { QbittorrentClient, compareVersions } from "./client";
export type { QbittorrentClientOptions, QbittorrentTraffic } from "./client";
export { applyMainData, fullUpdateFromList, EMPTY_SYNC_STATE, TorrentMap } from "./maindata";
export type { MainDataMerge, QbitSyncState } from "./maindata";
export {
  classifyTorrent,
  downloadProblem,
  isCompleteTorrent,
  METADATA_PROBLEM_AFTER_MS,
  NO_SEEDS_PROBLEM_AFTER_MS,
} from "./classify";
export type { ProblemThresholds, TorrentStatus } from "./classify";
export { ETA_INFINITY } from "./schemas";
export type { QbitMainData, QbitServerState, QbitTorrent, QbitTorrentFile, QbitTorrentInfo, QbitTorrentPatch } from "./schemas";
export { nodeHttpFetch } from "./transport";
export type { NodeHttpFetch } from "./transport";
