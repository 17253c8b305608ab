/**
 * The learned blender: a meta-model fitted on the router models' out-of-fold CPCV predictions (stacked
 * generalisation, Wolpert 1992; non-negative weights after Breiman, "Stacked regressions", 1996, who found the
 * non-negativity constraint is what keeps a stack from overfitting collinear inputs). Out-of-fold predictions
 * matter: a model's in-sample fit would earn it too much weight.
 *
 * Every input is rank-normalised within its date first (rank-normalise.ts), a missing prediction set to 0, the
 * median rank: the models predict different quantities on different scales (a return, a change in implied
 * vol), and the router applies the same transform to live predictions. The target is the training run's label.
 *
 * `nnls` (the default) gives non-negative weights without an intercept; `ridge` uses the ridge kernel (weights on
 * the input scale plus an intercept; they may be negative); `gbdt` a small tree model in the same kernels.
 * The stacker is also cross-fitted over `folds` contiguous date blocks, so its own out-of-sample rank IC can be
 * read beside each input's: a blend that does not beat its best input is worth knowing about.
 */
import type { RouterConfig } from "../../config/schemas/router.ts";
import { DataError } from "../../domain/errors.ts";
import type { LearnKernels, LearnModel, LearnPanel } from "../../kernels/learn/index.ts";
import { rankNormalise } from "../rank-normalise.ts";
import { nnls } from "./nnls.ts";

export type StackerConfig = RouterConfig["stacker"];

export interface StackerInput {
  /** Router model names, one per column. */
  readonly inputs: readonly string[];
  /** Each model's out-of-fold prediction per row (NaN where it has none). */
  readonly predictions: readonly ArrayLike<number>[];
  /** The training label per row. */
  readonly label: ArrayLike<number>;
  readonly weight?: ArrayLike<number>;
  /** Date index per row, non-decreasing (the cross-section the ranks are taken in). */
  readonly group: ArrayLike<number>;
}

/** A fitted blend: linear weights (nnls, ridge) or a tree model over the rank-normalised inputs (gbdt). */
export type StackerFit =
  | { readonly model: "nnls" | "ridge"; readonly weights: Readonly<Record<string, number>>; readonly intercept: number }
  | { readonly model: "gbdt"; readonly learnModel: LearnModel };

export interface StackerEvaluation {
  readonly folds: number;
  /** Mean per-date rank IC of the cross-fitted blend against the label. */
  readonly blendRankIc: number;
  /** Mean per-date rank IC of each input on its own. */
  readonly inputRankIc: Readonly<Record<string, number>>;
}

/** Rank-normalises each input within its date; a missing prediction becomes 0 (the median rank). */
export function stackerFeatures(predictions: readonly ArrayLike<number>[], group: ArrayLike<number>): Float64Array[] {
  return predictions.map((column) => Float64Array.from(rankNormalise(column, group), (v) => (Number.isFinite(v) ? v : 0)));
}

/** Mean over dates of the Spearman correlation (Pearson on average ranks) between a and b. */
export function meanRankIc(a: ArrayLike<number>, b: ArrayLike<number>, group: ArrayLike<number>): number {
  const ra = rankNormalise(a, group);
  const rb = rankNormalise(b, group);
  let total = 0;
  let days = 0;
  let start = 0;
  while (start < ra.length) {
    let end = start;
    while (end < ra.length && group[end] === group[start]) end++;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    let n = 0;
    for (let i = start; i < end; i++) {
      const x = ra[i] ?? Number.NaN;
      const y = rb[i] ?? Number.NaN;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      sxy += x * y;
      sxx += x * x;
      syy += y * y;
      n++;
    }
    // Ranks normalised over each column's own finite rows are centred only when both columns share those rows;
    // dates with a missing value on either side are rare here (missing inputs are 0 before this is called).
    if (n >= 2 && sxx > 0 && syy > 0) {
      total += sxy / Math.sqrt(sxx * syy);
      days++;
    }
    start = end;
  }
  return days === 0 ? Number.NaN : total / days;
}

function panelOf(input: StackerInput, features: readonly Float64Array[]): LearnPanel {
  return {
    featureNames: input.inputs,
    features,
    label: input.label,
    ...(input.weight === undefined ? {} : { weight: input.weight }),
    group: input.group,
  };
}

