// Heapsort (Williams 1964; Knuth TAOCP vol. 3, 5.2.3): in place, O(n log n) in the worst case, no recursion
// and no allocation. The order of equal keys is fixed by the row index (sortIndicesByKey), so every sort is
// deterministic.
import { ldf, ldi, stf, sti } from "./memory";

/** Sorts the f64 values v[0..n-1] ascending (no NaN allowed). */
export function sortValues(v: usize, n: i32): void {
  for (let start = (n >> 1) - 1; start >= 0; start--) siftValues(v, start, n);
  for (let end = n - 1; end > 0; end--) {
    const t = ldf(v, 0);
    stf(v, 0, ldf(v, end));
    stf(v, end, t);
    siftValues(v, 0, end);
  }
}

function siftValues(v: usize, root: i32, n: i32): void {
  let r = root;
  while (true) {
    let child = 2 * r + 1;
    if (child >= n) return;
    if (child + 1 < n && ldf(v, child + 1) > ldf(v, child)) child++;
    if (!(ldf(v, child) > ldf(v, r))) return;
    const t = ldf(v, r);
    stf(v, r, ldf(v, child));
    stf(v, child, t);
    r = child;
  }
}

@inline function before(key: usize, a: i32, b: i32): bool {
  const ka = ldf(key, a);
  const kb = ldf(key, b);
  return ka < kb || (ka == kb && a < b);
}

/** Sorts idx[0..n-1] (indices into key) by key ascending, ties by index. Keys must not be NaN. */
export function sortIndicesByKey(idx: usize, n: i32, key: usize): void {
  for (let start = (n >> 1) - 1; start >= 0; start--) siftIndices(idx, start, n, key);
  for (let end = n - 1; end > 0; end--) {
    const t = ldi(idx, 0);
    sti(idx, 0, ldi(idx, end));
    sti(idx, end, t);
    siftIndices(idx, 0, end, key);
  }
}

function siftIndices(idx: usize, root: i32, n: i32, key: usize): void {
  let r = root;
  while (true) {
    let child = 2 * r + 1;
    if (child >= n) return;
    if (child + 1 < n && before(key, ldi(idx, child), ldi(idx, child + 1))) child++;
    if (!before(key, ldi(idx, r), ldi(idx, child))) return;
    const t = ldi(idx, r);
    sti(idx, r, ldi(idx, child));
    sti(idx, child, t);
    r = child;
  }
}

/**
 * Average ranks (1-based; ties share the mean of their positions) of key[start..start+m-1] into
 * ranks[start..start+m-1]. idx is scratch of m i32.
 */
export function averageRanks(key: usize, start: i32, m: i32, idx: usize, ranks: usize): void {
  const base = key + (<usize>start << 3);
  for (let i = 0; i < m; i++) sti(idx, i, i);
  sortIndicesByKey(idx, m, base);
  let i = 0;
  while (i < m) {
    let j = i + 1;
    const v = ldf(base, ldi(idx, i));
    while (j < m && ldf(base, ldi(idx, j)) == v) j++;
    const rank = <f64>(i + j + 1) * 0.5; // mean of positions i+1 .. j
    for (let k = i; k < j; k++) stf(ranks, start + ldi(idx, k), rank);
    i = j;
  }
}
