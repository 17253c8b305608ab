/**
 * The hedging family's arm64 vector set (assembly/hedge/): a per-path book with staggered entries and exits,
 * random-walk spots and vols from an integer generator (arithmetic only, so the inputs are the same bits
 * everywhere), dividends, borrow and a half-spread, hedged every step, in a share band traded to its edge with a
 * carried mark, and in a dollar band with marks from prices; path 7 fails at step 12. The kernel's columns reach it
 * through pointer tables, so the calls go through the family's own engine (src/kernels/hedge/engine.ts, which
 * names the exports' arguments through the ABI descriptor).
 */
import { HEDGE_LAYOUT_DIGEST, HEDGE_RUN, HEDGE_SCRATCH_BYTES } from "../../src/kernels/abi/index.ts";
import { createHedgeKernels, type HedgeInput, type HedgeParamsInput } from "../../src/kernels/hedge/index.ts";
import type { KernelInstance } from "../../src/kernels/instance.ts";

export const HEDGE_EXPORTS = [HEDGE_LAYOUT_DIGEST, HEDGE_SCRATCH_BYTES, HEDGE_RUN].map((e) => e.name);

const PATHS = 300;
const STEPS = 40;
const LEGS = 4;

function world(): { input: HedgeInput; mark: Float64Array[] } {
  let state = 987654321;
  const u = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) / 16777216;
  };
  const spot = new Float64Array(PATHS * STEPS);
  const time = Float64Array.from({ length: STEPS }, (_, k) => k / 365);
  const vol = Array.from({ length: LEGS }, () => new Float64Array(PATHS * STEPS));
  const mark = Array.from({ length: LEGS }, () => new Float64Array(PATHS * STEPS));
  for (let p = 0; p < PATHS; p++) {
    let s = 100;
    for (let k = 0; k < STEPS; k++) {
      if (k > 0) s *= 1 + 0.02 * (2 * u() - 1);
      spot[p * STEPS + k] = s;
      for (let l = 0; l < LEGS; l++) {
        (vol[l] ?? [])[p * STEPS + k] = 0.15 + 0.2 * u();
        (mark[l] ?? [])[p * STEPS + k] = 1 + 6 * u();
      }
    }
  }
  spot[7 * STEPS + 12] = -1; // path 7 fails at step 12
  (vol[1] ?? [])[9 * STEPS + 20] = Number.NaN; // leg 1 of path 9 has no vol at step 20 (carried when allowed)
  const strike: number[] = [];
  const expiry: number[] = [];
  const isCall: number[] = [];
  const quantity: number[] = [];
  const entryStep: number[] = [];
  const exitStep: number[] = [];
  for (let p = 0; p < PATHS; p++) {
    for (let l = 0; l < LEGS; l++) {
      strike.push(85 + 30 * u());
      expiry.push((10 + 40 * u()) / 365);
      isCall.push(u() < 0.5 ? 1 : 0);
      quantity.push(Math.round(20 * u()) - 10 || 3);
      const entry = l === 0 ? 0 : Math.floor(20 * u());
      entryStep.push(entry);
      exitStep.push(u() < 0.5 ? -1 : Math.min(STEPS - 1, entry + Math.floor(15 * u())));
    }
  }
  const input: HedgeInput = {
    paths: PATHS, steps: STEPS,
    book: { strike, expiry, isCall, quantity, entryStep, exitStep, perPath: true },
    spot: { perPathStep: spot }, time: { perStep: time }, rate: 0.03, div: 0.01, borrowBps: 300,
    vol: { perLeg: vol.map((v) => ({ perPathStep: v })) }, halfSpread: 0.02,
  };
  return { input, mark };
}

export function runHedgeVectors(instance: KernelInstance): Map<string, number[]> {
  const { input, mark } = world();
  const kernels = createHedgeKernels(instance);
  const groups = new Map<string, number[]>();
  const hedge = (name: string, params: HedgeParamsInput, withMarks: boolean): void => {
    const run = kernels.hedge(withMarks ? { ...input, mark: { perLeg: mark.map((m) => ({ perPathStep: m })) } } : input, params);
    const steps = run.perStep;
    if (steps === undefined) throw new Error("hedge vectors: the run kept no steps");
    for (const [key, values] of Object.entries(steps)) groups.set(`${name} steps.${key}`, Array.from(values));
    for (const [key, values] of Object.entries(run.totals)) groups.set(`${name} totals.${key}`, Array.from(values));
    groups.set(`${name} failed`, [run.failed, run.carried]);
  };
  hedge("every_step", {
    mode: "every_step", stock_cost_bps: 2, stock_cost_per_share: 0.005, option_cost_bps: 10, close_at_end: false,
    carry_bad_marks: false,
  }, false);
  hedge("band_edge_carry", {
    mode: "band_shares", band: 3, rebalance_to: "edge", stock_cost_bps: 5, close_at_end: true, carry_bad_marks: true,
  }, false);
  hedge("dollar_band_marks", {
    mode: "band_dollars", band: 250, stock_cost_bps: 1, stock_cost_per_share: 0.01, option_cost_bps: 20, close_at_end: true,
    carry_bad_marks: true,
  }, true);
  return groups;
}
