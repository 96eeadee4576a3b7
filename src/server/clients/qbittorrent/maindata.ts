import type { QbitMainData, QbitServerState, QbitTorrent, QbitTorrentInfo } from "./schemas";

/*
 * sync/maindata keeps the whole torrent list in step with a few bytes per poll: the first answer
 * (and any answer to an unknown rid, e.g. after a re-login) is a full snapshot, every later one
 * carries only the changed fields of changed torrents plus the hashes removed. The merge is pure:
 * the previous state is never modified, and an answer that changes no torrent keeps the same map.
 */

export interface QbitSyncState {
  /** The rid to send next. */
  rid: number;
  /** Torrents by lower-case id (qBittorrent's `hash`: the v1 hash, or the truncated v2 hash). */
  torrents: ReadonlyMap<string, QbitTorrent>;
  serverState: Readonly<QbitServerState>;
  /** A full snapshot has been applied: absence from `torrents` now means "not in qBittorrent". */
  complete: boolean;
}

export const EMPTY_SYNC_STATE: QbitSyncState = { rid: 0, torrents: new Map(), serverState: {}, complete: false };

export interface MainDataMerge {
  state: QbitSyncState;
  fullUpdate: boolean;
  /** Ids of torrents that are new or have changed fields. */
  changed: string[];
  /** Ids of torrents that are gone. */
  removed: string[];
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

const lower = (hash: string) => (/[A-F]/.test(hash) ? hash.toLowerCase() : hash);

export function applyMainData(state: QbitSyncState, delta: QbitMainData): MainDataMerge {
  const serverState = delta.server_state ? (delta.full_update ? { ...delta.server_state } : { ...state.serverState, ...delta.server_state }) : state.serverState;

  if (delta.full_update) {
    const torrents = new Map<string, QbitTorrent>();
    for (const [id, fields] of Object.entries(delta.torrents ?? {})) {
      const hash = lower(id);
      torrents.set(hash, { ...fields, hash });
    }
    const removed = [...state.torrents.keys()].filter((id) => !torrents.has(id));
    return { state: { rid: delta.rid, torrents, serverState, complete: true }, fullUpdate: true, changed: [...torrents.keys()], removed };
  }

  // A patch left empty once unknown keys are dropped (time_active, seeding_time...) changes nothing kept here.
  const patches = delta.torrents ? Object.entries(delta.torrents).filter(([, fields]) => hasKeys(fields)) : [];
  const gone = delta.torrents_removed ?? [];
  if (patches.length === 0 && gone.length === 0) {
    return { state: { ...state, rid: delta.rid, serverState }, fullUpdate: false, changed: [], removed: [] };
  }
  const torrents = new Map(state.torrents);
  const changed: string[] = [];
  for (const [id, fields] of patches) {
    const hash = lower(id);
    const before = torrents.get(hash);
    torrents.set(hash, before ? { ...before, ...fields } : { ...fields, hash });
    changed.push(hash);
  }
  const removed: string[] = [];
  for (const id of gone) {
    const hash = lower(id);
    if (torrents.delete(hash)) removed.push(hash);
  }
  return { state: { rid: delta.rid, torrents, serverState, complete: state.complete }, fullUpdate: false, changed, removed };
}

/** A torrents/info list as the full snapshot sync/maindata would have sent (rid 0: no increments). */
export function fullUpdateFromList(list: readonly QbitTorrentInfo[]): QbitMainData {
  const torrents: Record<string, Omit<QbitTorrentInfo, "hash">> = {};
  for (const { hash, ...fields } of list) torrents[hash] = fields;
  return { rid: 0, full_update: true, torrents };
}
