/**
 * Curation of daily equity bars and corporate actions: raw vendor parts in, curated tables out, every output a
 * manifest commit. The SQL in sql/curate/ does the work; this module decides WHAT to (re)build:
 *
 *   - new raw bar parts (not yet consumed according to the bookmark) are checked, merged by source priority and
 *     appended as one "delta" part, with factors of 1 (no effective ex-date can lie after the newest bar);
 *   - a symbol is rebuilt (its whole adjusted history rewritten into one part) when the hash of its effective
 *     corporate actions changed (a late split, a corrected dividend, an action whose ex-date just arrived), when
 *     a new bar lands inside its curated history (a backfill), or when it is new;
 *   - small whole tables (corporate_actions, adjustment_factors, delistings, the action quarantine) are replaced
 *     only when their content fingerprint changed, so running twice commits nothing the second time.
 *
 * Layout of curated/equities_ohlcv_adj: `symbol=<S>/part-*.parquet` (one symbol's history) and
 * `delta/part-*.parquet` (appended sessions, many symbols). A rebuild replaces the symbol's part and rewrites
 * only the delta parts that still hold rows of that symbol.
 */
import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { DataError } from "../domain/errors.ts";
import { silentLogger, type Logger } from "../domain/logger.ts";
import type { PartFile } from "../lake/types.ts";
import { DuckSession, lowRssSession, sqlList, sqlString, type DuckResourceOptions } from "../db/session.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { curateStateSchema, type CurateState } from "./curate-state.ts";
import { listRawKeys, registerRaw } from "./raw-inputs.ts";
import { fingerprint, forEachLimited, loadTable, makeStaging, uploadPart, writeRelation, type PartFacts } from "./parts.ts";

/** Curated and quarantine tables written by `curateEquities` (manifest table names). */
export const CURATE_TABLES = {
  adjusted: "curated/equities_ohlcv_adj",
  factors: "curated/adjustment_factors",
  actions: "curated/corporate_actions",
  delistings: "curated/delistings",
  barQuarantine: "quarantine/equities_bars",
  actionQuarantine: "quarantine/corporate_actions",
  disagreements: "qc/bar_disagreements",
} as const;

export interface CurateDatasets {
  readonly bars: readonly string[];
  readonly actions: readonly string[];
  readonly delistings: readonly string[];
}

/** Tables of the minute-bar pass, adjusted with the daily pass's factors (`curated/adjustment_factors`). */
export const MINUTE_TABLES = {
  adjusted: "curated/equities_minute_adj",
  barQuarantine: "quarantine/equities_minute_bars",
  disagreements: "qc/minute_bar_disagreements",
} as const;

export const DEFAULT_DATASETS: CurateDatasets = {
  bars: ["equities_bars"],
  actions: ["corporate_actions", "splits", "dividends"],
  delistings: ["delistings"],
};

