/**
 * The pure-TypeScript reference engine: the same signatures as the WASM engine, row by row in plain JS. It is
 * the test oracle for the WASM build and the fallback where WebAssembly is unavailable.
 */
import { batchLength, outputFloat64, outputInt32, toFlags, toFloat64 } from "../columns.ts";
import type { BsmBatch, BsmPrices, BsmResult, IvBatch, IvResult, OptionEngine } from "../types.ts";
import { bsmRow, CHARM, DELTA, GAMMA, PRICE, RHO, THETA, VANNA, VEGA, VOLGA } from "./bsm.ts";
import { impliedVolRow } from "./implied-vol.ts";

const OUTPUT_NAMES = ["price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm"] as const;

function bsmColumns(batch: BsmBatch) {
  const n = batchLength(batch);
  return {
    n,
    spot: toFloat64(batch.spot, n),
    strike: toFloat64(batch.strike, n),
    t: toFloat64(batch.t, n),
    rate: toFloat64(batch.rate, n),
    div: toFloat64(batch.div, n),
    vol: toFloat64(batch.vol, n),
    isCall: toFlags(batch.isCall, n),
  };
}

export function createTsEngine(): OptionEngine {
  return {
    bsm(batch: BsmBatch, out?: BsmResult): BsmResult {
      const c = bsmColumns(batch);
      const n = c.n;
      // In the order of the row indices PRICE = 0 ... CHARM = 8 (ts/bsm.ts).
      const cols = OUTPUT_NAMES.map((name) => outputFloat64(n, out?.[name], name));
      const status = outputInt32(n, out?.status, "status");
      const row = new Float64Array(9);
      let invalid = 0;
      for (let i = 0; i < n; i++) {
        const st = bsmRow(c.spot[i] ?? NaN, c.strike[i] ?? NaN, c.t[i] ?? NaN, c.rate[i] ?? NaN, c.div[i] ?? NaN,
          c.vol[i] ?? NaN, c.isCall[i] !== 0, true, row);
        status[i] = st;
        if (st !== 0) invalid++;
        for (let k = 0; k < 9; k++) (cols[k] as Float64Array)[i] = row[k] ?? NaN;
      }
      const col = (k: number): Float64Array => cols[k] as Float64Array;
      return {
        length: n, price: col(PRICE), delta: col(DELTA), gamma: col(GAMMA), vega: col(VEGA), theta: col(THETA),
        rho: col(RHO), vanna: col(VANNA), volga: col(VOLGA), charm: col(CHARM), status, invalid,
      };
    },

    bsmPrice(batch: BsmBatch, out?: BsmPrices): BsmPrices {
      const c = bsmColumns(batch);
      const price = outputFloat64(c.n, out?.price, "price");
      const status = outputInt32(c.n, out?.status, "status");
      const row = new Float64Array(9);
      let invalid = 0;
      for (let i = 0; i < c.n; i++) {
        const st = bsmRow(c.spot[i] ?? NaN, c.strike[i] ?? NaN, c.t[i] ?? NaN, c.rate[i] ?? NaN, c.div[i] ?? NaN,
          c.vol[i] ?? NaN, c.isCall[i] !== 0, false, row);
        status[i] = st;
        if (st !== 0) invalid++;
        price[i] = row[PRICE] ?? NaN;
      }
      return { length: c.n, price, status, invalid };
    },

    impliedVol(batch: IvBatch, out?: IvResult): IvResult {
      const n = batchLength(batch);
      const price = toFloat64(batch.price, n);
      const spot = toFloat64(batch.spot, n);
      const strike = toFloat64(batch.strike, n);
      const t = toFloat64(batch.t, n);
      const rate = toFloat64(batch.rate, n);
      const div = toFloat64(batch.div, n);
      const isCall = toFlags(batch.isCall, n);
      const vol = outputFloat64(n, out?.vol, "vol");
      const status = outputInt32(n, out?.status, "status");
      let failed = 0;
      for (let i = 0; i < n; i++) {
        const out = impliedVolRow(price[i] ?? NaN, spot[i] ?? NaN, strike[i] ?? NaN, t[i] ?? NaN, rate[i] ?? NaN,
          div[i] ?? NaN, isCall[i] !== 0);
        vol[i] = out.vol;
        status[i] = out.status;
        if (out.status !== 0) failed++;
      }
      return { length: n, vol, status, failed };
    },
  };
}
