/**
 * `trademl backtest options`: read the market (surfaces, implied vols, borrow tiers) at the lake's current seqs,
 * run the backtest (simulate.ts) and write it as `backtests/options/<run_id>/{positions,trades,run,daily}`
 * (src/backtest/run-tables.ts). The run id hashes the config, the borrow config, the input manifest seqs and the
 * code version: re-running the same config on the same lake finds its tables and writes nothing. Every check that
 * can fail (config, chain, surfaces, the kernel) runs before the first write, so a failed run leaves nothing.
 */
import type { BorrowConfig } from "../../config/schemas/borrow.ts";
import type { OptionsBacktestConfig } from "../../config/schemas/options-backtest.ts";
import type { TableColumns } from "../../db/part-writer.ts";
import { DuckSession } from "../../db/session.ts";
import { createKernels, type Kernels } from "../../kernels/index.ts";
import type { LakeAccess } from "../../lake/lake-access.ts";
import { loadBorrowTiers } from "../../reference/borrow-tiers.ts";
import { backtestRunId, writeRunTables, type WrittenRun } from "../run-tables.ts";
import { readOptionsMarket } from "./surface-history.ts";
import { simulateOptionsBacktest } from "./simulate.ts";
import type { BacktestKernels, OptionsBacktestResult } from "./types.ts";

export const OPTIONS_BACKTEST_KIND = "options";

const DAILY_COLUMNS: TableColumns = [
  ["date", "DATE"], ["spot", "DOUBLE"], ["spot_carried", "BOOLEAN"], ["pnl", "DOUBLE"], ["delta_pnl", "DOUBLE"], ["gamma_pnl", "DOUBLE"],
  ["vega_pnl", "DOUBLE"], ["theta_pnl", "DOUBLE"], ["residual", "DOUBLE"], ["financing", "DOUBLE"], ["borrow", "DOUBLE"], ["stock_cost", "DOUBLE"],
  ["option_cost", "DOUBLE"], ["hedge_shares", "DOUBLE"], ["hedge_trade", "DOUBLE"], ["book_value", "DOUBLE"], ["book_delta", "DOUBLE"],
  ["cash", "DOUBLE"], ["equity", "DOUBLE"], ["net", "DOUBLE"], ["open_legs", "INTEGER"], ["carried_legs", "INTEGER"], ["status", "VARCHAR"],
  ["rate", "DOUBLE"], ["div", "DOUBLE"], ["borrow_tier", "VARCHAR"], ["borrow_bps", "DOUBLE"],
];
const POSITION_COLUMNS: TableColumns = [
  ["date", "DATE"], ["position_id", "INTEGER"], ["leg", "INTEGER"], ["expiry", "DATE"], ["strike", "DOUBLE"], ["right", "VARCHAR"],
  ["quantity", "DOUBLE"], ["t", "DOUBLE"], ["vol", "DOUBLE"], ["mark", "DOUBLE"], ["value", "DOUBLE"], ["delta", "DOUBLE"], ["gamma", "DOUBLE"],
  ["vega", "DOUBLE"], ["theta", "DOUBLE"], ["carried", "BOOLEAN"], ["mark_date", "DATE"],
];
const TRADE_COLUMNS: TableColumns = [
  ["date", "DATE"], ["position_id", "INTEGER"], ["leg", "INTEGER"], ["instrument", "VARCHAR"], ["action", "VARCHAR"], ["expiry", "DATE"],
  ["strike", "DOUBLE"], ["right", "VARCHAR"], ["quantity", "DOUBLE"], ["price", "DOUBLE"], ["cost", "DOUBLE"],
];
const RUN_COLUMNS: TableColumns = [
  ["underlier", "VARCHAR"], ["strategy", "VARCHAR"], ["first_date", "DATE"], ["last_date", "DATE"], ["sessions", "INTEGER"],
  ["config", "VARCHAR"], ["borrow_config", "VARCHAR"], ["snapshot", "VARCHAR"], ["code_version", "VARCHAR"], ["positions", "INTEGER"],
  ["skipped_entries", "VARCHAR"], ["carried_steps", "INTEGER"], ["total_pnl", "DOUBLE"], ["net_return", "DOUBLE"], ["sharpe", "DOUBLE"],
  ["max_drawdown", "DOUBLE"], ["hedging_cost", "DOUBLE"], ["stock_cost", "DOUBLE"], ["option_cost", "DOUBLE"], ["borrow", "DOUBLE"],
  ["financing", "DOUBLE"], ["hedge_turnover", "DOUBLE"], ["option_turnover", "DOUBLE"],
];

