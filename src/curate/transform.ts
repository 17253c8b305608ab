/**
 * Curation, step 2 of 4 — transform: one batch of symbols at a time, merge the vendors' bars by source priority,
 * compute the rebuilt symbols' adjustment factors, and write adjusted parts (uploaded, not yet committed):
 *   - a rebuilt symbol's whole history becomes one part under `symbol=<S>/`;
 *   - new sessions of symbols that are not rebuilt become one `delta/` part (factors of 1: no effective ex-date
 *     can lie after the newest bar);
 *   - delta parts that also hold rows of rebuilt symbols are rewritten without them.
 * Batches bound DuckDB's working set (the Pi has 768MB for it): a full rebuild of 12M minute bars runs as many
 * small rebuilds.
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { sqlList, sqlString } from "../db/sql-literal.ts";
import type { PartFacts } from "../db/part-writer.ts";
import type { PartFile } from "../lake/types.ts";
import type { CurationPass } from "./curate-pass.ts";
import { ADJ_COLUMNS } from "./curate-tables.ts";
import { forEachLimited } from "./parts.ts";
import type { ActionInputs, Batch, PassPlan } from "./plan.ts";

const ROW_GROUP_ROWS = 122_880;
/** Adjusted-bar parts record their date range and every symbol in them (rebuilds find a symbol's parts by it). */
const SYMBOL_FACTS = { bounds: ["date"], symbolColumn: "symbol" } as const;

/** What the transform made of the adjusted table: parts to add, parts they replace, rows appended. */
export interface AdjustedChange {
  readonly add: readonly PartFile[];
  readonly remove: readonly string[];
  readonly appendedRows: number;
}

/** Characters a lake key segment allows; anything else in a symbol becomes "_" (the manifest keeps the real name). */
function keySafe(symbol: string): string {
  const safe = symbol.replace(/[^A-Za-z0-9_.=+,:-]/g, "_").replace(/^[.@]/, "_");
  return safe === "" ? "_" : safe;
}

/** The batch's merged bars (`merged_bars`) and adjusted rows (`adj_rows`, a view streamed straight into Parquet). */
async function mergeAndAdjust(pass: CurationPass, batch: Batch, plan: PassPlan): Promise<void> {
  await pass.set({ batch_symbols: sqlList(batch.symbols), batch_bucket: String(batch.bucket) });
  await pass.sql("batch_bars");
  const wanted = new Set(batch.symbols);
  const history = batch.rebuild ? plan.historyFiles.filter((file) => (file.symbols ?? []).some((symbol) => wanted.has(symbol))) : [];
  if (history.length > 0) {
    await pass.set({ history_paths: sqlList(await pass.lake.localPaths(history, pass.tables.adjusted)) });
    await pass.sql("history_bars");
  } else {
    await pass.duck.run(`CREATE OR REPLACE TEMP TABLE history_bars (${ADJ_COLUMNS})`);
  }
  await pass.sql("merge_bars");
  if (!pass.minute && batch.rebuild) {
    await pass.sql("adjustment_factors");
    await pass.sql("factor_steps");
    await pass.sql("collect_factors");
  } else if (!pass.minute) {
    await pass.sql("unit_factors");
  }
  await pass.sql("collect_disagreements");
  await pass.sql("equities_ohlcv_adj");
}

