// The WebAssembly hedging kernel against the scalar oracle (_oracle.ts) on random valid scenarios covering every
// hedging mode, marks from vols and from prices, per-path books with entries, exits and expiries, costs, financing,
// dividends and borrow; and the kernel's own invariants (attribution sums to the PnL, the PnL sums to the final
// value, results do not depend on how paths are grouped into calls).
import { beforeAll, describe, expect, it } from "vitest";
import { createKernels, type Kernels } from "../../../src/kernels/index.ts";
import { parseHedgeParams, type HedgeParamsInput, type HedgeResult, type HedgeStepColumns } from "../../../src/kernels/hedge/index.ts";
import { oraclePath, type OracleRow } from "./_oracle.ts";
import { randomScenario } from "./_scenario.ts";

let k: Kernels;
beforeAll(async () => {
  k = await createKernels({ engine: "wasm", workers: 1 });
});

const COLUMNS = ["pnl", "delta", "gamma", "vega", "theta", "financing", "borrow", "stockCost", "optionCost", "residual",
  "hedge", "cash", "bookValue", "bookDelta"] as const satisfies readonly (keyof OracleRow & keyof HedgeStepColumns)[];

const CASES: { name: string; params: HedgeParamsInput; markFromPrice: boolean }[] = [
  { name: "every step, marks from vols", params: { mode: "every_step", stock_cost_bps: 2, stock_cost_per_share: 0.005, option_cost_bps: 10 }, markFromPrice: false },
  { name: "every step, marks from prices, close at end", params: { mode: "every_step", stock_cost_bps: 1, close_at_end: true }, markFromPrice: true },
  { name: "band in shares, to the centre", params: { mode: "band_shares", band: 3, stock_cost_bps: 5 }, markFromPrice: false },
  { name: "band in shares, to the edge", params: { mode: "band_shares", band: 2, rebalance_to: "edge", stock_cost_per_share: 0.01 }, markFromPrice: true },
  { name: "band in delta-dollars", params: { mode: "band_dollars", band: 150, stock_cost_bps: 3, close_at_end: true }, markFromPrice: false },
  { name: "no hedge", params: { mode: "none", option_cost_bps: 25 }, markFromPrice: false },
];

function stepColumns(result: HedgeResult): HedgeStepColumns {
  const perStep = result.perStep;
  if (perStep === undefined) throw new Error("no step columns");
  return perStep;
}

describe("hedging kernel against the scalar oracle", () => {
  for (const [i, c] of CASES.entries()) {
    it(c.name, () => {
      const paths = 5, steps = 40, legs = 4;
      const scenario = randomScenario(1000 + i, paths, steps, legs, c.params, c.markFromPrice);
      const result = k.hedge(scenario.input, c.params);
      const perStep = stepColumns(result);
      expect(result.failed).toBe(0);
      expect(Array.from(result.totals.status)).toEqual(new Array(paths).fill(0));
      const params = parseHedgeParams(c.params);
      let trades = 0;
      for (let p = 0; p < paths; p++) {
        const rows = oraclePath(scenario.legs[p] ?? [], scenario.steps[p] ?? [], params);
        // Tolerance: a few ulps of the path's largest amount (cash), times the number of operations behind it.
        const scale = Math.max(...rows.map((r) => Math.abs(r.cash) + Math.abs(r.bookValue)), 1);
        for (const [kStep, want] of rows.entries()) {
          const at = p * steps + kStep;
          for (const name of COLUMNS) {
            const got = perStep[name][at] ?? Number.NaN;
            expect(Math.abs(got - want[name]), `${name} path ${p} step ${kStep}: ${got} vs ${want[name]}`).toBeLessThanOrEqual(1e-11 * scale);
          }
          if (kStep > 0 && want.hedge !== rows[kStep - 1]?.hedge) trades++;
        }
      }
      if (c.params.mode !== "none") expect(trades).toBeGreaterThan(paths * 3);
    });
  }
});

