import { beforeAll, describe, expect, it } from "vitest";
import { ssviSliceToRaw, type SsviPhi, type SviKernels } from "../../../src/kernels/svi/index.ts";
import { bothEngines, linspace, rng, sviW } from "./engines.ts";

let engines: SviKernels[] = [];
beforeAll(async () => {
  engines = await bothEngines();
});

// SSVI written out from Gatheral & Jacquier 2014, eqs. (4.1), (4.3) and (4.5).
function phiOf(phi: SsviPhi, theta: number): number {
  if (phi.kind === "power-law") return phi.eta / (theta ** phi.gamma * (1 + theta) ** (1 - phi.gamma));
  const x = phi.lambda * theta;
  return (1 - (1 - Math.exp(-x)) / x) / x;
}
function ssvi(theta: number, rho: number, phi: SsviPhi, k: number): number {
  const f = phiOf(phi, theta);
  return (theta / 2) * (1 + rho * f * k + Math.sqrt((f * k + rho) ** 2 + 1 - rho ** 2));
}

/** Theorem 4.1 and 4.2 conditions, checked here on our own theta grid with our own derivative. */
function theoremsHold(rho: number, phi: SsviPhi): boolean {
  for (let e = -3; e <= 1.5; e += 0.01) {
    const theta = 10 ** e;
    const f = phiOf(phi, theta);
    if (!(theta * f * (1 + Math.abs(rho)) < 4)) return false;
    if (!(theta * f * f * (1 + Math.abs(rho)) <= 4 + 1e-12)) return false;
    const h = theta * 1e-5;
    const d = ((theta + h) * phiOf(phi, theta + h) - (theta - h) * phiOf(phi, theta - h)) / (2 * h);
    if (d < -1e-9) return false;
    if (rho !== 0 && d > ((1 + Math.sqrt(1 - rho ** 2)) / rho ** 2) * f + 1e-9) return false;
  }
  return true;
}

const maturities = [0.1, 0.25, 0.5, 1, 2];
const thetas = [0.004, 0.009, 0.017, 0.032, 0.06];

function surface(rho: number, phi: SsviPhi, noise = 0): { t: number; k: number[]; w: number[] }[] {
  const draw = rng(7);
  return maturities.map((t, i) => {
    const theta = thetas[i] ?? 0;
    const k = linspace(-0.4 * Math.sqrt(t + 0.1), 0.3 * Math.sqrt(t + 0.1), 30);
    return { t, k, w: k.map((x) => ssvi(theta, rho, phi, x) * (1 + noise * (draw() - 0.5))) };
  });
}

