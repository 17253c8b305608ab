// The WebAssembly kernels and the TypeScript reference run the same operations in the same order using
// only correctly rounded IEEE 754 arithmetic (+, -, *, /, sqrt), so they must agree bit for bit.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadKernelModule } from "../../../src/kernels/load.ts";
import { createSviKernels, type SviKernels } from "../../../src/kernels/svi/index.ts";
import { bothEngines, linspace, sviW } from "./engines.ts";

let wasm: SviKernels;
let ts: SviKernels;
beforeAll(async () => {
  const [w, t] = await bothEngines();
  if (w === undefined || t === undefined) throw new Error("engines missing");
  wasm = w;
  ts = t;
});

const params = fc.record({
  a: fc.double({ min: -0.05, max: 0.2, noNaN: true }),
  b: fc.double({ min: 0, max: 1.5, noNaN: true }),
  rho: fc.double({ min: -0.99, max: 0.99, noNaN: true }),
  m: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
  sigma: fc.double({ min: 0.005, max: 1, noNaN: true }),
});

describe("WASM and TS engines agree", () => {
  it("on w, w', w'' and g for any parameters and strikes", () => {
    fc.assert(
      fc.property(params, fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 40 }), (p, k) => {
        const a = wasm.sviEvalDerivatives(p, k);
        const b = ts.sviEvalDerivatives(p, k);
        expect(Array.from(a.w)).toEqual(Array.from(b.w));
        expect(Array.from(a.w1)).toEqual(Array.from(b.w1));
        expect(Array.from(a.w2)).toEqual(Array.from(b.w2));
        expect(Array.from(a.g)).toEqual(Array.from(b.g));
      }),
      { numRuns: 200 },
    );
  });

  it("on the butterfly scan", () => {
    fc.assert(
      fc.property(params, (p) => {
        expect(wasm.sviButterflyCheck(p)).toEqual(ts.sviButterflyCheck(p));
      }),
      { numRuns: 150 },
    );
  });

  it("on calibration of noisy smiles, parameters, errors and iteration counts included", () => {
    fc.assert(
      fc.property(
        params.filter((p) => p.a + p.b * p.sigma * Math.sqrt(1 - p.rho ** 2) > 0.002),
        fc.integer({ min: 5, max: 45 }),
        fc.array(fc.double({ min: -0.02, max: 0.02, noNaN: true }), { minLength: 45, maxLength: 45 }),
        fc.boolean(),
        (p, n, noise, enforceLee) => {
          const k = linspace(-0.6, 0.5, n);
          const w = k.map((x, i) => sviW(p, x) * (1 + (noise[i] ?? 0)));
          const slice = { k, w, t: 0.3 };
          expect(wasm.sviFit(slice, { enforceLee })).toEqual(ts.sviFit(slice, { enforceLee }));
        },
      ),
      { numRuns: 60 },
    );
    // 120 calibrations; the JavaScript build's memory accessors make its share several seconds on a loaded machine.
  }, 120_000);

  it("on the debug build too (optimisation does not change a bit)", async () => {
    const debug = createSviKernels(await loadKernelModule({ build: "debug" }));
    const p = { a: 0.02, b: 0.3, rho: -0.3, m: 0.3, sigma: 0.1 };
    const k = linspace(-0.4, 0.4, 40);
    const slice = { k, w: k.map((x, i) => sviW(p, x) * (1 + 0.01 * Math.sin(i))) };
    expect(debug.sviFit(slice)).toEqual(wasm.sviFit(slice));
    const vogt = { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 };
    expect(debug.sviButterflyCheck(vogt)).toEqual(ts.sviButterflyCheck(vogt));
  });
});
