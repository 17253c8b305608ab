/**
 * Cross-vendor QC for Polygon, the scarcest vendor (5 requests/min), following the original system's
 * thresholds: a daily close more than `closeBps` (10–20 bps) away from the reference vendor's, or a minute
 * session whose row count is off the NYSE calendar's expectation by more than `minuteRowTolerance` (10),
 * raises a note under qc/ingest_notes/ and triggers one fallback fetch from a third vendor, whose answer goes
 * into the note (which vendor it agrees with). Counters go to the daily usage file.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectedMinuteBars } from "../domain/calendar/index.ts";
import type { Logger } from "../domain/logger.ts";
import { silentLogger } from "../domain/logger.ts";
import { uuidv7 } from "../lake/keys.ts";
import { readManifest } from "../lake/manifest.ts";
import type { ObjectStore } from "../lake/types.ts";
import { rawTable } from "../lake/keys.ts";
import type { Connectors } from "./fetch-unit.ts";
import type { ParquetWriter } from "./parquet-writer.ts";
import type { Unit } from "./plan.ts";
import { sqlList, sqlString } from "../db/sql-literal.ts";

export interface QcOptions {
  /** Close disagreement that raises a note, in basis points (default 15). */
  readonly closeBps?: number;
  /** Minute rows a session may be off the calendar's count by (default 10). */
  readonly minuteRowTolerance?: number;
  /** Vendor whose committed bars Polygon is compared with (default alpaca). */
  readonly referenceVendor?: string;
}

export interface QcCounters {
  qc_checked: number;
  qc_close_mismatch: number;
  qc_minute_gap: number;
  qc_fallback_fetches: number;
}

export interface QcNote {
  readonly kind: "close_mismatch" | "minute_rows";
  readonly symbol: string;
  readonly date: string;
  readonly detail: Record<string, unknown>;
}


export class PolygonQc {
  readonly counters: QcCounters = { qc_checked: 0, qc_close_mismatch: 0, qc_minute_gap: 0, qc_fallback_fetches: 0 };
  readonly notes: QcNote[] = [];
  private readonly store: ObjectStore;
  private readonly duck: ParquetWriter;
  private readonly connectors: Connectors;
  private readonly options: QcOptions;
  private readonly logger: Logger;
  private readonly today: string;

  constructor(args: { store: ObjectStore; duck: ParquetWriter; connectors: Connectors; today: string; options?: QcOptions; logger?: Logger }) {
    this.store = args.store;
    this.duck = args.duck;
    this.connectors = args.connectors;
    this.options = args.options ?? {};
    this.logger = args.logger ?? silentLogger;
    this.today = args.today;
  }

  /** Runs the checks that apply to a committed Polygon unit. */
  async check(unit: Unit, records: readonly Record<string, unknown>[], signal?: AbortSignal): Promise<void> {
    if (unit.vendor !== "polygon") return;
    if (unit.dataset === "equities_bars") await this.checkCloses(unit, records, signal);
    if (unit.dataset === "equities_minute") await this.checkMinutes(unit, records, signal);
  }

  private async checkCloses(unit: Unit, records: readonly Record<string, unknown>[], signal?: AbortSignal): Promise<void> {
    const symbol = unit.series[0] ?? "";
    const reference = await this.referenceCloses(symbol, unit.start, unit.end);
    const limit = this.options.closeBps ?? 15;
    for (const r of records) {
      const date = String(r["date"]);
      const ref = reference.get(date);
      const close = Number(r["close"]);
      if (ref === undefined) continue;
      this.counters.qc_checked++;
      const bps = (Math.abs(close - ref) / ref) * 10_000;
      if (bps <= limit) continue;
      this.counters.qc_close_mismatch++;
      const fallback = await this.fallbackClose(symbol, date, signal);
      const agrees = fallback === undefined ? "unknown" : Math.abs(fallback - ref) <= Math.abs(fallback - close) ? (this.options.referenceVendor ?? "alpaca") : "polygon";
      await this.note({ kind: "close_mismatch", symbol, date, detail: { polygon: close, reference: ref, reference_vendor: this.options.referenceVendor ?? "alpaca", diff_bps: Math.round(bps * 10) / 10, threshold_bps: limit, fallback_vendor: "finnhub", fallback_close: fallback ?? null, fallback_agrees_with: agrees } });
    }
  }

