// The hedging kernel in a Black–Scholes world simulated with a known vol (seeded GBM, risk-neutral drift): a short
// at-the-money call sold at its Black–Scholes premium and delta-hedged N times until expiry.
//  - Its PnL has mean 0 (the hedged portfolio's discounted value is a martingale) and a standard deviation that
//    falls like 1/sqrt(N), at the level Derman & Kamal (1999) give: sqrt(pi/4) x vega x sigma / sqrt(N) for an
//    at-the-money option (also Bertsimas, Kogan & Lo 2000, "When is time continuous?").
//  - In the zero-cost continuous limit the hedge replicates the payoff from the premium: the PnL goes to 0 with
//    financing at r and dividends at q included (both matter: a missed carry would bias the mean by more than the
//    tolerance below).
// Measured (seeds below): std / Derman–Kamal 0.971 at N = 63 and 0.988 at N = 252, std ratio 1.967; RMS replication
// error 10.2%, 5.3%, 2.6%, 1.3% of the premium at 63, 252, 1,008 and 4,032 rebalances.
import { beforeAll, describe, expect, it } from "vitest";
import { createKernels, type Kernels } from "../../../src/kernels/index.ts";
import { bookFromLegs } from "../../../src/kernels/hedge/index.ts";
import { bsm, gbmPaths, mean, std, subsample } from "./_world.ts";

let k: Kernels;
beforeAll(async () => {
  k = await createKernels({ engine: "wasm", workers: 1 });
});

const S0 = 100, K = 100, T = 0.25, SIGMA = 0.2;

/** Hedging PnL per path of one short call sold at its premium, hedged at every point of the paths until expiry. */
function hedgedShortCall(spot: Float64Array, time: Float64Array, rate: number, div: number): Float64Array {
  const premium = bsm(S0, K, T, rate, div, SIGMA, true).price;
  const steps = time.length;
  const result = k.hedge({
    paths: spot.length / steps, steps,
    book: bookFromLegs([{ strike: K, expiry: T, type: "call", quantity: -1, entryPrice: premium }]),
    spot: { perPathStep: spot }, time: { perStep: time }, rate, div, vol: SIGMA,
  }, { mode: "every_step" }, { steps: false });
  expect(result.failed).toBe(0);
  return result.totals.pnl;
}

describe("Derman–Kamal: discretely hedged short call", () => {
  const paths = 10_000;
  const fine = gbmPaths({ paths, intervals: 252, horizon: T, spot: S0, vol: SIGMA, rate: 0, div: 0, seed: 20261127 });
  const coarse = subsample(fine.spot, fine.time, 4); // the same Brownian paths seen 63 times

  it("has mean 0, std at the Derman–Kamal level, and std halving when rebalances quadruple", () => {
    const vega = bsm(S0, K, T, 0, 0, SIGMA, true).vega;
    const results = [{ n: 63, pnl: hedgedShortCall(coarse.spot, coarse.time, 0, 0) }, { n: 252, pnl: hedgedShortCall(fine.spot, fine.time, 0, 0) }];
    const stds: number[] = [];
    for (const { n, pnl } of results) {
      const sd = std(pnl);
      const dk = Math.sqrt(Math.PI / 4) * vega * SIGMA / Math.sqrt(n);
      // Mean: within 4 standard errors of 0.
      expect(Math.abs(mean(pnl)), `mean at N=${n}`).toBeLessThan((4 * sd) / Math.sqrt(paths));
      // Level: the formula is the leading term in 1/N; 10,000 paths estimate the std within about 2%.
      expect(sd / dk, `std / Derman–Kamal at N=${n}`).toBeGreaterThan(0.92);
      expect(sd / dk, `std / Derman–Kamal at N=${n}`).toBeLessThan(1.08);
      stds.push(sd);
    }
    const ratio = (stds[0] ?? Number.NaN) / (stds[1] ?? Number.NaN);
    expect(ratio, "std(N) / std(4N)").toBeGreaterThan(1.85);
    expect(ratio, "std(N) / std(4N)").toBeLessThan(2.15);
  }, 120_000);
});