export interface CurateOptions {
  readonly lake: LakeAccess;
  /** Vendors in merge order: the first one wins when two vendors deliver the same bar or action. */
  readonly sourcePriority: readonly string[];
  readonly datasets?: CurateDatasets;
  /** Relative price difference between vendors above which a disagreement is recorded (default 0.005). */
  readonly priceTolerance?: number;
  /** Relative volume difference recorded as a disagreement (default 0.10). */
  readonly volumeTolerance?: number;
  readonly bookmarkKey?: string;
  /** Symbols merged and adjusted per batch (default 25 daily, 10 minute): bounds DuckDB's working set. */
  readonly batchSymbols?: number;
  readonly duck?: DuckResourceOptions;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

export interface CurateRunOptions extends CurateOptions {
  /** "daily" (default) curates daily bars and corporate actions; "minute" curates minute bars with the daily factors. */
  readonly mode?: "daily" | "minute";
}

export interface CurateReport {
  readonly newRawParts: number;
  readonly barsRead: number;
  readonly barsQuarantined: number;
  /** Rows in quarantine/corporate_actions after the run (that table is rebuilt whole). */
  readonly actionsQuarantined: number;
  readonly disagreements: number;
  /** Symbols whose adjusted history was (re)written. */
  readonly rebuiltSymbols: readonly string[];
  /** Bars appended to delta parts without a rebuild. */
  readonly appendedRows: number;
  /** Parts written per table in this run. */
  readonly partsWritten: Readonly<Record<string, number>>;
  /** New manifest seq per committed table. */
  readonly commits: Readonly<Record<string, number>>;
}

const EMPTY_STATE: CurateState = { format: 1, consumed: { bars: [], actions: [], delistings: [] }, symbols: {}, fingerprints: {} };

export const DEFAULT_BOOKMARK_KEY = "state/bookmarks/curate/equities.json";
export const MINUTE_BOOKMARK_KEY = "state/bookmarks/curate/equities_minute.json";
// The collector writes raw/<vendor>/equities_minute; curator.yml has named the job's table equities_bars_minute.
export const DEFAULT_MINUTE_DATASETS: readonly string[] = ["equities_minute", "equities_bars_minute"];

/** Curates minute bars (one row per symbol and minute) with the factors of the daily pass; run it after `curateEquities`. */
export async function curateMinuteBars(options: CurateOptions): Promise<CurateReport> {
  return curateEquities({ ...options, mode: "minute" });
}

const ADJ_COLUMNS =
  "symbol VARCHAR, date DATE, bar_time TIMESTAMP, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE, " +
  "source VARCHAR, ingested_at TIMESTAMP, raw_file VARCHAR";

/** Characters a lake key segment allows; anything else in a symbol becomes "_" (the manifest keeps the real name). */
function keySafe(symbol: string): string {
  const safe = symbol.replace(/[^A-Za-z0-9_.=+,:-]/g, "_").replace(/^[.@]/, "_");
  return safe === "" ? "_" : safe;
}

async function runSql(duck: DuckSession, name: string, logger: Logger = silentLogger): Promise<void> {
  const started = performance.now();
  await duck.runFile(name);
  logger.debug("sql file", { name, ms: Math.round(performance.now() - started) });
}

async function count(duck: DuckSession, sql: string): Promise<number> {
  const rows = await duck.rows<{ n: number }>(`SELECT (${sql})::DOUBLE AS n`);
  return rows[0]?.n ?? 0;
}

const ROW_GROUP_ROWS = 122_880;
const DISAGREEMENT_COLUMNS =
  "symbol VARCHAR, date DATE, bar_time TIMESTAMP, chosen_source VARCHAR, other_source VARCHAR, field VARCHAR, chosen DOUBLE, other DOUBLE, rel_diff DOUBLE, tolerance DOUBLE";
const FACTOR_COLUMNS =
  "symbol VARCHAR, ex_date DATE, split_ratio DOUBLE, split_factor DOUBLE, dividend DOUBLE, prev_close DOUBLE, prev_date DATE, dividend_factor DOUBLE, flags VARCHAR";
const ACTION_QUARANTINE_COLUMNS =
  "symbol VARCHAR, ex_date DATE, action_type VARCHAR, ratio DOUBLE, amount DOUBLE, source VARCHAR, ingested_at TIMESTAMP, raw_file VARCHAR, reasons VARCHAR";

/** Runs one curation pass. Safe to re-run: with no new raw parts and unchanged actions it commits nothing. */
export async function curateEquities(options: CurateRunOptions): Promise<CurateReport> {
  const { lake } = options;
  const minute = options.mode === "minute";
  const logger = options.logger ?? silentLogger;
  const datasets = options.datasets ?? (minute ? { ...DEFAULT_DATASETS, bars: DEFAULT_MINUTE_DATASETS } : DEFAULT_DATASETS);
  const bookmarkKey = options.bookmarkKey ?? (minute ? MINUTE_BOOKMARK_KEY : DEFAULT_BOOKMARK_KEY);
  const tables = minute ? MINUTE_TABLES : CURATE_TABLES;
  if (options.sourcePriority.length === 0) throw new DataError("no_sources", "curation needs at least one vendor in source_priority");

  const stateRef = await lake.readState(bookmarkKey, curateStateSchema);
  const state: CurateState = stateRef?.value ?? structuredClone(EMPTY_STATE);
  const consumed = {
    bars: new Set(state.consumed.bars),
    actions: new Set(state.consumed.actions),
    delistings: new Set(state.consumed.delistings),
  };

  const vendors = options.sourcePriority;
  const [barKeys, actionKeys, delistingKeys] = await Promise.all([
    listRawKeys(lake.store, vendors, datasets.bars),
    minute ? [] : listRawKeys(lake.store, vendors, datasets.actions),
    minute ? [] : listRawKeys(lake.store, vendors, datasets.delistings),
  ]);
  const newBarKeys = barKeys.filter((key) => !consumed.bars.has(key));
  const newActionKeys = new Set(actionKeys.filter((key) => !consumed.actions.has(key)));
  const newDelistingKeys = delistingKeys.filter((key) => !consumed.delistings.has(key));

  const staging = await makeStaging();
  // Operators that outgrow the memory limit spill here instead of failing (DuckDB `temp_directory`).
  const duck = await DuckSession.create(lowRssSession({ ...options.duck, tempDirectory: options.duck?.tempDirectory ?? join(staging.dir, "spill") })).catch(async (error: unknown) => {
    await rm(staging.dir, { recursive: true, force: true });
    throw error;
  });
  const partsWritten: Record<string, number> = {};
  const commits: Record<string, number> = {};
  const written = (table: string, n = 1): void => {
    partsWritten[table] = (partsWritten[table] ?? 0) + n;
  };
  // Stage timings go to the debug log: where a slow run spends its time, without a profiler.
  let stageStarted = performance.now();
  let stageName = "setup";
  const stage = (next: string): void => {
    const now = performance.now();
    logger.debug("curate stage", {
      mode: minute ? "minute" : "daily",
      stage: stageName,
      ms: Math.round(now - stageStarted),
      rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    });
    stageName = next;
    stageStarted = now;
  };
  try {
    options.signal?.throwIfAborted();
    await duck.run(`SET VARIABLE price_tolerance = ${Number(options.priceTolerance ?? 0.005)}::DOUBLE`);
    await duck.run(`SET VARIABLE volume_tolerance = ${Number(options.volumeTolerance ?? 0.1)}::DOUBLE`);
    await duck.run(`CREATE OR REPLACE TEMP TABLE source_priority (source VARCHAR, priority INTEGER)`);
    await duck.run(`INSERT INTO source_priority VALUES ${vendors.map((v, i) => `(${sqlString(v)}, ${i})`).join(", ")}`);

    stage("inputs");
    // --- inputs -------------------------------------------------------------------------------------------
    await registerRaw(duck, lake, "bars", newBarKeys, minute ? "time" : "date");
    await runSql(duck, "curate/quarantine_bars", logger);
    // Corporate actions and delistings are read in full (every raw part), but only when needed: a daily run
    // with no new action parts, no new symbol and no pending action reaching its ex-date keeps the kept hashes.
    let actionsLoaded = false;
    const loadActions = async (): Promise<void> => {
      if (actionsLoaded) return;
      await registerRaw(duck, lake, "actions", actionKeys);
      await runSql(duck, "curate/corporate_actions");
      await registerRaw(duck, lake, "delistings", delistingKeys);
      await runSql(duck, "curate/delistings");
      actionsLoaded = true;
    };
    if (minute) {
      await loadTable(duck, lake, await lake.readManifest(CURATE_TABLES.factors), "adjustment_factors", FACTOR_COLUMNS);
    }

    const needFullActionHashes = async (): Promise<boolean> => {
      if (stateRef === undefined || newActionKeys.size > 0 || newDelistingKeys.length > 0) return true;
      if ((await count(duck, `SELECT count(*) FROM new_bar_spans WHERE symbol NOT IN (SELECT symbol FROM prior_symbols)`)) > 0) return true;
      const curated = await lake.readManifest(CURATE_TABLES.actions);
      if (curated === undefined || curated.files.length === 0) return false;
      const paths = await lake.localPaths(curated.files);
      const due = await count(
        duck,
        `SELECT count(*) FROM read_parquet(${sqlList(paths)}) a JOIN symbol_last_dates d USING (symbol)
         WHERE a.status = 'pending' AND a.ex_date <= d.last_date`,
      );
      return due > 0;
    };

    stage("plan");
    // --- which symbols to rebuild ---------------------------------------------------------------------------
    await duck.run(`CREATE OR REPLACE TEMP TABLE prior_symbols (symbol VARCHAR, last_date DATE, ca_hash VARCHAR)`);
    const prior = Object.entries(state.symbols);
    if (prior.length > 0) {
      await duck.run(
        `INSERT INTO prior_symbols VALUES ${prior
          .map(([symbol, s]) => `(${sqlString(symbol)}, ${sqlString(s.last_date)}::DATE, ${s.ca_hash === null ? "NULL" : sqlString(s.ca_hash)})`)
          .join(", ")}`,
      );
    }
    await duck.run(`CREATE OR REPLACE TEMP TABLE new_bar_spans AS
      SELECT symbol, min(date) AS first_new, max(date) AS last_new FROM bars_checked_input WHERE reasons IS NULL GROUP BY symbol`);
    await duck.run(`CREATE OR REPLACE TEMP TABLE symbol_last_dates AS
      SELECT symbol, greatest(max(last_date), max(last_new)) AS last_date FROM (
        SELECT symbol, last_date, NULL::DATE AS last_new FROM prior_symbols
        UNION ALL SELECT symbol, NULL, last_new FROM new_bar_spans) GROUP BY symbol`);
    if (minute) {
      await runSql(duck, "curate/factor_hashes");
    } else if (await needFullActionHashes()) {
      await loadActions();
      await runSql(duck, "curate/action_hashes");
    } else {
      await duck.run(`CREATE OR REPLACE TEMP TABLE action_hashes AS SELECT symbol, ca_hash FROM prior_symbols WHERE ca_hash IS NOT NULL`);
    }
    await duck.run(`CREATE OR REPLACE TEMP TABLE factor_symbols AS
      SELECT d.symbol FROM symbol_last_dates d
      LEFT JOIN prior_symbols p USING (symbol)
      LEFT JOIN action_hashes h USING (symbol)
      LEFT JOIN new_bar_spans n USING (symbol)
      WHERE p.symbol IS NULL
         OR p.ca_hash IS DISTINCT FROM h.ca_hash
         OR n.first_new <= p.last_date`);
    const rebuild = (await duck.rows<{ symbol: string }>(`SELECT symbol FROM factor_symbols ORDER BY symbol`)).map((r) => r.symbol);
    const rebuildSet = new Set(rebuild);

    stage("transform");
    // --- merge, factors and adjusted rows, one batch of symbols at a time --------------------------------------
    // Batches bound DuckDB's working set (the Pi has 768MB for it): a full rebuild of 12M minute bars runs as
    // many small rebuilds. New sessions of symbols that are not rebuilt form one last "append" batch.
    const adjManifest = await lake.readManifest(tables.adjusted);
    const adjFiles = adjManifest?.files ?? [];
    const historyFiles = adjFiles.filter((file) => (file.symbols ?? []).some((symbol) => rebuildSet.has(symbol)));
    const appendSymbols = (
      await duck.rows<{ symbol: string }>(`SELECT symbol FROM new_bar_spans WHERE symbol NOT IN (SELECT symbol FROM factor_symbols) ORDER BY symbol`)
    ).map((r) => r.symbol);
    // The checked new bars are staged once, partitioned by bucket (no global sort, so no memory peak), and each
    // batch is one bucket: it reads only its own staged files.
    const batchSize = Math.max(1, options.batchSymbols ?? (minute ? 10 : 25));
    // Rebuilt symbols fill buckets of exactly `batchSize` in symbol order (even batches keep the peak low);
    // symbols that only get new sessions share one more bucket.
    await duck.run(`CREATE OR REPLACE TEMP TABLE symbol_buckets AS
      SELECT symbol, ((row_number() OVER (ORDER BY symbol) - 1) // ${batchSize})::INTEGER AS bucket FROM factor_symbols
      UNION ALL
      SELECT symbol, -1 FROM new_bar_spans WHERE symbol NOT IN (SELECT symbol FROM factor_symbols)`);
    const checkedDir = staging.next("bars-checked");
    if (newBarKeys.length > 0) {
      // Quarantined rows of unknown symbols land in bucket -2: kept for the quarantine table, never merged.
      await duck.run(`COPY (SELECT i.*, coalesce(b.bucket, -2) AS bucket FROM bars_checked_input i LEFT JOIN symbol_buckets b USING (symbol)) TO ${sqlString(checkedDir)}
        (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (bucket), ROW_GROUP_SIZE 32768)`);
    }
    if (existsSync(checkedDir)) {
      await duck.run(`CREATE OR REPLACE TEMP VIEW bars_checked AS
        SELECT * FROM read_parquet(${sqlString(join(checkedDir, "*", "*.parquet"))}, hive_partitioning = true)`);
    } else {
      await duck.run(`CREATE OR REPLACE TEMP TABLE bars_checked AS SELECT *, 0 AS bucket FROM bars_checked_input WHERE false`);
    }
    logger.debug("new bars staged", { rssMB: Math.round(process.memoryUsage().rss / 2 ** 20), peakMB: Math.round(process.resourceUsage().maxRSS / 1024) });
    const rebuildBuckets = await duck.rows<{ bucket: number; symbols: string[] }>(
      `SELECT bucket, list(symbol ORDER BY symbol) AS symbols FROM symbol_buckets WHERE bucket >= 0 GROUP BY bucket ORDER BY bucket`,
    );
    const batches: { symbols: string[]; rebuild: boolean; bucket: number }[] = rebuildBuckets.map((b) => ({
      symbols: b.symbols,
      rebuild: true,
      bucket: b.bucket,
    }));
    if (appendSymbols.length > 0) batches.push({ symbols: appendSymbols, rebuild: false, bucket: -1 });

    if (!minute && rebuild.length > 0) await loadActions();
    await duck.run(`CREATE OR REPLACE TEMP TABLE new_factors (${FACTOR_COLUMNS})`);
    await duck.run(`CREATE OR REPLACE TEMP TABLE new_dividend_rejects (${ACTION_QUARANTINE_COLUMNS})`);
    await duck.run(`CREATE OR REPLACE TEMP TABLE all_disagreements (${DISAGREEMENT_COLUMNS})`);
    if (minute) await runSql(duck, "curate/factor_steps", logger);
    const adjAdd: PartFile[] = [];
    const adjRemove: string[] = [];
    let appendedRows = 0;
    for (const batch of batches) {
      options.signal?.throwIfAborted();
      const list = sqlList(batch.symbols);
      await duck.run(`CREATE OR REPLACE TEMP TABLE batch_symbols AS SELECT unnest(${list}) AS symbol`);
      // The range lets the Parquet reader skip row groups by their min/max statistics; the list is exact.
      // The bucket filter prunes the staged files by their hive partition; the list is exact.
      await duck.run(`CREATE OR REPLACE TEMP VIEW batch_bars AS
        SELECT * EXCLUDE (bucket) FROM bars_checked
        WHERE reasons IS NULL AND bucket = ${batch.bucket} AND list_contains(${list}, symbol)`);
      const batchHistory = batch.rebuild ? historyFiles.filter((file) => (file.symbols ?? []).some((symbol) => batch.symbols.includes(symbol))) : [];
      if (batchHistory.length > 0) {
        const paths = await lake.localPaths(batchHistory);
        await duck.run(`CREATE OR REPLACE TEMP TABLE history_bars AS
          SELECT symbol, date, bar_time, open, high, low, close, volume, source, ingested_at, raw_file
          FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)
          WHERE symbol IN (SELECT symbol FROM batch_symbols)`);
      } else {
        await duck.run(`CREATE OR REPLACE TEMP TABLE history_bars (${ADJ_COLUMNS})`);
      }
      await runSql(duck, "curate/merge_bars", logger);
      if (!minute && batch.rebuild) {
        await runSql(duck, "curate/adjustment_factors", logger);
        await runSql(duck, "curate/factor_steps", logger);
        await duck.run(`INSERT INTO new_factors SELECT symbol, ex_date, split_ratio, split_factor, dividend, prev_close, prev_date, dividend_factor, flags FROM adjustment_factors`);
        await duck.run(`INSERT INTO new_dividend_rejects SELECT symbol, ex_date, action_type, ratio, amount, source, ingested_at, raw_file, reasons FROM dividend_rejects`);
      } else if (!minute) {
        // Appended sessions of unchanged symbols: no effective ex-date lies after them, so every factor is 1.
        await duck.run(`CREATE OR REPLACE TEMP TABLE adjustment_factors (${FACTOR_COLUMNS})`);
        await duck.run(`CREATE OR REPLACE TEMP TABLE factor_steps (symbol VARCHAR, ex_date DATE, split_cum DOUBLE, dividend_cum DOUBLE)`);
      }
      await duck.run(`INSERT INTO all_disagreements SELECT * FROM bar_disagreements`);
      await duck.run(`CREATE OR REPLACE TEMP TABLE adj_symbols AS SELECT symbol FROM batch_symbols`);
      await runSql(duck, "curate/equities_ohlcv_adj", logger);
      // The merge's intermediates are no longer needed; dropping them returns their memory before the write.

      if (batch.rebuild) {
        const dir = staging.next("rebuild");
        await duck.run(`COPY (SELECT *, md5(symbol) AS part_id FROM adj_rows ORDER BY symbol, bar_time)
          TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (part_id), ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);
        const bySymbol = await duck.rows<{ symbol: string; part_id: string; rows: number; min_date: string; max_date: string }>(
          `SELECT symbol, md5(symbol) AS part_id, count(*)::DOUBLE AS rows, min(date)::VARCHAR AS min_date, max(date)::VARCHAR AS max_date
           FROM merged_bars GROUP BY symbol`,
        );
        const uploads: { symbol: string; path: string; facts: PartFacts | undefined }[] = [];
        for (const { symbol, part_id, rows, min_date, max_date } of bySymbol) {
          const folder = join(dir, `part_id=${part_id}`);
          const names = (await readdir(folder)).sort();
          // One file per symbol is the normal case; the facts computed above then describe it exactly.
          const facts = names.length === 1 ? { rows, min_date, max_date, symbols: [symbol] } : undefined;
          for (const name of names) uploads.push({ symbol, path: join(folder, name), facts });
        }
        const duckMemory = await duck.rows<{ mb: number }>(`SELECT (sum(memory_usage_bytes) / 1048576)::DOUBLE AS mb FROM duckdb_memory()`);
        logger.debug("batch written locally", {
          symbols: batch.symbols.length,
          duckdbMB: Math.round(duckMemory[0]?.mb ?? 0),
          heapMB: Math.round(process.memoryUsage().heapTotal / 2 ** 20),
          externalMB: Math.round(process.memoryUsage().external / 2 ** 20),
          rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
          peakMB: Math.round(process.resourceUsage().maxRSS / 1024),
        });
        await forEachLimited(uploads, 4, async ({ symbol, path, facts }) => {
          const { part } = await uploadPart(lake, duck, tables.adjusted, `${tables.adjusted}/symbol=${keySafe(symbol)}`, path, true, facts);
          adjAdd.push(part);
          written(tables.adjusted);
        });
        logger.debug("batch uploaded", { parts: uploads.length });
        await rm(dir, { recursive: true, force: true });
      } else {
        appendedRows = await count(duck, `SELECT count(*) FROM merged_bars`);
        if (appendedRows > 0) {
          const out = staging.next("delta.parquet");
          await duck.run(`COPY (SELECT * FROM adj_rows ORDER BY symbol, bar_time) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`);
          const { part } = await uploadPart(lake, duck, tables.adjusted, `${tables.adjusted}/delta`, out, true);
          adjAdd.push(part);
          written(tables.adjusted);
        }
      }
      // The batch's tables are no longer needed; dropping them returns their memory before the next batch.
      await duck.run(`DROP VIEW IF EXISTS adj_rows; DROP TABLE IF EXISTS merged_bars; DROP TABLE IF EXISTS history_bars`);
    }

    stage("write_adjusted");
    // --- the rebuilt symbols' old parts go; delta parts shared with other symbols are rewritten without them ---
    for (const file of historyFiles) {
      adjRemove.push(file.key);
      const others = (file.symbols ?? []).filter((symbol) => !rebuildSet.has(symbol));
      if (others.length === 0) continue;
      const [path] = await lake.localPaths([file]);
      const out = staging.next("delta-rewrite.parquet");
      await duck.run(`COPY (SELECT * FROM read_parquet(${sqlString(path ?? "")}, hive_partitioning = false) WHERE symbol NOT IN (SELECT symbol FROM factor_symbols) ORDER BY symbol, bar_time)
        TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`);
      const { part } = await uploadPart(lake, duck, tables.adjusted, `${tables.adjusted}/delta`, out, true);
      adjAdd.push(part);
      written(tables.adjusted);
    }
    if (adjAdd.length > 0 || adjRemove.length > 0) {
      const manifest = await lake.commitChange(
        tables.adjusted,
        adjRemove.length === 0 ? { kind: "append", add: adjAdd } : { kind: "replace", add: adjAdd, remove: adjRemove },
      );
      commits[tables.adjusted] = manifest.seq;
    }

    stage("write_tables");
    // --- whole small tables: factors, actions, action quarantine, delistings ----------------------------------
    const fingerprints: Record<string, string> = { ...state.fingerprints };
    // With no rebuilt symbol and no new action or delisting parts these tables cannot change (an action whose
    // ex-date arrives changes its symbol's hash and so rebuilds it), so the common daily run skips them.
    const wholeTablesMayChange = rebuild.length > 0 || newActionKeys.size > 0 || newDelistingKeys.length > 0 || stateRef === undefined;
    if (!minute && wholeTablesMayChange) {
      await loadActions();
      const factorManifest = await lake.readManifest(CURATE_TABLES.factors);
      await loadTable(duck, lake, factorManifest, "prior_factors", FACTOR_COLUMNS);
      await duck.run(`CREATE OR REPLACE TEMP TABLE all_factors AS
        SELECT symbol, ex_date, split_ratio, split_factor, dividend, prev_close, prev_date, dividend_factor, flags
        FROM prior_factors WHERE symbol NOT IN (SELECT symbol FROM factor_symbols)
        UNION ALL
        SELECT symbol, ex_date, split_ratio, split_factor, dividend, prev_close, prev_date, dividend_factor, flags
        FROM new_factors`);

      const actionQManifest = await lake.readManifest(CURATE_TABLES.actionQuarantine);
      await loadTable(duck, lake, actionQManifest, "prior_action_quarantine", ACTION_QUARANTINE_COLUMNS);
      await duck.run(`CREATE OR REPLACE TEMP TABLE all_action_quarantine AS
        SELECT symbol, ex_date, action_type, ratio, amount, source, ingested_at, raw_file, reasons
        FROM actions_checked WHERE reasons IS NOT NULL
        UNION ALL
        SELECT symbol, ex_date, action_type, ratio, amount, source, ingested_at, raw_file, reasons FROM new_dividend_rejects
        UNION ALL
        SELECT symbol, ex_date, action_type, ratio, amount, source, ingested_at, raw_file, reasons
        FROM prior_action_quarantine
        WHERE reasons LIKE 'dividend >= previous close%' AND symbol NOT IN (SELECT symbol FROM factor_symbols)`);

      await duck.run(`CREATE OR REPLACE TEMP TABLE curated_actions AS
        SELECT c.symbol, c.ex_date, c.action_type, c.ratio, c.amount, c.source, c.sources, c.conflicting_sources,
               CASE WHEN d.last_date IS NULL OR c.ex_date > d.last_date THEN 'pending' ELSE 'effective' END AS status,
               c.ingested_at, c.raw_file
        FROM action_candidates c
        LEFT JOIN symbol_last_dates d USING (symbol)
        WHERE NOT EXISTS (
          SELECT 1 FROM all_action_quarantine q
          WHERE q.symbol = c.symbol AND q.ex_date = c.ex_date AND q.action_type = c.action_type AND c.action_type = 'dividend'
            AND q.reasons LIKE 'dividend >= previous close%')`);

      const wholeTables: { table: string; relation: string; order: string }[] = [
        { table: CURATE_TABLES.factors, relation: "all_factors", order: "symbol, ex_date" },
        { table: CURATE_TABLES.actions, relation: "curated_actions", order: "symbol, ex_date, action_type" },
        { table: CURATE_TABLES.actionQuarantine, relation: "all_action_quarantine", order: "symbol, ex_date, action_type, source" },
        { table: CURATE_TABLES.delistings, relation: "delistings", order: "symbol, delist_date" },
      ];
      for (const { table, relation, order } of wholeTables) {
        const print = await fingerprint(duck, relation);
        if (state.fingerprints[table] === print) continue;
        const previous = await lake.readManifest(table);
        const out = staging.next(`${table.replace(/\//g, "_")}.parquet`);
        await writeRelation(duck, relation, out, order);
        const { part } = await uploadPart(lake, duck, table, table, out, false);
        written(table);
        const remove = (previous?.files ?? []).map((file) => file.key);
        const manifest = await lake.commitChange(table, remove.length === 0 ? { kind: "append", add: [part] } : { kind: "replace", add: [part], remove });
        commits[table] = manifest.seq;
        fingerprints[table] = print;
      }
    }

    stage("write_records");
    // --- append-only records: quarantined bars and vendor disagreements ---------------------------------------
    const barsQuarantined = await count(duck, `SELECT count(*) FROM bars_checked WHERE reasons IS NOT NULL`);
    const disagreements = await count(duck, `SELECT count(*) FROM all_disagreements`);
    const appendOnly: { table: string; sql: string; n: number }[] = [
      { table: tables.barQuarantine, n: barsQuarantined, sql: `SELECT * EXCLUDE (bucket) FROM bars_checked WHERE reasons IS NOT NULL` },
      { table: tables.disagreements, n: disagreements, sql: `SELECT * FROM all_disagreements` },
    ];
    for (const { table, sql, n } of appendOnly) {
      if (n === 0) continue;
      const out = staging.next(`${table.replace(/\//g, "_")}.parquet`);
      await duck.run(`COPY (${sql} ORDER BY symbol, bar_time) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`);
      const { part } = await uploadPart(lake, duck, table, table, out, false);
      written(table);
      commits[table] = (await lake.commitChange(table, { kind: "append", add: [part] })).seq;
    }

    stage("bookmark");
    // --- bookmark: moves only after every commit above succeeded ----------------------------------------------
    const lastDates = await duck.rows<{ symbol: string; last_date: string; ca_hash: string | null }>(
      `SELECT d.symbol, d.last_date::VARCHAR AS last_date, h.ca_hash FROM symbol_last_dates d LEFT JOIN action_hashes h USING (symbol)`,
    );
    const next: CurateState = {
      format: 1,
      consumed: {
        bars: [...consumed.bars, ...newBarKeys].sort(),
        actions: [...new Set([...consumed.actions, ...newActionKeys])].sort(),
        delistings: [...consumed.delistings, ...newDelistingKeys].sort(),
      },
      symbols: Object.fromEntries(lastDates.map((row) => [row.symbol, { last_date: row.last_date, ca_hash: row.ca_hash }])),
      fingerprints,
    };
    const changed = JSON.stringify(next) !== JSON.stringify(state);
    if (changed && !(await lake.writeState(bookmarkKey, curateStateSchema, next, stateRef?.etag))) {
      throw new DataError("bookmark_conflict", `another curator moved ${bookmarkKey} during this run; its commits stand, re-run to continue`);
    }

    stage("done");
    // Rows now in quarantine/corporate_actions (the table is replaced as a whole, so this is its size).
    const actionsQuarantined = minute
      ? 0
      : wholeTablesMayChange
        ? await count(duck, `SELECT count(*) FROM all_action_quarantine`)
        : ((await lake.readManifest(CURATE_TABLES.actionQuarantine))?.files ?? []).reduce((n, file) => n + file.rows, 0);
    const report: CurateReport = {
      newRawParts: newBarKeys.length + newActionKeys.size + newDelistingKeys.length,
      barsRead: await count(duck, `SELECT count(*) FROM bars_checked`),
      barsQuarantined,
      actionsQuarantined,
      disagreements,
      rebuiltSymbols: rebuild,
      appendedRows,
      partsWritten,
      commits,
    };
    logger.info("curation finished", { ...report, rebuiltSymbols: rebuild.length });
    return report;
  } finally {
    duck.close();
    await rm(staging.dir, { recursive: true, force: true });
  }
}
