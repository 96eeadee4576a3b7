/**
 * A small structured logger. Every line passes through redaction so that API keys,
 * passwords and secrets never reach the logs, whatever a caller passes in.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
  /** Adds values that must never be printed (e.g. secrets generated after start). */
  addSecrets(values: string[]): void;
}

const SECRET_KEY = /(pass(word)?|secret|token|api[-_]?key|authorization|cookie|sid)$/i;

export function createLogger(opts: {
  level?: LogLevel;
  secrets?: string[];
  write?: (line: string) => void;
  scope?: string;
}): Logger {
  const secrets = new Set((opts.secrets ?? []).filter((s) => s.length >= 4));
  const min = ORDER[opts.level ?? "info"];
  const write = opts.write ?? ((line: string) => process.stdout.write(line + "\n"));

  const redactText = (text: string) => {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join("[redacted]");
    return out;
  };
  const redactValue = (key: string, value: unknown): unknown => {
    if (SECRET_KEY.test(key) && value !== undefined && value !== null && value !== "") return "[redacted]";
    if (typeof value === "string") return redactText(value);
    if (value instanceof Error) return redactText(value.message);
    return value;
  };

  const make = (scope?: string): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
      if (ORDER[level] < min) return;
      const parts = [new Date().toISOString(), level.toUpperCase().padEnd(5), scope ? `[${scope}]` : "", redactText(msg)];
      if (fields) {
        for (const [k, v] of Object.entries(fields)) {
          if (v === undefined) continue;
          const value = redactValue(k, v);
          parts.push(`${k}=${typeof value === "string" ? JSON.stringify(value) : redactText(JSON.stringify(value))}`);
        }
      }
      write(parts.filter(Boolean).join(" "));
    };
    return {
      debug: (m, f) => emit("debug", m, f),
      info: (m, f) => emit("info", m, f),
      warn: (m, f) => emit("warn", m, f),
      error: (m, f) => emit("error", m, f),
      child: (s) => make(scope ? `${scope}:${s}` : s),
      addSecrets: (values) => values.filter((v) => v.length >= 4).forEach((v) => secrets.add(v)),
    };
  };
  return make(opts.scope);
}
