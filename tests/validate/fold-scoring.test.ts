// Fold scoring: the WebAssembly kernel against its TypeScript twin (bit for bit) on random panels with absent
// names and ties; both against a plain, independent TypeScript computation of each statistic; hand-checked
// small cases; and the CPCV row layout.
import { describe, expect, it } from "vitest";
import { createFoldScorer, scoreFoldsReference, type FoldScores, type FoldScoringInput } from "../../src/kernels/fold-scoring/index.ts";
import { mulberry32 } from "../../src/sim/random.ts";
import { cpcvSplits } from "../../src/validate/cpcv.ts";
import { cpcvScoringLayout, summariseSplits } from "../../src/validate/fold-scoring.ts";
import { averageRanks, mean, sampleStd } from "../../src/validate/numeric.ts";

function randomPanel(seed: number, dates: number, names: number, folds: number, testFolds: number, quantiles: number): FoldScoringInput {
  const rng = mulberry32(seed);
  const cv = cpcvSplits(dates, { folds, testFolds });
  const layout = cpcvScoringLayout(cv);
  const tie = (v: number): number => (rng() < 0.3 ? Math.round(v * 4) / 4 : v); // ties on a quarter grid
  const outcomes = Float64Array.from({ length: dates * names }, () => (rng() < 0.05 ? NaN : tie(rng() * 2 - 1)));
  const predictions = Float64Array.from({ length: layout.rowDate.length * names }, (_, i) => {
    const u = rng();
    if (u < 0.02) return NaN;
    if (u < 0.04) return 0;
    return tie(rng() * 2 - 1 + 0.3 * (outcomes[(layout.rowDate[Math.floor(i / names)] ?? 0) * names + (i % names)] ?? 0));
  });
  // Some rows with every prediction absent, and a date with every outcome absent.
  predictions.fill(NaN, 0, names);
  outcomes.fill(NaN, 3 * names, 4 * names);
  return { names, predictions, outcomes, rowDate: layout.rowDate, rowPath: layout.rowPath, paths: layout.paths, quantiles, periodsPerYear: 252 };
}

function sameBits(a: Float64Array | Int32Array, b: Float64Array | Int32Array, label: string): void {
  expect(a.length, label).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (!Object.is(x, y)) throw new Error(`${label}[${i}]: ${x} vs ${y}`);
  }
}

const KEYS = ["ic", "rankIc", "longShort", "hitRate", "validNames", "pathSharpe", "pathMean", "pathStd", "pathCount"] as const;

/** Each statistic computed the obvious way, independently of the kernel's code. */
function plainRow(input: FoldScoringInput, r: number): { ic: number; rankIc: number; longShort: number; hitRate: number; n: number } {
  const { names, predictions, outcomes } = input;
  const d = input.rowDate[r] ?? 0;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let j = 0; j < names; j++) {
    const x = predictions[r * names + j] ?? NaN;
    const y = outcomes[d * names + j] ?? NaN;
    if (Number.isFinite(x) && Number.isFinite(y)) {
      xs.push(x);
      ys.push(y);
    }
  }
  const n = xs.length;
  const corr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    const ma = mean(a);
    const mb = mean(b);
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < a.length; i++) {
      ab += ((a[i] ?? 0) - ma) * ((b[i] ?? 0) - mb);
      aa += ((a[i] ?? 0) - ma) ** 2;
      bb += ((b[i] ?? 0) - mb) ** 2;
    }
    return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : NaN;
  };
  const q = input.quantiles ?? 5;
  const xr = averageRanks(xs);
  const top = ys.filter((_, i) => Math.floor(((xr[i] ?? 0) - 1) * q / n) === q - 1);
  const bottom = ys.filter((_, i) => Math.floor(((xr[i] ?? 0) - 1) * q / n) === 0);
  const signed = xs.map((x, i) => [x, ys[i] ?? 0] as const).filter(([x, y]) => x !== 0 && y !== 0);
  return {
    n,
    ic: n < 2 ? NaN : corr(xs, ys),
    rankIc: n < 2 ? NaN : corr(xr, averageRanks(ys)),
    longShort: n < 2 || top.length === 0 || bottom.length === 0 ? NaN : mean(top) - mean(bottom),
    hitRate: signed.length === 0 ? NaN : signed.filter(([x, y]) => x > 0 === y > 0).length / signed.length,
  };
}