export interface OptionsBacktestOptions {
  readonly lake: LakeAccess;
  readonly config: OptionsBacktestConfig;
  /** configs/borrow.yml. */
  readonly borrow: BorrowConfig;
  readonly codeVersion: string;
  /** The kernel façade (default: createKernels(), closed after the run). */
  readonly kernels?: BacktestKernels;
}

export interface OptionsBacktestRun extends WrittenRun {
  readonly snapshot: Readonly<Record<string, number>>;
  readonly result: OptionsBacktestResult;
}

const nullable = (v: number): number | null => (Number.isFinite(v) ? v : null);

export async function runOptionsBacktest(options: OptionsBacktestOptions): Promise<OptionsBacktestRun> {
  const { lake, config } = options;
  const duck = await DuckSession.create({ kernels: false, memoryLimit: "512MB", threads: 1 });
  const market = await (async () => {
    try {
      return await readOptionsMarket(duck, lake, { underlier: config.underlier, start: config.start, end: config.end });
    } finally {
      duck.close();
    }
  })();
  const tiers = await loadBorrowTiers(lake, options.borrow);
  const snapshot = { ...market.snapshot, ...tiers.snapshot };
  const runId = backtestRunId({
    kind: OPTIONS_BACKTEST_KIND, config, borrow: options.borrow, snapshot: Object.entries(snapshot).sort(), code: options.codeVersion,
  });
  let owned: Kernels | undefined;
  let result: OptionsBacktestResult;
  try {
    const kernels = options.kernels ?? (owned = await createKernels());
    result = simulateOptionsBacktest(kernels, market, config, tiers);
  } finally {
    await owned?.close();
  }
  const s = result.summary;
  const written = await writeRunTables(lake, OPTIONS_BACKTEST_KIND, runId, [
    { name: "positions", columns: POSITION_COLUMNS, rows: result.positions, part: { bounds: ["date"] } },
    { name: "trades", columns: TRADE_COLUMNS, rows: result.trades, part: { bounds: ["date"] } },
    {
      name: "run", columns: RUN_COLUMNS,
      rows: [{
        underlier: config.underlier, strategy: config.strategy, first_date: market.sessions[0] ?? null, last_date: market.sessions.at(-1) ?? null,
        sessions: market.sessions.length, config: JSON.stringify(config), borrow_config: JSON.stringify(options.borrow), snapshot: JSON.stringify(snapshot),
        code_version: options.codeVersion, positions: s.positions, skipped_entries: JSON.stringify(result.skipped), carried_steps: s.carriedSteps,
        total_pnl: s.totalPnl, net_return: s.netReturn, sharpe: nullable(s.netSharpe), max_drawdown: s.maxDrawdown, hedging_cost: s.hedgingCost,
        stock_cost: s.stockCost, option_cost: s.optionCost, borrow: s.borrow, financing: s.financing, hedge_turnover: s.hedgeTurnover,
        option_turnover: s.optionTurnover,
      }],
    },
    // Last: a run whose daily table exists is complete.
    { name: "daily", columns: DAILY_COLUMNS, rows: result.daily, part: { bounds: ["date"] } },
  ], snapshot);
  return { ...written, snapshot, result };
}
