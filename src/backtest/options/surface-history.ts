/**
 * The options backtester's market: one underlier's accepted SVI slices (ok / repaired) per session with the spot,
 * discount factor and forward options_iv used, read through the strategies pass's reader (src/options/
 * strategies-pass.ts) at pinned manifest seqs. A session inside the run without an accepted slice is kept: its
 * positions are carried at their last good marks. An underlier without a chain in the lake, or without a single
 * accepted slice, is an error before anything is written.
 */
import type { DuckSession } from "../../db/session.ts";
import { sqlList, sqlString } from "../../db/session.ts";
import { CURATE_TABLES } from "../../curate/curate-tables.ts";
import { sessions as calendarSessions } from "../../domain/calendar/index.ts";
import { DataError } from "../../domain/errors.ts";
import type { LakeAccess } from "../../lake/lake-access.ts";
import { OPTIONS_TABLES } from "../../options/options-tables.ts";
import { readSlices } from "../../options/strategies-pass.ts";
import type { StrategySlice } from "../../options/strategies.ts";

export interface OptionsMarket {
  readonly underlier: string;
  /** The run's sessions, ascending. */
  readonly sessions: readonly string[];
  /** Accepted slices per session (absent: no accepted surface that day). */
  readonly slices: ReadonlyMap<string, readonly StrategySlice[]>;
  /** The underlier's close per session (options_iv's spot); NaN when the session has no chain. */
  readonly spot: readonly number[];
  /** Manifest seqs read per table. */
  readonly snapshot: Readonly<Record<string, number>>;
}

/** The date range's sessions per the NYSE calendar. */
function sessionDates(from: string, to: string): string[] {
  return calendarSessions(from, to).map((s) => s.date);
}

/** Bounds of a table's `date` column over the parts whose symbols include the underlier (or every part). */
async function chainRange(lake: LakeAccess, table: string, seq: number): Promise<{ first: string; last: string } | undefined> {
  const manifest = await lake.readManifest(table, seq);
  let first: string | undefined;
  let last: string | undefined;
  for (const file of manifest?.files ?? []) {
    const match = /\/date=(\d{4}-\d{2}-\d{2})\//.exec(file.key);
    const date = match?.[1];
    if (date === undefined) continue;
    if (first === undefined || date < first) first = date;
    if (last === undefined || date > last) last = date;
  }
  return first === undefined || last === undefined ? undefined : { first, last };
}

export interface ReadMarketOptions {
  readonly underlier: string;
  readonly start?: string | undefined;
  readonly end?: string | undefined;
}

export async function readOptionsMarket(duck: DuckSession, lake: LakeAccess, options: ReadMarketOptions): Promise<OptionsMarket> {
  const { underlier } = options;
  const snapshot: Record<string, number> = {};
  for (const table of [OPTIONS_TABLES.surfaces, OPTIONS_TABLES.iv]) {
    const manifest = await lake.readManifest(table);
    if (manifest === undefined || manifest.files.length === 0) {
      throw new DataError("backtest_no_chain", `no option chains in the lake (${table} has no data): run \`trademl curate\` after the node has collected chains, or \`trademl demo\``, { details: { underlier } });
    }
    snapshot[table] = manifest.seq;
  }
  const range = await chainRange(lake, OPTIONS_TABLES.iv, snapshot[OPTIONS_TABLES.iv] ?? 0);
  const from = options.start ?? range?.first ?? "";
  const to = options.end ?? range?.last ?? "";
  const all = from === "" || to === "" ? [] : sessionDates(from, to);
  const bySession = await readSlices(duck, lake, all, snapshot);
  const chain = await duck.rows<{ date: string; spot: number }>(
    `SELECT date::VARCHAR AS date, any_value(spot) AS spot FROM strategy_iv WHERE underlying = ${sqlString(underlier)} AND spot > 0 GROUP BY ALL ORDER BY date`,
  );
  await duck.run(`DROP TABLE IF EXISTS strategy_surfaces; DROP TABLE IF EXISTS strategy_iv`);
  if (chain.length === 0) {
    throw new DataError("backtest_no_chain", `${underlier} has no option chain in the lake between ${from || "?"} and ${to || "?"} (options_iv has no row for it)`, { details: { underlier, from, to } });
  }
  const slices = new Map<string, StrategySlice[]>();
  for (const [id, list] of bySession) {
    const [symbol, date] = id.split("|");
    if (symbol === underlier && date !== undefined) slices.set(date, list);
  }
  const accepted = [...slices.keys()].sort();
  const firstAccepted = accepted[0];
  const lastAccepted = accepted.at(-1);
  if (firstAccepted === undefined || lastAccepted === undefined) {
    throw new DataError("backtest_no_surface", `${underlier} has option chains between ${from} and ${to} but no accepted (ok / repaired) surface: see \`trademl options surface --underlier ${underlier}\``, { details: { underlier, from, to } });
  }
  // Without an explicit range the run spans the sessions with an accepted surface.
  const sessions = all.filter((d) => (options.start !== undefined || d >= firstAccepted) && (options.end !== undefined || d <= lastAccepted));
  const spotOf = new Map(chain.map((row) => [row.date, Number(row.spot)]));
  const missing = sessions.filter((d) => !spotOf.has(d));
  if (missing.length > 0) {
    for (const [date, close] of await curatedCloses(duck, lake, underlier, missing, snapshot)) spotOf.set(date, close);
  }
  return { underlier, sessions, slices, spot: sessions.map((d) => spotOf.get(d) ?? Number.NaN), snapshot };
}

/**
 * The underlier's curated close on sessions without a chain: the close options_iv takes its spot from (the
 * curated daily bars, src/options/curate-options.ts), so a session without a chain still moves the hedge.
 * Records the bars' seq in `snapshot` when it reads them.
 */
async function curatedCloses(duck: DuckSession, lake: LakeAccess, underlier: string, dates: readonly string[], snapshot: Record<string, number>): Promise<Map<string, number>> {
  const manifest = await lake.readManifest(CURATE_TABLES.adjusted);
  const files = (manifest?.files ?? []).filter((f) => f.symbols === undefined || f.symbols.includes(underlier));
  if (manifest === undefined || files.length === 0) return new Map();
  snapshot[CURATE_TABLES.adjusted] = manifest.seq;
  const paths = await lake.localPaths(files, CURATE_TABLES.adjusted);
  const rows = await duck.rows<{ date: string; close: number }>(
    `SELECT date::DATE::VARCHAR AS date, arg_max(close::DOUBLE, bar_time) AS close
     FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)
     WHERE symbol = ${sqlString(underlier)} AND date::DATE IN (${dates.map((d) => `DATE ${sqlString(d)}`).join(", ")}) GROUP BY ALL`,
  );
  return new Map(rows.filter((r) => Number(r.close) > 0).map((r) => [r.date, Number(r.close)]));
}
