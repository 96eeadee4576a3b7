/**
 * The server under test for the benchmarks that run the real production server
 * (`node --import tsx server.ts` on the Next production build) as a child process: start it with a
 * clean environment, wait for /api/health, read its CPU and memory from /proc, stop it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The commit a benchmark's figures belong to, for its JSON result. */
export function gitCommit(): string | null {
  const r = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerStart {
  entry: string;
  port: number;
  dbFile: string;
  /** Added to the environment; a service configured here is the only one (the others are empty). */
  env: Record<string, string>;
  /** Write a V8 CPU profile of the server into this directory. */
  profileDir?: string;
}

export class ServerProcess {
  child: ChildProcess | null = null;
  private readonly log: string[] = [];
  exited: { code: number | null; signal: string | null } | null = null;

  start({ entry, port, dbFile, env: extra, profileDir }: ServerStart): void {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? os.tmpdir(),
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: `file:${dbFile}`,
      LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
      DEMO: "0",
      // Empty wins over any .env file: only what the benchmark configures is polled.
      JELLYSEERR_URL: "",
      SONARR_URL: "",
      RADARR_URL: "",
      QBITTORRENT_URL: "",
      JELLYFIN_URL: "",
      SHOKO_URL: "",
      // Knobs for experimental entries started with --entry.
      ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith("BENCH_") && e[1] !== undefined)),
      ...extra,
    };
    const nodeArgs = [...(process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean), ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])];
    const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", entry], { cwd: ROOT, env: env as unknown as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.log.push(line);
      if (this.log.length > 200) this.log.splice(0, this.log.length - 200);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("exit", (code, signal) => {
      this.exited = { code, signal };
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  lastLog(n = 30): string {
    return this.log.slice(-n).join("\n");
  }

  /** VmRSS and VmHWM (peak) in MiB, from /proc. */
  memory(): { rssMiB: number | null; peakRssMiB: number | null } {
    const pid = this.pid;
    if (!pid || this.exited) return { rssMiB: null, peakRssMiB: null };
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const mib = (name: string) => {
        const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
        return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
      };
      return { rssMiB: mib("VmRSS"), peakRssMiB: mib("VmHWM") };
    } catch {
      return { rssMiB: null, peakRssMiB: null };
    }
  }

  /** CPU seconds (user + system) used so far, from /proc. */
  cpuSeconds(): number | null {
    const pid = this.pid;
    if (!pid || this.exited) return null;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
    } catch {
      return null;
    }
  }

  async waitHealthy(port: number, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) throw new Error(`the server exited (${JSON.stringify(this.exited)}) before it was healthy:\n${this.lastLog()}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) });
        await res.text();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the server was not healthy after ${timeoutMs / 1000} s:\n${this.lastLog()}`);
      await sleep(200);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
    await gone;
    clearTimeout(timer);
  }

  /** Synchronous last resort (process "exit" handler). */
  killNow(): void {
    if (this.child && !this.exited) this.child.kill("SIGKILL");
  }
}
