/** The equities backtester: daily long-short portfolios from predictions, costs by liquidity, borrow by tier. */
export { portfolioWeights } from "./portfolio-weights.ts";
export {
  simulateEquitiesBacktest, summarise, type BacktestPanel, type BorrowFees, type BacktestDay, type BacktestPosition,
  type BacktestSummary, type BacktestResult,
} from "./simulate.ts";
export { backtestRunId, backtestTables, writeBacktest, type BacktestIdentity, type WrittenBacktest } from "./write-backtest.ts";
