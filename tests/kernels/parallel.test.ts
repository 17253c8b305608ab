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

/** The first byte at which two arrays' bits differ, or -1 (toEqual over 100k-element arrays takes seconds). */
function firstDifference(a: ArrayBufferView, b: ArrayBufferView): number {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
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
        expect(firstDifference(split[key], inline[key]), key).toBe(-1);
      }
      expect(firstDifference(split.status, inline.status)).toBe(-1);
      const quotes = { price: inline.price, spot: 100, strike: b.strike, t: b.t, rate: 0.03, div: 0.01, isCall: b.isCall };
      const ivInline = k.impliedVol(quotes);
      const ivSplit = await k.impliedVolParallel(quotes);
      expect(firstDifference(ivSplit.vol, ivInline.vol)).toBe(-1);
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
