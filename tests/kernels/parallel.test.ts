import { describe, expect, it } from "vitest";
import { createKernels } from "../../src/kernels/index.ts";

function batch(n: number) {
  const strike = new Float64Array(n);
  const t = new Float64Array(n);
  const vol = new Float64Array(n);
  const isCall = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    strike[i] = 60 + (i % 81);
    t[i] = 0.05 + (i % 13) * 0.15;
    vol[i] = 0.1 + (i % 17) * 0.03;
    isCall[i] = i % 2;
  }
  return { spot: 100, strike, t, rate: 0.03, div: 0.01, vol, isCall };
}

describe("worker-thread splitting", () => {
  it("gives bit-identical results to the in-thread kernels, for BSM and implied vol", async () => {
    const k = await createKernels({ engine: "wasm", workers: 2, parallelThreshold: 1000 });
    try {
      const b = batch(12_345);
      const inline = k.bsm(b);
      const split = await k.bsmParallel(b);
      expect(split.length).toBe(inline.length);
      for (const key of ["price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm"] as const) {
        expect(new Uint8Array(split[key].buffer)).toEqual(new Uint8Array(inline[key].buffer));
      }
      expect(Array.from(split.status)).toEqual(Array.from(inline.status));
      const quotes = { price: inline.price, spot: 100, strike: b.strike, t: b.t, rate: 0.03, div: 0.01, isCall: b.isCall };
      const ivInline = k.impliedVol(quotes);
      const ivSplit = await k.impliedVolParallel(quotes);
      expect(new Uint8Array(ivSplit.vol.buffer)).toEqual(new Uint8Array(ivInline.vol.buffer));
      expect(ivSplit.failed).toBe(ivInline.failed);
    } finally {
      await k.close();
    }
  });

  it("runs small batches in the calling thread and works on the ts engine", async () => {
    const k = await createKernels({ engine: "ts" });
    const r = await k.bsmParallel(batch(10));
    expect(r.length).toBe(10);
    expect(r.invalid).toBe(0);
    await k.close();
  });
});
