/** The options backtester: a strategy's positions marked daily on the SVI surfaces, delta-hedged by the hedging kernel. */
export { readOptionsMarket, type OptionsMarket } from "./surface-history.ts";
export { planLegs } from "./plan-legs.ts";
export { simulateOptionsBacktest } from "./simulate.ts";
export type {
  BacktestKernels, BacktestLeg, BorrowLookup, OptionsBacktestResult, OptionsBacktestSummary, OptionsDailyRow, OptionsPositionRow, OptionsTradeRow,
  SkippedEntry,
} from "./types.ts";
export { OPTIONS_BACKTEST_KIND, runOptionsBacktest, type OptionsBacktestOptions, type OptionsBacktestRun } from "./run-options-backtest.ts";
