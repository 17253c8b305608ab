/**
 * Inputs for the arm64 bit-identity run (run-vectors.ts, scripts/test-arm64.sh): for each kernel family, the calls
 * to make. The runner is generic: it stages buffers and collects every output from the ABI descriptor
 * (src/kernels/abi/), so a set only says which exports to call with what. tests/kernels/abi.test.ts checks
 * that the sets call every export of the WebAssembly build: a new family adds its set here or that test fails.
 * The inputs come from the mpmath reference vectors (tests/ref/kernels-reference.json) where the family has
 * them, else from a seeded generator: the check is that both architectures give the same bits, not accuracy.
 */
import type { CallArgs } from "../../src/kernels/abi/run.ts";
import type { KernelInstance } from "../../src/kernels/instance.ts";
import { parkMiller, sviSurfaceWorkload } from "../../bench/kernel-peers.ts";
import { FOLD_SCORING_EXPORTS, runFoldScoringVectors } from "./fold-scoring-vectors.ts";
import { HEDGE_EXPORTS, runHedgeVectors } from "./hedge-vectors.ts";
import { LEARN_EXPORTS, runLearnVectors } from "./learn-vectors.ts";

export interface Reference {
  readonly normal: readonly { x: number }[];
  readonly normInv: readonly { p: number }[];
  readonly bsm: readonly { S: number; K: number; T: number; r: number; q: number; vol: number; call: boolean }[];
  readonly iv: readonly { price: number; S: number; K: number; T: number; r: number; q: number; call: boolean; x: number; s: number }[];
}

export interface KernelCall {
  readonly export: string;
  readonly args: CallArgs;
}

/**
 * A family's vectors: a list of calls the runner stages from the ABI descriptor, or, for exports whose buffers
 * the descriptor cannot lay out alone (pointer tables, sizes another export computes), a `run` of its own
 * (through the family's host code) that returns its digest groups and names the exports it `covers`.
 */
export type VectorSet =
  | { readonly name: string; calls(reference: Reference): KernelCall[] }
  | { readonly name: string; readonly covers: readonly string[]; run(instance: KernelInstance): Map<string, number[]> };

const f64 = (values: readonly number[]): Float64Array => Float64Array.from(values);
const flags = (values: readonly boolean[]): Uint8Array => Uint8Array.from(values, (v) => (v ? 1 : 0));

const scalarCalls = (name: string, xs: readonly number[]): KernelCall[] => xs.map((x) => ({ export: name, args: { x } }));

/** Raw SVI parameter sets: ordinary smiles, a steep wing, and Vogt's arbitrageable slice. */
function sviParams(): { a: number; b: number; rho: number; m: number; sigma: number }[] {
  const draw = parkMiller(7);
  const sets = [
    { a: 0.02, b: 0.3, rho: -0.3, m: 0.3, sigma: 0.1 },
    { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 },
    { a: 0.001, b: 1.4, rho: -0.95, m: -0.1, sigma: 0.02 },
  ];
  for (let i = 0; i < 20; i++) {
    sets.push({ a: -0.05 + 0.25 * draw(), b: 1.5 * draw(), rho: -0.99 + 1.98 * draw(), m: -0.5 + draw(), sigma: 0.005 + draw() });
  }
  return sets;
}

/** A surface of 40 expiries x 30 strikes with noisy equity-like skews (the SVI bench's workload), packed. */
function sviSurface(): CallArgs {
  const slices = sviSurfaceWorkload(40, 30);
  const offsets = new Int32Array(slices.length + 1);
  slices.forEach((slice, e) => {
    offsets[e + 1] = (offsets[e] ?? 0) + slice.k.length;
  });
  const k = f64(slices.flatMap((slice) => slice.k));
  return {
    nSlices: slices.length, offsets, k, w: f64(slices.flatMap((slice) => slice.w)), weight: f64(Array.from(k, () => 1)),
    t: f64(slices.map((slice) => slice.t)), flags: 0, maxIter: 500,
  };
}

