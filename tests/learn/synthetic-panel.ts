/**
 * A synthetic cross-sectional panel with a known, planted signal, for the learn tests and bench/learn.bench.ts.
 * Rows are (date, name), sorted by date; the label is a nonlinear function of a few features (a sine, an
 * interaction, a step with missing values, a square) plus a per-date common shock, which rank IC ignores, and
 * independent noise. The other features are pure noise. Every number comes from an integer generator and plain
 * arithmetic (no Math.sin: a polynomial stands in), so the panel is the same on every machine.
 */
import type { LearnPanel } from "../../src/kernels/learn/index.ts";

export interface SyntheticPanelOptions {
  readonly dates: number;
  readonly names: number;
  /** Features in all (>= 6); features beyond the first five are noise. */
  readonly features: number;
  /** Standard deviation of the idiosyncratic noise (the signal's is about 0.75). */
  readonly noise: number;
  readonly seed: number;
  /** Share of missing values planted in feature f3 (default 0.05). */
  readonly missing?: number;
}

/** SplitMix32-style integer generator: uniform in [0, 1) with 32 bits. */
export function uniformStream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

/** An approximately normal draw: the sum of 12 uniforms minus 6 (Irwin-Hall; mean 0, variance 1). */
function normal(u: () => number): number {
  let s = -6;
  for (let i = 0; i < 12; i++) s += u();
  return s;
}

/** sin(2x) on [-1, 1] by its degree-7 Taylor polynomial (a smooth bump; exactness does not matter). */
function wave(x: number): number {
  const t = 2 * x;
  const t2 = t * t;
  return t * (1 - (t2 / 6) * (1 - (t2 / 20) * (1 - t2 / 42)));
}

export interface SyntheticPanel extends LearnPanel {
  readonly group: Int32Array;
  readonly label: Float64Array;
  readonly features: Float64Array[];
  /** The noiseless signal of each row. */
  readonly signal: Float64Array;
  readonly dates: number;
  readonly names: number;
}

export function syntheticPanel(options: SyntheticPanelOptions): SyntheticPanel {
  const { dates, names, noise, seed } = options;
  const p = Math.max(6, options.features);
  const missing = options.missing ?? 0.05;
  const n = dates * names;
  const u = uniformStream(seed);
  const features = Array.from({ length: p }, () => new Float64Array(n));
  const label = new Float64Array(n);
  const signal = new Float64Array(n);
  const group = new Int32Array(n);
  for (let d = 0; d < dates; d++) {
    const shock = 0.5 * normal(u);
    for (let k = 0; k < names; k++) {
      const i = d * names + k;
      group[i] = d;
      for (let j = 0; j < p; j++) (features[j] as Float64Array)[i] = 2 * u() - 1;
      const f = (j: number): number => (features[j] as Float64Array)[i] ?? 0;
      if (u() < missing) (features[3] as Float64Array)[i] = Number.NaN;
      const f3 = f(3);
      const s = wave(f(0)) + 0.6 * f(1) * f(2) + (Number.isNaN(f3) ? 0.3 : f3 > 0.2 ? 0.4 : -0.2) + 0.5 * f(4) * f(4);
      signal[i] = s;
      label[i] = s + shock + noise * normal(u);
    }
  }
  return {
    featureNames: features.map((_, j) => `f${j}`),
    features,
    label,
    group,
    signal,
    dates,
    names,
  };
}

/** Rows whose date is in [from, to). */
export function rowsOfDates(panel: SyntheticPanel, from: number, to: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < panel.group.length; i++) {
    const d = panel.group[i] ?? -1;
    if (d >= from && d < to) out.push(i);
  }
  return Int32Array.from(out);
}

/** Average ranks (1-based, ties share their mean position), computed independently of the kernels. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = new Array<number>(values.length).fill(0);
  let i = 0;
  while (i < order.length) {
    let j = i + 1;
    while (j < order.length && order[j]?.[0] === order[i]?.[0]) j++;
    for (let k = i; k < j; k++) out[order[k]?.[1] ?? 0] = (i + j + 1) / 2;
    i = j;
  }
  return out;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] ?? 0) - ma;
    const db = (b[i] ?? 0) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Mean over dates of Spearman's correlation between predictions (one per row of `rows`) and labels. */
export function meanRankIc(panel: SyntheticPanel, rows: Int32Array, predictions: ArrayLike<number>): number {
  const byDate = new Map<number, { p: number[]; y: number[] }>();
  rows.forEach((r, i) => {
    const d = panel.group[r] ?? -1;
    const entry = byDate.get(d) ?? { p: [], y: [] };
    entry.p.push(predictions[i] ?? Number.NaN);
    entry.y.push(panel.label[r] ?? Number.NaN);
    byDate.set(d, entry);
  });
  let sum = 0;
  let count = 0;
  for (const { p, y } of byDate.values()) {
    const ic = pearson(ranks(p), ranks(y));
    if (Number.isFinite(ic)) {
      sum += ic;
      count++;
    }
  }
  return sum / count;
}