  private async checkMinutes(unit: Unit, records: readonly Record<string, unknown>[], signal?: AbortSignal): Promise<void> {
    const symbol = unit.series[0] ?? "";
    const expected = expectedMinuteBars(unit.start);
    this.counters.qc_checked++;
    const tolerance = this.options.minuteRowTolerance ?? 10;
    if (Math.abs(records.length - expected) <= tolerance) return;
    this.counters.qc_minute_gap++;
    let fallbackRows: number | null = null;
    if (this.connectors.alpaca) {
      this.counters.qc_fallback_fetches++;
      try {
        const res = await this.connectors.alpaca.stockBars({ symbols: [symbol], timeframe: "1m", start: unit.start, end: unit.start, ...(signal ? { signal } : {}) });
        fallbackRows = res.rows.length;
      } catch (error) {
        this.logger.warn("qc fallback fetch failed", { symbol, date: unit.start, error });
      }
    }
    await this.note({ kind: "minute_rows", symbol, date: unit.start, detail: { polygon_rows: records.length, expected, tolerance, fallback_vendor: "alpaca", fallback_rows: fallbackRows } });
  }

  private async fallbackClose(symbol: string, date: string, signal?: AbortSignal): Promise<number | undefined> {
    if (!this.connectors.finnhub) return undefined;
    this.counters.qc_fallback_fetches++;
    try {
      const res = await this.connectors.finnhub.candles({ symbol, start: date, end: date, ...(signal ? { signal } : {}) });
      return res.rows[0]?.close;
    } catch (error) {
      this.logger.warn("qc fallback fetch failed", { symbol, date, error });
      return undefined;
    }
  }

  /** Closes of the reference vendor's committed bars for a symbol over a range (parts pruned by stats). */
  private async referenceCloses(symbol: string, start: string, end: string): Promise<Map<string, number>> {
    const manifest = await readManifest(this.store, rawTable(this.options.referenceVendor ?? "alpaca", "equities_bars"));
    const parts = (manifest?.files ?? []).filter((f) => {
      const lo = f.min?.["date"];
      const hi = f.max?.["date"];
      return f.rows > 0 && (f.symbols ?? []).includes(symbol) && typeof lo === "string" && typeof hi === "string" && hi >= start && lo <= end;
    });
    const out = new Map<string, number>();
    if (parts.length === 0) return out;
    const dir = await mkdtemp(join(tmpdir(), "trademl-qc-"));
    try {
      const paths: string[] = [];
      for (const [i, part] of parts.entries()) {
        const local = join(dir, `${i}.parquet`);
        if (await this.store.getToFile(part.key, local)) paths.push(local);
      }
      const rows = await this.duck.query(
        `SELECT strftime(date, '%Y-%m-%d') AS d, close FROM read_parquet(${sqlList(paths)}, hive_partitioning = false) WHERE symbol = ${sqlString(symbol)}`,
      );
      for (const r of rows) out.set(String(r["d"]), Number(r["close"]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return out;
  }

  private async note(note: QcNote): Promise<void> {
    this.notes.push(note);
    this.logger.warn("polygon qc note", { kind: note.kind, symbol: note.symbol, date: note.date, ...note.detail });
    const key = `qc/ingest_notes/date=${this.today}/${note.kind}-${uuidv7()}.json`;
    await this.store.put(key, JSON.stringify({ format: 1, vendor: "polygon", created: new Date().toISOString(), ...note }), { condition: { ifNoneMatch: "*" }, contentType: "application/json" });
  }
}
