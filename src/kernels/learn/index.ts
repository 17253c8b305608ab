/**
 * Learning kernels: ridge regression (standardised, closed form) and a histogram gradient-boosted tree model
 * (binned features, leaf-wise growth, L2 or pairwise ranking by date, early stopping on a caller-given inner
 * holdout), fitted and scored in WebAssembly (assembly/learn/), the same bits on x64 and arm64.
 *
 *     const k = await createKernels();
 *     const model = k.fitGbdt(panel, { train, valid }, { num_leaves: 31, early_stopping_rounds: 20 });
 *     const scores = k.predict(model, panel, test);
 *     await writeFile("model.json", serialiseModel(model));     // model-file.ts: versioned, hashed
 *
 * `createLearnKernels("ts")` (or the "ts" engine of createKernels) fits ridge and predicts both models in pure
 * TypeScript with the same bits; GBDT training needs the WebAssembly build. See docs/learn.md.
 */
import type { z } from "zod";
import { parseParams } from "../../config/issues.ts";
import { gbdtParamsSchema, ridgeParamsSchema, type GbdtParams, type GbdtParamsInput, type RidgeParams, type RidgeParamsInput } from "../../config/schemas/model.ts";
import { KernelError, UsageError } from "../../domain/errors.ts";
import type { KernelModule } from "../load.ts";
import { createTsLearnEngine, createWasmLearnEngine, type LearnEngine, type LearnEngineKind } from "./engine.ts";
import { learnError } from "./errors.ts";
import { INFO, METRIC_CODE, OBJECTIVE_CODE, PARAM, PARAM_SLOTS } from "./layout.ts";
import { allRows, checkFeatures, checkPanel, columnsFor, rowIndex } from "./panel.ts";
import type { FeaturePanel, GbdtModel, LearnModel, LearnPanel, RidgeModel, RowSplit } from "./types.ts";

export type * from "./types.ts";
export type { LearnEngineKind, GbdtParams, GbdtParamsInput, RidgeParams, RidgeParamsInput };
export { serialiseModel, deserialiseModel, modelContentHash, MODEL_FORMAT, MODEL_FORMAT_VERSION } from "./model-file.ts";
export { featureImportance, type FeatureImportance } from "./importance.ts";

export interface LearnKernels {
  readonly engine: LearnEngineKind;
  /** Ridge on the train rows (complete rows only: a missing feature is an error). */
  fitRidge(panel: LearnPanel, rows: { readonly train: ArrayLike<number> }, params?: RidgeParamsInput): RidgeModel;
  /** A GBDT on split.train; split.valid (optional) drives early stopping and the validation curve. */
  fitGbdt(panel: LearnPanel, split: RowSplit, params?: GbdtParamsInput, options?: GbdtFitOptions): GbdtModel;
  /** Scores `rows` of the panel (all rows when absent); the panel's columns are matched by feature name. */
  predict(model: LearnModel, panel: FeaturePanel, rows?: ArrayLike<number>): Float64Array;
}

export interface GbdtFitOptions {
  /** Progress: called after each tree with its 0-based iteration and the validation metric (NaN without one). */
  readonly onIteration?: (iteration: number, validMetric: number) => void;
}

/** The learn methods as a kernel family for createKernels (src/kernels/index.ts). */
export type LearnFamily = Omit<LearnKernels, "engine">;

export function learnFamily(ctx: { readonly module: KernelModule | undefined }): LearnFamily {
  const { engine: _engine, ...methods } = createLearnKernels(ctx.module ?? "ts");
  return methods;
}

export function createLearnKernels(source: KernelModule | "ts"): LearnKernels {
  const engine: LearnEngine = source === "ts" ? createTsLearnEngine() : createWasmLearnEngine(source);
  return {
    engine: engine.kind,
    fitRidge: (panel, rows, params) => fitRidge(engine, panel, rows.train, params),
    fitGbdt: (panel, split, params, options) => fitGbdt(engine, panel, split, params, options),
    predict: (model, panel, rows) => predict(engine, model, panel, rows),
  };
}

/** Parses parameters with their schema (the only source of defaults); a bad one is a ConfigError naming the key. */
function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  return parseParams(schema, value, what, "learn_bad_params");
}

function fitRidge(engine: LearnEngine, panel: LearnPanel, train: ArrayLike<number>, input: RidgeParamsInput | undefined): RidgeModel {
  const params = parse(ridgeParamsSchema, input, "ridge");
  const n = checkPanel(panel);
  const rows = rowIndex(train, n, "train");
  if (rows.length === 0) throw new UsageError("learn_bad_rows", "ridge: no train rows");
  const { status, solution } = engine.ridgeFit(panel.features, panel.label, panel.weight, rows, params.lambda);
  if (status !== 0 || solution === undefined) throw learnError(status, "ridge");
  return {
    kind: "ridge",
    features: [...panel.featureNames],
    params,
    mean: solution.mean,
    scale: solution.scale,
    coef: solution.coef.map((v) => v + 0),
    stdCoef: solution.stdCoef.map((v) => v + 0),
    intercept: solution.intercept + 0,
    training: { trainRows: rows.length },
  };
}

