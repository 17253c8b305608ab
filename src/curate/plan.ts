/**
 * Curation, step 1 of 4 — plan: which raw parts are new since the bookmark, which symbols get their whole adjusted
 * history rewritten (new symbols, changed corporate actions, a bar inside the curated history) and which only get
 * new sessions appended, and the batches the transform runs them in. The new bars are checked (quarantine rules)
 * and staged once, partitioned by batch, so each batch reads only its own staged files.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sqlList, sqlString } from "../db/sql-literal.ts";
import type { PartFile } from "../lake/types.ts";
import type { CurationPass } from "./curate-pass.ts";
import type { CurateState } from "./curate-state.ts";
import { CURATE_TABLES, FACTOR_COLUMNS, type CurateDatasets } from "./curate-tables.ts";
import { loadTable } from "./parts.ts";
import { listRawParts, registerRaw } from "./raw-inputs.ts";

/** The raw parts of a pass: all committed ones, and those the bookmark has not consumed yet. */
export interface PassInputs {
  readonly actionParts: readonly PartFile[];
  readonly delistingParts: readonly PartFile[];
  readonly newBarParts: readonly PartFile[];
  readonly newBarKeys: readonly string[];
  readonly newActionKeys: ReadonlySet<string>;
  readonly newDelistingKeys: readonly string[];
  /** True on a pass's very first run (no bookmark yet). */
  readonly firstRun: boolean;
}

export async function findInputs(pass: CurationPass, vendors: readonly string[], datasets: CurateDatasets, state: CurateState, firstRun: boolean): Promise<PassInputs> {
  const store = pass.lake.store;
  const [barParts, actionParts, delistingParts] = await Promise.all([
    listRawParts(store, vendors, datasets.bars),
    pass.minute ? [] : listRawParts(store, vendors, datasets.actions),
    pass.minute ? [] : listRawParts(store, vendors, datasets.delistings),
  ]);
  const consumed = { bars: new Set(state.consumed.bars), actions: new Set(state.consumed.actions), delistings: new Set(state.consumed.delistings) };
  const newBarParts = barParts.filter((part) => !consumed.bars.has(part.key));
  return {
    actionParts,
    delistingParts,
    newBarParts,
    newBarKeys: newBarParts.map((part) => part.key),
    newActionKeys: new Set(actionParts.map((part) => part.key).filter((key) => !consumed.actions.has(key))),
    newDelistingKeys: delistingParts.map((part) => part.key).filter((key) => !consumed.delistings.has(key)),
    firstRun,
  };
}

/**
 * Corporate actions and delistings are read in full (every raw part), but only when a step needs them: a daily run
 * with no new action parts, no new symbol and no pending action reaching its ex-date keeps the bookmark's hashes.
 */
export interface ActionInputs {
  /** Registers and curates every raw action and delisting part (once per pass). */
  load(): Promise<void>;
}

export function actionInputs(pass: CurationPass, inputs: PassInputs): ActionInputs {
  let loaded = false;
  return {
    async load() {
      if (loaded) return;
      await registerRaw(pass.duck, pass.lake, "actions", inputs.actionParts);
      await pass.sql("corporate_actions");
      await registerRaw(pass.duck, pass.lake, "delistings", inputs.delistingParts);
      await pass.sql("delistings");
      loaded = true;
    },
  };
}

export interface Batch {
  readonly symbols: readonly string[];
  /** Rebuilt symbols get their whole history rewritten; the others only their new sessions appended. */
  readonly rebuild: boolean;
  /** The staged partition holding the batch's checked new bars. */
  readonly bucket: number;
}

export interface PassPlan {
  /** Symbols whose whole adjusted history is rewritten. */
  readonly rebuild: readonly string[];
  readonly batches: readonly Batch[];
  /** Adjusted parts holding rows of rebuilt symbols: replaced by this pass. */
  readonly historyFiles: readonly PartFile[];
  /** Whether the whole small tables (factors, actions, delistings, action quarantine) can have changed. */
  readonly wholeTablesMayChange: boolean;
}

/** Sets the pass's parameters and reads its new bars: the checked input (`bars_checked_input`) and the vendor order. */
async function readNewBars(pass: CurationPass, inputs: PassInputs, sourcePriority: readonly string[], tolerances: { price: number; volume: number }): Promise<void> {
  await pass.set({
    price_tolerance: `${tolerances.price}::DOUBLE`,
    volume_tolerance: `${tolerances.volume}::DOUBLE`,
    source_priority: sqlList(sourcePriority),
  });
  await pass.sql("source_priority");
  await registerRaw(pass.duck, pass.lake, "bars", inputs.newBarParts, pass.minute ? "time" : "date");
  await pass.sql("quarantine_bars");
  if (pass.minute) {
    // Minute bars are adjusted with exactly the daily table's factors.
    await loadTable(pass.duck, pass.lake, await pass.lake.readManifest(CURATE_TABLES.factors), "adjustment_factors", FACTOR_COLUMNS);
  }
}

