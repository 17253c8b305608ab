/**
 * The collector's view of the lake, over the lake layer's primitives (src/lake): immutable parts uploaded
 * create-only, one manifest commit per unit (fenced by the table lease's epoch), bookmarks advanced by CAS only
 * after the commit, quarantine files for refused rows, daily usage JSON, and the lake's origin marker that keeps
 * simulated and real data apart.
 */
import { z } from "zod";
import { DataError } from "../domain/errors.ts";
import type { Logger } from "../domain/logger.ts";
import { silentLogger } from "../domain/logger.ts";
import { newPartKey, uuidv7 } from "../lake/keys.ts";
import { acquireLease } from "../lake/lease.ts";
import { commitParts, readManifest } from "../lake/manifest.ts";
import { advanceBookmark, readState, updateState } from "../lake/state.ts";
import type { LeaseHandle, Manifest, ObjectStore, PartFile, StatValue } from "../lake/types.ts";
import type { UsageCounters } from "../vendors/governor.ts";
import type { RejectedRecord } from "../vendors/rows.ts";
import { contiguousThrough, coverageOf, type TableCoverage } from "./coverage.ts";
import type { ParquetWriter } from "./parquet-writer.ts";

export type LakeOrigin = "simulated" | "real";
export const ORIGIN_KEY = "state/lake-origin.json";

const originSchema = z.strictObject({ format: z.literal(1), origin: z.enum(["simulated", "real"]), created_at: z.string(), note: z.string() });

/**
 * Marks a fresh lake with its origin, or checks the mark. A simulated lake never takes real data and a real
 * lake never takes simulated data: mixing them would make every downstream number meaningless.
 */
export async function ensureLakeOrigin(store: ObjectStore, origin: LakeOrigin): Promise<void> {
  const existing = await readState(store, ORIGIN_KEY, originSchema);
  if (existing === undefined) {
    const note = origin === "simulated" ? "built from the trademl vendor simulator: synthetic prices, not market data" : "built from real vendor APIs";
    const body = JSON.stringify({ format: 1, origin, created_at: new Date().toISOString(), note });
    const put = await store.put(ORIGIN_KEY, body, { condition: { ifNoneMatch: "*" }, contentType: "application/json" });
    if (put.ok) return;
    return ensureLakeOrigin(store, origin);
  }
  if (existing.value.origin !== origin) {
    throw new DataError(
      "lake_origin_mismatch",
      `this lake (${store.description}) holds ${existing.value.origin} data and refuses ${origin} data; use another LAKE_ROOT (e.g. ./lake-demo for the simulator)`,
    );
  }
}

export async function readLakeOrigin(store: ObjectStore): Promise<LakeOrigin | undefined> {
  return (await readState(store, ORIGIN_KEY, originSchema))?.value.origin;
}

export interface UnitCommit {
  readonly table: string;
  readonly vendor: string;
  readonly dataset: string;
  /** Series (symbols / series ids) the unit covered. */
  readonly series: readonly string[];
  readonly unitStart: string;
  readonly unitEnd: string;
  readonly columns: readonly (readonly [string, string])[];
  readonly records: readonly Record<string, unknown>[];
  readonly dateColumn: string;
  /** Cursor listings: where paging stopped ("" when complete). */
  readonly cursorNext?: string;
  /** Bookmarks advance from here (the wanted window's first date). */
  readonly windowStart: string;
}

const usageSchema = z.strictObject({ format: z.literal(1), vendor: z.string(), day: z.string(), counters: z.record(z.string(), z.number()), updated_at: z.string() });

export class IngestLake {
  readonly store: ObjectStore;
  private readonly writer: ParquetWriter;
  private readonly logger: Logger;
  readonly holder: string;

  constructor(store: ObjectStore, writer: ParquetWriter, options: { holder: string; logger?: Logger }) {
    this.store = store;
    this.writer = writer;
    this.holder = options.holder;
    this.logger = options.logger ?? silentLogger;
  }

  async coverage(table: string): Promise<TableCoverage> {
    return coverageOf(await readManifest(this.store, table));
  }

  acquireTable(table: string, ttlMs: number): Promise<LeaseHandle | undefined> {
    return acquireLease(this.store, `ingest/${table.replace(/^raw\//, "")}`, {
      holder: this.holder, ttlMs, renewMs: Math.max(1, Math.floor(ttlMs / 3)), logger: this.logger,
    });
  }

