import { empty, json, parseJsonBody, queryBool, queryInt, queryParam, Router, type SimRequest, type SimResponse } from "../http";
import { UnknownCommandError, type ArrApp, type ArrCommand, type BlocklistItem, type HistoryRecord, type QueueEntry, type RadarrModel, type SonarrModel } from "../model/arr";
import type { Release } from "../model/releases";
import { isoSeconds, sha1Hex, timeSpan } from "../util";
import type { World } from "../world";

/*
 * What Radarr v5 and Sonarr v4 API v3 share: API-key auth (X-Api-Key, ?apikey=, Bearer; else 401),
 * System.Text.Json output (camelCase, nulls omitted, dates without fractions), paged resources
 * ({page, pageSize, sortKey, sortDirection, totalRecords, records}), queue, history, blocklist,
 * commands. radarr.ts and sonarr.ts add their media endpoints.
 */

export const ARR_VERSIONS: Record<ArrApp, { appName: string; version: string; branch: string; migration: number }> = {
  radarr: { appName: "Radarr", version: "5.28.0.10274", branch: "master", migration: 241 },
  sonarr: { appName: "Sonarr", version: "4.0.19.2979", branch: "main", migration: 215 },
};

/** .NET ticks for the MediaCover ?lastWrite= cache buster. */
export function lastWrite(ms: number): string {
  return (BigInt(Math.floor(ms)) * 10_000n + 621_355_968_000_000_000n).toString();
}

export function languagesOf(release: Release): { id: number; name: string }[] {
  return release.languages.map((l) => ({ id: l.id, name: l.name }));
}

/** {quality: {id, name, source, resolution[, modifier]}, revision} as each app writes it. */
export function qualityModel(app: ArrApp, release: Release): Record<string, unknown> {
  const q = release.quality;
  const quality: Record<string, unknown> =
    app === "radarr"
      ? { id: q.id, name: q.name, source: q.radarrSource, resolution: q.resolution, modifier: q.name === "Bluray-2160p" ? "remux" : "none" }
      : { id: q.id, name: q.name, source: q.sonarrSource, resolution: q.resolution };
  return { quality, revision: { version: release.qualityVersion, real: 0, isRepack: false } };
}

/** Sonarr/Radarr drop null and undefined properties. */
export function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== null)) as T;
}

function humanise(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1 $2");
}

export function paged<T>(req: SimRequest, records: T[], defaults: { sortKey: string; sortDirection: string }): Record<string, unknown> {
  const page = Math.max(1, queryInt(req.query, "page") ?? 1);
  const pageSize = Math.max(1, queryInt(req.query, "pageSize") ?? 10);
  return {
    page,
    pageSize,
    sortKey: queryParam(req.query, "sortKey") ?? defaults.sortKey,
    sortDirection: queryParam(req.query, "sortDirection") ?? defaults.sortDirection,
    totalRecords: records.length,
    records: records.slice((page - 1) * pageSize, page * pageSize),
  };
}

/** Repeated or comma-separated query values: ?seriesIds=1&seriesIds=2 or ?episodeIds=1,2. */
export function queryNumbers(query: URLSearchParams, name: string): number[] {
  const lower = name.toLowerCase();
  const out: number[] = [];
  for (const [key, value] of query) {
    if (key.toLowerCase() !== lower && key.toLowerCase() !== `${lower}[]`) continue;
    for (const part of value.split(",")) if (/^\d+$/.test(part.trim())) out.push(Number(part.trim()));
  }
  return out;
}

const HISTORY_EVENT_IDS: Record<ArrApp, Record<HistoryRecord["eventType"], number>> = {
  sonarr: { grabbed: 1, downloadFolderImported: 3, downloadFailed: 4, downloadIgnored: 7 },
  radarr: { grabbed: 1, downloadFolderImported: 3, downloadFailed: 4, downloadIgnored: 9 },
};

export abstract class ArrService {
  protected readonly router = new Router(true);

  constructor(
    protected readonly world: World,
    protected readonly model: RadarrModel | SonarrModel,
    private readonly apiKey: string,
  ) {
    const r = this.router;
    r.on("GET", "/ping", () => json(200, { status: "OK" }));
    r.on("GET", "/api/v3/system/status", (req) => this.authed(req, () => json(200, this.systemStatus())));
    r.on("GET", "/api/v3/queue", (req) => this.authed(req, () => json(200, paged(req, this.queueRecords(req), { sortKey: "timeleft", sortDirection: "ascending" }))));
    r.on("GET", "/api/v3/queue/details", (req) => this.authed(req, () => json(200, this.queueRecords(req))));
    r.on("GET", "/api/v3/queue/status", (req) => this.authed(req, () => json(200, this.queueStatus())));
    r.on("DELETE", "/api/v3/queue/:id", (req, p) => this.authed(req, () => this.deleteQueueItem(req, Number(p.id))));
    r.on("GET", "/api/v3/history", (req) => this.authed(req, () => json(200, paged(req, this.historyRecords(req), { sortKey: "date", sortDirection: "descending" }))));
    r.on("GET", "/api/v3/history/since", (req) => this.authed(req, () => json(200, this.historyRecords(req).reverse())));
    r.on("GET", "/api/v3/blocklist", (req) => this.authed(req, () => json(200, paged(req, this.blocklistRecords(), { sortKey: "date", sortDirection: "descending" }))));
    r.on("GET", "/api/v3/tag", (req) => this.authed(req, () => json(200, [...this.model.tags].map(([id, label]) => ({ label, id })))));
    r.on("POST", "/api/v3/command", (req) => this.authed(req, () => this.postCommand(req)));
    r.on("GET", "/api/v3/command", (req) => this.authed(req, () => json(200, [...this.model.commands.values()].map((c) => this.commandResource(c)))));
    r.on("GET", "/api/v3/command/:id", (req, p) =>
      this.authed(req, () => {
        const command = this.model.commands.get(Number(p.id));
        return command ? json(200, this.commandResource(command)) : json(404, { message: "NotFound" });
      }),
    );
  }

