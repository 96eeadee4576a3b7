import type { QbitMainData, QbitServerState, QbitTorrent, QbitTorrentInfo } from "./schemas";

/*
 * sync/maindata keeps the whole torrent list in step with a few bytes per poll: the first answer
 * (and any answer to an unknown rid, e.g. after a re-login) is a full snapshot, every later one
 * carries only the changed fields of changed torrents plus the hashes removed. The merge is pure:
 * the previous state is never modified, and an answer that changes no torrent keeps the same map.
 */

/**
 * The torrent map, persistent: `with()` returns a new map and leaves this one as it was, copying
 * only the buckets it touches. A plain Map would have to be copied whole on every merge, which
 * for 5,000 torrents costs more than everything else in a poll.
 */
export class TorrentMap implements ReadonlyMap<string, QbitTorrent> {
  private static readonly BUCKETS = 1024;

  private constructor(
    private readonly buckets: readonly (ReadonlyMap<string, QbitTorrent> | undefined)[],
    readonly size: number,
  ) {}

  static readonly EMPTY = new TorrentMap(new Array(TorrentMap.BUCKETS).fill(undefined), 0);

  static from(entries: Iterable<readonly [string, QbitTorrent]>): TorrentMap {
    return TorrentMap.EMPTY.with(entries, []);
  }

  /** Ids are hex hashes: their first three digits spread them evenly. */
  private static bucketOf(id: string): number {
    const n = Number.parseInt(id.slice(0, 3), 16);
    if (!Number.isNaN(n) && id.length >= 3) return n >>> 2;
    let h = 0;
    for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
    return h % TorrentMap.BUCKETS;
  }

  get(id: string): QbitTorrent | undefined {
    return this.buckets[TorrentMap.bucketOf(id)]?.get(id);
  }

  has(id: string): boolean {
    return this.buckets[TorrentMap.bucketOf(id)]?.has(id) ?? false;
  }

  /** A new map with `set` added or replaced and `remove` gone. */
  with(set: Iterable<readonly [string, QbitTorrent]>, remove: Iterable<string>): TorrentMap {
    const buckets = this.buckets.slice();
    const copied = new Set<number>();
    const writable = (i: number): Map<string, QbitTorrent> => {
      if (!copied.has(i)) {
        buckets[i] = new Map(buckets[i] ?? []);
        copied.add(i);
      }
      return buckets[i] as Map<string, QbitTorrent>;
    };
    let size = this.size;
    for (const [id, torrent] of set) {
      const bucket = writable(TorrentMap.bucketOf(id));
      if (!bucket.has(id)) size++;
      bucket.set(id, torrent);
    }
    for (const id of remove) {
      const i = TorrentMap.bucketOf(id);
      if (!buckets[i]?.has(id)) continue;
      writable(i).delete(id);
      size--;
    }
    return new TorrentMap(buckets, size);
  }

  *entries(): MapIterator<[string, QbitTorrent]> {
    for (const bucket of this.buckets) if (bucket) yield* bucket.entries();
  }

  *keys(): MapIterator<string> {
    for (const bucket of this.buckets) if (bucket) yield* bucket.keys();
  }

  *values(): MapIterator<QbitTorrent> {
    for (const bucket of this.buckets) if (bucket) yield* bucket.values();
  }

  [Symbol.iterator](): MapIterator<[string, QbitTorrent]> {
    return this.entries();
  }

  forEach(callback: (value: QbitTorrent, key: string, map: ReadonlyMap<string, QbitTorrent>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}

export interface QbitSyncState {
  /** The rid to send next. */
  rid: number;
  /** Torrents by lower-case id (qBittorrent's `hash`: the v1 hash, or the truncated v2 hash). */
  torrents: TorrentMap;
  serverState: Readonly<QbitServerState>;
  /** A full snapshot has been applied: absence from `torrents` now means "not in qBittorrent". */
  complete: boolean;
}

export const EMPTY_SYNC_STATE: QbitSyncState = { rid: 0, torrents: TorrentMap.EMPTY, serverState: {}, complete: false };

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
    const torrents = TorrentMap.from(Object.entries(delta.torrents ?? {}).map(([id, fields]): [string, QbitTorrent] => [lower(id), { ...fields, hash: lower(id) }]));
    const removed = [...state.torrents.keys()].filter((id) => !torrents.has(id));
    return { state: { rid: delta.rid, torrents, serverState, complete: true }, fullUpdate: true, changed: [...torrents.keys()], removed };
  }

  // A patch left empty once unknown keys are dropped (time_active, seeding_time...) changes nothing kept here.
  const patches = delta.torrents ? Object.entries(delta.torrents).filter(([, fields]) => hasKeys(fields)) : [];
  const gone = delta.torrents_removed ?? [];
  if (patches.length === 0 && gone.length === 0) {
    return { state: { ...state, rid: delta.rid, serverState }, fullUpdate: false, changed: [], removed: [] };
  }
  const updates: [string, QbitTorrent][] = [];
  const changed: string[] = [];
  for (const [id, fields] of patches) {
    const hash = lower(id);
    const before = state.torrents.get(hash);
    updates.push([hash, before ? { ...before, ...fields } : { ...fields, hash }]);
    changed.push(hash);
  }
  const removed = gone.map(lower).filter((hash) => state.torrents.has(hash));
  const torrents = state.torrents.with(updates, removed);
  return { state: { rid: delta.rid, torrents, serverState, complete: state.complete }, fullUpdate: false, changed, removed };
}

/** A torrents/info list as the full snapshot sync/maindata would have sent (rid 0: no increments). */
export function fullUpdateFromList(list: readonly QbitTorrentInfo[]): QbitMainData {
  const torrents: Record<string, Omit<QbitTorrentInfo, "hash">> = {};
  for (const { hash, ...fields } of list) torrents[hash] = fields;
  return { rid: 0, full_update: true, torrents };
}
