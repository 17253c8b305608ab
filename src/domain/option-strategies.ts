/**
 * The option structures trademl builds (docs/options.md, section 4). A domain fact, not a pipeline's: the options
 * pass builds them (src/options/strategies.ts) and the options backtester's config names one
 * (src/config/schemas/options-backtest.ts), and config may not import a pipeline.
 */
export const STRATEGY_NAMES = ["straddle", "strangle", "call_vertical", "put_vertical", "risk_reversal", "butterfly", "calendar"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
