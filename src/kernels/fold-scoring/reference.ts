/**
 * The TypeScript twin of assembly/validate/fold-scoring.ts: the same statistics with the same operations in the
 * same order, so it equals the WebAssembly engine bit for bit (tests/validate/fold-scoring.test.ts). The test
 * oracle, and the engine where no WebAssembly build exists. Read the kernel's header for the definitions.
 */
import { foldScoringShape } from "./shape.ts";
import type { FoldScorer, FoldScores, FoldScoringInput } from "./types.ts";

/** Average ranks of values[0..n) into ranks (ties share the mean of their 1-based positions). */
function averageRanksInto(values: Float64Array, ranks: Float64Array, n: number, order: Int32Array): void {
  for (let k = 0; k < n; k++) order[k] = k;
  const view = order.subarray(0, n);
  view.sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  let i = 0;
  while (i < n) {
    const v = values[view[i] ?? 0];
    let j = i + 1;
    while (j < n && values[view[j] ?? 0] === v) j++;
    const rank = (i + 1 + j) * 0.5;
    for (let k = i; k < j; k++) ranks[view[k] ?? 0] = rank;
    i = j;
  }
}

export function scoreFoldsReference(input: FoldScoringInput): FoldScores {
  const { rows, names, paths, quantiles, periodsPerYear } = foldScoringShape(input);
  const { predictions, outcomes, rowDate, rowPath } = input;
  const ic = new Float64Array(rows);
  const rankIc = new Float64Array(rows);
  const longShort = new Float64Array(rows);
  const hitRate = new Float64Array(rows);
  const validNames = new Int32Array(rows);
  const xs = new Float64Array(names);
  const ys = new Float64Array(names);
  const xr = new Float64Array(names);
  const yr = new Float64Array(names);
  const order = new Int32Array(names);
  const sums = new Float64Array(16); // [sxy, sxx, syy, rxy, rxx, ryy, top, bottom] × [even k, odd k]

  for (let r = 0; r < rows; r++) {
    const d = rowDate[r] ?? 0;
    const predBase = r * names;
    const outBase = d * names;
    let m = 0;
    let hits = 0;
    let signed = 0;
    for (let j = 0; j < names; j++) {
      const x = predictions[predBase + j] ?? NaN;
      const y = outcomes[outBase + j] ?? NaN;
      if (!(x - x === 0) || !(y - y === 0)) continue;
      xs[m] = x;
      ys[m] = y;
      if (x !== 0 && y !== 0) {
        signed++;
        if (x > 0 === y > 0) hits++;
      }
      m++;
    }
    validNames[r] = m;
    hitRate[r] = signed > 0 ? hits / signed : NaN;
    if (m < 2) {
      ic[r] = NaN;
      rankIc[r] = NaN;
      longShort[r] = NaN;
      continue;
    }
    averageRanksInto(xs, xr, m, order);
    averageRanksInto(ys, yr, m, order);
    // Two interleaved sums per statistic, like the kernel's two f64x2 lanes: even k and odd k, added at the end.
    // Means over the same even/odd lanes.
    let sumX0 = 0;
    let sumX1 = 0;
    let sumY0 = 0;
    let sumY1 = 0;
    for (let k = 0; k < m; k++) {
      if ((k & 1) === 0) {
        sumX0 += xs[k] ?? 0;
        sumY0 += ys[k] ?? 0;
      } else {
        sumX1 += xs[k] ?? 0;
        sumY1 += ys[k] ?? 0;
      }
    }
    const mx = (sumX0 + sumX1) / m;
    const my = (sumY0 + sumY1) / m;
    const meanRank = (m + 1) * 0.5;
    const topFrom = (quantiles - 1) * m;
    sums.fill(0);
    let topN = 0;
    let bottomN = 0;
    for (let k = 0; k < m; k++) {
      const lane = k & 1;
      const x = xs[k] ?? 0;
      const y = ys[k] ?? 0;
      const dx = x - mx;
      const dy = y - my;
      const ex = (xr[k] ?? 0) - meanRank;
      const ey = (yr[k] ?? 0) - meanRank;
      sums[lane] = (sums[lane] ?? 0) + dx * dy;
      sums[2 + lane] = (sums[2 + lane] ?? 0) + dx * dx;
      sums[4 + lane] = (sums[4 + lane] ?? 0) + dy * dy;
      sums[6 + lane] = (sums[6 + lane] ?? 0) + ex * ey;
      sums[8 + lane] = (sums[8 + lane] ?? 0) + ex * ex;
      sums[10 + lane] = (sums[10 + lane] ?? 0) + ey * ey;
      const scaled = ((xr[k] ?? 0) - 1) * quantiles;
      // Adding +0 where the kernel adds its masked +0, so the sums match bit for bit.
      sums[12 + lane] = (sums[12 + lane] ?? 0) + (scaled >= topFrom ? y : 0);
      topN += scaled >= topFrom ? 1 : 0;
      sums[14 + lane] = (sums[14 + lane] ?? 0) + (scaled < m ? y : 0);
      bottomN += scaled < m ? 1 : 0;
    }
    const total = (i: number): number => (sums[2 * i] ?? 0) + (sums[2 * i + 1] ?? 0);
    const [sxy, sxx, syy, rxy, rxx, ryy, top, bottom] = [0, 1, 2, 3, 4, 5, 6, 7].map(total);
    ic[r] = (sxx ?? 0) > 0 && (syy ?? 0) > 0 ? (sxy ?? 0) / Math.sqrt((sxx ?? 0) * (syy ?? 0)) : NaN;
    rankIc[r] = (rxx ?? 0) > 0 && (ryy ?? 0) > 0 ? (rxy ?? 0) / Math.sqrt((rxx ?? 0) * (ryy ?? 0)) : NaN;
    longShort[r] = topN > 0 && bottomN > 0 ? (top ?? 0) / topN - (bottom ?? 0) / bottomN : NaN;
  }

  const pathMean = new Float64Array(paths);
  const pathStd = new Float64Array(paths);
  const pathCount = new Int32Array(paths);
  const pathSharpe = new Float64Array(paths);
  for (let r = 0; r < rows; r++) {
    const ls = longShort[r] ?? NaN;
    if (!(ls - ls === 0)) continue;
    const p = rowPath[r] ?? 0;
    pathMean[p] = (pathMean[p] ?? 0) + ls;
    pathCount[p] = (pathCount[p] ?? 0) + 1;
  }
  for (let p = 0; p < paths; p++) {
    const count = pathCount[p] ?? 0;
    pathMean[p] = count > 0 ? (pathMean[p] ?? 0) / count : NaN;
  }
  for (let r = 0; r < rows; r++) {
    const ls = longShort[r] ?? NaN;
    if (!(ls - ls === 0)) continue;
    const p = rowPath[r] ?? 0;
    const dev = ls - (pathMean[p] ?? 0);
    pathStd[p] = (pathStd[p] ?? 0) + dev * dev;
  }
  const annualise = Math.sqrt(periodsPerYear);
  for (let p = 0; p < paths; p++) {
    const count = pathCount[p] ?? 0;
    const sd = count > 1 ? Math.sqrt((pathStd[p] ?? 0) / (count - 1)) : NaN;
    pathStd[p] = sd;
    pathSharpe[p] = sd > 0 ? ((pathMean[p] ?? 0) / sd) * annualise : NaN;
  }
  return { ic, rankIc, longShort, hitRate, validNames, pathSharpe, pathMean, pathStd, pathCount };
}

export function createTsFoldScorer(): FoldScorer {
  return { engine: "ts", score: scoreFoldsReference };
}