export const VECTOR_SETS: readonly VectorSet[] = [
  { name: "arena", calls: () => [{ export: "abiVersion", args: {} }] },
  {
    name: "normal distribution",
    calls: (ref) => {
      const xs = ref.normal.map((r) => r.x);
      return [
        ...scalarCalls("erfc", xs), ...scalarCalls("erfcx", xs), ...scalarCalls("normCdf", xs), ...scalarCalls("normPdf", xs),
        ...scalarCalls("normInv", ref.normInv.map((r) => r.p)),
        ...scalarCalls("expX2Lane", Array.from({ length: 2001 }, (_, i) => -745 + (1454.7 * i) / 2000)),
      ];
    },
  },
  {
    name: "bsm",
    calls: (ref) => {
      const rows = ref.bsm;
      const columns = {
        n: rows.length, spot: f64(rows.map((r) => r.S)), strike: f64(rows.map((r) => r.K)), t: f64(rows.map((r) => r.T)),
        rate: f64(rows.map((r) => r.r)), div: f64(rows.map((r) => r.q)), vol: f64(rows.map((r) => r.vol)),
        isCall: flags(rows.map((r) => r.call)),
      };
      return [
        { export: "bsmBatch", args: columns },
        // Price and first-order Greeks only: the second-order pointers 0 take another path through the row.
        { export: "bsmBatch", args: { ...columns, vanna: 0, volga: 0, charm: 0 } },
        ...ref.iv.flatMap((r) => [
          { export: "normalisedBlackPrice", args: { x: r.x, s: r.s, isCall: 1 } },
          { export: "normalisedBlackPrice", args: { x: r.x, s: r.s, isCall: 0 } },
        ]),
      ];
    },
  },
  {
    name: "implied vol",
    calls: (ref) => {
      const rows = ref.iv;
      return [
        {
          export: "impliedVolBatch",
          args: {
            n: rows.length, price: f64(rows.map((r) => r.price)), spot: f64(rows.map((r) => r.S)),
            strike: f64(rows.map((r) => r.K)), t: f64(rows.map((r) => r.T)), rate: f64(rows.map((r) => r.r)),
            div: f64(rows.map((r) => r.q)), isCall: flags(rows.map((r) => r.call)),
          },
        },
        ...rows.flatMap((r): KernelCall[] => [
          { export: "impliedVolScalar", args: { price: r.price, spot: r.S, strike: r.K, t: r.T, rate: r.r, div: r.q, isCall: r.call ? 1 : 0 } },
          { export: "impliedVolStatus", args: {} },
          { export: "impliedVolIterations", args: {} },
          // The normalised solve at a beta from the row's own moneyness: the price of s under the other right.
          { export: "impliedNormalisedVol", args: { beta: 0.5 * Math.exp(-0.5 * Math.abs(r.x)) * Math.min(1, r.s), x: r.x, isCall: r.call ? 1 : 0 } },
          { export: "impliedVolStatus", args: {} },
        ]),
      ];
    },
  },
  {
    name: "svi",
    calls: () => {
      const params = sviParams();
      const k = f64(Array.from({ length: 241 }, (_, i) => -3 + (6 * i) / 240));
      return [
        ...params.map((p): KernelCall => ({ export: "sviEval", args: { ...p, k, n: k.length } })),
        ...params.map((p): KernelCall => ({ export: "sviButterflyScan", args: { ...p, maxIntervals: 8 } })),
        { export: "sviFitBatch", args: sviSurface() },
        { export: "sviFitBatch", args: { ...sviSurface(), flags: 1 } },
      ];
    },
  },
  { name: "learn", covers: LEARN_EXPORTS, run: runLearnVectors },
  { name: "fold scoring", covers: FOLD_SCORING_EXPORTS, run: runFoldScoringVectors },
  { name: "hedge", covers: HEDGE_EXPORTS, run: runHedgeVectors },
];
