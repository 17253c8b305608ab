/**
 * Combinatorial purged cross-validation (López de Prado, "Advances in Financial Machine Learning", 2018, ch. 12),
 * producing exactly the splits, purge, embargo, parameter errors and path ids of skfolio 1.12.2's
 * `CombinatorialPurgedCV` (skfolio/model_selection/_combinatorial.py; tests/validate/cpcv-skfolio.test.ts compares
 * the two on many random configurations):
 * - samples are cut into `folds` consecutive folds of `floor(n / folds)` samples, the last fold taking the rest;
 * - each split holds out one combination of `testFolds` folds (itertools.combinations order);
 * - `purge` samples are dropped from the training set on each side of every test block, and `embargo` more after
 *   it; skfolio marks them on the unpurged train/test layout, so a dropped sample never becomes test;
 * - path ids: fold f's k-th appearance as a test fold (in split order) belongs to backtest path k, so each path
 *   covers every fold once, in time order.
 * Beside the counts, a training sample can be purged by label horizon (AFML §7.4.1): its label interval
 * [i, labelEnd[i]] overlaps a test block's label intervals. When both are given, either rule purges.
 */
import { UsageError } from "../domain/errors.ts";

/** skfolio's guard against combinatorial explosions (`_MAX_COMBINATIONS`). */
export const MAX_COMBINATIONS = 100_000;

export interface CpcvOptions {
  /** Number of folds, at least 3 (skfolio `n_folds`). */
  readonly folds: number;
  /** Folds held out per split, at least 2 and fewer than `folds` (skfolio `n_test_folds`). */
  readonly testFolds: number;
  /** Samples dropped from the training set before and after each test block (skfolio `purged_size`). */
  readonly purge?: number;
  /** Further samples dropped after each test block (skfolio `embargo_size`). */
  readonly embargo?: number;
}

/** The sample-independent part of CPCV: which folds each split tests and the path of each test fold. */
export interface CpcvPlan {
  readonly folds: number;
  readonly testFolds: number;
  readonly purge: number;
  readonly embargo: number;
  /** C(folds, testFolds). */
  readonly nSplits: number;
  /** nSplits · testFolds / folds: the number of backtest paths. */
  readonly nPaths: number;
  /** Per split, its test folds in ascending order (skfolio `test_set_index`). */
  readonly testFoldSets: readonly (readonly number[])[];
  /** Per split, the path id of each of its test folds (skfolio `get_path_ids()`). */
  readonly pathIds: readonly (readonly number[])[];
  /** recombinedPaths[fold][path] = the split in which that fold is tested for that path (skfolio `recombined_paths`). */
  readonly recombinedPaths: readonly (readonly number[])[];
}

export interface CpcvSplit {
  /** Training sample indices, ascending. */
  readonly train: readonly number[];
  /** Test sample indices of each test fold, folds in ascending order. */
  readonly test: readonly (readonly number[])[];
  /** The split's test folds, ascending. */
  readonly testFolds: readonly number[];
  /** The path id of each test fold. */
  readonly pathIds: readonly number[];
  /** Samples dropped by purge or embargo (neither train nor test), ascending. */
  readonly purged: readonly number[];
}

export interface CpcvSplits {
  readonly plan: CpcvPlan;
  readonly nSamples: number;
  /** The fold of each sample. */
  readonly foldOf: Int32Array;
  readonly splits: readonly CpcvSplit[];
}

export interface CpcvSampleOptions {
  /**
   * Label horizon: for each sample, the index of the last sample its label depends on (labelEnd[i] >= i). A
   * training sample whose label interval overlaps a test block's is purged, in addition to the count rule.
   */
  readonly labelEnd?: ArrayLike<number>;
}

function isInteger(value: number): boolean {
  return Number.isSafeInteger(value);
}

/** n choose k as an exact integer while it fits a double's 53 bits (math.comb in skfolio). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const m = Math.min(k, n - k);
  let result = 1;
  for (let i = 1; i <= m; i++) result = (result * (n - m + i)) / i;
  return Math.round(result);
}

/** Python's `f"{n:,}"`. */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Every k-combination of 0..n-1 in lexicographic order (itertools.combinations). */
function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const current = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    out.push([...current]);
    let i = k - 1;
    while (i >= 0 && current[i] === n - k + i) i--;
    if (i < 0) return out;
    current[i] = (current[i] ?? 0) + 1;
    for (let j = i + 1; j < k; j++) current[j] = (current[j - 1] ?? 0) + 1;
  }
}

