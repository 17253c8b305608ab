/**
 * An equities backtest run as lake tables: `backtests/equities/<run_id>/daily` (one row per date) and
 * `backtests/equities/<run_id>/positions` (one row per name held or traded per date), written by the backtests'
 * shared run writer (src/backtest/run-tables.ts). The run id is a hash of the config, the input snapshot (manifest seqs), the predictions and the
 * code version, so re-running the same inputs finds its tables already committed and writes nothing. The input
 * snapshot is pinned (lake/pins.ts) so the data behind the run stays readable.
 */
import type { TableColumns } from "../../db/part-writer.ts";
import type { LakeAccess } from "../../lake/lake-access.ts";
import { backtestRunId as runIdOf, backtestTable, writeRunTables } from "../run-tables.ts";
import type { BacktestResult } from "./simulate.ts";

const DAILY_COLUMNS: TableColumns = [
  ["date", "DATE"], ["gross", "DOUBLE"], ["cost", "DOUBLE"], ["borrow", "DOUBLE"], ["net", "DOUBLE"],
  ["turnover", "DOUBLE"], ["long_names", "INTEGER"], ["short_names", "INTEGER"], ["capacity_usd", "DOUBLE"],
];
const POSITION_COLUMNS: TableColumns = [
  ["date", "DATE"], ["symbol", "VARCHAR"], ["score", "DOUBLE"], ["weight", "DOUBLE"], ["trade", "DOUBLE"],
  ["forward_return", "DOUBLE"], ["pnl", "DOUBLE"], ["cost", "DOUBLE"], ["borrow", "DOUBLE"], ["borrow_tier", "VARCHAR"],
];

export interface BacktestIdentity {
  /** The model key and candidate, e.g. equities_xs / gbdt. */
  readonly model: string;
  readonly config: unknown;
  readonly snapshot: Readonly<Record<string, number>>;
  readonly predictions: Float64Array;
  readonly codeVersion: string;
}

/** 16 hex digits of SHA-256 over the canonical inputs and the predictions: same inputs, same id. */
export function backtestRunId(identity: BacktestIdentity): string {
  return runIdOf(
    { model: identity.model, config: identity.config, snapshot: Object.entries(identity.snapshot).sort(), code: identity.codeVersion },
    new Uint8Array(identity.predictions.buffer, identity.predictions.byteOffset, identity.predictions.byteLength),
  );
}

export function backtestTables(runId: string): { readonly daily: string; readonly positions: string } {
  return { daily: backtestTable("equities", runId, "daily"), positions: backtestTable("equities", runId, "positions") };
}

export interface WrittenBacktest {
  readonly runId: string;
  readonly tables: { readonly daily: string; readonly positions: string };
  /** False when the run's tables already existed (the same inputs were backtested before). */
  readonly written: boolean;
}

const nullable = (v: number): number | null => (Number.isFinite(v) ? v : null);

export async function writeBacktest(lake: LakeAccess, runId: string, result: BacktestResult, snapshot: Readonly<Record<string, number>>): Promise<WrittenBacktest> {
  // Positions first: a run whose daily table exists is complete.
  const written = await writeRunTables(lake, "equities", runId, [
    {
      name: "positions", columns: POSITION_COLUMNS, part: { bounds: ["date"], symbolColumn: "symbol", maxSymbols: 0 },
      rows: result.positions.map((p) => ({ date: p.date, symbol: p.symbol, score: nullable(p.score), weight: p.weight, trade: p.trade,
        forward_return: nullable(p.forwardReturn), pnl: p.pnl, cost: p.cost, borrow: p.borrow, borrow_tier: p.borrowTier === "" ? null : p.borrowTier })),
    },
    {
      name: "daily", columns: DAILY_COLUMNS, part: { bounds: ["date"] },
      rows: result.days.map((d) => ({ date: d.date, gross: d.gross, cost: d.cost, borrow: d.borrow, net: d.net, turnover: d.turnover,
        long_names: d.longNames, short_names: d.shortNames, capacity_usd: nullable(d.capacityUsd) })),
    },
  ], snapshot);
  return { runId, tables: backtestTables(runId), written: written.written };
}
