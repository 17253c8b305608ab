import { beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../../src/domain/errors.ts";
import type { SviFit, SviKernels, SviSliceInput } from "../../../src/kernels/svi/index.ts";
import { bothEngines, linspace, sviW } from "./engines.ts";

let engines: SviKernels[] = [];
beforeAll(async () => {
  engines = await bothEngines();
});

const p = { a: 0.04, b: 0.1, rho: -0.7, m: 0.05, sigma: 0.2 };
const k = linspace(-0.5, 0.5, 11);
const w = k.map((x) => sviW(p, x));

function expectFailed(fit: SviFit | undefined, status: string): void {
  expect(fit?.status).toBe(status);
  expect(fit?.ok).toBe(false);
  expect(fit?.butterflyFree).toBe(false);
  for (const key of ["a", "b", "rho", "m", "sigma", "rmseVol", "rmseW"] as const) expect(fit?.[key]).toBeNaN();
}

const bad: { name: string; slice: SviSliceInput; status: string }[] = [
  { name: "fewer than 5 quotes", slice: { k: k.slice(0, 4), w: w.slice(0, 4) }, status: "too_few_quotes" },
  { name: "no quotes at all", slice: { k: [], w: [] }, status: "too_few_quotes" },
  { name: "5 quotes on only 2 strikes", slice: { k: [0, 0, 0.1, 0.1, 0.1], w: [0.04, 0.04, 0.05, 0.05, 0.05] }, status: "too_few_quotes" },
  { name: "a NaN variance", slice: { k, w: w.map((x, i) => (i === 3 ? Number.NaN : x)) }, status: "non_finite_input" },
  { name: "an infinite strike", slice: { k: k.map((x, i) => (i === 0 ? Number.NEGATIVE_INFINITY : x)), w }, status: "non_finite_input" },
  { name: "a negative total variance", slice: { k, w: w.map((x, i) => (i === 5 ? -0.01 : x)) }, status: "negative_variance" },
  { name: "a negative weight", slice: { k, w, weight: w.map((_, i) => (i === 2 ? -1 : 1)) }, status: "bad_weight" },
  { name: "all weights zero", slice: { k, w, weight: w.map(() => 0) }, status: "bad_weight" },
  { name: "a NaN weight", slice: { k, w, weight: w.map((_, i) => (i === 2 ? Number.NaN : 1)) }, status: "non_finite_input" },
  { name: "a crossed quote", slice: { k, bid: w.map((x, i) => (i === 4 ? x + 0.01 : x - 0.001)), ask: w.map((x) => x + 0.001) }, status: "crossed_quote" },
  { name: "a zero-width quote", slice: { k, bid: w.map((x, i) => (i === 4 ? x : x - 0.001)), ask: w.map((x, i) => (i === 4 ? x : x + 0.001)) }, status: "zero_width_quote" },
  { name: "a non-finite ask", slice: { k, bid: w, ask: w.map((x, i) => (i === 1 ? Number.NaN : x + 0.001)) }, status: "non_finite_input" },
  { name: "arrays of different lengths", slice: { k, w: w.slice(1) }, status: "malformed_slice" },
  { name: "bid without ask", slice: { k, bid: w }, status: "malformed_slice" },
  { name: "a zero maturity", slice: { k, w, t: 0 }, status: "bad_maturity" },
  { name: "a NaN maturity", slice: { k, w, t: Number.NaN }, status: "bad_maturity" },
];

describe.each(["wasm", "ts"] as const)("bad input on the %s engine", (kind) => {
  const engine = (): SviKernels => {
    const e = engines.find((x) => x.engine === kind);
    if (e === undefined) throw new Error(`no ${kind} engine`);
    return e;
  };

  it.each(bad)("reports $name as $status, with NaN parameters", ({ slice, status }) => {
    expectFailed(engine().sviFit(slice), status);
  });

  it("gives one status per slice in a batch and fits the good slices around the bad ones", () => {
    const slices = [{ k, w }, ...bad.map((b) => b.slice), { k, w, t: 2 }];
    const fits = engine().sviFitBatch(slices);
    expect(fits.map((f) => f.status)).toEqual(["ok", ...bad.map((b) => b.status), "ok"]);
    expect(fits[0]?.a).toBeCloseTo(p.a, 6);
    expect(fits[fits.length - 1]?.a).toBeCloseTo(p.a, 6);
    for (const f of fits) if (f.ok) expect(Number.isFinite(f.a + f.b + f.rho + f.m + f.sigma)).toBe(true);
  });

  it("returns nothing for an empty batch and too_few_slices for an empty surface", () => {
    expect(engine().sviFitBatch([])).toEqual([]);
    expect(engine().ssviFit([]).status).toBe("too_few_slices");
  });

  it("rejects a nonsensical iteration budget as a usage error", () => {
    expect(() => engine().sviFit({ k, w }, { maxIterations: 0 })).toThrow(UsageError);
  });

  it("never reports NaN parameters as a success on random garbage", () => {
    const garbage = [Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1e300, -1e-300, 5e-324];
    for (let s = 0; s < 40; s++) {
      const kk = Array.from({ length: 8 }, (_, i) => garbage[(s + i * 3) % garbage.length] ?? 0);
      const ww = Array.from({ length: 8 }, (_, i) => garbage[(s * 5 + i) % garbage.length] ?? 0);
      const fit = engine().sviFit({ k: kk, w: ww });
      if (fit.ok) expect(Number.isFinite(fit.a + fit.b + fit.rho + fit.m + fit.sigma)).toBe(true);
      else expect(fit.a).toBeNaN();
    }
  });
});

describe.each(["wasm", "ts"] as const)("checks refuse parameters that are not an SVI slice on the %s engine", (kind) => {
  const engine = (): SviKernels => {
    const e = engines.find((x) => x.engine === kind);
    if (e === undefined) throw new Error(`no ${kind} engine`);
    return e;
  };
  const good = { a: 0.04, b: 0.1, rho: -0.7, m: 0.05, sigma: 0.2 };
  const broken = [
    { ...good, a: Number.NaN },
    { ...good, b: -0.1 },
    { ...good, rho: 1 },
    { ...good, sigma: 0 },
    { ...good, m: Number.POSITIVE_INFINITY },
  ];

  it.each(broken)("rejects %o with a coded usage error", (bad) => {
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (error) {
        return error instanceof UsageError ? error.code : "not a UsageError";
      }
      return undefined;
    };
    expect(codeOf(() => engine().sviButterflyCheck(bad))).toBe("svi_bad_params");
    expect(codeOf(() => engine().sviCalendarCheck(good, 0.25, bad, 0.5))).toBe("svi_bad_params");
    expect(codeOf(() => engine().sviRepairJW(bad, 1))).toBe("svi_bad_params");
  });

  it("rejects a JW repair without a positive maturity", () => {
    expect(() => engine().sviRepairJW(good, 0)).toThrow(UsageError);
  });
});
