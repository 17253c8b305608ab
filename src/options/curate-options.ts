/**
 * The options pass of curation (run by `runCuration` after the equities passes, under the same lease):
 *
 *   1. plan       the raw chain parts (raw/<vendor>/options_chains) not yet consumed, and the sessions they hold;
 *   2. transform  for those sessions, in DuckDB (sql/options/): quotes checked and merged by source priority
 *                 (quotes_checked.sql), discount factors and forwards (forwards.sql), implied vols through the
 *                 kernel's SQL functions (options_iv.sql); then SVI slices per expiry in TypeScript (fit-surfaces.ts);
 *                 then, on the committed surfaces, candidate strategies and their next-session PnL (strategies-pass.ts);
 *   3. commit     one part per session per table, replacing that session's earlier part (a session re-curated when
 *                 a vendor's chain for it arrives late is rewritten whole);
 *   4. bookmark   moves only after every commit.
 *
 * Re-running with no new raw chain parts commits nothing.
 */
import { join } from "node:path";
import { rm } from "node:fs/promises";
import type { OptionsCurationConfig } from "../config/schemas/options.ts";
import { PartWriter, type TableColumns } from "../db/part-writer.ts";
import { DuckSession, lowRssSession, sqlList, sqlString, type DuckResourceOptions } from "../db/session.ts";
import { sessionOn } from "../domain/calendar/index.ts";
import { silentLogger, type Logger } from "../domain/logger.ts";
import { createKernels } from "../kernels/index.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { rawTable } from "../lake/keys.ts";
import type { PartFile } from "../lake/types.ts";
import { listRawParts, vendorOf } from "../curate/raw-inputs.ts";
import { CURATE_TABLES } from "../curate/curate-tables.ts";
import { makeStaging } from "../curate/parts.ts";
import { fitSurfaces, type SurfaceExpiry, type SurfaceQuote } from "./fit-surfaces.ts";
import { moveOptionsBookmark, readOptionsBookmark } from "./options-state.ts";
import { OPTION_CHAINS_DATASET, OPTIONS_TABLES, sessionFolder } from "./options-tables.ts";
import { replaceSessionParts, sessionRowsWriter } from "./replace-sessions.ts";
import { writeStrategies } from "./strategies-pass.ts";

export interface CurateOptionsOptions {
  readonly lake: LakeAccess;
  readonly config: OptionsCurationConfig;
  readonly duck?: DuckResourceOptions;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

export interface OptionsReport {
  readonly newRawParts: number;
  /** Sessions (re)curated. */
  readonly sessions: readonly string[];
  readonly quotes: number;
  readonly quarantined: number;
  readonly ivRows: number;
  readonly surfaces: { readonly ok: number; readonly repaired: number; readonly rejected: number };
  readonly commits: Readonly<Record<string, number>>;
}

const EMPTY_REPORT: OptionsReport = { newRawParts: 0, sessions: [], quotes: 0, quarantined: 0, ivRows: 0, surfaces: { ok: 0, repaired: 0, rejected: 0 }, commits: {} };

const SURFACE_COLUMNS: TableColumns = [
  ["underlying", "VARCHAR"], ["date", "DATE"], ["expiry", "DATE"], ["t", "DOUBLE"], ["forward", "DOUBLE"],
  ["a", "DOUBLE"], ["b", "DOUBLE"], ["rho", "DOUBLE"], ["m", "DOUBLE"], ["sigma", "DOUBLE"], ["weights", "VARCHAR"],
  ["rmse_vol_points", "DOUBLE"], ["n_quotes", "INTEGER"], ["k_min", "DOUBLE"], ["k_max", "DOUBLE"], ["butterfly_free", "BOOLEAN"],
  ["calendar_arbitrage", "BOOLEAN"], ["jw_repaired", "BOOLEAN"], ["fit_status", "VARCHAR"], ["qc_status", "VARCHAR"], ["reject_reason", "VARCHAR"],
];
const QC_COLUMNS: TableColumns = [
  ["underlying", "VARCHAR"], ["date", "DATE"], ["expiries", "INTEGER"], ["ok", "INTEGER"], ["repaired", "INTEGER"], ["rejected", "INTEGER"],
  ["surface_qc_rate", "DOUBLE"],
];

/** The session a raw chain part holds: its manifest date bound, else its `date=` folder. */
function partSession(file: PartFile): string | undefined {
  const bound = file.min?.["quote_date"];
  if (typeof bound === "string" && /^\d{4}-\d{2}-\d{2}/.test(bound)) return bound.slice(0, 10);
  return /\/date=(\d{4}-\d{2}-\d{2})\//.exec(file.key)?.[1];
}

/** Loads `files` into a temp table `name` (an empty one with `columns` when there are none). */
async function loadParts(duck: DuckSession, lake: LakeAccess, table: string, files: readonly PartFile[], name: string, select: string, columns: string): Promise<void> {
  if (files.length === 0) {
    await duck.run(`CREATE OR REPLACE TEMP TABLE ${name} (${columns})`);
    return;
  }
  const paths = await lake.localPaths(files, table);
  await duck.run(`CREATE OR REPLACE TEMP TABLE ${name} AS ${select.replace("$FILES", `read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false, filename = true)`)}`);
}