function labelledRows(input: StackerInput, keep: (row: number) => boolean): number[] {
  const rows: number[] = [];
  for (let r = 0; r < input.label.length; r++) {
    if (Number.isFinite(input.label[r] ?? Number.NaN) && keep(r)) rows.push(r);
  }
  return rows;
}

function fitOn(input: StackerInput, features: readonly Float64Array[], rows: readonly number[], config: StackerConfig, kernels: LearnKernels): StackerFit {
  if (config.model === "gbdt") {
    return { model: "gbdt", learnModel: kernels.fitGbdt(panelOf(input, features), { train: rows }, { ...config.gbdt, early_stopping_rounds: 0 }) };
  }
  if (config.model === "ridge") {
    const ridge = kernels.fitRidge(panelOf(input, features), { train: rows }, { lambda: config.ridge_lambda });
    const weights = Object.fromEntries(input.inputs.map((name, j) => [name, ridge.coef[j] ?? 0]));
    return { model: "ridge", weights, intercept: ridge.intercept };
  }
  const select = (column: ArrayLike<number>): Float64Array => Float64Array.from(rows, (r) => column[r] ?? Number.NaN);
  const weight = input.weight;
  const solved = nnls(features.map(select), select(input.label), weight === undefined ? undefined : select(weight));
  return { model: "nnls", weights: Object.fromEntries(input.inputs.map((name, j) => [name, solved.x[j] ?? 0])), intercept: 0 };
}

/** The blend of rank-normalised inputs by a fitted stacker. */
export function applyStacker(fit: StackerFit, inputs: readonly string[], features: readonly Float64Array[], kernels: LearnKernels | undefined, rows?: readonly number[]): Float64Array {
  const n = features[0]?.length ?? 0;
  const index = rows ?? Array.from({ length: n }, (_, i) => i);
  if (fit.model === "gbdt") {
    if (kernels === undefined) throw new DataError("stacker_needs_kernels", "a gbdt stacker predicts through the learn kernels; none were given");
    return kernels.predict(fit.learnModel, { featureNames: inputs, features }, index);
  }
  return Float64Array.from(index, (r) => inputs.reduce((sum, name, j) => sum + (fit.weights[name] ?? 0) * (features[j]?.[r] ?? 0), fit.intercept));
}

/** Fits the stacker on every labelled row and cross-fits it over `config.folds` date blocks for its evaluation. */
export function fitStacker(input: StackerInput, config: StackerConfig, kernels: LearnKernels): { fit: StackerFit; evaluation: StackerEvaluation; rows: number } {
  if (input.inputs.length === 0 || input.inputs.length !== input.predictions.length) {
    throw new DataError("stacker_no_inputs", `the stacker needs one prediction column per input (inputs: ${input.inputs.join(", ") || "none"})`);
  }
  const features = stackerFeatures(input.predictions, input.group);
  const rows = labelledRows(input, () => true);
  const dates = new Set(rows.map((r) => input.group[r] ?? 0)).size;
  if (dates < config.folds) {
    throw new DataError("too_few_samples", `the stacker needs at least ${config.folds} labelled dates for its ${config.folds} folds (got ${dates})`);
  }
  const fit = fitOn(input, features, rows, config, kernels);

  // Cross-fitting: date blocks in order; each block is predicted by the stacker fitted on the others.
  const groups = [...new Set(rows.map((r) => input.group[r] ?? 0))].sort((a, b) => a - b);
  const blockOf = new Map(groups.map((g, i) => [g, Math.floor((i * config.folds) / groups.length)]));
  const crossFitted = new Float64Array(input.label.length).fill(Number.NaN);
  for (let block = 0; block < config.folds; block++) {
    const inBlock = (r: number): boolean => blockOf.get(input.group[r] ?? 0) === block;
    const held = labelledRows(input, inBlock);
    const train = labelledRows(input, (r) => !inBlock(r));
    if (held.length === 0 || train.length === 0) continue;
    const predicted = applyStacker(fitOn(input, features, train, config, kernels), input.inputs, features, kernels, held);
    held.forEach((r, k) => (crossFitted[r] = predicted[k] ?? Number.NaN));
  }
  const inputRankIc = Object.fromEntries(input.inputs.map((name, j) => [name, meanRankIc(features[j] ?? [], input.label, input.group)]));
  return { fit, evaluation: { folds: config.folds, blendRankIc: meanRankIc(crossFitted, input.label, input.group), inputRankIc }, rows: rows.length };
}
