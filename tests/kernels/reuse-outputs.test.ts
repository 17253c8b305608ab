import { describe, expect, it } from "vitest";
import { createKernels } from "../../src/kernels/index.ts";
import { DataError } from "../../src/domain/errors.ts";

// `out`: a caller running the same large batch shape again hands back an earlier result, and the engine writes
// into its arrays instead of allocating (fresh arrays cost page faults; bench/RESULTS.md, "kernels").
const engines = ["wasm", "ts"] as const;

function batchA() {
  return { spot: 100, strike: [80, 95, 100, 105, 130], t: [0.1, 0.5, 1, 2, 0.02], rate: 0.03, div: 0.01,
    vol: [0.2, 0.25, 0.3, 0.35, 0.5], isCall: [true, false, true, false, true] };
}

function batchB() {
  return { spot: 50, strike: [40, 55, 50, 45, 70], t: [1, 0.25, 3, 0.5, 0.1], rate: 0.01, div: 0,
    vol: [0.4, 0.15, 0.2, 0.6, 0.3], isCall: [false, true, true, true, false] };
}

describe.each(engines)("reusing an earlier result's arrays (%s)", (engine) => {
  it("bsm writes the new batch into the same arrays, with the same numbers as a fresh call", async () => {
    const k = await createKernels({ engine });
    const first = k.bsm(batchA());
    const priceArray = first.price;
    const firstPrices = Array.from(first.price);
    const fresh = k.bsm(batchB());
    const reused = k.bsm(batchB(), first);
    expect(reused.price).toBe(priceArray);
    expect(reused.charm).toBe(first.charm);
    expect(Array.from(reused.price)).not.toEqual(firstPrices);
    for (const key of ["price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm"] as const) {
      expect(Array.from(reused[key]), key).toEqual(Array.from(fresh[key]));
    }
    expect(Array.from(reused.status)).toEqual(Array.from(fresh.status));
  });

  it("bsmPrice and impliedVol reuse theirs too", async () => {
    const k = await createKernels({ engine });
    const prices = k.bsmPrice(batchA());
    const again = k.bsmPrice(batchB(), prices);
    expect(again.price).toBe(prices.price);
    expect(Array.from(again.price)).toEqual(Array.from(k.bsmPrice(batchB()).price));
    const b = batchB();
    const quotes = { ...b, price: Array.from(again.price) };
    const iv = k.impliedVol({ ...batchA(), price: Array.from(k.bsmPrice(batchA()).price) });
    const ivAgain = k.impliedVol(quotes, iv);
    expect(ivAgain.vol).toBe(iv.vol);
    ivAgain.vol.forEach((v, i) => expect(v).toBeCloseTo(b.vol[i] ?? NaN, 10));
  });

  it("refuses arrays of another length with batch_shape_mismatch", async () => {
    const k = await createKernels({ engine });
    const short = k.bsm({ ...batchA(), strike: [90, 100], t: 1, vol: 0.2, isCall: true });
    expect(() => k.bsm(batchA(), short)).toThrow(DataError);
    expect(() => k.bsm(batchA(), short)).toThrow(expect.objectContaining({ code: "batch_shape_mismatch" }));
    expect(() => k.bsm(batchA(), short)).toThrow(/reused "price" array has 2 rows but the batch has 5/);
  });
});