describe("zero-cost continuous limit", () => {
  it("replicates the payoff from the premium, with financing and dividends", () => {
    const rate = 0.05, div = 0.02;
    const paths = 1_000;
    const fine = gbmPaths({ paths, intervals: 4_032, horizon: T, spot: S0, vol: SIGMA, rate, div, seed: 7 });
    const premium = bsm(S0, K, T, rate, div, SIGMA, true).price;
    const rms: number[] = [];
    for (const every of [64, 16, 4, 1]) {
      const { spot, time } = every === 1 ? fine : subsample(fine.spot, fine.time, every);
      const pnl = hedgedShortCall(spot, time, rate, div);
      const m = mean(pnl);
      rms.push(Math.sqrt(mean(pnl.map((x) => x * x))));
      expect(Math.abs(m), `mean with ${time.length - 1} rebalances`).toBeLessThan((4 * std(pnl)) / Math.sqrt(paths) + 1e-3 * premium);
    }
    // Each quadrupling of the rebalances halves the replication error ...
    for (let i = 1; i < rms.length; i++) {
      const ratio = (rms[i - 1] ?? Number.NaN) / (rms[i] ?? Number.NaN);
      expect(ratio).toBeGreaterThan(1.8);
      expect(ratio).toBeLessThan(2.2);
    }
    // ... down to about 1% of the premium with 4,032 rebalances (16 a day).
    expect((rms.at(-1) ?? Number.NaN) / premium).toBeLessThan(0.015);
  }, 120_000);
});

describe("attribution in the Black–Scholes world", () => {
  it("gamma and theta explain the daily hedged PnL; the residual is small", () => {
    const paths = 500;
    const { spot, time } = gbmPaths({ paths, intervals: 63, horizon: T, spot: S0, vol: SIGMA, rate: 0.03, div: 0.01, seed: 11 });
    const steps = time.length;
    // Stop one day before expiry: on the expiry step the jump to intrinsic is residual by design.
    const result = k.hedge({
      paths, steps,
      book: bookFromLegs([{ strike: K, expiry: T + 1 / 365, type: "call", quantity: -1 }]),
      spot: { perPathStep: spot }, time: { perStep: time }, rate: 0.03, div: 0.01, vol: SIGMA,
    }, { mode: "every_step" });
    const s = result.perStep;
    if (s === undefined) throw new Error("no step columns");
    let gamma = 0, theta = 0, residual = 0, delta = 0;
    for (let i = 0; i < s.pnl.length; i++) {
      gamma += Math.abs(s.gamma[i] ?? 0);
      theta += Math.abs(s.theta[i] ?? 0);
      residual += Math.abs(s.residual[i] ?? 0);
      delta += Math.abs(s.delta[i] ?? 0);
    }
    // Hedged every step: no delta PnL; gamma and theta carry the PnL; the residual (third-order terms) is small.
    expect(delta).toBe(0);
    expect(gamma).toBeGreaterThan(0);
    expect(theta / gamma).toBeGreaterThan(0.7);
    expect(theta / gamma).toBeLessThan(1.4);
    expect(residual / gamma).toBeLessThan(0.15);
    // Short gamma loses on the moves (gamma PnL <= 0) and earns theta (>= 0), step by step.
    for (let i = 0; i < s.pnl.length; i++) {
      expect(s.gamma[i] ?? Number.NaN).toBeLessThanOrEqual(0);
      expect(s.theta[i] ?? Number.NaN).toBeGreaterThanOrEqual(0);
    }
  });

  it("vega explains a pure vol move", () => {
    const book = bookFromLegs([{ strike: 105, expiry: 0.5, type: "put", quantity: 10 }]);
    const result = k.hedge({
      paths: 1, steps: 2, book, spot: 100, time: { perStep: [0, 0] }, rate: 0.02, vol: { perStep: [0.2, 0.201] },
    }, { mode: "none" });
    const s = result.perStep;
    if (s === undefined) throw new Error("no step columns");
    const move = (s.bookValue[1] ?? 0) - (s.bookValue[0] ?? 0);
    expect(move).toBeGreaterThan(0);
    expect(s.vega[1]).toBeCloseTo(move, 3);
    expect(Math.abs((s.residual[1] ?? 0) / move)).toBeLessThan(1e-2);
  });
});
