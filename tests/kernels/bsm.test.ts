import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createKernels, type Kernels } from "../../src/kernels/index.ts";
import { reference, withinTolerance, propertySeed } from "./helpers.ts";

const engines = ["wasm", "ts"] as const;
const kernels: Record<(typeof engines)[number], Promise<Kernels>> = {
  wasm: createKernels({ engine: "wasm" }),
  ts: createKernels({ engine: "ts" }),
};

function referenceBatch() {
  const rows = reference.bsm;
  return {
    spot: rows.map((r) => r.S), strike: rows.map((r) => r.K), t: rows.map((r) => r.T), rate: rows.map((r) => r.r),
    div: rows.map((r) => r.q), vol: rows.map((r) => r.vol), isCall: rows.map((r) => r.call),
  };
}

describe.each(engines)("Black-Scholes-Merton (%s engine)", (engine) => {
  it("reproduces published values (Haug, Hull) within each row's tolerance", async () => {
    const k = await kernels[engine];
    for (const g of reference.golden) {
      const out = k.bsmOne({ spot: g.S, strike: g.K, t: g.T, rate: g.r, div: g.q, vol: g.vol, type: g.call ? "call" : "put" });
      expect(Math.abs(out[g.field] - g.value), g.source).toBeLessThanOrEqual(g.tol);
    }
  });

  it("matches the mpmath reference: prices to 1e-13, first-order Greeks to 1e-12 (plus input conditioning)", async () => {
    const k = await kernels[engine];
    const r = k.bsm(referenceBatch());
    expect(r.invalid).toBe(0);
    reference.bsm.forEach((row, i) => {
      const where = `row ${i}: S=${row.S} K=${row.K} T=${row.T} vol=${row.vol} ${row.call ? "call" : "put"}`;
      expect(withinTolerance(r.price[i] ?? NaN, row.price, 1e-13, row.kappa.price, row.S), `price ${where}`).toBe(true);
      for (const key of ["delta", "gamma", "vega", "theta", "rho"] as const) {
        expect(withinTolerance(r[key][i] ?? NaN, row[key], 1e-12, row.kappa[key], row.S), `${key} ${where}`).toBe(true);
      }
      for (const key of ["vanna", "volga", "charm"] as const) {
        const want = row[key];
        if (want === null || Math.abs(want) < 1e-290) continue;
        // No condition numbers for second-order Greeks in the reference: a looser fixed bound.
        expect(Math.abs((r[key][i] ?? NaN) - want) / Math.abs(want), `${key} ${where}`).toBeLessThanOrEqual(1e-8);
      }
    });
  });

  it("returns status invalid_input and NaN numbers for bad rows, without throwing, and keeps good rows", async () => {
    const k = await kernels[engine];
    const bad: [number, number, number, number, number, number][] = [
      [NaN, 100, 1, 0.01, 0, 0.2], [100, NaN, 1, 0.01, 0, 0.2], [100, 100, NaN, 0.01, 0, 0.2],
      [100, 100, 1, NaN, 0, 0.2], [100, 100, 1, 0.01, NaN, 0.2], [100, 100, 1, 0.01, 0, NaN],
      [Infinity, 100, 1, 0, 0, 0.2], [100, -Infinity, 1, 0, 0, 0.2], [100, 100, Infinity, 0, 0, 0.2],
      [100, 100, 1, Infinity, 0, 0.2], [100, 100, 1, 0, 0, Infinity], [100, 100, -1, 0, 0, 0.2],
      [100, 100, 1, 0, 0, -0.2], [0, 100, 1, 0, 0, 0.2], [-5, 100, 1, 0, 0, 0.2], [100, 0, 1, 0, 0, 0.2],
      [100, -1, 1, 0, 0, 0.2],
    ];
    const rows = [...bad, [100, 100, 1, 0.01, 0, 0.2] as const];
    const r = k.bsm({
      spot: rows.map((b) => b[0]), strike: rows.map((b) => b[1]), t: rows.map((b) => b[2]), rate: rows.map((b) => b[3]),
      div: rows.map((b) => b[4]), vol: rows.map((b) => b[5]), isCall: true,
    });
    expect(r.invalid).toBe(bad.length);
    for (let i = 0; i < bad.length; i++) {
      expect(r.status[i], `row ${i}`).toBe(1);
      for (const col of [r.price, r.delta, r.gamma, r.vega, r.theta, r.rho, r.vanna, r.volga, r.charm]) {
        expect(Number.isNaN(col[i]), `row ${i}`).toBe(true);
      }
    }
    expect(r.status[bad.length]).toBe(0);
    expect(r.price[bad.length]).toBeGreaterThan(0);
  });

  it("gives the discounted intrinsic value on the forward at t = 0 and at vol = 0, with the limits of the Greeks", async () => {
    const k = await kernels[engine];
    const S = 100, K = 90, T = 0.5, r = 0.05, q = 0.02;
    const F = S * Math.exp((r - q) * T);
    const zeroVolCall = k.bsmOne({ spot: S, strike: K, t: T, rate: r, div: q, vol: 0, type: "call" });
    expect(zeroVolCall.status).toBe("ok");
    expect(zeroVolCall.price).toBeCloseTo(Math.exp(-r * T) * (F - K), 12);
    expect(zeroVolCall.delta).toBeCloseTo(Math.exp(-q * T), 15);
    expect(zeroVolCall.gamma).toBe(0);
    expect(zeroVolCall.vega).toBe(0);
    const zeroVolPut = k.bsmOne({ spot: S, strike: K, t: T, rate: r, div: q, vol: 0, type: "put" });
    expect(zeroVolPut.price).toBe(0);
    expect(zeroVolPut.delta === 0).toBe(true);
    const expiry = k.bsmOne({ spot: S, strike: 120, t: 0, rate: r, div: q, vol: 0.3, type: "put" });
    expect(expiry.price).toBeCloseTo(20, 12);
    expect(expiry.delta).toBe(-1);
    // Exactly at the money forward with no time value: gamma has no finite limit.
    const atm = k.bsmOne({ spot: S, strike: S, t: 0, rate: 0, div: 0, vol: 0.3, type: "call" });
    expect(atm.price).toBe(0);
    expect(atm.delta).toBe(0.5);
    expect(atm.gamma).toBe(Infinity);
  });

  it("prices deep in/out of the money and extreme strikes without cancellation (parity to the last digits)", async () => {
    const k = await kernels[engine];
    for (const [K, vol, T] of [[1e-6, 0.2, 1], [1e6, 0.2, 1], [40, 0.001, 0.01], [250, 0.05, 0.1], [100.0001, 1e-6, 1]] as const) {
      const call = k.bsmOne({ spot: 100, strike: K, t: T, rate: 0.03, div: 0.01, vol, type: "call" });
      const put = k.bsmOne({ spot: 100, strike: K, t: T, rate: 0.03, div: 0.01, vol, type: "put" });
      expect(call.status).toBe("ok");
      expect(call.price).toBeGreaterThanOrEqual(0);
      expect(put.price).toBeGreaterThanOrEqual(0);
      const forwardValue = 100 * Math.exp(-0.01 * T) - K * Math.exp(-0.03 * T);
      // A few ulps of the parity's own terms: nothing was lost to cancellation inside the kernel.
      const terms = 100 * Math.exp(-0.01 * T) + K * Math.exp(-0.03 * T);
      expect(Math.abs(call.price - put.price - forwardValue), `K=${K}`).toBeLessThanOrEqual(8e-16 * terms);
    }
  });

  it("satisfies put-call parity, monotonicity in vol and strike (property)", async () => {
    const k = await kernels[engine];
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1000, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: 0.003, max: 10, noNaN: true }), fc.double({ min: -0.01, max: 0.1, noNaN: true }),
        fc.double({ min: 0, max: 0.08, noNaN: true }), fc.double({ min: 0.01, max: 1.5, noNaN: true }),
        (S, lnK, T, r, q, vol) => {
          const K = S * Math.exp(lnK);
          const batch = { spot: S, strike: [K, K, K * 1.01, K], t: T, rate: r, div: q, vol: [vol, vol, vol, vol * 1.01], isCall: [true, false, true, true] };
          const p = k.bsmPrice(batch).price;
          const [c, put, cHigherK, cHigherVol] = [p[0] ?? NaN, p[1] ?? NaN, p[2] ?? NaN, p[3] ?? NaN];
          const parity = S * Math.exp(-q * T) - K * Math.exp(-r * T);
          expect(Math.abs(c - put - parity)).toBeLessThanOrEqual(1e-12 * (S + K));
          expect(cHigherK).toBeLessThanOrEqual(c);
          expect(cHigherVol).toBeGreaterThanOrEqual(c);
        },
      ),
      { numRuns: 300, ...propertySeed() },
    );
  });

  it("has Greeks that agree with central finite differences of its own prices (property)", async () => {
    const k = await kernels[engine];
    fc.assert(
      fc.property(
        fc.double({ min: 10, max: 500, noNaN: true }), fc.double({ min: -0.8, max: 0.8, noNaN: true }),
        fc.double({ min: 0.05, max: 5, noNaN: true }), fc.double({ min: -0.01, max: 0.1, noNaN: true }),
        fc.double({ min: 0, max: 0.05, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }), fc.boolean(),
        (S, lnK, T, r, q, vol, isCall) => {
          const K = S * Math.exp(lnK);
          const base = { spot: S, strike: K, t: T, rate: r, div: q, vol, type: isCall ? ("call" as const) : ("put" as const) };
          const g = k.bsmOne(base);
          const price = (o: Partial<typeof base>) => k.bsmOne({ ...base, ...o }).price;
          const delta = (o: Partial<typeof base>) => k.bsmOne({ ...base, ...o }).delta;
          const vega = (o: Partial<typeof base>) => k.bsmOne({ ...base, ...o }).vega;
          const s = vol * Math.sqrt(T);
          const hS = S * Math.min(1e-4, 1e-3 * s), hV = Math.min(1e-4, 1e-2 * vol), hT = Math.min(1e-4, T / 4, 1e-2 * T * s), hR = 1e-4;
          const checks: [string, number, number, number][] = [
            ["delta", g.delta, (price({ spot: S + hS }) - price({ spot: S - hS })) / (2 * hS), 1],
            ["gamma", g.gamma, (delta({ spot: S + hS }) - delta({ spot: S - hS })) / (2 * hS), 1 / S],
            ["vega", g.vega, (price({ vol: vol + hV }) - price({ vol: vol - hV })) / (2 * hV), S],
            ["theta", g.theta, -(price({ t: T + hT }) - price({ t: T - hT })) / (2 * hT), S],
            ["rho", g.rho, (price({ rate: r + hR }) - price({ rate: r - hR })) / (2 * hR), S * T],
            ["vanna", g.vanna, (delta({ vol: vol + hV }) - delta({ vol: vol - hV })) / (2 * hV), 1],
            ["volga", g.volga, (vega({ vol: vol + hV }) - vega({ vol: vol - hV })) / (2 * hV), S],
            ["charm", g.charm, -(delta({ t: T + hT }) - delta({ t: T - hT })) / (2 * hT), 1],
          ];
          for (const [name, analytic, numeric, scale] of checks) {
            expect(Math.abs(analytic - numeric), name).toBeLessThanOrEqual(1e-5 * (Math.abs(analytic) + scale));
          }
        },
      ),
      { numRuns: 150, ...propertySeed() },
    );
  });
});

