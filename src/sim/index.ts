/** The vendor simulator (public surface, re-exported by src/index.ts). */
export { startSimulator, parseSimLimits, DEFAULT_UNIVERSE as SIM_DEFAULT_UNIVERSE, type Simulator, type SimulatorOptions } from "./server.ts";
export { SyntheticMarket, occSymbol, type DailyBar, type MinuteBar, type SplitEvent, type DividendEvent, type OptionQuote as SimOptionQuote, type OptionForward } from "./market.ts";
export { ssviSlice, sviTotalVariance, type PlantedSsvi, type PlantedSvi } from "./planted-surface.ts";
export type { FaultPlan, RateLimitRule, RequestLogEntry, SimVendor } from "./types.ts";
