/**
 * The TypeScript twin of assembly/validate/fold-scoring.ts: the same statistics with the same operations in the
 * same order, so it equals the WebAssembly engine bit for bit (tests/validate/fold-scoring.test.ts). The test
 * oracle, and the engine where no WebAssembly build exists. Read the kernel's header for the definitions.
 */
import { foldScoringShape } from "./shape.ts";
import type { FoldScorer, FoldScores, FoldScoringInput } from "./types.ts";

function correlation(x: Float64Array, y: Float64Array, n: number, mx: number, my: number): number {
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let k = 0; k < n; k++) {
    const dx = (x[k] ?? 0) - mx;
    const dy = (y[k] ?? 0) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

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

  for (let r = 0; r < rows; r++) {
    const d = rowDate[r] ?? 0;
    const predBase = r * names;
    const outBase = d * names;
    let m = 0;
    let sumX = 0;
    let sumY = 0;
    let hits = 0;
    let signed = 0;
    for (let j = 0; j < names; j++) {
      const x = predictions[predBase + j] ?? NaN;
      const y = outcomes[outBase + j] ?? NaN;
      if (!(x - x === 0) || !(y - y === 0)) continue;
      xs[m] = x;
      ys[m] = y;
      sumX += x;
      sumY += y;
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
    ic[r] = correlation(xs, ys, m, sumX / m, sumY / m);
    averageRanksInto(xs, xr, m, order);
    averageRanksInto(ys, yr, m, order);
    const meanRank = (m + 1) * 0.5;
    rankIc[r] = correlation(xr, yr, m, meanRank, meanRank);
    let top = 0;
    let topN = 0;
    let bottom = 0;
    let bottomN = 0;
    for (let k = 0; k < m; k++) {
      const bucket = Math.floor(((Math.trunc((xr[k] ?? 0) * 2) - 2) * quantiles) / (2 * m));
      if (bucket === 0) {
        bottom += ys[k] ?? 0;
        bottomN++;
      }
      if (bucket >= quantiles - 1) {
        top += ys[k] ?? 0;
        topN++;
      }
    }
    longShort[r] = topN > 0 && bottomN > 0 ? top / topN - bottom / bottomN : NaN;
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
