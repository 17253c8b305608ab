/**
 * The model file: a versioned, self-describing JSON document that holds everything needed to score with a model
 * and to know where it came from, so the trainer can log it to MLflow as an artifact and load it back anywhere.
 *
 *     { "format": "trademl.model", "format_version": 1, "kind": "gbdt" | "ridge",
 *       "content_hash": "sha256:<hex>", "features": [...], "params": {...}, "training": {...},
 *       "gbdt": { "base_score", "max_bins", "bin_thresholds", "trees": {...struct of arrays...} }
 *       | "ridge": { "intercept", "coef", "std_coef", "mean", "scale" } }
 *
 * JSON numbers round-trip doubles exactly (ECMAScript's shortest round-trip form), so a loaded model predicts
 * the same bits; -0 is written as 0 (leaf values and coefficients are normalised to +0 before). The content hash
 * is SHA-256 over the canonical JSON (keys sorted at every level) of the document without `content_hash`: the
 * same training gives the same hash, and a file edited or damaged after writing is refused. Split thresholds are
 * not stored twice: a node keeps its bin, and the threshold is the feature's bin upper bound.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { gbdtParamsSchema, ridgeParamsSchema } from "../../config/schemas/model.ts";
import { keyPath } from "../../config/issues.ts";
import { DataError } from "../../domain/errors.ts";
import type { Forest, GbdtModel, GbdtTraining, LearnModel, RidgeModel } from "./types.ts";

export const MODEL_FORMAT = "trademl.model";
export const MODEL_FORMAT_VERSION = 1;

const int = z.number().int();
const ints = z.array(int);
const nums = z.array(z.number());

const ridgeBody = z.strictObject({
  intercept: z.number(),
  coef: nums,
  std_coef: nums,
  mean: nums,
  scale: nums,
});

const treesBody = z.strictObject({
  count: int.min(0),
  tree_node_start: ints,
  tree_leaf_start: ints,
  node_feature: ints,
  node_bin: ints,
  node_nan_left: z.array(z.union([z.literal(0), z.literal(1)])),
  node_left: ints,
  node_right: ints,
  node_gain: nums,
  leaf_value: nums,
  leaf_weight: nums,
  leaf_count: ints,
});

const gbdtBody = z.strictObject({
  base_score: z.number(),
  max_bins: int.min(2).max(255),
  bin_thresholds: z.array(nums),
  trees: treesBody,
});

const gbdtTraining = z.strictObject({
  train_rows: int.min(0),
  valid_rows: int.min(0),
  train_groups: int.min(0),
  valid_groups: int.min(0),
  iterations: int.min(0),
  metric: z.enum(["l2", "rank_ic"]).nullable(),
  best_iteration: int.min(0).nullable(),
  best_metric: z.number().nullable(),
  valid_curve: z.array(z.number().nullable()),
});

const common = {
  format: z.literal(MODEL_FORMAT),
  format_version: z.literal(MODEL_FORMAT_VERSION),
  content_hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  features: z.array(z.string().min(1)).min(1),
};

const documentSchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...common, kind: z.literal("ridge"), params: ridgeParamsSchema, training: z.strictObject({ train_rows: int.min(0) }), ridge: ridgeBody }),
  z.strictObject({ ...common, kind: z.literal("gbdt"), params: gbdtParamsSchema, training: gbdtTraining, gbdt: gbdtBody }),
]);

/** JSON with object keys sorted at every level: the form the content hash is taken over. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function hashOf(body: Record<string, unknown>): string {
  const { content_hash: _ignored, ...rest } = body;
  return `sha256:${createHash("sha256").update(canonicalJson(rest)).digest("hex")}`;
}

const list = (a: ArrayLike<number>): number[] => Array.from(a, (v) => v + 0);

function trainingBody(t: GbdtTraining): z.input<typeof gbdtTraining> {
  return {
    train_rows: t.trainRows, valid_rows: t.validRows, train_groups: t.trainGroups, valid_groups: t.validGroups,
    iterations: t.iterations, metric: t.metric, best_iteration: t.bestIteration, best_metric: t.bestMetric,
    valid_curve: [...t.validCurve],
  };
}

function documentOf(model: LearnModel): Record<string, unknown> {
  const head = { format: MODEL_FORMAT, format_version: MODEL_FORMAT_VERSION, kind: model.kind, features: [...model.features], params: { ...model.params } };
  if (model.kind === "ridge") {
    return {
      ...head,
      training: { train_rows: model.training.trainRows },
      ridge: { intercept: model.intercept + 0, coef: list(model.coef), std_coef: list(model.stdCoef), mean: list(model.mean), scale: list(model.scale) },
    };
  }
  const f = model.forest;
  return {
    ...head,
    training: trainingBody(model.training),
    gbdt: {
      base_score: model.baseScore + 0,
      max_bins: model.binning.maxBins,
      bin_thresholds: model.binning.thresholds.map(list),
      trees: {
        count: f.trees, tree_node_start: list(f.treeNodeStart), tree_leaf_start: list(f.treeLeafStart),
        node_feature: list(f.nodeFeature), node_bin: list(f.nodeBin), node_nan_left: list(f.nodeNanLeft),
        node_left: list(f.nodeLeft), node_right: list(f.nodeRight), node_gain: list(f.nodeGain),
        leaf_value: list(f.leafValue), leaf_weight: list(f.leafWeight), leaf_count: list(f.leafCount),
      },
    },
  };
}

/** The content hash a model's file carries ("sha256:<hex>"). */
export function modelContentHash(model: LearnModel): string {
  return hashOf(documentOf(model));
}