describe("engine agreement", () => {
  it("WASM and TypeScript agree to a few ulps on the reference domain", async () => {
    const [wasm, ts] = await Promise.all([kernels.wasm, kernels.ts]);
    const batch = referenceBatch();
    const a = wasm.bsm(batch);
    const b = ts.bsm(batch);
    // The engines differ only in exp/log (musl in WASM, the host's in JS), by an ulp or so per call; each row's
    // condition number kappa bounds how much such differences can grow. So: a few ulps times (1 + kappa).
    const ulp = (v: number) => Math.max(Math.abs(v), 2.2250738585072014e-308) * 2.220446049250313e-16;
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      const row = reference.bsm[i];
      if (row === undefined) continue;
      for (const key of ["price", "delta", "gamma", "vega", "rho"] as const) {
        const x = a[key][i] ?? NaN;
        const y = b[key][i] ?? NaN;
        if (x === y) continue;
        worst = Math.max(worst, Math.abs(x - y) / ulp(y) / (1 + (row.kappa[key] ?? 0)));
      }
    }
    expect(worst).toBeLessThanOrEqual(8);
  });

  it("gives each row the same bits whatever its position or neighbour (rows are paired on SIMD lanes)", async () => {
    const wasm = await kernels.wasm;
    const batch = referenceBatch();
    const whole = wasm.bsm(batch);
    const shifted = wasm.bsm({
      spot: [1, ...batch.spot], strike: [1, ...batch.strike], t: [1, ...batch.t], rate: [0, ...batch.rate],
      div: [0, ...batch.div], vol: [0.2, ...batch.vol], isCall: [true, ...batch.isCall],
    });
    for (const key of ["price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm"] as const) {
      expect(new Uint8Array(shifted[key].slice(1).buffer)).toEqual(new Uint8Array(whole[key].buffer));
    }
    const row = reference.bsm[7];
    if (row === undefined) throw new Error("reference row 7 missing");
    const alone = wasm.bsmOne({ spot: row.S, strike: row.K, t: row.T, rate: row.r, div: row.q, vol: row.vol, type: row.call ? "call" : "put" });
    expect(alone.price).toBe(whole.price[7]);
    expect(alone.theta).toBe(whole.theta[7]);
  });

  it("release and debug WASM builds agree bit for bit", async () => {
    const [release, debug] = await Promise.all([kernels.wasm, createKernels({ engine: "wasm", build: "debug" })]);
    const batch = referenceBatch();
    const a = release.bsm(batch);
    const b = debug.bsm(batch);
    for (const key of ["price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm"] as const) {
      expect(new Uint8Array(a[key].buffer)).toEqual(new Uint8Array(b[key].buffer));
    }
  });
});