describe.each(["wasm", "ts"] as const)("ssviFit on the %s engine", (kind) => {
  const engine = (): SviKernels => {
    const e = engines.find((x) => x.engine === kind);
    if (e === undefined) throw new Error(`no ${kind} engine`);
    return e;
  };

  it("recovers a power-law surface and its ATM variances, satisfying Theorems 4.1 and 4.2", () => {
    const truth: SsviPhi = { kind: "power-law", eta: 1.1, gamma: 0.35 };
    const fit = engine().ssviFit(surface(-0.65, truth));
    expect(fit.status).toBe("ok");
    expect(fit.rho).toBeCloseTo(-0.65, 5);
    if (fit.phi.kind !== "power-law") throw new Error("wrong phi kind");
    expect(fit.phi.eta).toBeCloseTo(1.1, 4);
    expect(fit.phi.gamma).toBeCloseTo(0.35, 4);
    fit.slices.forEach((s, i) => expect(s.theta).toBeCloseTo(thetas[i] ?? 0, 9));
    expect(fit.rmseW).toBeLessThan(1e-8);
    expect(fit.conditions).toMatchObject({ calendarFree: true, butterflyFree: true });
    expect(theoremsHold(fit.rho, fit.phi)).toBe(true);
  });

  it("fits a Heston-like surface with lambda >= (1 + |rho|)/4", () => {
    const truth: SsviPhi = { kind: "heston", lambda: 1.5 };
    const fit = engine().ssviFit(surface(-0.5, truth, 0.01), { phi: "heston" });
    expect(fit.status).toBe("ok");
    if (fit.phi.kind !== "heston") throw new Error("wrong phi kind");
    expect(fit.phi.lambda).toBeGreaterThanOrEqual((1 + Math.abs(fit.rho)) / 4);
    expect(Math.abs(fit.rho + 0.5)).toBeLessThan(0.1);
    expect(theoremsHold(fit.rho, fit.phi)).toBe(true);
    expect(fit.conditions.butterflyFree).toBe(true);
  });

  it("stays inside the no-arbitrage region even when the quotes are arbitrageable", () => {
    // Quotes from a power law with eta (1 + |rho|) = 3.2, beyond the bound of 2.
    const fit = engine().ssviFit(surface(-0.6, { kind: "power-law", eta: 2, gamma: 0.4 }));
    if (fit.phi.kind !== "power-law") throw new Error("wrong phi kind");
    expect(fit.phi.eta * (1 + Math.abs(fit.rho))).toBeLessThanOrEqual(2 + 1e-12);
    expect(theoremsHold(fit.rho, fit.phi)).toBe(true);
  });

  it("makes theta non-decreasing in maturity and converts each slice to raw SVI exactly", () => {
    const truth: SsviPhi = { kind: "power-law", eta: 0.9, gamma: 0.3 };
    const slices = surface(-0.4, truth);
    // Swap two slices' quotes so the shorter maturity carries the larger ATM variance.
    const s1 = slices[1], s2 = slices[2];
    if (s1 === undefined || s2 === undefined) throw new Error("surface too small");
    slices[1] = { ...s2, t: s1.t };
    slices[2] = { ...s1, t: s2.t };
    const fit = engine().ssviFit(slices);
    const th = fit.slices.map((s) => s.theta);
    for (let i = 1; i < th.length; i++) expect(th[i]).toBeGreaterThanOrEqual(th[i - 1] ?? 0);
    for (const s of fit.slices) {
      for (const x of linspace(-1, 1, 7)) expect(sviW(s.params, x)).toBeCloseTo(ssvi(s.theta, fit.rho, fit.phi, x), 14);
      expect(engine().sviButterflyCheck(s.params).butterflyFree).toBe(true);
    }
    for (let i = 1; i < fit.slices.length; i++) {
      const a = fit.slices[i - 1], b = fit.slices[i];
      if (a === undefined || b === undefined) continue;
      expect(engine().sviCalendarCheck(a.params, a.t, b.params, b.t).calendarFree).toBe(true);
    }
  });

  it("reports unusable slices and fits the rest", () => {
    const slices = surface(-0.5, { kind: "power-law", eta: 1, gamma: 0.3 });
    const withBad = [...slices, { t: 3, k: [0, 0.1], w: [0.1, 0.11] }];
    const fit = engine().ssviFit(withBad);
    expect(fit.status).toBe("ok");
    expect(fit.slices.map((s) => s.status)).toEqual(["ok", "ok", "ok", "ok", "ok", "too_few_quotes"]);
    expect(engine().ssviFit([{ t: 1, k: [0], w: [0.1] }]).status).toBe("too_few_slices");
  });

  it("maps an SSVI slice to raw SVI (a, b, m, sigma from theta, rho, phi)", () => {
    const raw = ssviSliceToRaw(0.04, -0.3, 1.7);
    for (const x of linspace(-2, 2, 9)) {
      const direct = (0.04 / 2) * (1 - 0.3 * 1.7 * x + Math.sqrt((1.7 * x - 0.3) ** 2 + 1 - 0.09));
      expect(sviW(raw, x)).toBeCloseTo(direct, 15);
    }
  });
});
