/** The options backtester's inputs and outputs: its legs, the rows of its tables, its summary (docs/options.md, section 5). */
import type { Kernels } from "../../kernels/index.ts";
import type { HedgeStatusName } from "../../kernels/hedge/index.ts";
import type { BacktestSummary } from "../equities/simulate.ts";

/** What the backtester needs of the kernel façade. */
export type BacktestKernels = Pick<Kernels, "bsmOptions" | "sviEval" | "hedge">;

/** Borrow fee per calendar day per unit of short value (src/reference/borrow-tiers.ts). */
export interface BorrowLookup {
  dailyFee(symbol: string, date: string, calendarDays?: number): number;
  rateOf(symbol: string, date: string): { readonly tier: string; readonly bpsPerYear: number };
}

export interface BacktestLeg {
  readonly position: number;
  readonly leg: number;
  readonly expiry: string;
  readonly strike: number;
  readonly right: "C" | "P";
  /** Units of the underlier (leg qty × quantity × multiplier), signed. */
  readonly quantity: number;
  readonly entryStep: number;
  /** -1: held to the end of the run. */
  readonly exitStep: number;
}

export interface SkippedEntry {
  readonly date: string;
  readonly reason: string;
}

export type OptionsDailyRow = {
  readonly date: string;
  readonly spot: number;
  readonly spot_carried: boolean;
  readonly pnl: number;
  readonly delta_pnl: number;
  readonly gamma_pnl: number;
  readonly vega_pnl: number;
  readonly theta_pnl: number;
  readonly residual: number;
  readonly financing: number;
  readonly borrow: number;
  readonly stock_cost: number;
  readonly option_cost: number;
  readonly hedge_shares: number;
  readonly hedge_trade: number;
  readonly book_value: number;
  readonly book_delta: number;
  readonly cash: number;
  readonly equity: number;
  readonly net: number;
  readonly open_legs: number;
  readonly carried_legs: number;
  readonly status: HedgeStatusName;
  readonly rate: number;
  readonly div: number;
  readonly borrow_tier: string;
  readonly borrow_bps: number;
};

export type OptionsPositionRow = {
  readonly date: string;
  readonly position_id: number;
  readonly leg: number;
  readonly expiry: string;
  readonly strike: number;
  readonly right: string;
  readonly quantity: number;
  readonly t: number;
  readonly vol: number;
  readonly mark: number;
  readonly value: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
  /** True when the session had no accepted slice of the leg's expiry: mark and Greeks are the last good ones. */
  readonly carried: boolean;
  readonly mark_date: string;
};

export type OptionsTradeRow = {
  readonly date: string;
  readonly position_id: number | null;
  readonly leg: number | null;
  readonly instrument: "option" | "stock";
  readonly action: "open" | "close" | "expire" | "hedge";
  readonly expiry: string | null;
  readonly strike: number | null;
  readonly right: string | null;
  /** Signed units bought (+) or sold (−). */
  readonly quantity: number;
  readonly price: number;
  readonly cost: number;
};

export interface OptionsBacktestSummary extends BacktestSummary {
  readonly totalPnl: number;
  readonly stockCost: number;
  readonly optionCost: number;
  readonly borrow: number;
  readonly financing: number;
  /** Stock costs and borrow of the hedge (currency, ≤ 0). */
  readonly hedgingCost: number;
  /** Hedge shares traded × spot, over the capital. */
  readonly hedgeTurnover: number;
  /** Option premium traded (entries and exits at their marks), over the capital. */
  readonly optionTurnover: number;
  readonly positions: number;
  readonly carriedSteps: number;
}

export interface OptionsBacktestResult {
  readonly legs: readonly BacktestLeg[];
  readonly skipped: readonly SkippedEntry[];
  readonly daily: readonly OptionsDailyRow[];
  readonly positions: readonly OptionsPositionRow[];
  readonly trades: readonly OptionsTradeRow[];
  readonly summary: OptionsBacktestSummary;
}

