// The hedging kernel's own pricer (assembly/hedge/marks.ts: the textbook price and five Greeks on f64x2 lanes, the
// scalar BSM row for rows it does not cover) against the BSM batch (the normalised Black function) over a wide grid:
// deep in and out of the money, days to years, vols from 1% to 300%, calls and puts, and rows the fast form leaves
// to the scalar row (|d| past the erfcx table, zero vol). Each path holds one unit of one option over two steps,
// unhedged: step 0's book value and book delta are the mark and the delta; step 1's attribution columns give back
// step 0's gamma (2 gammaPnl / dS^2), vega (vegaPnl / dvol) and theta (thetaPnl / dt).
import { beforeAll, describe, expect, it } from "vitest";
import { createKernels, type Kernels } from "../../../src/kernels/index.ts";
import type { HedgeInput } from "../../../src/kernels/hedge/index.ts";

let k: Kernels;
beforeAll(async () => {
  k = await createKernels({ engine: "wasm", workers: 1 });
});

interface Row { S: number; K: number; T: number; vol: number; call: boolean }

function grid(): Row[] {
  const rows: Row[] = [];
  for (const K of [20, 60, 85, 100, 115, 160, 400]) {
    for (const T of [1 / 365, 7 / 365, 0.1, 0.5, 1, 3]) {
      for (const vol of [0.01, 0.08, 0.2, 0.45, 1, 3]) {
        for (const call of [true, false]) rows.push({ S: 100, K, T, vol, call });
      }
    }
  }
  rows.push({ S: 100, K: 100, T: 0.5, vol: 0, call: true }); // vol 0 away from the forward: the scalar row
  rows.push({ S: 100, K: 90, T: 0.5, vol: 0, call: false });
  return rows;
}

describe("the hedging kernel's pricer", () => {
  it("matches the BSM batch's price and Greeks across moneyness, time and vol", () => {
    const rows = grid();
    const paths = rows.length;
    const steps = 2;
    const r = 0.03, q = 0.01, dt = 1e-4, dS = 1e-3, dVol = 1e-4;
    const spot = new Float64Array(paths * steps);
    const vol = new Float64Array(paths * steps);
    rows.forEach((row, p) => {
      spot[p * steps] = row.S;
      spot[p * steps + 1] = row.S + dS;
      vol[p * steps] = row.vol;
      vol[p * steps + 1] = row.vol + dVol;
    });
    const input: HedgeInput = {
      paths, steps,
      book: {
        perPath: true, strike: rows.map((x) => x.K), expiry: rows.map((x) => x.T), isCall: rows.map((x) => (x.call ? 1 : 0)),
        quantity: rows.map(() => 1),
      },
      spot: { perPathStep: spot }, time: { perStep: [0, dt] }, rate: r, div: q, vol: { perPathStep: vol },
    };
    const result = k.hedge(input, { mode: "none" });
    const s = result.perStep;
    if (s === undefined) throw new Error("no step columns");
    const ref = k.bsm({
      spot: Float64Array.from(rows, (x) => x.S), strike: Float64Array.from(rows, (x) => x.K), t: Float64Array.from(rows, (x) => x.T),
      rate: r, div: q, vol: Float64Array.from(rows, (x) => x.vol), isCall: Uint8Array.from(rows, (x) => (x.call ? 1 : 0)),
    });
    expect(result.failed).toBe(0);
    let worstPrice = 0;
    rows.forEach((row, p) => {
      const at = (a: ArrayLike<number>, i: number): number => a[i] ?? Number.NaN;
      const price = at(ref.price, p);
      // The textbook price's error is a few ulps of the forward and strike, not of the price.
      const scale = row.S + row.K;
      worstPrice = Math.max(worstPrice, Math.abs(at(s.bookValue, p * steps) - price) / scale);
      expect(Math.abs(at(s.bookValue, p * steps) - price), `price ${JSON.stringify(row)}`).toBeLessThanOrEqual(2e-15 * scale);
      expect(Math.abs(at(s.bookDelta, p * steps) - at(ref.delta, p)), `delta ${JSON.stringify(row)}`).toBeLessThanOrEqual(2e-15);
      // The kernel's own differences (S + dS - S is not dS exactly).
      const moveS = at(spot, p * steps + 1) - at(spot, p * steps);
      const moveVol = at(vol, p * steps + 1) - at(vol, p * steps);
      const gamma = (2 * at(s.gamma, p * steps + 1)) / (moveS * moveS);
      const vega = at(s.vega, p * steps + 1) / moveVol;
      const theta = at(s.theta, p * steps + 1) / dt;
      // Gamma, vega and theta come back through one multiplication and one division each (a few ulps).
      const close = (got: number, want: number, what: string): void => {
        expect(Math.abs(got - want), `${what} ${JSON.stringify(row)}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(want), 1e-3));
      };
      close(gamma, at(ref.gamma, p), "gamma");
      close(vega, at(ref.vega, p), "vega");
      close(theta, at(ref.theta, p), "theta");
    });
    expect(worstPrice).toBeGreaterThan(0); // the two pricers are different computations, not one
  });
});
