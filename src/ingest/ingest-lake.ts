/**
 * The collector's view of the lake: a unit's rows become raw parts through the one write path
 * (src/db/raw-parts.ts over src/db/part-writer.ts), committed per table (fenced by the table lease's epoch);
 * bookmarks advanced by CAS only after the commit, quarantine files for refused rows, daily usage JSON, and the
 * lake's origin marker that keeps simulated and real data apart.
 */
import { z } from "zod";
import { DataError } from "../domain/errors.ts";
import type { Logger } from "../domain/logger.ts";
import { silentLogger } from "../domain/logger.ts";
import { writeRawParts } from "../db/raw-parts.ts";
import { LAKE_ORIGIN_KEY, rawTable, uuidv7 } from "../lake/keys.ts";
import { acquireLease } from "../lake/lease.ts";
import { readManifest } from "../lake/manifest.ts";
import { advanceBookmark, readState, updateState } from "../lake/state.ts";
import type { LeaseHandle, Manifest, ObjectStore, PartFile } from "../lake/types.ts";
import type { UsageCounters } from "../vendors/governor.ts";
import type { RejectedRecord } from "../vendors/rows.ts";
import { contiguousThrough, coverageOf, type TableCoverage } from "./coverage.ts";
import type { ParquetWriter } from "./parquet-writer.ts";
import { quarantineFolder } from "./quarantine-records.ts";
import { readUsage, usageKey, usageSchema } from "./usage-state.ts";

export type LakeOrigin = "simulated" | "real";
export const ORIGIN_KEY = LAKE_ORIGIN_KEY;

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
  readonly records: readonly Record<string, unknown>[];
  /** Cursor listings: where paging stopped ("" when complete). */
  readonly cursorNext?: string;
  /** Bookmarks advance from here (the wanted window's first date). */
  readonly windowStart: string;
  /**
   * Parts this unit's commit removes: the pages of a listing restarted from the beginning (its cursor went
   * stale), which the new pages list again.
   */
  readonly supersedes?: readonly string[];
}


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
    return coverageOf(await this.currentManifest(table));
  }

  currentManifest(table: string): Promise<Manifest | undefined> {
    return readManifest(this.store, table);
  }

  acquireTable(table: string, ttlMs: number): Promise<LeaseHandle | undefined> {
    return acquireLease(this.store, `ingest/${table.replace(/^raw\//, "")}`, {
      holder: this.holder, ttlMs, renewMs: Math.max(1, Math.floor(ttlMs / 3)), logger: this.logger,
    });
  }

  /**
   * Writes a unit's rows as raw parts, one per partition folder of the dataset's layout, with the unit's range
   * recorded on each (`PartFile.unit`); a unit without rows still leaves one empty, schema-carrying part (it
   * records that the range was asked and answered). A crash before the commit leaves orphans (`lake gc`), never
   * a half-written or overwritten file.
   */
  async writeUnitParts(unit: UnitCommit): Promise<PartFile[]> {
    return writeRawParts(await this.writer.parts(), {
      table: unit.table,
      dataset: unit.dataset,
      records: unit.records,
      unit: { start: unit.unitStart, end: unit.unitEnd, series: unit.series, ...(unit.cursorNext === undefined ? {} : { cursorNext: unit.cursorNext }) },
    });
  }

  /** Commits parts of one or more units as one manifest (fenced by the table lease), removing `remove` in it. */
  async commit(table: string, parts: readonly PartFile[], lease: LeaseHandle | undefined, remove: readonly string[] = []): Promise<Manifest> {
    const options = { ...(lease ? { lease } : {}), writer: this.holder };
    const writer = await this.writer.parts();
    return remove.length === 0 ? writer.append(table, parts, options) : writer.commit(table, { kind: "replace", add: parts, remove }, options);
  }

  /** Writes and commits one unit, then moves its bookmarks (one-off callers; the collector group-commits). */
  async commitUnit(unit: UnitCommit, lease: LeaseHandle | undefined): Promise<Manifest> {
    const manifest = await this.commit(unit.table, await this.writeUnitParts(unit), lease);
    await this.advanceBookmarks({ table: unit.table, vendor: unit.vendor, dataset: unit.dataset, series: unit.series, windowStart: unit.windowStart }, manifest);
    return manifest;
  }

  /** Moves each series' bookmark to its contiguous coverage in `manifest` — only ever after that commit. */
  async advanceBookmarks(args: { table: string; vendor: string; dataset: string; series: Iterable<string>; windowStart: string }, manifest: Manifest): Promise<void> {
    const coverage = coverageOf(manifest);
    for (const series of args.series) {
      const through = contiguousThrough(args.windowStart, coverage.bySeries.get(series) ?? []);
      if (through === undefined) continue;
      await advanceBookmark(this.store, { vendor: args.vendor, dataset: `${args.dataset}/${bookmarkSegment(series)}`, table: args.table, through, manifestSeq: manifest.seq });
    }
  }

  /** Keeps refused rows (or a whole refused response) with their reasons under quarantine/. */
  async quarantine(args: { vendor: string; dataset: string; unitId: string; day: string; records: readonly RejectedRecord[] }): Promise<string | undefined> {
    if (args.records.length === 0) return undefined;
    const byReason: Record<string, number> = {};
    for (const r of args.records) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    const key = `${quarantineFolder(args.vendor, args.dataset, args.day)}/part-${uuidv7()}.json`;
    const body = { format: 1, vendor: args.vendor, dataset: args.dataset, unit: args.unitId, created: new Date().toISOString(), counts: byReason, records: args.records };
    await this.store.put(key, JSON.stringify(body), { condition: { ifNoneMatch: "*" }, contentType: "application/json" });
    return key;
  }

  /** Adds counters to `state/usage/<day>/<vendor>.json` (usage-state.ts) by CAS (processes add up, none overwrites another). */
  async addUsage(vendor: string, day: string, delta: Partial<UsageCounters> & Record<string, number>): Promise<void> {
    const nonZero = Object.entries(delta).filter(([, v]) => v !== 0);
    if (nonZero.length === 0) return;
    await updateState(this.store, usageKey(day, vendor), usageSchema, (current) => {
      const counters: Record<string, number> = { ...(current?.counters ?? {}) };
      for (const [k, v] of nonZero) counters[k] = (counters[k] ?? 0) + v;
      return { format: 1 as const, vendor, day, counters, updated_at: new Date().toISOString() };
    });
  }

  async readUsage(vendor: string, day: string): Promise<Record<string, number> | undefined> {
    return (await readUsage(this.store, vendor, day))?.counters;
  }
}

/** A series name as a safe key segment (share classes like BRK.B keep their dot). */
export function bookmarkSegment(series: string): string {
  return series.replace(/[^A-Za-z0-9_.=+,:-]/g, "_");
}