async function loadInputs(duck: DuckSession, lake: LakeAccess, config: OptionsCurationConfig, chainParts: readonly PartFile[], sessions: readonly string[]): Promise<void> {
  // Raw chains of the sessions, with the vendor and lake key of each row's part.
  const paths = await lake.localPaths(chainParts);
  await duck.run(`CREATE OR REPLACE TEMP TABLE chain_files (path VARCHAR, raw_file VARCHAR, vendor VARCHAR)`);
  if (chainParts.length > 0) {
    await duck.run(`INSERT INTO chain_files VALUES ${chainParts.map((f, i) => `(${sqlString(paths[i] ?? "")}, ${sqlString(f.key)}, ${sqlString(vendorOf(f.key))})`).join(", ")}`);
    const columns = new Set((await duck.rows<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)`)).map((r) => r.column_name));
    // Parts written before the quote_time column existed have none: such rows are never stale.
    const quoteTime = columns.has("quote_time") ? "r.quote_time::TIMESTAMP" : "NULL::TIMESTAMP";
    await duck.run(`CREATE OR REPLACE TEMP TABLE raw_chains AS
      SELECT r.underlying, r.contract, r.quote_date::DATE AS quote_date, r.expiry::DATE AS expiry, r.strike::DOUBLE AS strike, r."right",
             r.bid::DOUBLE AS bid, r.ask::DOUBLE AS ask, r.last::DOUBLE AS last, r.iv::DOUBLE AS iv, r.open_interest::BIGINT AS open_interest,
             r.volume::BIGINT AS volume, ${quoteTime} AS quote_time, r.source_uri, r.ingested_at::TIMESTAMP AS ingested_at, f.vendor, f.raw_file
      FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false, filename = true) r
      JOIN chain_files f ON f.path = r.filename
      WHERE r.quote_date::DATE IN (${sessions.map((s) => `DATE ${sqlString(s)}`).join(", ")})`);
  }
  await duck.run(`CREATE OR REPLACE TEMP TABLE option_priority AS SELECT * FROM (VALUES ${config.source_priority.map((v, i) => `(${sqlString(v)}, ${i})`).join(", ")}) AS p(vendor, priority)`);
  const closes = sessions.flatMap((date) => {
    const session = sessionOn(date);
    return session === undefined ? [] : [`(DATE ${sqlString(date)}, make_timestamp(${session.closeMs * 1000}::BIGINT))`];
  });
  await duck.run(`CREATE OR REPLACE TEMP TABLE session_close (date DATE, close_ts TIMESTAMP)`);
  if (closes.length > 0) await duck.run(`INSERT INTO session_close VALUES ${closes.join(", ")}`);

  const treasury = rawTable("fred", "treasury_curve");
  await loadParts(duck, lake, treasury, (await lake.readManifest(treasury))?.files ?? [], "treasury",
    `SELECT series_id, date::DATE AS date, arg_max(value::DOUBLE, ingested_at) AS value FROM $FILES GROUP BY ALL`,
    "series_id VARCHAR, date DATE, value DOUBLE");
  const actions = await lake.readManifest(CURATE_TABLES.actions);
  await loadParts(duck, lake, CURATE_TABLES.actions, actions?.files ?? [], "dividends",
    `SELECT symbol, ex_date::DATE AS ex_date, amount::DOUBLE AS amount FROM $FILES WHERE action_type = 'dividend' AND amount > 0`,
    "symbol VARCHAR, ex_date DATE, amount DOUBLE");
  const underliers = new Set((await duck.rows<{ u: string }>(`SELECT DISTINCT underlying AS u FROM raw_chains`)).map((r) => r.u));
  const bars = await lake.readManifest(CURATE_TABLES.adjusted);
  const barFiles = (bars?.files ?? []).filter((f) => f.symbols === undefined || f.symbols.some((s) => underliers.has(s)));
  await loadParts(duck, lake, CURATE_TABLES.adjusted, barFiles, "spots",
    `SELECT symbol, date::DATE AS date, arg_max(close::DOUBLE, bar_time) AS close FROM $FILES
     WHERE symbol IN (${[...underliers].map(sqlString).join(", ") || "NULL"}) AND date::DATE IN (${sessions.map((s) => `DATE ${sqlString(s)}`).join(", ")}) GROUP BY ALL`,
    "symbol VARCHAR, date DATE, close DOUBLE");
}

async function surfaceInputs(duck: DuckSession): Promise<{ expiries: SurfaceExpiry[]; quotes: SurfaceQuote[] }> {
  const expiries = (await duck.rowsJs(
    `SELECT underlying, date::VARCHAR AS date, expiry::VARCHAR AS expiry, any_value(t) AS t, any_value(forward) AS forward
     FROM options_iv_rows WHERE t > 0 GROUP BY ALL`,
  )).map((r) => ({ underlying: String(r["underlying"]), date: String(r["date"]), expiry: String(r["expiry"]), t: Number(r["t"]), forward: r["forward"] === null ? null : Number(r["forward"]) }));
  const quotes = (await duck.rowsJs(
    `SELECT underlying, date::VARCHAR AS date, expiry::VARCHAR AS expiry, t, forward, k, mid, iv_mid, iv_bid, iv_ask, vega
     FROM options_iv_rows WHERE otm AND status = 'ok' ORDER BY underlying, date, expiry, k`,
  )).map((r) => ({
    underlying: String(r["underlying"]), date: String(r["date"]), expiry: String(r["expiry"]), t: Number(r["t"]), forward: Number(r["forward"]),
    k: Number(r["k"]), mid: Number(r["mid"]), ivMid: Number(r["iv_mid"]), ivBid: r["iv_bid"] === null ? Number.NaN : Number(r["iv_bid"]),
    ivAsk: r["iv_ask"] === null ? Number.NaN : Number(r["iv_ask"]), vega: r["vega"] === null ? Number.NaN : Number(r["vega"]),
  }));
  return { expiries, quotes };
}

/** Runs the options pass; see the file comment. */
export async function curateOptions(options: CurateOptionsOptions): Promise<OptionsReport> {
  const logger = options.logger ?? silentLogger;
  const { lake, config } = options;
  const bookmark = await readOptionsBookmark(lake);
  const consumed = new Set(bookmark.state.consumed);
  const allParts = await listRawParts(lake.store, config.source_priority, [OPTION_CHAINS_DATASET]);
  const fresh = allParts.filter((f) => !consumed.has(f.key));
  if (fresh.length === 0) return EMPTY_REPORT;
  const sessions = [...new Set(fresh.map(partSession).filter((d): d is string => d !== undefined))].sort();
  const chainParts = allParts.filter((f) => sessions.includes(partSession(f) ?? ""));
  if (sessions.length === 0) {
    // Parts with no session (empty answers of the collector): consumed, nothing to curate.
    await moveOptionsBookmark(lake, bookmark, { format: 1, consumed: [...consumed, ...fresh.map((f) => f.key)].sort() });
    return { ...EMPTY_REPORT, newRawParts: fresh.length };
  }

  const staging = await makeStaging();
  const duck = await DuckSession.create({ ...lowRssSession({ ...options.duck, tempDirectory: options.duck?.tempDirectory ?? join(staging.dir, "spill") }), kernels: true });
  const parts = new PartWriter({ session: duck, store: lake.store, commit: lake.commitOptions, scratchDir: staging.dir, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  // The WebAssembly build when present; else the same kernels compiled by tsc (as DuckSession's SQL functions do).
  const kernels = await createKernels().catch((error: unknown) => {
    logger.warn("wasm kernels unavailable; the options pass uses the TypeScript engine", { error: String(error) });
    return createKernels({ engine: "ts" });
  });
  try {
    options.signal?.throwIfAborted();
    await loadInputs(duck, lake, config, chainParts, sessions);
    await duck.run(`SET VARIABLE max_quote_age_minutes = ${config.max_quote_age_minutes}`);
    await duck.run(`SET VARIABLE parity_strikes = ${config.parity_strikes}`);
    for (const file of ["quotes_checked", "forwards", "options_iv"]) await duck.runFile(`options/${file}`);

    const { expiries, quotes } = await surfaceInputs(duck);
    const { surfaces, qc } = fitSurfaces(kernels, expiries, quotes, config.surface);

    const commits: Record<string, number> = {};
    const written = async (table: string, write: (date: string) => Promise<PartFile | undefined>): Promise<void> => {
      const seq = await replaceSessionParts(lake, parts, table, sessions, write);
      if (seq !== undefined) commits[table] = seq;
    };
    const fromQuery = (table: string, relation: string, where: string, order: string) => async (date: string): Promise<PartFile | undefined> => {
      const filter = `${where} AND ${relation === "quotes_merged" ? "quote_date" : "date"} = DATE ${sqlString(date)}`;
      const n = (await duck.rows<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM ${relation} WHERE ${filter}`))[0]?.n ?? 0;
      if (n === 0) return undefined;
      return parts.writeQuery(`SELECT * FROM ${relation} WHERE ${filter} ORDER BY ${order}`, { folder: sessionFolder(table, date), symbolColumn: "underlying" });
    };
    await written(OPTIONS_TABLES.quotes, fromQuery(OPTIONS_TABLES.quotes, "quotes_merged", "reasons IS NULL", "underlying, expiry, strike, \"right\""));
    await written(OPTIONS_TABLES.quarantine, fromQuery(OPTIONS_TABLES.quarantine, "quotes_merged", "reasons IS NOT NULL", "underlying, expiry, strike, \"right\""));
    await written(OPTIONS_TABLES.iv, fromQuery(OPTIONS_TABLES.iv, "options_iv_rows", "true", "underlying, expiry, strike, \"right\""));
    await written(OPTIONS_TABLES.surfaces, sessionRowsWriter(parts, OPTIONS_TABLES.surfaces, SURFACE_COLUMNS, surfaces));
    await written(OPTIONS_TABLES.surfaceQc, sessionRowsWriter(parts, OPTIONS_TABLES.surfaceQc, QC_COLUMNS, qc));
    Object.assign(commits, await writeStrategies({ duck, lake, parts, kernels, config: config.strategies, sessions }));

    await moveOptionsBookmark(lake, bookmark, { format: 1, consumed: [...consumed, ...fresh.map((f) => f.key)].sort() });
    const count = async (sql: string): Promise<number> => (await duck.rows<{ n: number }>(`SELECT (${sql})::DOUBLE AS n`))[0]?.n ?? 0;
    const report: OptionsReport = {
      newRawParts: fresh.length,
      sessions,
      quotes: await count(`SELECT count(*) FROM quotes_merged WHERE reasons IS NULL`),
      quarantined: await count(`SELECT count(*) FROM quotes_merged WHERE reasons IS NOT NULL`),
      ivRows: await count(`SELECT count(*) FROM options_iv_rows`),
      surfaces: {
        ok: surfaces.filter((s) => s.qc_status === "ok").length,
        repaired: surfaces.filter((s) => s.qc_status === "repaired").length,
        rejected: surfaces.filter((s) => s.qc_status === "rejected").length,
      },
      commits,
    };
    logger.info("options curation finished", { ...report, sessions: sessions.length });
    return report;
  } finally {
    await kernels.close();
    await parts.close();
    duck.close();
    await rm(staging.dir, { recursive: true, force: true });
  }
}
