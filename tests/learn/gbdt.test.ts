// The histogram GBDT: it learns a planted signal, is deterministic under a seed, stops early on the caller's
// inner holdout, handles missing values and sample weights, ranks by date, and refuses bad input clearly.
import { describe, expect, it } from "vitest";
import { loadKernelModule } from "../../src/kernels/load.ts";
import { createKernels } from "../../src/kernels/index.ts";
import { createLearnKernels, featureImportance, modelContentHash, serialiseModel, type GbdtParamsInput } from "../../src/kernels/learn/index.ts";
import { meanRankIc, rowsOfDates, syntheticPanel, uniformStream } from "./synthetic-panel.ts";

const k = createLearnKernels(await loadKernelModule());
const ts = createLearnKernels("ts");

const panel = syntheticPanel({ dates: 120, names: 80, features: 10, noise: 0.6, seed: 3 });
const train = rowsOfDates(panel, 0, 80);
const valid = rowsOfDates(panel, 82, 95); // two dates purged between train and valid, as a caller would
const test = rowsOfDates(panel, 95, 120);
const base: GbdtParamsInput = { num_iterations: 120, learning_rate: 0.08, num_leaves: 15, min_data_in_leaf: 20 };

describe("GBDT, L2 objective", () => {
  const model = k.fitGbdt(panel, { train }, base);
  const predictions = k.predict(model, panel, test);

  it("learns the planted signal: held-out rank IC close to the noiseless signal's own", () => {
    const ic = meanRankIc(panel, test, predictions);
    const oracle = meanRankIc(panel, test, Array.from(test, (r) => panel.signal[r] ?? 0));
    expect(ic).toBeGreaterThan(0.85 * oracle);
    // Each signal feature carries more of the gain than any noise feature.
    const gain = featureImportance(model).map((f) => f.gain);
    expect(Math.max(...gain.slice(5))).toBeLessThan(Math.min(...gain.slice(0, 5)));
  });

  it("keeps every tree without a validation set and respects num_leaves", () => {
    expect(model.forest.trees).toBe(120);
    expect(model.training.iterations).toBe(120);
    expect(model.training.bestIteration).toBeNull();
    for (let t = 0; t < model.forest.trees; t++) {
      const leaves = (model.forest.treeLeafStart[t + 1] ?? 0) - (model.forest.treeLeafStart[t] ?? 0);
      expect(leaves).toBeGreaterThan(1);
      expect(leaves).toBeLessThanOrEqual(15);
    }
    expect(Math.min(...model.forest.leafCount)).toBeGreaterThanOrEqual(20);
  });

  it("predicts the same bits in WebAssembly and in TypeScript, and after a model-file round trip", () => {
    const other = ts.predict(model, panel, test);
    expect(Array.from(other)).toEqual(Array.from(predictions));
  });

  it("respects max_depth", () => {
    const shallow = k.fitGbdt(panel, { train }, { ...base, num_iterations: 5, num_leaves: 31, max_depth: 2 });
    for (let t = 0; t < shallow.forest.trees; t++) {
      expect((shallow.forest.treeLeafStart[t + 1] ?? 0) - (shallow.forest.treeLeafStart[t] ?? 0)).toBeLessThanOrEqual(4);
    }
  });
});

describe("GBDT determinism", () => {
  const randomised: GbdtParamsInput = { ...base, num_iterations: 40, feature_fraction: 0.6, bagging_fraction: 0.7, bagging_freq: 1, seed: 42 };

  it("gives the same model (content hash) for the same data, parameters and seed", () => {
    const a = k.fitGbdt(panel, { train, valid }, randomised);
    const b = k.fitGbdt(panel, { train, valid }, randomised);
    expect(serialiseModel(a)).toBe(serialiseModel(b));
  });

  it("gives another model for another seed when bagging and feature_fraction draw", () => {
    const a = k.fitGbdt(panel, { train }, randomised);
    const b = k.fitGbdt(panel, { train }, { ...randomised, seed: 43 });
    expect(modelContentHash(a)).not.toBe(modelContentHash(b));
  });

  it("does not depend on a previous fit in the same module (no state leaks between fits)", async () => {
    const fresh = createLearnKernels(await loadKernelModule());
    const a = fresh.fitGbdt(panel, { train }, randomised);
    k.fitGbdt(panel, { train: test }, { ...base, objective: "rank_pairwise", num_iterations: 3 });
    const b = k.fitGbdt(panel, { train }, randomised);
    expect(modelContentHash(b)).toBe(modelContentHash(a));
  });
});