/**
 * Checks the parameters as skfolio's constructor does, with its messages, and lays out the splits and paths.
 * Non-integer folds or test folds are refused (skfolio refuses a non-integral `n_folds` and fails later on a
 * fractional `n_test_folds`).
 */
export function cpcvPlan(options: CpcvOptions): CpcvPlan {
  const { folds, testFolds } = options;
  const purge = options.purge ?? 0;
  const embargo = options.embargo ?? 0;
  if (!isInteger(folds)) {
    throw new UsageError("cpcv_bad_folds", `The number of folds must be of Integral type. ${folds} was passed.`);
  }
  if (folds <= 2) throw new UsageError("cpcv_bad_folds", `\`n_folds\` must be at least 3\`, got \`n_folds=${folds}\`.`);
  if (!isInteger(testFolds)) {
    throw new UsageError("cpcv_bad_test_folds", `The number of test folds must be an integer, got ${testFolds}.`);
  }
  if (testFolds <= 1) {
    throw new UsageError("cpcv_bad_test_folds", `\`n_test_folds\` must at least 2, got \`n_test_folds=${testFolds}\`.`);
  }
  if (testFolds >= folds) {
    throw new UsageError(
      "cpcv_bad_test_folds",
      "Combinatorial purged cross-validation requires `n_folds` to be greater than `n_test_folds`.",
    );
  }
  if (!isInteger(purge) || purge < 0) throw new UsageError("cpcv_bad_purge", "`purged_size` cannot be negative");
  if (!isInteger(embargo) || embargo < 0) throw new UsageError("cpcv_bad_embargo", "`embargo_size` cannot be negative");
  const nSplits = binomial(folds, testFolds);
  if (nSplits > MAX_COMBINATIONS) {
    throw new UsageError(
      "cpcv_too_many_splits",
      `The combination of \`n_folds=${folds}\` and \`n_test_folds=${testFolds}\` produces ${thousands(nSplits)} splits, ` +
        `which exceeds the maximum allowed (${thousands(MAX_COMBINATIONS)}). Reduce \`n_folds\` or adjust ` +
        "`n_test_folds` further from `n_folds / 2` to decrease the number of combinations.",
    );
  }
  const testFoldSets = combinations(folds, testFolds);
  const nPaths = (nSplits * testFolds) / folds;
  // Splits in ascending order per fold: the k-th split testing fold f is fold f's step on path k.
  const recombinedPaths: number[][] = Array.from({ length: folds }, () => []);
  testFoldSets.forEach((set, split) => {
    for (const fold of set) recombinedPaths[fold]?.push(split);
  });
  const pathIds = testFoldSets.map((set, split) => set.map((fold) => (recombinedPaths[fold] ?? []).indexOf(split)));
  return { folds, testFolds, purge, embargo, nSplits, nPaths, testFoldSets, pathIds, recombinedPaths };
}

/** floor(n / folds) per fold, the last fold taking the remainder. */
export function foldAssignment(nSamples: number, folds: number): Int32Array {
  const size = Math.floor(nSamples / folds);
  const foldOf = new Int32Array(nSamples);
  for (let i = 0; i < nSamples; i++) foldOf[i] = Math.min(Math.floor(i / size), folds - 1);
  return foldOf;
}

/** Contiguous test blocks [start, end] of one split (adjacent test folds merge into one block). */
function testBlocks(state: Int8Array): [number, number][] {
  const blocks: [number, number][] = [];
  for (let i = 0; i < state.length; i++) {
    if (state[i] !== 1) continue;
    const last = blocks[blocks.length - 1];
    if (last !== undefined && last[1] === i - 1) last[1] = i;
    else blocks.push([i, i]);
  }
  return blocks;
}