/** The model as its file's text (JSON, one line, keys in a fixed order, content hash included). */
export function serialiseModel(model: LearnModel): string {
  const body = documentOf(model);
  const { format, format_version, kind, ...rest } = body;
  return `${JSON.stringify({ format, format_version, kind, content_hash: hashOf(body), ...rest })}\n`;
}

/** Reads a model file; throws a DataError for a file that is not one, a newer format, a bad hash or a bad tree. */
export function deserialiseModel(text: string): LearnModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new DataError("model_file_invalid", "not a model file: the text is not JSON", { cause });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || (raw as Record<string, unknown>)["format"] !== MODEL_FORMAT) {
    throw new DataError("model_file_invalid", `not a model file: "format" is not "${MODEL_FORMAT}"`);
  }
  const record = raw as Record<string, unknown>;
  const version = record["format_version"];
  if (typeof version === "number" && version > MODEL_FORMAT_VERSION) {
    throw new DataError("model_format_version", `the model file has format version ${version}; this trademl reads up to ${MODEL_FORMAT_VERSION}: upgrade trademl`);
  }
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${keyPath(i.path)}: ${i.message}`).join("; ");
    throw new DataError("model_file_invalid", `the model file does not match format version ${MODEL_FORMAT_VERSION}: ${issues}`);
  }
  const expected = hashOf(record);
  if (parsed.data.content_hash !== expected) {
    throw new DataError("model_hash_mismatch", `the model file's content hash ${parsed.data.content_hash} does not match its content (${expected}): it was changed after it was written`);
  }
  const doc = parsed.data;
  if (doc.kind === "ridge") {
    const p = doc.features.length;
    const { coef, std_coef, mean, scale } = doc.ridge;
    if (![coef, std_coef, mean, scale].every((a) => a.length === p)) {
      throw new DataError("model_file_invalid", `ridge arrays must have one entry per feature (${p})`);
    }
    const model: RidgeModel = {
      kind: "ridge", features: doc.features, params: doc.params, intercept: doc.ridge.intercept,
      coef: Float64Array.from(coef), stdCoef: Float64Array.from(std_coef), mean: Float64Array.from(mean),
      scale: Float64Array.from(scale), training: { trainRows: doc.training.train_rows },
    };
    return model;
  }
  const g = doc.gbdt;
  if (g.bin_thresholds.length !== doc.features.length) {
    throw new DataError("model_file_invalid", `bin_thresholds has ${g.bin_thresholds.length} features, the model ${doc.features.length}`);
  }
  const thresholds = g.bin_thresholds.map((t) => Float64Array.from(t));
  const t = doc.training;
  const model: GbdtModel = {
    kind: "gbdt",
    features: doc.features,
    params: doc.params,
    baseScore: g.base_score,
    binning: { maxBins: g.max_bins, thresholds },
    forest: forestOf(g.trees, thresholds),
    training: {
      trainRows: t.train_rows, validRows: t.valid_rows, trainGroups: t.train_groups, validGroups: t.valid_groups,
      iterations: t.iterations, metric: t.metric, bestIteration: t.best_iteration, bestMetric: t.best_metric,
      validCurve: t.valid_curve,
    },
  };
  return model;
}