/** The validation metric a parameter set means ("auto" resolved). */
export function gbdtMetric(params: GbdtParams): "l2" | "rank_ic" {
  if (params.metric !== "auto") return params.metric;
  return params.objective === "rank_pairwise" ? "rank_ic" : "l2";
}

function paramBlock(params: GbdtParams): Float64Array {
  const block = new Float64Array(PARAM_SLOTS);
  block[PARAM.objective] = OBJECTIVE_CODE[params.objective];
  block[PARAM.numIterations] = params.num_iterations;
  block[PARAM.learningRate] = params.learning_rate;
  block[PARAM.numLeaves] = params.num_leaves;
  block[PARAM.maxDepth] = params.max_depth;
  block[PARAM.minDataInLeaf] = params.min_data_in_leaf;
  block[PARAM.minSumHessian] = params.min_sum_hessian;
  block[PARAM.lambdaL2] = params.lambda_l2;
  block[PARAM.minGainToSplit] = params.min_gain_to_split;
  block[PARAM.featureFraction] = params.feature_fraction;
  block[PARAM.baggingFraction] = params.bagging_fraction;
  block[PARAM.baggingFreq] = params.bagging_freq;
  block[PARAM.seed] = params.seed;
  block[PARAM.maxBins] = params.max_bins;
  block[PARAM.earlyStoppingRounds] = params.early_stopping_rounds;
  block[PARAM.metric] = METRIC_CODE[gbdtMetric(params)];
  block[PARAM.rankPairsPerRow] = params.rank_pairs_per_row;
  block[PARAM.sigmoid] = params.sigmoid;
  block[PARAM.binSampleCount] = params.bin_sample_count;
  return block;
}

function fitGbdt(
  engine: LearnEngine, panel: LearnPanel, split: RowSplit, input: GbdtParamsInput | undefined, options: GbdtFitOptions | undefined,
): GbdtModel {
  const params = parse(gbdtParamsSchema, input, "gbdt");
  if (engine.gbdtFit === undefined) {
    throw new KernelError("kernel_learn_needs_wasm", "GBDT training runs in WebAssembly only; create the kernels with the wasm engine");
  }
  const n = checkPanel(panel);
  const train = rowIndex(split.train, n, "train");
  const valid = rowIndex(split.valid ?? [], n, "valid");
  if (train.length === 0) throw new UsageError("learn_bad_rows", "gbdt: no train rows");
  const metric = gbdtMetric(params);
  if (panel.group === undefined && (params.objective === "rank_pairwise" || (metric === "rank_ic" && valid.length > 0))) {
    throw new UsageError("learn_needs_groups", "gbdt: the rank_pairwise objective and the rank_ic metric need the panel's group (date) ids");
  }
  const out = engine.gbdtFit({
    columns: panel.features, label: panel.label, weight: panel.weight, group: panel.group, train, valid,
    params: paramBlock(params), onIteration: options?.onIteration,
  });
  if (out.status !== 0) throw learnError(out.status, "gbdt");
  const info = (slot: number): number => out.info[slot] ?? Number.NaN;
  const maxBins = params.max_bins;
  const thresholds = panel.featureNames.map((_, f) =>
    out.thresholds.slice(f * maxBins, f * maxBins + Math.max(0, (out.numBins[f] ?? 1) - 1)));
  const iterations = info(INFO.iterations);
  const bestIteration = info(INFO.bestIteration);
  const bestMetric = info(INFO.bestMetric);
  return {
    kind: "gbdt",
    features: [...panel.featureNames],
    params,
    baseScore: info(INFO.baseScore) + 0,
    binning: { maxBins, thresholds },
    forest: out.forest,
    training: {
      trainRows: info(INFO.trainRows),
      validRows: info(INFO.validRows),
      trainGroups: info(INFO.trainGroups),
      validGroups: info(INFO.validGroups),
      iterations,
      metric: valid.length > 0 ? metric : null,
      bestIteration: bestIteration >= 0 ? bestIteration : null,
      bestMetric: Number.isFinite(bestMetric) ? bestMetric : null,
      validCurve: valid.length > 0 ? Array.from(out.validCurve.subarray(0, iterations), (v) => (Number.isFinite(v) ? v : null)) : [],
    },
  };
}

function predict(engine: LearnEngine, model: LearnModel, panel: FeaturePanel, rowsIn: ArrayLike<number> | undefined): Float64Array {
  const columns = columnsFor(model.features, panel);
  const n = checkFeatures({ featureNames: model.features, features: columns });
  const rows = rowsIn === undefined ? allRows(n) : rowIndex(rowsIn, n, "rows");
  if (model.kind === "ridge") return engine.linearPredict(columns, rows, model.coef, model.intercept);
  return engine.gbdtPredict(columns, rows, model.forest, model.baseScore);
}