describe("hedging kernel invariants", () => {
  const scenario = randomScenario(77, 300, 30, 3, { mode: "band_shares", band: 2, stock_cost_bps: 4, option_cost_bps: 5 }, false);

  it("attribution sums to the step PnL, steps sum to the path total and to the final value", () => {
    const result = k.hedge(scenario.input, scenario.params);
    const s = stepColumns(result);
    const { paths, steps } = result;
    for (let p = 0; p < paths; p++) {
      let total = 0;
      for (let kStep = 0; kStep < steps; kStep++) {
        const at = p * steps + kStep;
        const get = (a: Float64Array) => a[at] ?? Number.NaN;
        const parts = get(s.delta) + get(s.gamma) + get(s.vega) + get(s.theta) + get(s.residual) + get(s.financing) +
          get(s.borrow) + get(s.stockCost) + get(s.optionCost);
        const scale = Math.abs(get(s.cash)) + Math.abs(get(s.bookValue)) + 1;
        expect(Math.abs(parts - get(s.pnl))).toBeLessThanOrEqual(1e-12 * scale);
        expect(get(s.stockCost)).toBeLessThanOrEqual(0);
        expect(get(s.optionCost)).toBeLessThanOrEqual(0);
        expect(get(s.borrow)).toBeLessThanOrEqual(0);
        total += get(s.pnl);
      }
      const lastAt = p * steps + steps - 1;
      const spot = (scenario.input.spot as { perPathStep: Float64Array }).perPathStep[lastAt] ?? Number.NaN;
      const finalValue = (s.bookValue[lastAt] ?? 0) + (s.hedge[lastAt] ?? 0) * spot + (s.cash[lastAt] ?? 0);
      const scale = Math.abs(s.cash[lastAt] ?? 0) + 1;
      expect(Math.abs(total - finalValue)).toBeLessThanOrEqual(1e-10 * scale);
      expect(Math.abs((result.totals.pnl[p] ?? Number.NaN) - total)).toBeLessThanOrEqual(1e-10 * scale);
    }
  });

  it("gives the same bits whether paths run together, one by one, totals only or into reused arrays", () => {
    const together = k.hedge(scenario.input, scenario.params);
    const reused = k.hedge(scenario.input, scenario.params, { out: k.hedge(scenario.input, { mode: "none" }) });
    expect(Buffer.from(stepColumns(reused).pnl.buffer).equals(Buffer.from(stepColumns(together).pnl.buffer))).toBe(true);
    expect(() => k.hedge(scenario.input, scenario.params, { out: reused, steps: false })).toThrow(/reused result/);
    const totalsOnly = k.hedge(scenario.input, scenario.params, { steps: false });
    expect(totalsOnly.perStep).toBeUndefined();
    expect(Buffer.from(totalsOnly.totals.pnl.buffer).equals(Buffer.from(together.totals.pnl.buffer))).toBe(true);
    const { input } = scenario;
    const b = input.book;
    const steps = input.steps;
    const legs = b.strike.length / input.paths;
    const one = (p: number) => {
      const cut = <T extends { slice(a: number, b: number): T }>(a: T, per: number) => a.slice(p * per, (p + 1) * per);
      const perPathStep = (s: unknown) => cut((s as { perPathStep: Float64Array }).perPathStep, steps);
      const perPath = (s: unknown) => cut((s as { perPath: Float64Array }).perPath, 1);
      const vol = (input.vol as { perLeg: { perPathStep: Float64Array }[] }).perLeg;
      return k.hedge({
        ...input, paths: 1,
        book: {
          strike: cut(b.strike as Float64Array, legs), expiry: cut(b.expiry as Float64Array, legs),
          isCall: cut(b.isCall as Int32Array, legs), quantity: cut(b.quantity as Float64Array, legs),
          entryPrice: cut(b.entryPrice as Float64Array, legs), entryStep: cut(b.entryStep as Int32Array, legs),
          exitStep: cut(b.exitStep as Int32Array, legs), perPath: true,
        },
        spot: { perPathStep: perPathStep(input.spot) }, time: { perPathStep: perPathStep(input.time) },
        div: { perPath: perPath(input.div) }, borrowBps: { perPath: perPath(input.borrowBps) },
        vol: { perLeg: vol.map((s) => ({ perPathStep: perPathStep(s) })) },
      }, scenario.params);
    };
    const s = stepColumns(together);
    for (const p of [0, 1, 31, 32, 255, 256, 299]) {
      const alone = stepColumns(one(p));
      for (const name of COLUMNS) {
        const a = s[name].slice(p * steps, (p + 1) * steps);
        expect(Buffer.from(alone[name].buffer).equals(Buffer.from(a.buffer)), `${name} of path ${p}`).toBe(true);
      }
    }
  });
});
