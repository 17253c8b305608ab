/**
 * The options backtester's positions: the configured structure entered every `entry.every_sessions` sessions (none on
 * the last), built exactly as the strategies pass builds it (buildStrategies on the session's accepted slices), each
 * leg held `entry.hold_sessions` sessions or to the end of the run.
 */
import type { OptionsBacktestConfig } from "../../config/schemas/options-backtest.ts";
import { buildStrategies, type Strategy, type StrategySlice } from "../../options/strategies.ts";
import type { OptionsMarket } from "./surface-history.ts";
import type { BacktestKernels, BacktestLeg, SkippedEntry } from "./types.ts";

/** The configured structure on a session's slices, as the strategies pass builds it; undefined when it cannot be built. */
function entryStructure(kernels: BacktestKernels, slices: readonly StrategySlice[] | undefined, config: OptionsBacktestConfig): Strategy | undefined {
  if (slices === undefined) return undefined;
  const tenors = config.strategy === "calendar" ? [config.tenor_days, config.far_tenor_days] : [config.tenor_days];
  return buildStrategies(kernels, slices, { tenors_days: tenors, wing_delta: config.wing_delta })
    .find((s) => s.strategy === config.strategy && s.tenorDays === config.tenor_days);
}

/** Entries every `every_sessions` sessions (none on the last session), each held `hold_sessions` sessions. */
export function planLegs(kernels: BacktestKernels, market: OptionsMarket, config: OptionsBacktestConfig): { legs: BacktestLeg[]; skipped: SkippedEntry[] } {
  const legs: BacktestLeg[] = [];
  const skipped: SkippedEntry[] = [];
  const n = market.sessions.length;
  let position = 0;
  for (let k = 0; k < n - 1; k += config.entry.every_sessions) {
    const date = market.sessions[k] ?? "";
    const slices = market.slices.get(date);
    const structure = entryStructure(kernels, slices, config);
    if (structure === undefined) {
      skipped.push({ date, reason: slices === undefined ? "no accepted surface" : `no ${config.strategy} at tenor ${config.tenor_days} on the accepted slices` });
      continue;
    }
    const exit = k + config.entry.hold_sessions;
    structure.legs.forEach((leg, i) => {
      legs.push({
        position, leg: i, expiry: leg.expiry, strike: leg.strike, right: leg.right, quantity: leg.qty * config.quantity * config.multiplier,
        entryStep: k, exitStep: exit < n ? exit : -1,
      });
    });
    position++;
  }
  return { legs, skipped };
}