  async handle(req: SimRequest): Promise<SimResponse> {
    const match = this.router.match(req.method, req.path);
    if (match.kind === "found") return match.handler(req, match.params);
    return match.kind === "method-not-allowed" ? empty(405) : empty(404);
  }

  protected authed(req: SimRequest, handler: () => SimResponse): SimResponse {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.header("authorization") ?? "")?.[1];
    const key = req.header("x-api-key") ?? queryParam(req.query, "apikey") ?? bearer;
    return key === this.apiKey ? handler() : empty(401);
  }

  private systemStatus(): Record<string, unknown> {
    const v = ARR_VERSIONS[this.model.app];
    const build = Date.UTC(2026, 5, 14, 3, 12, 40);
    return {
      appName: v.appName,
      instanceName: v.appName,
      version: v.version,
      buildTime: isoSeconds(build),
      isDebug: false,
      isProduction: true,
      isAdmin: false,
      isUserInteractive: false,
      startupPath: `/app/${this.model.app}/bin`,
      appData: "/config",
      osName: "ubuntu",
      osVersion: "24.04",
      isNetCore: true,
      isLinux: true,
      isOsx: false,
      isWindows: false,
      isDocker: true,
      mode: "console",
      branch: v.branch,
      databaseType: "sqLite",
      databaseVersion: "3.49.1",
      authentication: "forms",
      migrationVersion: v.migration,
      urlBase: "",
      runtimeVersion: "8.0.17",
      runtimeName: ".NET",
      startTime: isoSeconds(this.world.startedAt),
      packageVersion: v.version,
      packageAuthor: "[linuxserver.io](https://linuxserver.io)",
      packageUpdateMechanism: "docker",
    };
  }

  // ------------------------------------------------------------ queue

  protected abstract queueRecord(entry: QueueEntry, req: SimRequest): Record<string, unknown>;

  private queueRecords(req: SimRequest): Record<string, unknown>[] {
    return this.model.queueEntries().map((entry) => this.queueRecord(entry, req));
  }

  /** The fields both apps write, in their order; the app adds its media ids around them. */
  protected queueCommon(entry: QueueEntry): Record<string, unknown> {
    const td = entry.td;
    return compact({
      languages: languagesOf(td.release),
      quality: qualityModel(this.model.app, td.release),
      customFormats: td.release.customFormats,
      customFormatScore: td.release.customFormatScore,
      size: entry.size,
      title: entry.title,
      estimatedCompletionTime: entry.estimatedCompletionTime === undefined ? undefined : isoSeconds(entry.estimatedCompletionTime),
      added: isoSeconds(td.added),
      status: entry.status,
      trackedDownloadStatus: td.status,
      trackedDownloadState: td.state,
      statusMessages: td.statusMessages,
      errorMessage: entry.errorMessage,
      downloadId: td.downloadId,
      protocol: "torrent",
      downloadClient: "qBittorrent",
      downloadClientHasPostImportCategory: this.model.app === "sonarr",
      indexer: td.release.indexer,
      outputPath: entry.outputPath,
    });
  }

  protected queueTail(entry: QueueEntry): Record<string, unknown> {
    return compact({ sizeleft: entry.sizeleft, timeleft: entry.timeleftText, id: entry.id });
  }

  private queueStatus(): Record<string, unknown> {
    const entries = this.model.queueEntries();
    const count = entries.length;
    return {
      totalCount: count,
      count,
      unknownCount: 0,
      errors: entries.some((e) => e.td.status === "error"),
      warnings: entries.some((e) => e.td.status === "warning" || e.status === "warning"),
      unknownErrors: false,
      unknownWarnings: false,
    };
  }

  private deleteQueueItem(req: SimRequest, id: number): SimResponse {
    const removed = this.model.removeQueueItem(id, {
      removeFromClient: queryBool(req.query, "removeFromClient") ?? true,
      blocklist: queryBool(req.query, "blocklist") ?? false,
      skipRedownload: queryBool(req.query, "skipRedownload") ?? false,
    });
    return removed ? json(200, {}) : json(404, { message: "NotFound" });
  }

  // ------------------------------------------------------------ history and blocklist

  protected abstract historyIds(record: HistoryRecord): Record<string, unknown>;
  protected abstract historyFilter(record: HistoryRecord, req: SimRequest): boolean;

  private historyRecords(req: SimRequest): Record<string, unknown>[] {
    const downloadId = queryParam(req.query, "downloadId")?.toUpperCase();
    const eventTypes = queryNumbers(req.query, "eventType");
    const since = queryParam(req.query, "date");
    const sinceMs = since ? Date.parse(since) : undefined;
    const ids = HISTORY_EVENT_IDS[this.model.app];
    return this.model.history
      .filter((h) => !downloadId || h.downloadId === downloadId)
      .filter((h) => eventTypes.length === 0 || eventTypes.includes(ids[h.eventType]))
      .filter((h) => sinceMs === undefined || Number.isNaN(sinceMs) || h.date >= sinceMs)
      .filter((h) => this.historyFilter(h, req))
      .sort((a, b) => b.date - a.date || b.id - a.id)
      .map((h) =>
        compact({
          ...this.historyIds(h),
          sourceTitle: h.sourceTitle,
          languages: languagesOf(h.release),
          quality: qualityModel(this.model.app, h.release),
          customFormats: h.release.customFormats,
          customFormatScore: h.release.customFormatScore,
          qualityCutoffNotMet: false,
          date: isoSeconds(h.date),
          downloadId: h.downloadId,
          eventType: h.eventType,
          data: h.data,
          id: h.id,
        }),
      );
  }

  protected abstract blocklistIds(item: BlocklistItem): Record<string, unknown>;

  private blocklistRecords(): Record<string, unknown>[] {
    return [...this.model.blocklist]
      .sort((a, b) => b.date - a.date)
      .map((b) => ({
        ...this.blocklistIds(b),
        sourceTitle: b.sourceTitle,
        languages: languagesOf(b.release),
        quality: qualityModel(this.model.app, b.release),
        customFormats: b.release.customFormats,
        date: isoSeconds(b.date),
        protocol: "torrent",
        indexer: b.release.indexer,
        message: b.message,
        id: b.id,
      }));
  }

  // ------------------------------------------------------------ commands

  private postCommand(req: SimRequest): SimResponse {
    const body = parseJsonBody(req);
    if (typeof body !== "object" || body === null || typeof (body as { name?: unknown }).name !== "string") {
      return json(400, [{ propertyName: "Name", errorMessage: "'Name' must not be empty.", severity: "error" }]);
    }
    const { name, ...params } = body as { name: string } & Record<string, unknown>;
    try {
      const command = this.model.command(name, params);
      return json(201, this.commandResource(command), { location: `/api/v3/command/${command.id}` });
    } catch (err) {
      if (err instanceof UnknownCommandError) return json(400, { message: `Unknown command name '${name}'` });
      throw err;
    }
  }

  private commandResource(c: ArrCommand): Record<string, unknown> {
    const duration = c.started !== undefined && c.ended !== undefined ? `${timeSpan((c.ended - c.started) / 1000)}.${String((c.ended - c.started) % 1000).padStart(3, "0")}0000` : undefined;
    return compact({
      name: c.name,
      commandName: humanise(c.name),
      message: c.message,
      body: {
        ...c.body,
        sendUpdatesToClient: true,
        updateScheduledTask: true,
        completionMessage: "Completed",
        requiresDiskAccess: false,
        isExclusive: false,
        isTypeExclusive: c.name === "RefreshMonitoredDownloads",
        isLongRunning: false,
        name: c.name,
        lastExecutionTime: c.ended === undefined ? undefined : isoSeconds(c.ended),
        lastStartTime: c.started === undefined ? undefined : isoSeconds(c.started),
        trigger: "manual",
        suppressMessages: false,
      },
      priority: "normal",
      status: c.status,
      result: c.result,
      queued: isoSeconds(c.queued),
      started: c.started === undefined ? undefined : isoSeconds(c.started),
      ended: c.ended === undefined ? undefined : isoSeconds(c.ended),
      duration,
      trigger: "manual",
      stateChangeTime: isoSeconds(c.stateChangeTime),
      sendUpdatesToClient: true,
      updateScheduledTask: true,
      lastExecutionTime: c.ended === undefined ? undefined : isoSeconds(c.ended),
      id: c.id,
    });
  }
}

/** MediaCover image list: the local url the arr serves and the remote one it came from. */
export function arrImages(
  mediaId: number,
  added: number,
  remotes: { coverType: string; remoteUrl: string }[],
): { coverType: string; url: string; remoteUrl: string }[] {
  return remotes.map((r) => ({ coverType: r.coverType, url: `/MediaCover/${mediaId}/${r.coverType}.jpg?lastWrite=${lastWrite(added)}`, remoteUrl: r.remoteUrl }));
}

export function tvdbArtwork(tvdbId: number, kind: "posters" | "banners" | "backgrounds"): string {
  return `https://artworks.thetvdb.com/banners/v4/series/${tvdbId}/${kind}/${sha1Hex(`${tvdbId}:${kind}`).slice(0, 8)}.jpg`;
}
