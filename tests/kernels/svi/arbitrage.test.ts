import { beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../../src/domain/errors.ts";
import type { SviKernels } from "../../../src/kernels/svi/index.ts";
import { analyticG, bothEngines, linspace, numericG, sviW, type Raw } from "./engines.ts";

let engines: SviKernels[] = [];
beforeAll(async () => {
  engines = await bothEngines();
});

// Gatheral & Jacquier 2014, Example 3.1 (parameters due to Axel Vogt), T = 1.
const vogt: Raw = { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 };

/** Negative regions of g by brute force on a 1e-5 grid with finite-difference derivatives. */
function bruteNegativeRegions(p: Raw, lo: number, hi: number, step: number): [number, number][] {
  const out: [number, number][] = [];
  let start = Number.NaN;
  for (let k = lo; k <= hi; k += step) {
    const neg = !(analyticG(p, k) >= 0) || sviW(p, k) <= 0;
    if (neg && Number.isNaN(start)) start = k;
    if (!neg && !Number.isNaN(start)) { out.push([start, k]); start = Number.NaN; }
  }
  if (!Number.isNaN(start)) out.push([start, hi]);
  return out;
}

describe.each(["wasm", "ts"] as const)("arbitrage checks on the %s engine", (kind) => {
  const engine = (): SviKernels => {
    const e = engines.find((x) => x.engine === kind);
    if (e === undefined) throw new Error(`no ${kind} engine`);
    return e;
  };

  it("evaluates w, w', w'' and g consistently with finite differences", () => {
    const k = linspace(-1, 1, 9);
    const d = engine().sviEvalDerivatives(vogt, k);
    k.forEach((x, i) => {
      expect(d.w[i]).toBeCloseTo(sviW(vogt, x), 14);
      expect(d.w1[i]).toBeCloseTo((sviW(vogt, x + 1e-6) - sviW(vogt, x - 1e-6)) / 2e-6, 7);
      expect(d.g[i]).toBeCloseTo(numericG(vogt, x), 5);
    });
    expect(Array.from(engine().sviEval(vogt, k))).toEqual(Array.from(d.w));
  });

  it("locates Vogt's negative-g interval to 1e-4", () => {
    const check = engine().sviButterflyCheck(vogt);
    expect(check.butterflyFree).toBe(false);
    const expected = bruteNegativeRegions(vogt, -3, 3, 1e-5);
    expect(expected).toHaveLength(1);
    expect(check.negativeG).toHaveLength(1);
    const [from, to] = check.negativeG[0] ?? [Number.NaN, Number.NaN];
    expect(Math.abs(from - (expected[0]?.[0] ?? 0))).toBeLessThan(1e-4);
    expect(Math.abs(to - (expected[0]?.[1] ?? 0))).toBeLessThan(1e-4);
  });

  it("repairs Vogt's slice: butterfly-free with the same ATM total variance, skew and put wing", () => {
    const before = engine().sviButterflyCheck(vogt);
    expect(before.butterflyFree).toBe(false);
    const repair = engine().sviRepairJW(vogt, 1);
    if (!repair.ok) throw new Error(repair.reason);
    expect(repair.repaired).toBe(true);
    expect(repair.butterflyFree).toBe(true);
    const q = repair.params;
    expect(sviW(q, 0)).toBeCloseTo(sviW(vogt, 0), 14);
    // ATM skew dw/dk at 0 and the left wing slope b(1 - rho) are kept (the JW parameters psi and p).
    const skew = (p: Raw): number => (sviW(p, 1e-6) - sviW(p, -1e-6)) / 2e-6;
    expect(skew(q)).toBeCloseTo(skew(vogt), 7);
    expect(q.b * (1 - q.rho)).toBeCloseTo(vogt.b * (1 - vogt.rho), 12);
    expect(bruteNegativeRegions(q, -3, 3, 1e-4)).toEqual([]);
    // The repaired slice's JW parameters (eq. 3.5, computed here) are Gatheral–Jacquier's section 5.2 choice:
    // c' = p + 2 psi and vTilde' = v 4 p c' / (p + c')^2.
    const jw = (r: Raw) => {
      const w0 = sviW(r, 0);
      const s = Math.sqrt(w0);
      return {
        v: w0,
        psi: (r.b / (2 * s)) * (-r.m / Math.hypot(r.m, r.sigma) + r.rho),
        p: (r.b * (1 - r.rho)) / s,
        c: (r.b * (1 + r.rho)) / s,
        vTilde: r.a + r.b * r.sigma * Math.sqrt(1 - r.rho ** 2),
      };
    };
    const old = jw(vogt);
    const now = jw(q);
    const c = old.p + 2 * old.psi;
    expect(now.psi).toBeCloseTo(old.psi, 12);
    expect(now.c).toBeCloseTo(c, 12);
    expect(now.vTilde).toBeCloseTo((old.v * 4 * old.p * c) / (old.p + c) ** 2, 12);
    expect(repair.after?.c).toBeCloseTo(c, 12);
  });

  it("leaves an arbitrage-free slice alone", () => {
    const p: Raw = { a: 0.04, b: 0.1, rho: -0.7, m: 0.05, sigma: 0.2 };
    const repair = engine().sviRepairJW(p, 0.5);
    expect(repair).toMatchObject({ ok: true, repaired: false, params: p, butterflyFree: true });
  });

  it("finds a negative region that runs to infinity when a wing breaks Lee's bound", () => {
    const p: Raw = { a: 0.02, b: 2, rho: 0.6, m: 0, sigma: 0.1 }; // right wing slope 3.2 > 2
    const check = engine().sviButterflyCheck(p);
    expect(check.butterflyFree).toBe(false);
    const last = check.negativeG[check.negativeG.length - 1];
    expect(last?.[1]).toBe(Number.POSITIVE_INFINITY);
    const from = last?.[0] ?? Number.NaN;
    expect(numericG(p, from + 0.01)).toBeLessThan(0);
    expect(numericG(p, from + 5)).toBeLessThan(0);
  });

  it("catches a negative region much thinner than the scan's grid step", () => {
    // Vogt's slice lifted until its negative region has nearly closed: about 7e-4 wide around k = 0.908,
    // where the scan's grid step is about 1.3e-3, so no grid point need fall inside it.
    const p: Raw = { ...vogt, a: -0.0326742075 };
    const check = engine().sviButterflyCheck(p);
    const brute = bruteNegativeRegions(p, 0.85, 0.95, 1e-6);
    expect(brute).toHaveLength(1);
    const width = (brute[0]?.[1] ?? 0) - (brute[0]?.[0] ?? 0);
    expect(width).toBeLessThan(1e-3);
    expect(check.butterflyFree).toBe(false);
    expect(check.negativeG).toHaveLength(1);
    expect(Math.abs((check.negativeG[0]?.[0] ?? 0) - (brute[0]?.[0] ?? 0))).toBeLessThan(1e-5);
    expect(Math.abs((check.negativeG[0]?.[1] ?? 0) - (brute[0]?.[1] ?? 0))).toBeLessThan(1e-5);
  });
});

describe.each(["wasm", "ts"] as const)("calendar check on the %s engine", (kind) => {
  const engine = (): SviKernels => {
    const e = engines.find((x) => x.engine === kind);
    if (e === undefined) throw new Error(`no ${kind} engine`);
    return e;
  };

  /** Sign changes of w2 - w1 on a fine grid, for comparison. */
  function bruteCrossings(p1: Raw, p2: Raw): number[] {
    const out: number[] = [];
    let prev = Number.NaN;
    let prevK = Number.NaN;
    for (let k = -5; k <= 5; k += 1e-5) {
      const d = sviW(p2, k) - sviW(p1, k);
      if (!Number.isNaN(prev) && (d < 0) !== (prev < 0)) out.push(0.5 * (k + prevK));
      prev = d;
      prevK = k;
    }
    return out;
  }

  it("passes a later slice that lies above the earlier one everywhere", () => {
    const p1: Raw = { a: 0.02, b: 0.1, rho: -0.6, m: 0, sigma: 0.2 };
    const p2: Raw = { a: 0.04, b: 0.12, rho: -0.6, m: 0, sigma: 0.25 };
    const check = engine().sviCalendarCheck(p1, 0.25, p2, 0.5);
    expect(check).toMatchObject({ calendarFree: true, crossings: [], violations: [] });
  });

  it("finds crossing slices and the intervals where total variance falls", () => {
    // The later slice has a higher ATM level but flatter wings: it drops below the earlier one in both wings.
    const p1: Raw = { a: 0.01, b: 0.2, rho: -0.3, m: 0, sigma: 0.2 };
    const p2: Raw = { a: 0.05, b: 0.1, rho: -0.2, m: 0.05, sigma: 0.3 };
    const check = engine().sviCalendarCheck(p1, 0.25, p2, 0.5);
    const brute = bruteCrossings(p1, p2);
    expect(brute).toHaveLength(2);
    expect(check.calendarFree).toBe(false);
    expect(check.crossings).toHaveLength(2);
    check.crossings.forEach((c, i) => expect(Math.abs(c - (brute[i] ?? 0))).toBeLessThan(1e-4));
    expect(check.violations).toEqual([
      [Number.NEGATIVE_INFINITY, check.crossings[0]],
      [check.crossings[1], Number.POSITIVE_INFINITY],
    ]);
    expect(check.wingSlopes.left).toBeLessThan(0);
    expect(check.wingSlopes.right).toBeLessThan(0);
  });

  it("finds four crossings when the slices weave", () => {
    // Same wings, different shapes near the money: w2 - w1 changes sign four times.
    const p1: Raw = { a: 0.03, b: 0.2, rho: 0, m: 0, sigma: 0.05 };
    const p2: Raw = { a: 0.0, b: 0.2, rho: 0, m: 0, sigma: 0.4 };
    const shift: Raw = { ...p2, a: p2.a + 0.0005 };
    const brute = bruteCrossings(p1, shift);
    const check = engine().sviCalendarCheck(p1, 0.25, shift, 0.5);
    expect(check.crossings).toHaveLength(brute.length);
    check.crossings.forEach((c, i) => expect(Math.abs(c - (brute[i] ?? 0))).toBeLessThan(1e-4));
  });

  it("refuses maturities out of order", () => {
    const p: Raw = { a: 0.02, b: 0.1, rho: -0.6, m: 0, sigma: 0.2 };
    expect(() => engine().sviCalendarCheck(p, 0.5, p, 0.25)).toThrow(UsageError);
  });
});