function checkLabelEnd(labelEnd: ArrayLike<number>, nSamples: number): void {
  if (labelEnd.length !== nSamples) {
    throw new UsageError("cpcv_bad_label_end", `labelEnd has ${labelEnd.length} entries for ${nSamples} samples`);
  }
  for (let i = 0; i < nSamples; i++) {
    const end = labelEnd[i] ?? NaN;
    if (!isInteger(end) || end < i) {
      throw new UsageError("cpcv_bad_label_end", `labelEnd[${i}] must be an integer sample index >= ${i}, not ${end}`);
    }
  }
}

/** Purges training samples whose label interval overlaps a test block's (AFML §7.4.1). */
function purgeByLabelHorizon(state: Int8Array, labelEnd: ArrayLike<number>): void {
  for (const [start, end] of testBlocks(state)) {
    let blockEnd = end;
    for (let j = start; j <= end; j++) blockEnd = Math.max(blockEnd, labelEnd[j] ?? j);
    for (let i = 0; i < state.length; i++) {
      if (state[i] !== 0) continue;
      const overlapsFromBefore = i < start && (labelEnd[i] ?? i) >= start;
      const startsInsideLabels = i > end && i <= blockEnd;
      if (overlapsFromBefore || startsInsideLabels) state[i] = -1;
    }
  }
}

/**
 * The train/test/purged state of every sample for one split: 1 test, 0 train, -1 purged or embargoed, computed
 * as skfolio does (boundaries found on the unpurged layout, then `purge` samples marked before each test block and
 * `purge + embargo` after it, clamped to the sample range).
 */
function splitState(foldOf: Int32Array, testFolds: readonly number[], plan: CpcvPlan, labelEnd: ArrayLike<number> | undefined): Int8Array {
  const n = foldOf.length;
  const layout = new Int8Array(n);
  for (let i = 0; i < n; i++) layout[i] = testFolds.includes(foldOf[i] ?? -1) ? 1 : 0;
  const state = Int8Array.from(layout);
  for (let r = 0; r + 1 < n; r++) {
    const diff = (layout[r + 1] ?? 0) - (layout[r] ?? 0);
    if (diff === 1) {
      for (let k = 0; k < plan.purge; k++) state[Math.max(0, r - k)] = -1;
    } else if (diff === -1) {
      for (let k = 0; k < plan.purge + plan.embargo; k++) state[Math.min(n - 1, r + k + 1)] = -1;
    }
  }
  if (labelEnd !== undefined) purgeByLabelHorizon(state, labelEnd);
  return state;
}

/**
 * Splits `nSamples` time-ordered samples; throws skfolio's errors for bad parameters or too few samples. Like
 * skfolio, a split whose training folds are all purged (a large purge between two test folds) has an empty `train`.
 */
export function cpcvSplits(nSamples: number, options: CpcvOptions, sampleOptions: CpcvSampleOptions = {}): CpcvSplits {
  const plan = cpcvPlan(options);
  if (!isInteger(nSamples) || nSamples < 0) {
    throw new UsageError("cpcv_bad_samples", `the number of samples must be a non-negative integer, not ${nSamples}`);
  }
  const minFoldSize = Math.floor(nSamples / plan.folds);
  if (plan.purge + plan.embargo >= minFoldSize - 1) {
    throw new UsageError(
      "cpcv_too_few_samples",
      "The sum of `purged_size` and `embargo_size` must be smaller than the size of a train fold which is " +
        `${minFoldSize} (${nSamples} samples in ${plan.folds} folds)`,
    );
  }
  const { labelEnd } = sampleOptions;
  if (labelEnd !== undefined) checkLabelEnd(labelEnd, nSamples);
  const foldOf = foldAssignment(nSamples, plan.folds);
  const foldMembers: number[][] = Array.from({ length: plan.folds }, () => []);
  foldOf.forEach((fold, i) => foldMembers[fold]?.push(i));
  const splits = plan.testFoldSets.map((testFolds, split): CpcvSplit => {
    const state = splitState(foldOf, testFolds, plan, labelEnd);
    const train: number[] = [];
    const purged: number[] = [];
    state.forEach((s, i) => {
      if (s === 0) train.push(i);
      else if (s === -1) purged.push(i);
    });
    return { train, test: testFolds.map((fold) => foldMembers[fold] ?? []), testFolds, pathIds: plan.pathIds[split] ?? [], purged };
  });
  return { plan, nSamples, foldOf, splits };
}
