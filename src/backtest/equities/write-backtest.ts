/**
 * An equities backtest run as lake tables: `backtests/equities/<run_id>/daily` (one row per date) and
 * `backtests/equities/<run_id>/positions` (one row per name held or traded per date), written through the lake
 * write path. The run id is a hash of the config, the input snapshot (manifest seqs), the predictions and the
 * code version, so re-running the same inputs finds its tables already committed and writes nothing. The input
 * snapshot is pinned (lake/pins.ts) so the data behind the run stays readable.
 */
import { createHash } from "node:crypto";
import { DuckSession } from "../../db/session.ts";
import { PartWriter, type TableColumns } from "../../db/part-writer.ts";
import type { LakeAccess } from "../../lake/lake-access.ts";
import { pinSnapshots } from "../../lake/pins.ts";
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

/** 16 hex digits of SHA-256 over the canonical inputs: same inputs, same id. */
export function backtestRunId(identity: BacktestIdentity): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ model: identity.model, config: identity.config, snapshot: Object.entries(identity.snapshot).sort(), code: identity.codeVersion }));
  hash.update(new Uint8Array(identity.predictions.buffer, identity.predictions.byteOffset, identity.predictions.byteLength));
  return hash.digest("hex").slice(0, 16);
}

export function backtestTables(runId: string): { readonly daily: string; readonly positions: string } {
  return { daily: `backtests/equities/${runId}/daily`, positions: `backtests/equities/${runId}/positions` };
}

export interface WrittenBacktest {
  readonly runId: string;
  readonly tables: { readonly daily: string; readonly positions: string };
  /** False when the run's tables already existed (the same inputs were backtested before). */
  readonly written: boolean;
}

const nullable = (v: number): number | null => (Number.isFinite(v) ? v : null);

export async function writeBacktest(lake: LakeAccess, runId: string, result: BacktestResult, snapshot: Readonly<Record<string, number>>): Promise<WrittenBacktest> {
  const tables = backtestTables(runId);
  if ((await lake.readManifest(tables.daily)) !== undefined && (await lake.readManifest(tables.positions)) !== undefined) {
    return { runId, tables, written: false };
  }
  if (Object.keys(snapshot).length > 0) {
    await pinSnapshots(lake.store, { kind: "backtest", id: `equities-${runId}`, tables: snapshot, note: `equities backtest ${runId}` });
  }
  const duck = await DuckSession.create({ kernels: false, memoryLimit: "512MB", threads: 1 });
  const writer = new PartWriter({ session: duck, store: lake.store, commit: lake.commitOptions });
  try {
    const daily = await writer.writeRows(
      DAILY_COLUMNS,
      result.days.map((d) => ({ date: d.date, gross: d.gross, cost: d.cost, borrow: d.borrow, net: d.net, turnover: d.turnover,
        long_names: d.longNames, short_names: d.shortNames, capacity_usd: nullable(d.capacityUsd) })),
      { folder: tables.daily, bounds: ["date"] },
    );
    const positions = await writer.writeRows(
      POSITION_COLUMNS,
      result.positions.map((p) => ({ date: p.date, symbol: p.symbol, score: nullable(p.score), weight: p.weight, trade: p.trade,
        forward_return: nullable(p.forwardReturn), pnl: p.pnl, cost: p.cost, borrow: p.borrow, borrow_tier: p.borrowTier === "" ? null : p.borrowTier })),
      { folder: tables.positions, bounds: ["date"], symbolColumn: "symbol", maxSymbols: 0 },
    );
    // Positions first: a run whose daily table exists is complete.
    if ((await lake.readManifest(tables.positions)) === undefined) await writer.append(tables.positions, [positions]);
    if ((await lake.readManifest(tables.daily)) === undefined) await writer.append(tables.daily, [daily]);
    return { runId, tables, written: true };
  } finally {
    await writer.close();
    duck.close();
  }
}
