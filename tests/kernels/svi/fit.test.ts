import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { sviSliceFromVols, type SviKernels } from "../../../src/kernels/svi/index.ts";
import { bothEngines, linspace, rng, sviW, type Raw } from "./engines.ts";

let engines: SviKernels[] = [];
beforeAll(async () => {
  engines = await bothEngines();
});

// Shapes the issue asks for: an equity skew, a flat smile, a smile whose minimum lies far from the money.
const cases: { name: string; p: Raw; k: number[] }[] = [
  { name: "equity skew", p: { a: 0.04, b: 0.1, rho: -0.7, m: 0.05, sigma: 0.2 }, k: linspace(-0.6, 0.4, 50) },
  { name: "steep short-dated skew", p: { a: 0.01, b: 0.05, rho: -0.9, m: 0.1, sigma: 0.02 }, k: linspace(-0.3, 0.2, 25) },
  { name: "smile with a far minimum", p: { a: 0.02, b: 0.3, rho: -0.3, m: 0.3, sigma: 0.1 }, k: linspace(-0.4, 0.4, 40) },
  { name: "wide long-dated smile", p: { a: 0.1, b: 0.4, rho: -0.2, m: -0.1, sigma: 0.5 }, k: linspace(-1.5, 1, 60) },
  { name: "Vogt's parameters (negative a)", p: { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 }, k: linspace(-1, 1, 50) },
];

