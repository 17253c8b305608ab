/**
 * Structured logging: JSON lines on stderr (the default when stderr is not a terminal), or readable one-line text.
 * Results go to stdout elsewhere; nothing here ever writes to stdout. Every line passes through `redact`.
 */
import { redact } from "./redact.ts";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFormat = "json" | "text";

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  sink?: LogSink;
  bindings?: Record<string, unknown>;
}

export interface Logger {
  readonly level: LogLevel;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

const stderrSink: LogSink = { write: (line) => process.stderr.write(line) };

function serializeError(error: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out["code"] = code;
  if (error.cause instanceof Error) out["cause"] = serializeError(error.cause);
  return out;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return serializeError(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

function formatText(level: LogLevel, time: string, msg: string, fields: Record<string, unknown>): string {
  const extras = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v, jsonReplacer)}`)
    .join(" ");
  return `${time.slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${msg}${extras ? ` ${extras}` : ""}\n`;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  const format = options.format ?? "json";
  const sink = options.sink ?? stderrSink;
  const bindings = options.bindings ?? {};
  const threshold = LEVEL_RANK[level];

  const emit = (lvl: Exclude<LogLevel, "silent">, msg: string, fields: Record<string, unknown> = {}): void => {
    if (LEVEL_RANK[lvl] < threshold) return;
    const time = new Date().toISOString();
    const merged = { ...bindings, ...fields };
    const line =
      format === "text"
        ? formatText(lvl, time, msg, merged)
        : `${JSON.stringify({ time, level: lvl, msg, ...merged }, jsonReplacer)}\n`;
    sink.write(redact(line));
  };

  return {
    level,
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (more) => createLogger({ level, format, sink, bindings: { ...bindings, ...more } }),
  };
}

/** A logger that drops everything; the default for library calls that were not given one. */
export const silentLogger: Logger = createLogger({ level: "silent" });
