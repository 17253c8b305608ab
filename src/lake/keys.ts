/**
 * Lake key rules and the key layout of DESIGN.md "The lake protocol". Keys are the same on a local directory
 * and on S3, so they are restricted to what both can hold safely.
 */
import { DataError, UsageError } from "../domain/errors.ts";

/** 20-digit zero-padded sequence numbers sort lexicographically in numeric order (S3 lists in byte order). */
export const SEQ_DIGITS = 20;

// No ":" — it is not allowed in Windows file names, and the trainer PC may hold a local lake.
const SEGMENT = /^[A-Za-z0-9_=+,-][A-Za-z0-9_.=+,-]*$/;
const TABLE = /^[a-z0-9][a-z0-9_]*(\/[a-z0-9][a-z0-9_=.-]*)*$/;

/**
 * Why `segment` cannot be one segment of a lake key, or undefined when it can: the rule `assertValidKey` applies to
 * every segment. Ingestion checks vendor symbols with it, since curated parts are keyed by symbol.
 */
export function keySegmentProblem(segment: string): string | undefined {
  if (SEGMENT.test(segment)) return undefined;
  return `"${segment}" cannot be part of a lake key (allowed: letters, digits, _ = + , - and inner dots; no leading "." or "@")`;
}

/**
 * Validates a key: "/"-separated, non-empty segments of safe characters; no segment may start with "." or "@"
 * (LocalStore keeps its temp files and version slots under such names), no "..", no leading/trailing "/".
 */
export function assertValidKey(key: string): void {
  if (key.length === 0 || key.length > 900) {
    throw new UsageError("invalid_key", `lake key must be 1..900 characters, got ${key.length}: "${key.slice(0, 80)}"`);
  }
  for (const segment of key.split("/")) {
    if (!SEGMENT.test(segment)) {
      throw new UsageError(
        "invalid_key",
        `lake key "${key}" has an invalid segment "${segment}" (allowed: letters, digits, _ = + , - and inner dots; no leading "." or "@")`,
      );
    }
  }
}

/** Validates a list prefix: "" or a key prefix (it may end with "/" and may end mid-segment). */
export function assertValidPrefix(prefix: string): void {
  if (prefix === "") return;
  const trimmed = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  const segments = trimmed.split("/");
  const last = segments.pop() ?? "";
  if (segments.length > 0) assertValidKey(segments.join("/"));
  if (last !== "" && !/^[A-Za-z0-9_.=+,-]*$/.test(last)) {
    throw new UsageError("invalid_key", `lake prefix "${prefix}" has invalid characters`);
  }
  if (last.startsWith(".") || last.startsWith("@")) {
    throw new UsageError("invalid_key", `lake prefix "${prefix}" may not start a segment with "." or "@"`);
  }
}

/** Table names: lower-case snake_case, optionally nested (`raw/alpaca/bars_1m`). */
export function assertValidTable(table: string): void {
  if (!TABLE.test(table)) {
    throw new UsageError(
      "invalid_table",
      `table name "${table}" is invalid: use lower-case letters, digits and "_" (nested with "/"), e.g. "curated/equity_bars"`,
    );
  }
}

/**
 * The lake table of a vendor's raw dataset, `raw/<vendor>/<dataset>`: the one place that name is built (the
 * collector, backfill, audit, curation and the ADV ranking all read or write it).
 */
export function rawTable(vendor: string, dataset: string): string {
  const table = `raw/${vendor}/${dataset}`;
  assertValidTable(table);
  return table;
}

export function formatSeq(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new UsageError("invalid_seq", `manifest seq must be a positive integer, got ${seq}`);
  return String(seq).padStart(SEQ_DIGITS, "0");
}

export function manifestPrefix(table: string): string {
  assertValidTable(table);
  return `manifests/${table}/`;
}

export function manifestKey(table: string, seq: number): string {
  const prefix = manifestPrefix(table);
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new UsageError("invalid_seq", `manifest seq of table "${table}" must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, got ${seq}`, { details: { table, seq } });
  }
  return `${prefix}${formatSeq(seq)}.json`;
}

/**
 * Parses `<20 digits>.json` → seq, or undefined for anything else (a foreign file). A manifest name whose number
 * is above 2^53-1 is no foreign file to skip: it looks like the table's newest commit, and ignoring it would let
 * the next commit start a second history at seq 1. It is a DataError naming `key` (the full key, for the message).
 */
export function parseManifestName(name: string, key: string = name): number | undefined {
  const match = /^(\d{20})\.json$/.exec(name);
  if (match === null || match[1] === undefined) return undefined;
  const seq = Number(match[1]);
  if (seq === 0) return undefined;
  if (!Number.isSafeInteger(seq)) {
    const table = /^manifests\/(.+)\/[^/]+$/.exec(key)?.[1];
    throw new DataError(
      "manifest_seq_out_of_range",
      `manifest "${key}"${table === undefined ? "" : ` of table "${table}"`} has sequence number ${match[1].replace(/^0+/, "")}, above the largest trademl can use (${Number.MAX_SAFE_INTEGER}); trademl never writes one, so it was copied or edited in by hand: move it away`,
      { details: { key, ...(table === undefined ? {} : { table }) } },
    );
  }
  return seq;
}

/** The lake's origin marker (simulated or real data), written by the collector on a fresh lake. */
export const LAKE_ORIGIN_KEY = "state/lake-origin.json";
export const LEASE_PREFIX = "leases/";
/** Snapshot pins of backtests and model runs (lake/pins.ts). */
export const PIN_PREFIX = "state/pins/";

export function leaseKey(job: string): string {
  const key = `${LEASE_PREFIX}${job}.json`;
  assertValidKey(key);
  return key;
}

/**
 * UUID version 7 (RFC 9562 §5.7): 48-bit Unix milliseconds, version, 12 random bits, variant, 62 random bits.
 * Time-ordered, so part names sort by creation time, and random enough that two writers never collide.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let ms = Math.floor(now);
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A fresh, never-reused part key under `prefix`, e.g. `raw/alpaca/bars/date=2024-01-02/part-<uuidv7>.parquet`. */
export function newPartKey(prefix: string, extension = "parquet"): string {
  const clean = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  const key = `${clean}/part-${uuidv7()}.${extension}`;
  assertValidKey(key);
  return key;
}
