import { z } from "zod";

/*
 * qBittorrent WebAPI v2 answers, as far as the tracker reads them (4.5.2 field names; 5.x adds
 * keys, which are ignored). Every torrent field is optional because sync/maindata sends only the
 * fields that changed. Unknown keys are dropped, so the kept torrent map stays small.
 */

/** qBittorrent's "unknown / infinite" ETA (100 days). */
export const ETA_INFINITY = 8_640_000;

const torrentFields = {
  name: z.string().optional(),
  state: z.string().optional(),
  /** 0..1 of the wanted bytes. */
  progress: z.number().optional(),
  /** Wanted bytes; 0 while fetching metadata. */
  size: z.number().optional(),
  /** All files; -1 without metadata. */
  total_size: z.number().optional(),
  amount_left: z.number().optional(),
  completed: z.number().optional(),
  dlspeed: z.number().optional(),
  upspeed: z.number().optional(),
  /** Seconds; ETA_INFINITY when unknown. */
  eta: z.number().optional(),
  num_seeds: z.number().optional(),
  num_leechs: z.number().optional(),
  num_complete: z.number().optional(),
  num_incomplete: z.number().optional(),
  category: z.string().optional(),
  /** "a, b": a string, not an array. */
  tags: z.string().optional(),
  save_path: z.string().optional(),
  /** The folder of a multi-file torrent, the file of a single-file one; "" without metadata. */
  content_path: z.string().optional(),
  infohash_v1: z.string().optional(),
  infohash_v2: z.string().optional(),
  /** Unix seconds. */
  added_on: z.number().optional(),
  /** Unix seconds; 0 (4.5) or -1 (5.x) until finished. */
  completion_on: z.number().optional(),
  ratio: z.number().optional(),
  dl_limit: z.number().optional(),
};

/** A torrent's fields as sync/maindata sends them: any subset (the hash is the map key). */
export const qbitTorrentPatchSchema = z.object(torrentFields);
export type QbitTorrentPatch = z.infer<typeof qbitTorrentPatchSchema>;

/** One torrents/info entry. */
export const qbitTorrentSchema = z.object({ ...torrentFields, hash: z.string() });
export type QbitTorrentInfo = z.infer<typeof qbitTorrentSchema>;

/** A torrent as the merged sync state keeps it: its id (lower-case) plus every field seen so far. */
export type QbitTorrent = QbitTorrentPatch & { hash: string };

export const qbitTorrentListSchema = z.array(qbitTorrentSchema);

export const qbitTorrentFileSchema = z.object({
  index: z.number(),
  /** Path inside the torrent, "/"-separated, with the top folder. */
  name: z.string(),
  size: z.number(),
  progress: z.number(),
  /** 0 = not downloaded. */
  priority: z.number().optional(),
  availability: z.number().optional(),
});
export type QbitTorrentFile = z.infer<typeof qbitTorrentFileSchema>;
export const qbitTorrentFilesSchema = z.array(qbitTorrentFileSchema);

export const qbitServerStateSchema = z.object({
  connection_status: z.string().optional(),
  dl_info_speed: z.number().optional(),
  up_info_speed: z.number().optional(),
  dl_info_data: z.number().optional(),
  up_info_data: z.number().optional(),
  free_space_on_disk: z.number().optional(),
  dht_nodes: z.number().optional(),
  /** How often qBittorrent refreshes its numbers (1500 ms). */
  refresh_interval: z.number().optional(),
  queueing: z.boolean().optional(),
  use_alt_speed_limits: z.boolean().optional(),
});
export type QbitServerState = z.infer<typeof qbitServerStateSchema>;

/** sync/maindata: a full snapshot (full_update) or only what changed since the rid sent. */
export const qbitMainDataSchema = z.object({
  rid: z.number(),
  full_update: z.boolean().optional(),
  torrents: z.record(z.string(), qbitTorrentPatchSchema).optional(),
  torrents_removed: z.array(z.string()).optional(),
  server_state: qbitServerStateSchema.optional(),
});
export type QbitMainData = z.infer<typeof qbitMainDataSchema>;

type RawPatches = Record<string, Record<string, unknown>>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * sync/maindata as it arrives, torrents not yet checked. Every seeding torrent shows up in every
 * delta (its time_active and seeding_time tick), so with thousands of them most patches hold only
 * keys the tracker never reads; those are dropped before the per-torrent schema runs
 * (parseMainData), which keeps a seeding-heavy delta cheap.
 */
export const qbitMainDataWireSchema = qbitMainDataSchema.extend({
  torrents: z
    .custom<RawPatches>((value) => isObject(value) && Object.values(value).every(isObject), { message: "expected an object of torrent objects" })
    .optional(),
});
export type QbitMainDataWire = z.infer<typeof qbitMainDataWireSchema>;

const TORRENT_KEYS: ReadonlySet<string> = new Set(Object.keys(torrentFields));

/** The wire answer with each torrent's known fields checked; a patch with none of them is left out. */
export function parseMainData(wire: QbitMainDataWire): z.ZodSafeParseResult<QbitMainData> {
  if (!wire.torrents) return { success: true, data: { ...wire, torrents: undefined } };
  const torrents: Record<string, QbitTorrentPatch> = {};
  for (const [hash, patch] of Object.entries(wire.torrents)) {
    let kept: Record<string, unknown> | undefined;
    for (const key in patch) if (TORRENT_KEYS.has(key)) (kept ??= {})[key] = patch[key];
    if (!kept) {
      // In a full snapshot every torrent counts, whatever it carries.
      if (wire.full_update) torrents[hash] = {};
      continue;
    }
    const parsed = qbitTorrentPatchSchema.safeParse(kept);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        success: false,
        error: new z.ZodError([{ ...issue, path: ["torrents", hash, ...issue.path] }]),
      } as z.ZodSafeParseResult<QbitMainData>;
    }
    torrents[hash] = parsed.data;
  }
  return { success: true, data: { ...wire, torrents } };
}
