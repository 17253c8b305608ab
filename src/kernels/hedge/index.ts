/**
 * Hedging kernel: delta-hedges a book of options along many paths (Monte Carlo paths, or one historical path per
 * backtest) with stock and option costs, financing of the cash account, dividends and borrow on short stock, and
 * returns every step's PnL explained by delta, gamma, vega, theta and a residual, plus per-path totals. Prices and
 * Greeks come from the BSM kernel (normalised Black); the arithmetic runs in WebAssembly (assembly/hedge/), the
 * same bits on x64 and arm64.
 *
 *     const k = await createKernels();
 *     const result = k.hedge({
 *       paths: 1, steps: 3,
 *       book: bookFromLegs([{ strike: 100, expiry: 0.25, type: "call", quantity: -100 }]),
 *       spot: { perPathStep: [100, 101.5, 99.8] }, time: { perStep: [0, 1 / 365, 2 / 365] }, rate: 0.03, vol: 0.2,
 *     }, { mode: "every_step", stock_cost_bps: 1 });
 *     result.perStep?.pnl; result.totals.gamma;
 *
 * There is no TypeScript twin: on the "ts" engine `hedge` throws (the tests' oracle is an independent scalar
 * computation, tests/kernels/hedge/). See docs/kernels.md, "Hedging kernel".
 */
import { parseParams } from "../../config/issues.ts";
import { hedgeParamsSchema, type HedgeParams, type HedgeParamsInput } from "../../config/schemas/hedge.ts";
import { KernelError } from "../../domain/errors.ts";
import type { KernelInstance } from "../instance.ts";
import { createWasmHedgeEngine, type HedgeEngine } from "./engine.ts";
import { MARK_CODE, MODE_CODE, PARAM, PARAM_SLOTS, REBALANCE_TO_CODE } from "./layout.ts";
import { planHedge } from "./plan.ts";
import type { HedgeBook, HedgeInput, HedgeLeg, HedgeResult, HedgeRunOptions } from "./types.ts";

export type * from "./types.ts";
export type { HedgeParams, HedgeParamsInput };
export { hedgeParamsSchema };
export { HEDGE_STATUS, HEDGE_STATUS_NAMES, HEDGE_FIRST_FAILURE, hedgeStatusName } from "./layout.ts";

export interface HedgeFamily {
  /** Hedges `input.book` along every path; params are parsed with hedgeParamsSchema (its defaults apply). */
  hedge(input: HedgeInput, params?: HedgeParamsInput, options?: HedgeRunOptions): HedgeResult;
}

/** The hedge method as a kernel family for createKernels (src/kernels/index.ts). */
export function hedgeFamily(ctx: { readonly module: KernelInstance | undefined }): HedgeFamily {
  const module = ctx.module;
  if (module === undefined) {
    return {
      hedge() {
        throw new KernelError("kernel_hedge_needs_wasm", "the hedging kernel runs in WebAssembly only; create the kernels with the wasm engine");
      },
    };
  }
  return createHedgeKernels(module);
}

export function createHedgeKernels(module: KernelInstance): HedgeFamily {
  let engine: HedgeEngine | undefined;
  return {
    hedge(input, params, options) {
      engine ??= createWasmHedgeEngine(module);
      const parsed = parseHedgeParams(params);
      const plan = planHedge(input);
      return engine.run(plan, paramBlock(parsed, plan.mark !== undefined), options?.steps ?? true, options?.out);
    },
  };
}

/** Parses parameters with their schema (the only source of defaults); a bad one is a ConfigError naming the key. */
export function parseHedgeParams(value: unknown): HedgeParams {
  return parseParams(hedgeParamsSchema, value, "hedge", "hedge_bad_params");
}

function paramBlock(params: HedgeParams, markFromPrice: boolean): Float64Array {
  const block = new Float64Array(PARAM_SLOTS);
  block[PARAM.mode] = MODE_CODE[params.mode];
  block[PARAM.band] = params.band;
  block[PARAM.rebalanceTo] = REBALANCE_TO_CODE[params.rebalance_to];
  block[PARAM.stockBps] = params.stock_cost_bps;
  block[PARAM.stockPerShare] = params.stock_cost_per_share;
  block[PARAM.optionBps] = params.option_cost_bps;
  block[PARAM.closeAtEnd] = params.close_at_end ? 1 : 0;
  block[PARAM.markMode] = markFromPrice ? MARK_CODE.price : MARK_CODE.vol;
  block[PARAM.carryBadMarks] = params.carry_bad_marks ? 1 : 0;
  return block;
}

/** A book shared by every path, from one object per leg. */
export function bookFromLegs(legs: readonly HedgeLeg[]): HedgeBook {
  return {
    strike: Float64Array.from(legs, (leg) => leg.strike),
    expiry: Float64Array.from(legs, (leg) => leg.expiry),
    isCall: Int32Array.from(legs, (leg) => (leg.type === "call" ? 1 : 0)),
    quantity: Float64Array.from(legs, (leg) => leg.quantity),
    entryPrice: Float64Array.from(legs, (leg) => leg.entryPrice ?? Number.NaN),
    entryStep: Int32Array.from(legs, (leg) => leg.entryStep ?? 0),
    exitStep: Int32Array.from(legs, (leg) => leg.exitStep ?? -1),
  };
}