describe("GBDT early stopping on the inner holdout", () => {
  it("keeps the trees up to the best validation iteration and reports the curve", () => {
    const seen: number[] = [];
    const model = k.fitGbdt(panel, { train, valid }, { ...base, num_iterations: 400, learning_rate: 0.3, early_stopping_rounds: 10 }, {
      onIteration: (iteration) => seen.push(iteration),
    });
    const t = model.training;
    expect(t.metric).toBe("l2");
    expect(t.bestIteration).not.toBeNull();
    const best = t.bestIteration ?? -1;
    expect(t.iterations).toBeLessThan(400);
    expect(t.iterations).toBe(best + 1 + 10);
    expect(model.forest.trees).toBe(best + 1);
    expect(t.validCurve).toHaveLength(t.iterations);
    const curve = t.validCurve.map((v) => v ?? Number.POSITIVE_INFINITY);
    expect(Math.min(...curve)).toBe(curve[best]);
    expect(t.bestMetric).toBe(curve[best]);
    expect(seen).toEqual(Array.from({ length: t.iterations }, (_, i) => i));
  });

  it("measures the validation metric on the valid rows only: it equals the held-out MSE of the kept trees", () => {
    const model = k.fitGbdt(panel, { train, valid }, { ...base, num_iterations: 30 });
    const p = k.predict(model, panel, valid);
    let mse = 0;
    valid.forEach((r, i) => (mse += ((p[i] ?? 0) - (panel.label[r] ?? 0)) ** 2));
    expect(model.training.validCurve[29]).toBeCloseTo(mse / valid.length, 12);
  });

  it("refuses valid rows that are also train rows", () => {
    expect(() => k.fitGbdt(panel, { train, valid: [...valid, train[5] ?? 0] }, base)).toThrow(expect.objectContaining({ code: "learn_overlap" }));
  });
});

describe("GBDT missing values and weights", () => {
  it("learns from missingness: missing (and infinite) values get their own level", () => {
    const f3 = panel.features[3] ?? new Float64Array(0);
    const label = Float64Array.from(f3, (v) => (Number.isNaN(v) ? 0.3 : v > 0.2 ? 0.4 : -0.2));
    const only = { featureNames: ["f3"], features: [f3], label };
    const model = k.fitGbdt(only, { train }, { num_iterations: 60, learning_rate: 0.3, num_leaves: 4, min_data_in_leaf: 5 });
    const probe = { featureNames: ["f3"], features: [Float64Array.from([Number.NaN, -0.9, 0.9, Number.POSITIVE_INFINITY])] };
    const [nan = 0, low = 0, high = 0, inf = 0] = k.predict(model, probe);
    expect(low).toBeCloseTo(-0.2, 6);
    expect(high).toBeCloseTo(0.4, 6);
    expect(nan).toBeCloseTo(0.3, 6);
    expect(inf).toBe(nan); // non-finite values share the missing bin
  });

  it("follows the sample weights: the heavier half's pattern wins", () => {
    const u = uniformStream(17);
    const n = 4000;
    const x = Float64Array.from({ length: n }, () => u() * 2 - 1);
    const half = Array.from({ length: n }, (_, i) => i % 2);
    const label = Float64Array.from(x, (v, i) => (half[i] === 0 ? v : -v));
    const fit = (w0: number, w1: number) => {
      const weight = Float64Array.from(half, (h) => (h === 0 ? w0 : w1));
      const model = k.fitGbdt({ featureNames: ["x"], features: [x], label, weight }, { train: Array.from({ length: n }, (_, i) => i) }, { num_iterations: 30, num_leaves: 4 });
      const [lo = 0, hi = 0] = k.predict(model, { featureNames: ["x"], features: [Float64Array.from([-0.8, 0.8])] });
      return hi - lo;
    };
    expect(fit(1, 0.05)).toBeGreaterThan(1);
    expect(fit(0.05, 1)).toBeLessThan(-1);
  });

  it("is unchanged when every weight doubles (powers of two scale the sums exactly)", () => {
    const weight = Float64Array.from({ length: panel.label.length }, (_, i) => 0.5 + (i % 7) / 7);
    const a = k.fitGbdt({ ...panel, weight }, { train }, { ...base, num_iterations: 20, min_sum_hessian: 0 });
    const b = k.fitGbdt({ ...panel, weight: weight.map((w) => 2 * w) }, { train }, { ...base, num_iterations: 20, min_sum_hessian: 0 });
    expect(Array.from(b.forest.leafValue)).toEqual(Array.from(a.forest.leafValue));
  });
});

