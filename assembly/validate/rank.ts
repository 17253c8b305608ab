// Average ranks (1-based, ties share the mean of their positions: scipy.stats.rankdata "average") of n doubles.
// The values contain no NaN (the caller drops absent names first); -0 and +0 compare equal and tie, as they should.
// Ranks depend only on the values, never on how they were sorted.
//
// The sort is tuned for cross-sections of a few hundred to a few thousand names (predictions, returns), where
// comparison sorts lose most of their time to mispredicted branches:
// - first a distribution (bucket) sort: each value goes to bucket floor((x − min)·4n / (max − min)), a monotone map,
//   by a counting sort of the indices; an insertion pass comparing the exact doubles then fixes the order inside
//   buckets. Linear for values spread like predictions and returns. If the values are so clustered that the
//   insertion pass would shift more than a few times n, it stops and the comparison sort below takes over;
// - the comparison sort: each value becomes one u64, its bits mapped to an unsigned key of the same order with the
//   low `b` bits replaced by its index (b = bits needed for n), sorted by a quicksort with a branch-free Lomuto
//   partition (Edelkamp & Weiß, "BlockQuicksort", 2016) and insertion sort below 24 keys. The truncated bits can
//   only misorder values whose first 64 − b bits agree, which then sit together: one insertion pass on the exact
//   doubles puts them right.

/** Keys per insertion sort. */
const SMALL: i32 = 24;

/**
 * The f64's bits as an unsigned key with the same order: negative numbers have every bit flipped, others only the
 * sign bit. -0 and +0 get adjacent keys (nothing sorts between them), so the tie scan, which compares the doubles,
 * still sees them as equal.
 */
// @ts-ignore: decorator
@inline
function orderedBits(x: f64): u64 {
  const bits = reinterpret<u64>(x);
  return bits ^ ((<u64>(<i64>bits >> 63)) | 0x8000000000000000);
}

