/**
 * The strategies step of the options pass (after surfaces are committed): for each re-curated session, the
 * candidate structures on its accepted slices (curated/options_strategies), and the next-session evaluation of
 * the structures entered the session before and on the session itself (curated/options_strategy_pnl, laid out by
 * entry session). It reads the committed surfaces and implied vols back from the lake, so a session whose
 * neighbour was curated in an earlier run is evaluated as well; each session's part is replaced whole, so a re-run
 * writes the same rows.
 */
import type { OptionsCurationConfig } from "../config/schemas/options.ts";
import type { PartWriter, TableColumns } from "../db/part-writer.ts";
import { sqlList, type DuckSession } from "../db/session.ts";
import { nextSession, previousSession } from "../domain/calendar/index.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { OPTIONS_TABLES, sessionFolder } from "./options-tables.ts";
import { replaceSessionParts, sessionRowsWriter } from "./replace-sessions.ts";
import { buildStrategies, remarkStrategy, strategyRow, type Strategy, type StrategyKernels, type StrategySlice } from "./strategies.ts";

const STRATEGY_COLUMNS: TableColumns = [
  ["underlying", "VARCHAR"], ["date", "DATE"], ["strategy", "VARCHAR"], ["tenor_days", "INTEGER"], ["expiry", "DATE"], ["spot", "DOUBLE"],
  ["n_legs", "INTEGER"], ["legs", "VARCHAR"], ["price", "DOUBLE"], ["delta", "DOUBLE"], ["gamma", "DOUBLE"], ["vega", "DOUBLE"], ["theta", "DOUBLE"],
];
const PNL_COLUMNS: TableColumns = [
  ["underlying", "VARCHAR"], ["date", "DATE"], ["mark_date", "DATE"], ["strategy", "VARCHAR"], ["tenor_days", "INTEGER"], ["expiry", "DATE"],
  ["spot", "DOUBLE"], ["spot_next", "DOUBLE"], ["dt", "DOUBLE"], ["price", "DOUBLE"], ["price_next", "DOUBLE"], ["option_pnl", "DOUBLE"],
  ["hedge_pnl", "DOUBLE"], ["pnl", "DOUBLE"], ["delta_pnl", "DOUBLE"], ["gamma_pnl", "DOUBLE"], ["vega_pnl", "DOUBLE"], ["theta_pnl", "DOUBLE"],
  ["residual", "DOUBLE"], ["legs", "VARCHAR"],
];

export interface StrategiesStepOptions {
  readonly duck: DuckSession;
  readonly lake: LakeAccess;
  readonly parts: PartWriter;
  readonly kernels: StrategyKernels;
  readonly config: OptionsCurationConfig["strategies"];
  /** The sessions this pass re-curated. */
  readonly sessions: readonly string[];
}

/** Reads a table's parts of `dates` (at its latest seq, or `seq`) into temp table `name` (empty when none). */
async function loadSessions(duck: DuckSession, lake: LakeAccess, table: string, dates: readonly string[], name: string, columns: string, seq?: number): Promise<void> {
  const files = ((await lake.readManifest(table, seq))?.files ?? []).filter((f) => dates.some((d) => f.key.startsWith(`${sessionFolder(table, d)}/`)));
  if (files.length === 0) {
    await duck.run(`CREATE OR REPLACE TEMP TABLE ${name} (${columns})`);
    return;
  }
  const paths = await lake.localPaths(files, table);
  await duck.run(`CREATE OR REPLACE TEMP TABLE ${name} AS SELECT ${columns.split(",").map((c) => c.trim().split(" ")[0]).join(", ")} FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)`);
}

/**
 * Accepted slices of `dates` with their spot, discount factor and listed strikes, grouped by underlier|session
 * (the options backtester reads its market with it too, at the seqs it pins: `seqs[table]`, default latest).
 * The sessions' rows stay in temp tables `strategy_surfaces` and `strategy_iv` until the caller drops them.
 */
