import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createKernels, type Kernels } from "../../src/kernels/index.ts";
import { propertySeed } from "./helpers.ts";

const engines = ["wasm", "ts"] as const;
const kernels: Record<(typeof engines)[number], Promise<Kernels>> = {
  wasm: createKernels({ engine: "wasm" }),
  ts: createKernels({ engine: "ts" }),
};

/** Any double at all, weighted towards the awkward ones. */
const anyDouble = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 1e-300, 5e-324, 1e300, Number.MAX_VALUE, Infinity, -Infinity, NaN),
  fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
);

describe.each(engines)("arbitrary inputs (%s engine)", (engine) => {
  it("never throw and never return a number with a bad status, or a bad number with an ok status", async () => {
    const k = await kernels[engine];
    fc.assert(
      fc.property(anyDouble, anyDouble, anyDouble, anyDouble, anyDouble, anyDouble, anyDouble, fc.boolean(),
        (S, K, T, r, q, vol, price, isCall) => {
          const g = k.bsmOne({ spot: S, strike: K, t: T, rate: r, div: q, vol, type: isCall ? "call" : "put" });
          if (g.status === "ok") {
            expect(g.price).toBeGreaterThanOrEqual(0);
          } else {
            expect(Number.isNaN(g.price)).toBe(true);
          }
          const iv = k.impliedVolOne({ price, spot: S, strike: K, t: T, rate: r, div: q, type: isCall ? "call" : "put" });
          if (iv.status === "ok") {
            expect(iv.vol).toBeGreaterThanOrEqual(0);
            expect(Number.isFinite(iv.vol)).toBe(true);
          } else {
            expect(Number.isNaN(iv.vol)).toBe(true);
          }
        }),
      { numRuns: 3000, ...propertySeed() },
    );
  });

  // Ordinary: any scale of spot and strike, T and vol either exactly 0 or at least 1e-6 (a subnormal sigma*sqrt(T)
  // may overflow an intermediate of a Greek; that row then reports out_of_range, checked above).
  it("prices ordinary options with finite, non-negative numbers whatever the scale", async () => {
    const k = await kernels[engine];
    fc.assert(
      fc.property(
        fc.double({ min: 1e-8, max: 1e8, noNaN: true }), fc.double({ min: -8, max: 8, noNaN: true }),
        fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 50, noNaN: true })),
        fc.double({ min: -0.1, max: 0.3, noNaN: true }), fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 5, noNaN: true })), fc.boolean(),
        (S, lnK, T, r, q, vol, isCall) => {
          const g = k.bsmOne({ spot: S, strike: S * Math.exp(lnK), t: T, rate: r, div: q, vol, type: isCall ? "call" : "put" });
          expect(g.status).toBe("ok");
          expect(g.price).toBeGreaterThanOrEqual(0);
          for (const v of [g.price, g.delta, g.vega, g.rho]) expect(Number.isFinite(v)).toBe(true);
        },
      ),
      { numRuns: 2000, ...propertySeed() },
    );
  });
});
