// Average ranks (1-based, ties share the mean of their positions: scipy.stats.rankdata "average") of n doubles,
// by sorting (value, index) pairs with a quicksort (median-of-three pivot, Hoare partition, insertion sort below
// 16 elements, recursion on the smaller side so the depth stays O(log n)). The values contain no NaN: the caller
// drops absent names first. -0 and +0 compare equal and tie, as they should.

/** Sorts keys[lo..hi] ascending, moving idx along with them. */
function sortPairs(keys: usize, idx: usize, lo: i32, hi: i32): void {
  while (hi - lo > 16) {
    const mid = lo + ((hi - lo) >> 1);
    // Median of three into keys[mid]; keys[lo] <= keys[mid] <= keys[hi] afterwards.
    if (load<f64>(keys + (<usize>mid << 3)) < load<f64>(keys + (<usize>lo << 3))) swap(keys, idx, lo, mid);
    if (load<f64>(keys + (<usize>hi << 3)) < load<f64>(keys + (<usize>lo << 3))) swap(keys, idx, lo, hi);
    if (load<f64>(keys + (<usize>hi << 3)) < load<f64>(keys + (<usize>mid << 3))) swap(keys, idx, mid, hi);
    const pivot = load<f64>(keys + (<usize>mid << 3));
    let i = lo - 1;
    let j = hi + 1;
    while (true) {
      do i++; while (load<f64>(keys + (<usize>i << 3)) < pivot);
      do j--; while (load<f64>(keys + (<usize>j << 3)) > pivot);
      if (i >= j) break;
      swap(keys, idx, i, j);
    }
    // [lo, j] and [j + 1, hi]: recurse into the smaller, loop on the larger.
    if (j - lo < hi - j) {
      sortPairs(keys, idx, lo, j);
      lo = j + 1;
    } else {
      sortPairs(keys, idx, j + 1, hi);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const key = load<f64>(keys + (<usize>i << 3));
    const id = load<i32>(idx + (<usize>i << 2));
    let j = i - 1;
    while (j >= lo && load<f64>(keys + (<usize>j << 3)) > key) {
      store<f64>(keys + (<usize>(j + 1) << 3), load<f64>(keys + (<usize>j << 3)));
      store<i32>(idx + (<usize>(j + 1) << 2), load<i32>(idx + (<usize>j << 2)));
      j--;
    }
    store<f64>(keys + (<usize>(j + 1) << 3), key);
    store<i32>(idx + (<usize>(j + 1) << 2), id);
  }
}

// @ts-ignore: decorator
@inline
function swap(keys: usize, idx: usize, a: i32, b: i32): void {
  const ka = keys + (<usize>a << 3);
  const kb = keys + (<usize>b << 3);
  const t = load<f64>(ka);
  store<f64>(ka, load<f64>(kb));
  store<f64>(kb, t);
  const ia = idx + (<usize>a << 2);
  const ib = idx + (<usize>b << 2);
  const u = load<i32>(ia);
  store<i32>(ia, load<i32>(ib));
  store<i32>(ib, u);
}

/** Writes the average rank of values[k] to ranks[k] for k < n. `keys` (n doubles) and `idx` (n i32) are scratch. */
export function averageRanks(values: usize, ranks: usize, n: i32, keys: usize, idx: usize): void {
  for (let k = 0; k < n; k++) {
    store<f64>(keys + (<usize>k << 3), load<f64>(values + (<usize>k << 3)));
    store<i32>(idx + (<usize>k << 2), k);
  }
  if (n > 1) sortPairs(keys, idx, 0, n - 1);
  let i = 0;
  while (i < n) {
    const v = load<f64>(keys + (<usize>i << 3));
    let j = i + 1;
    while (j < n && load<f64>(keys + (<usize>j << 3)) == v) j++;
    // Positions i..j-1 (0-based) share the mean of the 1-based ranks i+1..j.
    const rank = <f64>(i + 1 + j) * 0.5;
    for (let k = i; k < j; k++) store<f64>(ranks + (<usize>load<i32>(idx + (<usize>k << 2)) << 3), rank);
    i = j;
  }
}