  /**
   * Writes the unit's rows as one part per date (the key's `date=` folder always equals the rows' date, so
   * readers that infer hive partitions see the truth), commits them together in one manifest, then advances
   * each series' bookmark to its contiguous coverage. A unit without rows still commits one empty part: it
   * records that the range was asked and answered. Parts go up create-only under fresh uuidv7 names, so a
   * crash leaves at worst orphans (collected by `lake gc`), never a half-written or overwritten file.
   */
  async commitUnit(unit: UnitCommit, lease: LeaseHandle | undefined): Promise<Manifest> {
    // One COPY writes every date's file; an empty unit still gets one (empty, schema-carrying) part.
    const written = unit.records.length > 0
      ? await this.writer.writePartitioned(unit.columns, unit.records, unit.dateColumn)
      : new Map([[unit.unitStart, await this.writer.write(unit.columns, [])]]);
    const parts: PartFile[] = [];
    try {
      for (const [date, file] of [...written.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const key = newPartKey(`${unit.table}/date=${date}`);
        const put = await this.store.putFile(key, file.path, { condition: { ifNoneMatch: "*" } });
        if (!put.ok) throw new DataError("part_exists", `part key ${key} already exists; uuidv7 collision?`);
        const min: Record<string, StatValue> = { unit_start: unit.unitStart };
        const max: Record<string, StatValue> = { unit_end: unit.unitEnd };
        if (file.rows > 0) {
          min[unit.dateColumn] = date;
          max[unit.dateColumn] = date;
        }
        if (unit.cursorNext !== undefined) max["cursor_next"] = unit.cursorNext;
        parts.push({ key, rows: file.rows, bytes: file.bytes, min, max, symbols: [...unit.series], etag: put.etag });
      }
    } finally {
      for (const file of written.values()) await this.writer.discard(file);
    }
    const manifest = await commitParts(this.store, unit.table, parts, { ...(lease ? { lease } : {}), writer: this.holder });
    await this.advanceBookmarks(unit, manifest);
    return manifest;
  }

  private async advanceBookmarks(unit: UnitCommit, manifest: Manifest): Promise<void> {
    const coverage = coverageOf(manifest);
    for (const series of unit.series) {
      const through = contiguousThrough(unit.windowStart, coverage.bySeries.get(series) ?? []);
      if (through === undefined) continue;
      await advanceBookmark(this.store, { vendor: unit.vendor, dataset: `${unit.dataset}/${bookmarkSegment(series)}`, table: unit.table, through, manifestSeq: manifest.seq });
    }
  }

  /** Keeps refused rows (or a whole refused response) with their reasons under quarantine/. */
  async quarantine(args: { vendor: string; dataset: string; unitId: string; day: string; records: readonly RejectedRecord[] }): Promise<string | undefined> {
    if (args.records.length === 0) return undefined;
    const byReason: Record<string, number> = {};
    for (const r of args.records) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    const key = `quarantine/raw/${args.vendor}/${args.dataset}/date=${args.day}/part-${uuidv7()}.json`;
    const body = { format: 1, vendor: args.vendor, dataset: args.dataset, unit: args.unitId, created: new Date().toISOString(), counts: byReason, records: args.records };
    await this.store.put(key, JSON.stringify(body), { condition: { ifNoneMatch: "*" }, contentType: "application/json" });
    return key;
  }

  /** Adds counters to `state/usage/<day>/<vendor>.json` by CAS (processes add up, none overwrites another). */
  async addUsage(vendor: string, day: string, delta: Partial<UsageCounters> & Record<string, number>): Promise<void> {
    const nonZero = Object.entries(delta).filter(([, v]) => v !== 0);
    if (nonZero.length === 0) return;
    await updateState(this.store, `state/usage/${day}/${vendor}.json`, usageSchema, (current) => {
      const counters: Record<string, number> = { ...(current?.counters ?? {}) };
      for (const [k, v] of nonZero) counters[k] = (counters[k] ?? 0) + v;
      return { format: 1 as const, vendor, day, counters, updated_at: new Date().toISOString() };
    });
  }

  async readUsage(vendor: string, day: string): Promise<Record<string, number> | undefined> {
    return (await readState(this.store, `state/usage/${day}/${vendor}.json`, usageSchema))?.value.counters;
  }
}

/** A series name as a safe key segment (share classes like BRK.B keep their dot). */
export function bookmarkSegment(series: string): string {
  return series.replace(/[^A-Za-z0-9_.=+,:-]/g, "_");
}

