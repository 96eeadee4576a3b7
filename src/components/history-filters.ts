import type { MediaType, RequestState } from "@/lib/states";

/** Shared by the history page (server) and its view (client). */
export const HISTORY_FILTER_STATES: RequestState[] = ["available", "failed", "timeout", "match_failed", "declined", "deleting", "deleted"];

export interface HistoryFilters {
  search: string;
  states: RequestState[];
  mediaType: MediaType | null;
}