export async function readSlices(duck: DuckSession, lake: LakeAccess, dates: readonly string[], seqs: Readonly<Record<string, number>> = {}): Promise<Map<string, StrategySlice[]>> {
  await loadSessions(duck, lake, OPTIONS_TABLES.surfaces, dates, "strategy_surfaces",
    "underlying VARCHAR, date DATE, expiry DATE, t DOUBLE, forward DOUBLE, a DOUBLE, b DOUBLE, rho DOUBLE, m DOUBLE, sigma DOUBLE, k_min DOUBLE, k_max DOUBLE, qc_status VARCHAR",
    seqs[OPTIONS_TABLES.surfaces]);
  await loadSessions(duck, lake, OPTIONS_TABLES.iv, dates, "strategy_iv",
    "underlying VARCHAR, date DATE, expiry DATE, strike DOUBLE, spot DOUBLE, df DOUBLE, t DOUBLE", seqs[OPTIONS_TABLES.iv]);
  const rows = await duck.rowsJs(`
    SELECT s.underlying, s.date::VARCHAR AS date, s.expiry::VARCHAR AS expiry, s.t, s.forward, s.a, s.b, s.rho, s.m, s.sigma, s.k_min, s.k_max,
           i.spot, i.df, i.strikes
    FROM strategy_surfaces s
    JOIN (SELECT underlying, date, expiry, any_value(spot) AS spot, any_value(df) AS df, list(DISTINCT strike ORDER BY strike) AS strikes
          FROM strategy_iv WHERE t > 0 GROUP BY ALL) i USING (underlying, date, expiry)
    WHERE s.qc_status IN ('ok', 'repaired') AND i.spot > 0 AND i.df > 0 AND s.forward > 0
    ORDER BY s.underlying, s.date, s.expiry`);
  const out = new Map<string, StrategySlice[]>();
  for (const r of rows) {
    const slice: StrategySlice = {
      underlying: String(r["underlying"]), date: String(r["date"]), expiry: String(r["expiry"]), t: Number(r["t"]), spot: Number(r["spot"]),
      forward: Number(r["forward"]), df: Number(r["df"]),
      params: { a: Number(r["a"]), b: Number(r["b"]), rho: Number(r["rho"]), m: Number(r["m"]), sigma: Number(r["sigma"]) },
      kMin: Number(r["k_min"]), kMax: Number(r["k_max"]), strikes: Array.isArray(r["strikes"]) ? r["strikes"].map(Number) : [],
    };
    const id = `${slice.underlying}|${slice.date}`;
    (out.get(id) ?? out.set(id, []).get(id) ?? []).push(slice);
  }
  return out;
}

/** Runs the step; returns the commit seq per table written. */
export async function writeStrategies(options: StrategiesStepOptions): Promise<Record<string, number>> {
  const { duck, lake, parts, kernels, config, sessions } = options;
  if (!config.enabled || sessions.length === 0) return {};
  // PnL parts are laid out by entry session: a re-curated session changes its own and its predecessor's.
  const entries = [...new Set(sessions.flatMap((d) => [previousSession(d), d]))].sort();
  const dates = [...new Set([...entries, ...entries.map((d) => nextSession(d))])].sort();
  const slices = await readSlices(duck, lake, dates);

  const built = new Map<string, Strategy[]>();
  for (const [id, list] of slices) built.set(id, buildStrategies(kernels, list, config));
  const strategies = sessions.flatMap((d) => [...built.entries()].filter(([id]) => id.endsWith(`|${d}`)).flatMap(([, list]) => list));
  const pnl = entries.flatMap((d) => [...built.entries()].filter(([id]) => id.endsWith(`|${d}`)).flatMap(([id, list]) => {
    const next = slices.get(`${id.slice(0, id.lastIndexOf("|"))}|${nextSession(d)}`) ?? [];
    return list.flatMap((s) => remarkStrategy(kernels, s, next) ?? []);
  }));

  const commits: Record<string, number> = {};
  const s = await replaceSessionParts(lake, parts, OPTIONS_TABLES.strategies, sessions, sessionRowsWriter(parts, OPTIONS_TABLES.strategies, STRATEGY_COLUMNS, strategies.map(strategyRow)));
  if (s !== undefined) commits[OPTIONS_TABLES.strategies] = s;
  const p = await replaceSessionParts(lake, parts, OPTIONS_TABLES.strategyPnl, entries, sessionRowsWriter(parts, OPTIONS_TABLES.strategyPnl, PNL_COLUMNS, pnl));
  if (p !== undefined) commits[OPTIONS_TABLES.strategyPnl] = p;
  await duck.run(`DROP TABLE IF EXISTS strategy_surfaces; DROP TABLE IF EXISTS strategy_iv`);
  return commits;
}