describe.each(["wasm", "ts"] as const)("sviFit on the %s engine", (kind) => {
  const engine = (): SviKernels => {
    const e = engines.find((x) => x.engine === kind);
    if (e === undefined) throw new Error(`no ${kind} engine`);
    return e;
  };

  it.each(cases)("recovers $name from noise-free quotes to 1e-6", ({ p, k }) => {
    const fit = engine().sviFit({ k, w: k.map((x) => sviW(p, x)), t: 0.5 });
    expect(fit.status).toBe("ok");
    for (const key of ["a", "b", "rho", "m", "sigma"] as const) expect(Math.abs(fit[key] - p[key])).toBeLessThan(1e-6);
    expect(fit.rmseW).toBeLessThan(1e-10);
    expect(fit.rmseVol).toBeLessThan(1e-9);
  });

  it("fits a flat smile: b = 0 and the level recovered (m, sigma are then not identified)", () => {
    const k = linspace(-0.4, 0.4, 30);
    const fit = engine().sviFit({ k, w: k.map(() => 0.04) });
    expect(fit.status).toBe("ok");
    expect(Math.abs(fit.b)).toBeLessThan(1e-8);
    for (const x of linspace(-1, 1, 11)) expect(Math.abs(sviW(fit, x) - 0.04)).toBeLessThan(1e-9);
  });

  it.each(cases.slice(0, 4))("with noise, fits $name no worse than the noise itself", ({ p, k }) => {
    const draw = rng(42);
    const clean = k.map((x) => sviW(p, x));
    const noisy = clean.map((w) => w * (1 + 0.02 * (draw() - 0.5)));
    const noiseRms = Math.sqrt(noisy.reduce((s, w, i) => s + (w - (clean[i] ?? 0)) ** 2, 0) / k.length);
    const fit = engine().sviFit({ k, w: noisy });
    expect(fit.status).toBe("ok");
    // The true parameters are feasible and leave exactly the noise as residual, so the least-squares
    // optimum cannot do worse.
    expect(fit.rmseW).toBeLessThanOrEqual(noiseRms * (1 + 1e-9));
    const fitted = k.map((x) => sviW(fit, x));
    const direct = Math.sqrt(fitted.reduce((s, w, i) => s + (w - (noisy[i] ?? 0)) ** 2, 0) / k.length);
    expect(Math.abs(direct - fit.rmseW)).toBeLessThan(1e-12);
  });

  it("recovers random admissible smiles exactly and never fits noisy ones worse than the truth", () => {
    const admissible = fc
      .record({
        a: fc.double({ min: -0.02, max: 0.08, noNaN: true }),
        b: fc.double({ min: 0.02, max: 0.62, noNaN: true }),
        rho: fc.double({ min: -0.95, max: 0.95, noNaN: true }),
        m: fc.double({ min: -0.4, max: 0.4, noNaN: true }),
        sigma: fc.double({ min: 0.01, max: 0.51, noNaN: true }),
      })
      .filter((p) => p.a + p.b * p.sigma * Math.sqrt(1 - p.rho ** 2) > 0.001);
    fc.assert(
      fc.property(admissible, fc.integer({ min: 10, max: 60 }), fc.integer({ min: 1, max: 1e6 }), (p, n, seed) => {
        const k = linspace(-0.9, 0.6, n);
        const clean = k.map((x) => sviW(p, x));
        const exact = engine().sviFit({ k, w: clean });
        for (const key of ["a", "b", "rho", "m", "sigma"] as const) expect(Math.abs(exact[key] - p[key])).toBeLessThan(1e-6);
        const draw = rng(seed);
        const noisy = clean.map((w) => w * (1 + 0.02 * (draw() - 0.5)));
        const noiseRms = Math.sqrt(noisy.reduce((s, w, i) => s + (w - (clean[i] ?? 0)) ** 2, 0) / n);
        expect(engine().sviFit({ k, w: noisy }).rmseW).toBeLessThanOrEqual(noiseRms * (1 + 1e-9));
      }),
      { numRuns: 40 },
    );
  });

  it("respects every hard constraint, and Lee's bound when asked", () => {
    // A smile too steep for Lee: right wing slope b(1 + rho) = 3.2.
    const p: Raw = { a: 0.02, b: 2, rho: 0.6, m: 0, sigma: 0.1 };
    const k = linspace(-0.5, 0.5, 41);
    const w = k.map((x) => sviW(p, x));
    const free = engine().sviFit({ k, w });
    expect(free.leeOk).toBe(false);
    expect(free.leeSlope).toBeCloseTo(3.2, 6);
    const lee = engine().sviFit({ k, w }, { enforceLee: true });
    expect(lee.status).toBe("ok");
    expect(lee.leeOk).toBe(true);
    expect(lee.b * (1 + Math.abs(lee.rho))).toBeLessThanOrEqual(2 + 1e-9);
    expect(lee.rmseW).toBeGreaterThan(free.rmseW);
    for (const f of [free, lee]) {
      expect(f.b).toBeGreaterThanOrEqual(0);
      expect(Math.abs(f.rho)).toBeLessThan(1);
      expect(f.sigma).toBeGreaterThan(0);
      expect(f.a + f.b * f.sigma * Math.sqrt(1 - f.rho ** 2)).toBeGreaterThanOrEqual(-1e-12);
      expect(f.b * (1 + Math.abs(f.rho))).toBeLessThanOrEqual(4 + 1e-9);
    }
  });

  it("keeps the minimum variance non-negative when the quotes pull it below zero", () => {
    // Quotes dipping to zero variance in the middle with noise: an unconstrained fit would go negative.
    const k = linspace(-0.3, 0.3, 21);
    const w = k.map((x) => Math.max(0, 0.5 * Math.abs(x) - 0.02));
    const fit = engine().sviFit({ k, w });
    expect(fit.ok).toBe(true);
    const minW = fit.a + fit.b * fit.sigma * Math.sqrt(1 - fit.rho ** 2);
    expect(minW).toBeGreaterThanOrEqual(-1e-12);
    expect(minW).toBeLessThan(1e-6);
  });

  it("uses bid/ask widths as weights: a tight quote is matched more closely than a wide one", () => {
    const p: Raw = { a: 0.04, b: 0.1, rho: -0.7, m: 0.05, sigma: 0.2 };
    const k = linspace(-0.5, 0.5, 21);
    const mid = k.map((x) => sviW(p, x));
    mid[10] = (mid[10] ?? 0) + 0.003; // one off-model quote at the money
    const tight = k.map((_, i) => (i === 10 ? 1e-5 : 1e-2));
    const fitTight = engine().sviFit({ k, bid: mid.map((w, i) => w - (tight[i] ?? 0)), ask: mid.map((w, i) => w + (tight[i] ?? 0)) });
    const fitEqual = engine().sviFit({ k, w: mid });
    expect(fitTight.status).toBe("ok");
    const missTight = Math.abs(sviW(fitTight, k[10] ?? 0) - (mid[10] ?? 0));
    const missEqual = Math.abs(sviW(fitEqual, k[10] ?? 0) - (mid[10] ?? 0));
    expect(missTight).toBeLessThan(missEqual / 10);
  });

  it("fits market quotes given as strikes, a forward and implied vols", () => {
    const p: Raw = { a: 0.01, b: 0.05, rho: -0.6, m: 0.02, sigma: 0.1 };
    const forward = 4500, t = 0.25;
    const strikes = linspace(3600, 5000, 29);
    const vols = strikes.map((K) => Math.sqrt(sviW(p, Math.log(K / forward)) / t));
    const fit = engine().sviFit(sviSliceFromVols({ forward, t, strikes, vols }));
    expect(fit.status).toBe("ok");
    expect(fit.rho).toBeCloseTo(-0.6, 6);
    expect(fit.rmseVol).toBeLessThan(1e-9);
    const spread = sviSliceFromVols({ forward, t, strikes, bidVols: vols.map((v) => v - 0.01), askVols: vols.map((v, i) => (i === 0 ? v - 0.02 : v + 0.01)) });
    expect(engine().sviFit(spread).status).toBe("crossed_quote");
    const badStrike = sviSliceFromVols({ forward, t, strikes: strikes.map((K, i) => (i === 1 ? -K : K)), vols });
    expect(engine().sviFit(badStrike).status).toBe("non_finite_input");
  });

  it("ignores quotes of weight 0", () => {
    const p: Raw = { a: 0.04, b: 0.1, rho: -0.7, m: 0.05, sigma: 0.2 };
    const k = linspace(-0.5, 0.5, 21);
    const w = k.map((x) => sviW(p, x));
    w[3] = 5; // absurd, but weightless
    const fit = engine().sviFit({ k, w, weight: k.map((_, i) => (i === 3 ? 0 : 1)) });
    expect(fit.status).toBe("ok");
    expect(fit.a).toBeCloseTo(p.a, 8);
    expect(fit.rmseW).toBeLessThan(1e-10);
  });

  it("says not_converged, with finite feasible parameters, when the iteration budget is too small", () => {
    const p: Raw = { a: 0.04, b: 0.1, rho: -0.7, m: 0.05, sigma: 0.2 };
    const k = linspace(-0.5, 0.5, 21);
    const fit = engine().sviFit({ k, w: k.map((x) => sviW(p, x)) }, { maxIterations: 3 });
    expect(fit.status).toBe("not_converged");
    expect(fit.ok).toBe(true);
    expect(Number.isFinite(fit.a + fit.b + fit.rho + fit.m + fit.sigma)).toBe(true);
    expect(fit.a + fit.b * fit.sigma * Math.sqrt(1 - fit.rho ** 2)).toBeGreaterThanOrEqual(-1e-12);
    expect(fit.iterations).toBeLessThanOrEqual(3 * 7);
  });

  it("fits a batch slice by slice, exactly as single fits", () => {
    const slices = cases.map((c, i) => ({ k: c.k, w: c.k.map((x) => sviW(c.p, x)), t: 0.25 * (i + 1) }));
    const batch = engine().sviFitBatch(slices);
    expect(batch).toHaveLength(slices.length);
    slices.forEach((s, i) => expect(batch[i]).toEqual(engine().sviFit(s)));
  });

  it("reports butterfly arbitrage of the fitted slice with its interval", () => {
    const p: Raw = { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 };
    const k = linspace(-1, 1, 50);
    const fit = engine().sviFit({ k, w: k.map((x) => sviW(p, x)), t: 1 });
    expect(fit.butterflyFree).toBe(false);
    expect(fit.negativeG).toHaveLength(1);
    const good = engine().sviFit({ k, w: k.map((x) => sviW(cases[0]?.p ?? p, x)) });
    expect(good.butterflyFree).toBe(true);
    expect(good.negativeG).toEqual([]);
  });
});