/**
 * Rebuilds the forest and checks that every tree is well formed: sizes agree, features and bins exist, and every
 * child is a later node or a leaf of the same tree (so a walk always ends at a leaf).
 */
function forestOf(trees: z.output<typeof treesBody>, thresholds: readonly Float64Array[]): Forest {
  const bad = (why: string): DataError => new DataError("model_file_invalid", `the model file's trees are malformed: ${why}`);
  const n = trees.count;
  const nodes = trees.node_feature.length;
  const leaves = trees.leaf_value.length;
  if (trees.tree_node_start.length !== n + 1 || trees.tree_leaf_start.length !== n + 1) throw bad("tree offsets");
  for (const column of [trees.node_bin, trees.node_nan_left, trees.node_left, trees.node_right, trees.node_gain]) {
    if (column.length !== nodes) throw bad("node columns differ in length");
  }
  if (trees.leaf_weight.length !== leaves || trees.leaf_count.length !== leaves) throw bad("leaf columns differ in length");
  if (trees.tree_node_start[0] !== 0 || trees.tree_leaf_start[0] !== 0 || trees.tree_node_start[n] !== nodes || trees.tree_leaf_start[n] !== leaves) {
    throw bad("tree offsets do not cover the nodes and leaves");
  }
  const nodeThreshold = new Float64Array(nodes);
  for (let tree = 0; tree < n; tree++) {
    const nodeBase = trees.tree_node_start[tree] ?? 0;
    const nodeEnd = trees.tree_node_start[tree + 1] ?? 0;
    const leafBase = trees.tree_leaf_start[tree] ?? 0;
    const leafEnd = trees.tree_leaf_start[tree + 1] ?? 0;
    const nLeaves = leafEnd - leafBase;
    if (nLeaves < 1 || nodeEnd - nodeBase !== nLeaves - 1) throw bad(`tree ${tree} has ${nodeEnd - nodeBase} nodes for ${nLeaves} leaves`);
    for (let k = nodeBase; k < nodeEnd; k++) {
      const f = trees.node_feature[k] ?? -1;
      const cuts = thresholds[f];
      const bin = trees.node_bin[k] ?? -1;
      if (cuts === undefined) throw bad(`node ${k} splits on feature ${f}`);
      if (bin < 0 || bin > cuts.length) throw bad(`node ${k} splits at bin ${bin} of ${cuts.length + 1}`);
      nodeThreshold[k] = bin < cuts.length ? (cuts[bin] ?? Number.NaN) : Number.POSITIVE_INFINITY;
      for (const child of [trees.node_left[k] ?? 0, trees.node_right[k] ?? 0]) {
        const local = k - nodeBase;
        if (child >= 0 ? child <= local || child >= nodeEnd - nodeBase : ~child >= nLeaves) throw bad(`node ${k} has child ${child}`);
      }
    }
  }
  return {
    trees: n,
    treeNodeStart: Int32Array.from(trees.tree_node_start),
    treeLeafStart: Int32Array.from(trees.tree_leaf_start),
    nodeFeature: Int32Array.from(trees.node_feature),
    nodeBin: Int32Array.from(trees.node_bin),
    nodeNanLeft: Int32Array.from(trees.node_nan_left),
    nodeLeft: Int32Array.from(trees.node_left),
    nodeRight: Int32Array.from(trees.node_right),
    nodeThreshold,
    nodeGain: Float64Array.from(trees.node_gain),
    leafValue: Float64Array.from(trees.leaf_value),
    leafWeight: Float64Array.from(trees.leaf_weight),
    leafCount: Int32Array.from(trees.leaf_count),
  };
}