describe("GBDT ranking objective (pairwise within dates)", () => {
  it("learns the cross-sectional order and stops early on the holdout's rank IC", () => {
    const model = k.fitGbdt(panel, { train, valid }, { ...base, objective: "rank_pairwise", num_iterations: 150, early_stopping_rounds: 15 });
    expect(model.training.metric).toBe("rank_ic");
    expect(model.training.trainGroups).toBe(80);
    expect(model.training.validGroups).toBe(13);
    const ic = meanRankIc(panel, test, k.predict(model, panel, test));
    const oracle = meanRankIc(panel, test, Array.from(test, (r) => panel.signal[r] ?? 0));
    expect(ic).toBeGreaterThan(0.8 * oracle);
    const best = model.training.bestIteration ?? -1;
    expect(model.training.bestMetric).toBe(model.training.validCurve[best]);
  });

  it("samples pairs deterministically when rank_pairs_per_row is below the group size", () => {
    const params: GbdtParamsInput = { ...base, objective: "rank_pairwise", num_iterations: 10, rank_pairs_per_row: 8, seed: 5 };
    expect(modelContentHash(k.fitGbdt(panel, { train }, params))).toBe(modelContentHash(k.fitGbdt(panel, { train }, params)));
  });

  it("needs group ids sorted along the rows", () => {
    const { group: _group, ...noGroups } = panel;
    expect(() => k.fitGbdt(noGroups, { train }, { objective: "rank_pairwise" })).toThrow(expect.objectContaining({ code: "learn_needs_groups" }));
    const shuffled = Int32Array.from(train).reverse();
    expect(() => k.fitGbdt(panel, { train: shuffled }, { objective: "rank_pairwise", num_iterations: 2 })).toThrow(expect.objectContaining({ code: "learn_groups_unsorted" }));
  });
});

describe("GBDT bad input", () => {
  it("names unknown or out-of-range parameters", () => {
    expect(() => k.fitGbdt(panel, { train }, { num_leafs: 31 } as never)).toThrow(/num_leafs/);
    expect(() => k.fitGbdt(panel, { train }, { max_bins: 1000 })).toThrow(expect.objectContaining({ code: "learn_bad_params" }));
  });

  it("refuses too few rows for two leaves, non-finite labels and mismatched columns", () => {
    expect(() => k.fitGbdt(panel, { train: train.subarray(0, 30) }, { min_data_in_leaf: 20 })).toThrow(expect.objectContaining({ code: "learn_too_few_rows" }));
    const badLabel = { ...panel, label: panel.label.map((v, i) => (i === train[3] ? Number.NaN : v)) };
    expect(() => k.fitGbdt(badLabel, { train }, base)).toThrow(expect.objectContaining({ code: "learn_non_finite_label" }));
    const short = { ...panel, features: [...panel.features.slice(1), new Float64Array(3)] };
    expect(() => k.fitGbdt(short, { train }, base)).toThrow(expect.objectContaining({ code: "learn_bad_panel" }));
  });

  it("needs the WebAssembly build to train, but predicts without it", async () => {
    const model = k.fitGbdt(panel, { train }, { ...base, num_iterations: 3 });
    const tsKernels = await createKernels({ engine: "ts" });
    expect(() => tsKernels.fitGbdt(panel, { train }, base)).toThrow(expect.objectContaining({ code: "kernel_learn_needs_wasm" }));
    expect(Array.from(tsKernels.predict(model, panel, test))).toEqual(Array.from(k.predict(model, panel, test)));
  });

  it("matches the panel's columns to the model's features by name", () => {
    const model = k.fitGbdt(panel, { train }, { ...base, num_iterations: 5 });
    const reversed = { featureNames: [...panel.featureNames].reverse(), features: [...panel.features].reverse() };
    expect(Array.from(k.predict(model, reversed, test))).toEqual(Array.from(k.predict(model, panel, test)));
    expect(() => k.predict(model, { featureNames: ["f0"], features: [panel.features[0] ?? []] })).toThrow(expect.objectContaining({ code: "learn_missing_features" }));
  });
});
