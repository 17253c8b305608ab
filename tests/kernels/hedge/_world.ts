/**
 * A Black–Scholes world for the hedging tests: seeded geometric Brownian motion paths (exact log-normal steps,
 * risk-neutral drift r - q) and the pure-TypeScript BSM engine for premiums and vegas.
 */
import { mulberry32 } from "../../../src/sim/random.ts";
import { createOptionEngine, tsKernelInstance } from "../../../src/kernels/index.ts";

/** Standard normals from a seeded mulberry32, by Box–Muller (both values of each pair used). */
export function gaussianStream(seed: number): () => number {
  const u = mulberry32(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u1 = Math.max(u(), 1e-300);
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

export interface GbmOptions {
  readonly paths: number;
  /** Intervals: the path has intervals + 1 points, t_k = k T / intervals. */
  readonly intervals: number;
  readonly horizon: number;
  readonly spot: number;
  readonly vol: number;
  readonly rate: number;
  readonly div: number;
  readonly seed: number;
}

/** Path-major spots (paths x (intervals + 1)) and the shared time grid. */
export function gbmPaths(o: GbmOptions): { spot: Float64Array; time: Float64Array } {
  const points = o.intervals + 1;
  const dt = o.horizon / o.intervals;
  const drift = (o.rate - o.div - 0.5 * o.vol * o.vol) * dt;
  const diffusion = o.vol * Math.sqrt(dt);
  const z = gaussianStream(o.seed);
  const spot = new Float64Array(o.paths * points);
  for (let p = 0; p < o.paths; p++) {
    let logS = Math.log(o.spot);
    spot[p * points] = o.spot;
    for (let k = 1; k < points; k++) {
      logS += drift + diffusion * z();
      spot[p * points + k] = Math.exp(logS);
    }
  }
  const time = Float64Array.from({ length: points }, (_, k) => (k === o.intervals ? o.horizon : k * dt));
  return { spot, time };
}

/** Every `every`-th point of each path (the same Brownian path seen at fewer hedging dates). */
export function subsample(spot: Float64Array, time: Float64Array, every: number): { spot: Float64Array; time: Float64Array } {
  const points = time.length;
  const paths = spot.length / points;
  const kept = Math.floor((points - 1) / every) + 1;
  const out = new Float64Array(paths * kept);
  for (let p = 0; p < paths; p++) for (let j = 0; j < kept; j++) out[p * kept + j] = spot[p * points + j * every] ?? Number.NaN;
  return { spot: out, time: Float64Array.from({ length: kept }, (_, j) => time[j * every] ?? Number.NaN) };
}

const ts = createOptionEngine(tsKernelInstance());

export interface BsmQuote {
  readonly price: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
}

/** One BSM price and its Greeks from the pure-TypeScript engine. */
export function bsm(spot: number, strike: number, t: number, rate: number, div: number, vol: number, isCall: boolean): BsmQuote {
  const r = ts.bsm({ spot, strike, t, rate, div, vol, isCall });
  const at = (a: Float64Array) => a[0] ?? Number.NaN;
  return { price: at(r.price), delta: at(r.delta), gamma: at(r.gamma), vega: at(r.vega), theta: at(r.theta) };
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] ?? Number.NaN;
  return s / values.length;
}

export function std(values: ArrayLike<number>): number {
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += ((values[i] ?? Number.NaN) - m) ** 2;
  return Math.sqrt(s / (values.length - 1));
}