function close(a: number, b: number, tol: number): boolean {
  return (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

describe("fold scoring", () => {
  it("WebAssembly equals the TypeScript twin bit for bit on random panels with absent names and ties", async () => {
    const wasm = await createFoldScorer();
    for (const [seed, dates, names, folds, testFolds, q] of [
      [1, 60, 37, 6, 2, 5], [2, 90, 3, 5, 3, 2], [3, 48, 120, 4, 2, 10], [4, 40, 500, 4, 2, 5], [5, 30, 9, 3, 2, 3],
    ] as const) {
      const input = randomPanel(seed, dates, names, folds, testFolds, q);
      const a = wasm.score(input);
      const b = scoreFoldsReference(input);
      for (const key of KEYS) sameBits(a[key], b[key], `seed ${seed} ${key}`);
    }
  });

  it("each statistic equals a plain computation of its definition", () => {
    const input = randomPanel(9, 60, 41, 6, 2, 4);
    const scores = scoreFoldsReference(input);
    for (let r = 0; r < input.rowDate.length; r++) {
      const plain = plainRow(input, r);
      expect(scores.validNames[r], `row ${r}`).toBe(plain.n);
      for (const key of ["ic", "rankIc", "longShort", "hitRate"] as const) {
        expect(close(scores[key][r] ?? NaN, plain[key], 1e-12), `row ${r} ${key}: ${scores[key][r]} vs ${plain[key]}`).toBe(true);
      }
    }
    // Paths: the Sharpe ratio of each path's finite long-short returns, annualised by √252.
    for (let p = 0; p < input.paths; p++) {
      const returns = [...scores.longShort].filter((v, r) => input.rowPath[r] === p && Number.isFinite(v));
      expect(scores.pathCount[p]).toBe(returns.length);
      expect(close(scores.pathSharpe[p] ?? NaN, (mean(returns) / sampleStd(returns)) * Math.sqrt(252), 1e-9)).toBe(true);
    }
  });

  it("scores a hand-checked cross-section", async () => {
    // Five names; prediction ranks 1..5 with a tie at the top (ranks 4.5, 4.5).
    const input: FoldScoringInput = {
      names: 5,
      predictions: Float64Array.from([0.1, -0.2, 0.3, 0.5, 0.5]),
      outcomes: Float64Array.from([0.01, -0.03, 0.02, 0.04, -0.01]),
      rowDate: Int32Array.from([0]),
      rowPath: Int32Array.from([0]),
      paths: 1,
      quantiles: 5,
    };
    for (const scorer of [await createFoldScorer(), await createFoldScorer({ engine: "ts" })]) {
      const s: FoldScores = scorer.score(input);
      // Quantiles: ranks [2, 1, 3, 4.5, 4.5] → floor((r−1)·5/5) = [1, 0, 2, 3, 3]: bottom = name 1 only, top (4) empty.
      expect(Number.isNaN(s.longShort[0])).toBe(true);
      // Signs: (+,+) (−,−) (+,+) (+,+) (+,−): 4 of 5.
      expect(s.hitRate[0]).toBe(0.8);
      // Rank IC: prediction ranks [2,1,3,4.5,4.5], outcome ranks [3,1,4,5,2].
      const xr = [2, 1, 3, 4.5, 4.5];
      const yr = [3, 1, 4, 5, 2];
      const cov = xr.reduce((acc, x, i) => acc + (x - 3) * ((yr[i] ?? 0) - 3), 0);
      const vx = xr.reduce((acc, x) => acc + (x - 3) ** 2, 0);
      expect(s.rankIc[0]).toBeCloseTo(cov / Math.sqrt(vx * 10), 15);
    }
    const four = await createFoldScorer();
    const s = four.score({ ...input, quantiles: 4 });
    // Quantiles of 4: floor((r−1)·4/5) = [0, 0, 1, 2, 2] → no top (3) either; with 2 quantiles: [0,0,0,1,1].
    expect(Number.isNaN(s.longShort[0])).toBe(true);
    const halves = four.score({ ...input, quantiles: 2 });
    expect(halves.longShort[0]).toBeCloseTo((0.04 - 0.01) / 2 - (0.01 - 0.03 + 0.02) / 3, 15);
  });

  it("refuses a row pointing outside the panel with an error naming the row", async () => {
    const wasm = await createFoldScorer();
    const input = randomPanel(3, 30, 5, 3, 2, 5);
    const bad = { ...input, rowDate: Int32Array.from(input.rowDate, (d, r) => (r === 7 ? 999 : d)) };
    expect(() => wasm.score(bad)).toThrow(/row 7: date 999/);
  });

  it("lays out a 10-fold, 2-test-fold CPCV as 45 splits × 2 folds, 9 paths each covering every date once", () => {
    const cv = cpcvSplits(250, { folds: 10, testFolds: 2 });
    const layout = cpcvScoringLayout(cv);
    expect(layout.paths).toBe(9);
    expect(layout.rowDate.length).toBe(45 * 50);
    for (let p = 0; p < 9; p++) {
      const dates = [...layout.rowDate].filter((_, r) => layout.rowPath[r] === p).sort((a, b) => a - b);
      expect(dates).toEqual(Array.from({ length: 250 }, (_, d) => d));
    }
    const scores = scoreFoldsReference({ ...randomPanel(4, 250, 20, 10, 2, 5), rowDate: layout.rowDate, rowPath: layout.rowPath, paths: 9,
      predictions: new Float64Array(layout.rowDate.length * 20).fill(1).map((_, i) => (i % 20) / 20) });
    const summary = summariseSplits(scores, layout);
    expect(summary).toHaveLength(45);
    expect(summary.every((s) => s.rows === 50)).toBe(true);
  });
});
