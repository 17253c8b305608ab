/** The options backtester: a strategy's positions marked daily on the SVI surfaces, delta-hedged by the hedging kernel. */
export { readOptionsMarket, type OptionsMarket } from "./market.ts";
export {
  planLegs, simulateOptionsBacktest, type BacktestKernels, type BacktestLeg, type BorrowLookup, type OptionsBacktestResult, type OptionsBacktestSummary,
  type OptionsDailyRow, type OptionsPositionRow, type OptionsTradeRow, type SkippedEntry,
} from "./simulate.ts";
export { OPTIONS_BACKTEST_KIND, runOptionsBacktest, type OptionsBacktestOptions, type OptionsBacktestRun } from "./run-options-backtest.ts";