/** A rebuilt batch: one part per symbol (its whole history), written locally in one COPY and uploaded. */
async function writeRebuiltSymbols(pass: CurationPass, batch: Batch): Promise<PartFile[]> {
  const dir = pass.staging.next("rebuild");
  await pass.duck.run(`COPY (SELECT *, md5(symbol) AS part_id FROM adj_rows ORDER BY symbol, bar_time)
    TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (part_id), ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);
  const bySymbol = await pass.duck.rows<{ symbol: string; part_id: string; rows: number; min_date: string; max_date: string }>(
    `SELECT symbol, md5(symbol) AS part_id, count(*)::DOUBLE AS rows, min(date)::VARCHAR AS min_date, max(date)::VARCHAR AS max_date
     FROM merged_bars GROUP BY symbol`,
  );
  const uploads: { symbol: string; path: string; facts: PartFacts | undefined }[] = [];
  for (const { symbol, part_id, rows, min_date, max_date } of bySymbol) {
    const folder = join(dir, `part_id=${part_id}`);
    const names = (await readdir(folder)).sort();
    // One file per symbol is the normal case; the facts computed above then describe it exactly.
    const facts = names.length === 1 ? { rows, min: { date: min_date }, max: { date: max_date }, symbols: [symbol] } : undefined;
    for (const name of names) uploads.push({ symbol, path: join(folder, name), facts });
  }
  const duckMemory = await pass.duck.rows<{ mb: number }>(`SELECT (sum(memory_usage_bytes) / 1048576)::DOUBLE AS mb FROM duckdb_memory()`);
  pass.logger.debug("batch written locally", {
    symbols: batch.symbols.length,
    duckdbMB: Math.round(duckMemory[0]?.mb ?? 0),
    rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    peakMB: Math.round(process.resourceUsage().maxRSS / 1024),
  });
  const added: PartFile[] = [];
  const table = pass.tables.adjusted;
  await forEachLimited(uploads, 4, async ({ symbol, path, facts }) => {
    const part = await pass.parts.writeFile(path, { folder: `${table}/symbol=${keySafe(symbol)}`, ...(facts === undefined ? SYMBOL_FACTS : { facts }) });
    added.push(pass.wrote(table, part));
  });
  await rm(dir, { recursive: true, force: true });
  return added;
}

/** The append batch: every new session of symbols that are not rebuilt, as one delta part (none when empty). */
async function writeDelta(pass: CurationPass): Promise<{ part: PartFile | undefined; rows: number }> {
  const rows = await pass.count(`SELECT count(*) FROM merged_bars`);
  if (rows === 0) return { part: undefined, rows };
  const table = pass.tables.adjusted;
  const part = await pass.parts.writeQuery(`SELECT * FROM adj_rows ORDER BY symbol, bar_time`, { folder: `${table}/delta`, ...SYMBOL_FACTS });
  return { part: pass.wrote(table, part), rows };
}

/** Delta parts that held rows of rebuilt symbols go; their other symbols' rows are rewritten into a new delta part. */
async function rewriteSharedDeltas(pass: CurationPass, plan: PassPlan): Promise<PartFile[]> {
  const rebuilt = new Set(plan.rebuild);
  const table = pass.tables.adjusted;
  const added: PartFile[] = [];
  for (const file of plan.historyFiles) {
    if ((file.symbols ?? []).every((symbol) => rebuilt.has(symbol))) continue;
    const [path] = await pass.lake.localPaths([file], table);
    const part = await pass.parts.writeQuery(
      `SELECT * FROM read_parquet(${sqlString(path ?? "")}, hive_partitioning = false) WHERE symbol NOT IN (SELECT symbol FROM factor_symbols) ORDER BY symbol, bar_time`,
      { folder: `${table}/delta`, ...SYMBOL_FACTS },
    );
    added.push(pass.wrote(table, part));
  }
  return added;
}

export async function transformBatches(pass: CurationPass, plan: PassPlan, actions: ActionInputs): Promise<AdjustedChange> {
  pass.stage("transform");
  if (!pass.minute && plan.rebuild.length > 0) await actions.load();
  await pass.sql("pass_outputs");
  if (pass.minute) await pass.sql("factor_steps");
  const add: PartFile[] = [];
  let appendedRows = 0;
  for (const batch of plan.batches) {
    pass.signal?.throwIfAborted();
    await mergeAndAdjust(pass, batch, plan);
    if (batch.rebuild) add.push(...(await writeRebuiltSymbols(pass, batch)));
    else {
      const delta = await writeDelta(pass);
      appendedRows = delta.rows;
      if (delta.part !== undefined) add.push(delta.part);
    }
    await pass.sql("batch_done");
  }
  pass.stage("write_adjusted");
  add.push(...(await rewriteSharedDeltas(pass, plan)));
  return { add, remove: plan.historyFiles.map((file) => file.key), appendedRows };
}