/** The bookmark's symbols (last date, corporate-action hash) as the table `prior_symbols`. */
async function loadPriorSymbols(pass: CurationPass, state: CurateState): Promise<void> {
  await pass.duck.run(`CREATE OR REPLACE TEMP TABLE prior_symbols (symbol VARCHAR, last_date DATE, ca_hash VARCHAR)`);
  const prior = Object.entries(state.symbols);
  if (prior.length === 0) return;
  const values = prior.map(([symbol, s]) => `(${sqlString(symbol)}, ${sqlString(s.last_date)}::DATE, ${s.ca_hash === null ? "NULL" : sqlString(s.ca_hash)})`);
  await pass.duck.run(`INSERT INTO prior_symbols VALUES ${values.join(", ")}`);
}

/** Whether the daily pass must re-hash every symbol's corporate actions (else the bookmark's hashes stand). */
async function actionsMayHaveChanged(pass: CurationPass, inputs: PassInputs): Promise<boolean> {
  if (inputs.firstRun || inputs.newActionKeys.size > 0 || inputs.newDelistingKeys.length > 0) return true;
  const [fresh] = await pass.duck.rowsFromFile<{ n: number }>("curate/new_symbols_count");
  if ((fresh?.n ?? 0) > 0) return true;
  const curated = await pass.lake.readManifest(CURATE_TABLES.actions);
  if (curated === undefined || curated.files.length === 0) return false;
  await pass.set({ curated_action_paths: sqlList(await pass.lake.localPaths(curated.files, CURATE_TABLES.actions)) });
  const [due] = await pass.duck.rowsFromFile<{ n: number }>("curate/pending_actions_due");
  return (due?.n ?? 0) > 0;
}

/** Stages the checked new bars once, partitioned by batch bucket, and exposes them as `bars_checked`. */
async function stageCheckedBars(pass: CurationPass, inputs: PassInputs): Promise<void> {
  const dir = pass.staging.next("bars-checked");
  if (inputs.newBarKeys.length > 0) {
    // Quarantined rows of unknown symbols land in bucket -2: kept for the quarantine table, never merged.
    await pass.duck.run(`COPY (SELECT i.*, coalesce(b.bucket, -2) AS bucket FROM bars_checked_input i LEFT JOIN symbol_buckets b USING (symbol)) TO ${sqlString(dir)}
      (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (bucket), ROW_GROUP_SIZE 32768)`);
  }
  if (existsSync(dir)) {
    await pass.duck.run(`CREATE OR REPLACE TEMP VIEW bars_checked AS SELECT * FROM read_parquet(${sqlString(join(dir, "*", "*.parquet"))}, hive_partitioning = true)`);
  } else {
    await pass.duck.run(`CREATE OR REPLACE TEMP TABLE bars_checked AS SELECT *, 0 AS bucket FROM bars_checked_input WHERE false`);
  }
}

export interface PlanOptions {
  readonly sourcePriority: readonly string[];
  readonly tolerances: { readonly price: number; readonly volume: number };
}

export async function planPass(pass: CurationPass, state: CurateState, inputs: PassInputs, actions: ActionInputs, options: PlanOptions): Promise<PassPlan> {
  pass.stage("inputs");
  await readNewBars(pass, inputs, options.sourcePriority, options.tolerances);

  pass.stage("plan");
  await loadPriorSymbols(pass, state);
  await pass.sql("plan_symbols");
  if (pass.minute) await pass.sql("factor_hashes");
  else if (await actionsMayHaveChanged(pass, inputs)) {
    await actions.load();
    await pass.sql("action_hashes");
  } else await pass.sql("carry_action_hashes");
  await pass.sql("rebuild_symbols");
  const rebuild = (await pass.duck.rows<{ symbol: string }>(`SELECT symbol FROM factor_symbols ORDER BY symbol`)).map((r) => r.symbol);
  const rebuildSet = new Set(rebuild);
  const adjusted = (await pass.lake.readManifest(pass.tables.adjusted))?.files ?? [];
  const historyFiles = adjusted.filter((file) => (file.symbols ?? []).some((symbol) => rebuildSet.has(symbol)));

  await pass.set({ batch_size: String(pass.batchSize) });
  await pass.sql("symbol_buckets");
  await stageCheckedBars(pass, inputs);
  pass.logger.debug("new bars staged", { rssMB: Math.round(process.memoryUsage().rss / 2 ** 20), peakMB: Math.round(process.resourceUsage().maxRSS / 1024) });
  const buckets = await pass.duck.rows<{ bucket: number; symbols: string[] }>(
    `SELECT bucket, list(symbol ORDER BY symbol) AS symbols FROM symbol_buckets GROUP BY bucket ORDER BY bucket = -1, bucket`,
  );
  const batches: Batch[] = buckets.map((b) => ({ symbols: b.symbols, rebuild: b.bucket >= 0, bucket: b.bucket }));
  return {
    rebuild,
    batches,
    historyFiles,
    wholeTablesMayChange: rebuild.length > 0 || inputs.newActionKeys.size > 0 || inputs.newDelistingKeys.length > 0 || inputs.firstRun,
  };
}