// @ts-ignore: decorator
@inline
function keyAt(keys: usize, i: i32): u64 {
  return load<u64>(keys + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
function setKey(keys: usize, i: i32, v: u64): void {
  store<u64>(keys + (<usize>i << 3), v);
}

function insertionSort(keys: usize, lo: i32, hi: i32): void {
  for (let i = lo + 1; i <= hi; i++) {
    const key = keyAt(keys, i);
    let j = i - 1;
    while (j >= lo && keyAt(keys, j) > key) {
      setKey(keys, j + 1, keyAt(keys, j));
      j--;
    }
    setKey(keys, j + 1, key);
  }
}

/** Sorts the distinct keys[lo..hi] ascending. */
function quickSort(keys: usize, lo: i32, hi: i32): void {
  while (hi - lo >= SMALL) {
    // Median of three to keys[hi] as the pivot.
    const mid = lo + ((hi - lo) >> 1);
    const a = keyAt(keys, lo);
    const b = keyAt(keys, mid);
    const c = keyAt(keys, hi);
    const median = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    if (median == a) {
      setKey(keys, lo, c);
      setKey(keys, hi, a);
    } else if (median == b) {
      setKey(keys, mid, c);
      setKey(keys, hi, b);
    }
    const pivot = median;
    // Branch-free Lomuto: keys[lo..j) < pivot <= keys[j..i).
    let j = lo;
    for (let i = lo; i < hi; i++) {
      const x = keyAt(keys, i);
      setKey(keys, i, keyAt(keys, j));
      setKey(keys, j, x);
      j += <i32>(x < pivot);
    }
    setKey(keys, hi, keyAt(keys, j));
    setKey(keys, j, pivot);
    // Recurse into the smaller side, loop on the larger: depth O(log n).
    if (j - lo < hi - j) {
      quickSort(keys, lo, j - 1);
      lo = j + 1;
    } else {
      quickSort(keys, j + 1, hi);
      hi = j - 1;
    }
  }
  insertionSort(keys, lo, hi);
}

/** Buckets per value of the bucket sort: enough that most buckets of a bell-shaped cross-section hold one value. */
const BUCKETS_PER_VALUE: i32 = 4;

/** Bytes of scratch `averageRanks` needs for n values. */
export function rankScratchBytes(n: i32): usize {
  // sorted values and packed keys (f64/u64), sorted indices and bucket ids (i32), bucket counters (4n + 1 i32).
  return (<usize>n * 8 * 2 + <usize>n * 4 * 2 + (<usize>n * BUCKETS_PER_VALUE + 1) * 4 + 15) & ~<usize>15;
}

/** Shifts the insertion pass after the bucket sort may make, per value, before the comparison sort takes over. */
const SHIFT_BUDGET: i32 = 8;

/**
 * Sorts the values into (sorted, idx) with a bucket sort and an insertion pass. Returns false (the outputs then
 * hold garbage) when the values are too clustered for it, i.e. the insertion pass ran over its budget.
 */
function bucketSort(values: usize, sorted: usize, idx: usize, bucket: usize, counts: usize, n: i32): bool {
  // Range: f64x2 min/max over pairs (the values hold no NaN), an odd last value on its own.
  let lo2 = f64x2.splat(load<f64>(values));
  let hi2 = lo2;
  for (let k = 0; k + 1 < n; k += 2) {
    const v = v128.load(values + (<usize>k << 3));
    lo2 = f64x2.min(lo2, v);
    hi2 = f64x2.max(hi2, v);
  }
  const tail = load<f64>(values + (<usize>(n - 1) << 3));
  const lo = min(min(f64x2.extract_lane(lo2, 0), f64x2.extract_lane(lo2, 1)), tail);
  const hi = max(max(f64x2.extract_lane(hi2, 0), f64x2.extract_lane(hi2, 1)), tail);
  const range = hi - lo;
  // All equal, or a range that overflows: let the comparison sort handle it.
  if (!(range > 0.0) || !(range < Infinity)) return false;
  const buckets = n * BUCKETS_PER_VALUE;
  const scale = <f64>buckets / range;
  const last = buckets - 1;
  memory.fill(counts, 0, (<usize>buckets + 1) << 2);
  for (let k = 0; k < n; k++) {
    const b = min(<i32>((load<f64>(values + (<usize>k << 3)) - lo) * scale), last);
    store<i32>(bucket + (<usize>k << 2), b);
    const slot = counts + (<usize>(b + 1) << 2);
    store<i32>(slot, load<i32>(slot) + 1);
  }
  // Start of each bucket (the running total stays in a register).
  let total = 0;
  for (let b = 1; b <= buckets; b++) {
    const slot = counts + (<usize>b << 2);
    total += load<i32>(slot);
    store<i32>(slot, total);
  }
  for (let k = 0; k < n; k++) {
    const slot = counts + (<usize>load<i32>(bucket + (<usize>k << 2)) << 2);
    const at = load<i32>(slot);
    store<i32>(slot, at + 1);
    store<f64>(sorted + (<usize>at << 3), load<f64>(values + (<usize>k << 3)));
    store<i32>(idx + (<usize>at << 2), k);
  }
  let budget = n * SHIFT_BUDGET;
  for (let i = 1; i < n; i++) {
    const v = load<f64>(sorted + (<usize>i << 3));
    if (load<f64>(sorted + (<usize>(i - 1) << 3)) <= v) continue;
    const id = load<i32>(idx + (<usize>i << 2));
    let j = i - 1;
    while (j >= 0 && load<f64>(sorted + (<usize>j << 3)) > v) {
      store<f64>(sorted + (<usize>(j + 1) << 3), load<f64>(sorted + (<usize>j << 3)));
      store<i32>(idx + (<usize>(j + 1) << 2), load<i32>(idx + (<usize>j << 2)));
      j--;
      if (--budget < 0) return false;
    }
    store<f64>(sorted + (<usize>(j + 1) << 3), v);
    store<i32>(idx + (<usize>(j + 1) << 2), id);
  }
  return true;
}

/** The comparison sort into (sorted, idx) (see the header); `keys` holds n u64 and may be `sorted` itself. */
function comparisonSort(values: usize, sorted: usize, idx: usize, keys: usize, n: i32): void {
  const indexBits = n > 1 ? 32 - clz<u32>(<u32>(n - 1)) : 0;
  const indexMask: u64 = (<u64>1 << <u64>indexBits) - 1;
  for (let k = 0; k < n; k++) setKey(keys, k, (orderedBits(load<f64>(values + (<usize>k << 3))) & ~indexMask) | <u64>k);
  quickSort(keys, 0, n - 1);
  // Unpack the indices, then fix the order of values that differed only in the truncated bits.
  for (let k = 0; k < n; k++) store<i32>(idx + (<usize>k << 2), <i32>(keyAt(keys, k) & indexMask));
  for (let i = 1; i < n; i++) {
    const id = load<i32>(idx + (<usize>i << 2));
    const v = load<f64>(values + (<usize>id << 3));
    let j = i - 1;
    while (j >= 0 && load<f64>(values + (<usize>load<i32>(idx + (<usize>j << 2)) << 3)) > v) {
      store<i32>(idx + (<usize>(j + 1) << 2), load<i32>(idx + (<usize>j << 2)));
      j--;
    }
    store<i32>(idx + (<usize>(j + 1) << 2), id);
  }
  for (let k = 0; k < n; k++) store<f64>(sorted + (<usize>k << 3), load<f64>(values + (<usize>load<i32>(idx + (<usize>k << 2)) << 3)));
}

/** Below this many values the bucket sort's fixed costs are not worth it. */
const BUCKET_MIN: i32 = 48;

/**
 * Writes the average rank of values[k] to ranks[k] for k < n (ties share the mean of their 1-based positions).
 * `scratch` holds rankScratchBytes(n) bytes, 8-byte aligned.
 */
export function averageRanks(values: usize, ranks: usize, n: i32, scratch: usize): void {
  if (n <= 0) return;
  const sorted = scratch;
  const keys = sorted + (<usize>n << 3);
  const idx = keys + (<usize>n << 3);
  const bucket = idx + (<usize>n << 2);
  const counts = bucket + (<usize>n << 2);
  if (n < BUCKET_MIN || !bucketSort(values, sorted, idx, bucket, counts, n)) comparisonSort(values, sorted, idx, keys, n);
  // Ties: equal doubles are now adjacent.
  let i = 0;
  while (i < n) {
    const v = load<f64>(sorted + (<usize>i << 3));
    let j = i + 1;
    while (j < n && load<f64>(sorted + (<usize>j << 3)) == v) j++;
    // Positions i..j-1 (0-based) share the mean of the 1-based ranks i+1..j.
    const rank = <f64>(i + 1 + j) * 0.5;
    for (let k = i; k < j; k++) store<f64>(ranks + (<usize>load<i32>(idx + (<usize>k << 2)) << 3), rank);
    i = j;
  }
}
