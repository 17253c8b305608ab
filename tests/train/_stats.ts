/** Small statistics for the dataset tests, written out here so the tests do not share code with what they test. */

/** Average ranks (1-based; ties share the mean of their positions). */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length).fill(0);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.[0] === order[start]?.[0]) end++;
    for (let k = start; k <= end; k++) out[order[k]?.[1] ?? 0] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return out;
}

export function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] ?? 0) - ma;
    const y = (b[i] ?? 0) - mb;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
}

export function spearman(a: readonly number[], b: readonly number[]): number {
  return pearson(ranks(a), ranks(b));
}

/** Mean over groups of the Spearman correlation of (x, y) within each group; groups with < 3 pairs are skipped. */
export function meanRankIc(pairs: ReadonlyMap<string, { x: number[]; y: number[] }>): { mean: number; dates: number } {
  let sum = 0;
  let dates = 0;
  for (const { x, y } of pairs.values()) {
    if (x.length < 3) continue;
    sum += spearman(x, y);
    dates += 1;
  }
  return { mean: sum / dates, dates };
}
