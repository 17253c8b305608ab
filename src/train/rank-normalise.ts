/**
 * Cross-sectional rank normalisation of a label: within each group (date), the finite values become
 * (average rank − 1) / (n − 1) − 0.5, evenly spread over [−0.5, 0.5] whatever the returns' scale or tails; ties share
 * their average rank; a group with one finite value gets 0; NaN stays NaN.
 */
export function rankNormalise(values: ArrayLike<number>, group: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
  const members = new Map<number, number[]>();
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] ?? Number.NaN)) continue;
    const g = group[i] ?? 0;
    const list = members.get(g);
    if (list === undefined) members.set(g, [i]);
    else list.push(i);
  }
  for (const rows of members.values()) {
    const n = rows.length;
    if (n === 1) {
      out[rows[0] ?? 0] = 0;
      continue;
    }
    rows.sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
    for (let start = 0; start < n; ) {
      let end = start;
      while (end + 1 < n && values[rows[end + 1] ?? 0] === values[rows[start] ?? 0]) end++;
      const averageRank = (start + end) / 2;
      for (let k = start; k <= end; k++) out[rows[k] ?? 0] = averageRank / (n - 1) - 0.5;
      start = end + 1;
    }
  }
  return out;
}
