/**
 * Curation of daily equity bars and corporate actions (and, in a second pass, minute bars): raw vendor parts in,
 * curated tables out, every output a manifest commit. A pass is four steps, each a function of its own:
 *
 *   1. plan (plan.ts)           which raw parts are new since the bookmark; which symbols are rebuilt (new, changed
 *                               corporate actions, a bar inside their curated history) and which only appended to;
 *   2. transform (transform.ts) per batch of symbols: merge vendors by priority, adjustment factors, adjusted parts;
 *   3. commit (commit.ts)       the adjusted table, the whole small tables when their content changed, the records;
 *   4. bookmark (curate-state.ts) moves only after every commit succeeded.
 *
 * The SQL in sql/curate/ does the work. Layout of curated/equities_ohlcv_adj: `symbol=<S>/part-*.parquet` (one
 * symbol's history) and `delta/part-*.parquet` (appended sessions, many symbols). Safe to re-run: with no new raw
 * parts and unchanged actions a pass commits nothing.
 */
import { DataError } from "../domain/errors.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { commitAdjusted, commitRecords, commitWholeTables } from "./commit.ts";
import { withCurationPass, type CurationPass, type CurationPassOptions } from "./curate-pass.ts";
import { moveCurateBookmark, readCurateBookmark, type CurateState } from "./curate-state.ts";
import { CURATE_TABLES, DEFAULT_BOOKMARK_KEY, DEFAULT_DATASETS, DEFAULT_MINUTE_DATASETS, MINUTE_BOOKMARK_KEY, type CurateDatasets } from "./curate-tables.ts";
import { actionInputs, findInputs, planPass, type PassInputs, type PassPlan } from "./plan.ts";
import { transformBatches } from "./transform.ts";

export {
  CURATE_TABLES, DEFAULT_BOOKMARK_KEY, DEFAULT_DATASETS, DEFAULT_MINUTE_DATASETS, MINUTE_BOOKMARK_KEY, MINUTE_TABLES, type CurateDatasets,
} from "./curate-tables.ts";

export interface CurateOptions extends Omit<CurationPassOptions, "mode"> {
  readonly lake: LakeAccess;
  readonly datasets?: CurateDatasets;
  readonly bookmarkKey?: string;
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

/** Curates minute bars (one row per symbol and minute) with the factors of the daily pass; run it after `curateEquities`. */
export async function curateMinuteBars(options: CurateOptions): Promise<CurateReport> {
  return curateEquities({ ...options, mode: "minute" });
}

/** The bookmark after a pass: what it consumed, each symbol's last date and action hash, the tables' fingerprints. */
async function nextState(pass: CurationPass, state: CurateState, inputs: PassInputs, fingerprints: Record<string, string>): Promise<CurateState> {
  const lastDates = await pass.duck.rows<{ symbol: string; last_date: string; ca_hash: string | null }>(
    `SELECT d.symbol, d.last_date::VARCHAR AS last_date, h.ca_hash FROM symbol_last_dates d LEFT JOIN action_hashes h USING (symbol)`,
  );
  return {
    format: 1,
    consumed: {
      bars: [...state.consumed.bars, ...inputs.newBarKeys].sort(),
      actions: [...new Set([...state.consumed.actions, ...inputs.newActionKeys])].sort(),
      delistings: [...state.consumed.delistings, ...inputs.newDelistingKeys].sort(),
    },
    symbols: Object.fromEntries(lastDates.map((row) => [row.symbol, { last_date: row.last_date, ca_hash: row.ca_hash }])),
    fingerprints,
  };
}

/** Rows now in quarantine/corporate_actions (the table is replaced as a whole, so this is its size). */
async function actionQuarantineSize(pass: CurationPass, plan: PassPlan): Promise<number> {
  if (pass.minute) return 0;
  if (plan.wholeTablesMayChange) return pass.count(`SELECT count(*) FROM all_action_quarantine`);
  return ((await pass.lake.readManifest(CURATE_TABLES.actionQuarantine))?.files ?? []).reduce((n, file) => n + file.rows, 0);
}

/** Runs one curation pass: plan → transform → commit → bookmark. */
export async function curateEquities(options: CurateRunOptions): Promise<CurateReport> {
  const mode = options.mode ?? "daily";
  const minute = mode === "minute";
  if (options.sourcePriority.length === 0) throw new DataError("no_sources", "curation needs at least one vendor in source_priority");
  const datasets = options.datasets ?? (minute ? { ...DEFAULT_DATASETS, bars: DEFAULT_MINUTE_DATASETS } : DEFAULT_DATASETS);
  const bookmark = await readCurateBookmark(options.lake, options.bookmarkKey ?? (minute ? MINUTE_BOOKMARK_KEY : DEFAULT_BOOKMARK_KEY));
  return withCurationPass({ ...options, mode }, async (pass) => {
    const inputs = await findInputs(pass, options.sourcePriority, datasets, bookmark.state, bookmark.etag === undefined);
    const actions = actionInputs(pass, inputs);
    const plan = await planPass(pass, bookmark.state, inputs, actions, {
      sourcePriority: options.sourcePriority,
      tolerances: { price: Number(options.priceTolerance ?? 0.005), volume: Number(options.volumeTolerance ?? 0.1) },
    });
    const adjusted = await transformBatches(pass, plan, actions);
    await commitAdjusted(pass, adjusted);
    const fingerprints = await commitWholeTables(pass, plan, actions, bookmark.state);
    const records = await commitRecords(pass);
    pass.stage("bookmark");
    await moveCurateBookmark(options.lake, bookmark, await nextState(pass, bookmark.state, inputs, fingerprints));
    pass.stage("done");
    const report: CurateReport = {
      newRawParts: inputs.newBarKeys.length + inputs.newActionKeys.size + inputs.newDelistingKeys.length,
      barsRead: await pass.count(`SELECT count(*) FROM bars_checked`),
      barsQuarantined: records.barsQuarantined,
      actionsQuarantined: await actionQuarantineSize(pass, plan),
      disagreements: records.disagreements,
      rebuiltSymbols: plan.rebuild,
      appendedRows: adjusted.appendedRows,
      partsWritten: pass.partsWritten,
      commits: pass.commits,
    };
    pass.logger.info("curation finished", { ...report, rebuiltSymbols: plan.rebuild.length });
    return report;
  });
}
