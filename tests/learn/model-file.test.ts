// The model file: versioned, self-describing, hashed. A model written and read back predicts the same bits; an
// edited, truncated or newer-format file is refused with a clear error.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadKernelModule } from "../../src/kernels/load.ts";
import {
  createLearnKernels, deserialiseModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, modelContentHash, serialiseModel, type GbdtModel,
} from "../../src/kernels/learn/index.ts";
import { rowsOfDates, syntheticPanel } from "./synthetic-panel.ts";

const k = createLearnKernels(await loadKernelModule());
const panel = syntheticPanel({ dates: 40, names: 50, features: 7, noise: 0.5, seed: 8 });
const train = rowsOfDates(panel, 0, 25);
const valid = rowsOfDates(panel, 27, 32);
const test = rowsOfDates(panel, 32, 40);
const gbdt = k.fitGbdt(panel, { train, valid }, { num_iterations: 25, num_leaves: 7, min_data_in_leaf: 10, early_stopping_rounds: 5, seed: 3, bagging_fraction: 0.8, bagging_freq: 2 });
const filled = { ...panel, features: panel.features.map((c) => c.map((v) => (Number.isNaN(v) ? 0 : v))) };
const ridge = k.fitRidge(filled, { train }, { lambda: 2 });

function edit(text: string, change: (doc: Record<string, unknown>) => void): string {
  const doc = JSON.parse(text) as Record<string, unknown>;
  change(doc);
  return JSON.stringify(doc);
}

describe("model file", () => {
  it.each([["gbdt", gbdt], ["ridge", ridge]] as const)("round-trips a %s model: same predictions, same hash, same text", (_kind, model) => {
    const text = serialiseModel(model);
    const doc = JSON.parse(text) as Record<string, unknown>;
    expect(doc["format"]).toBe(MODEL_FORMAT);
    expect(doc["format_version"]).toBe(MODEL_FORMAT_VERSION);
    expect(doc["kind"]).toBe(model.kind);
    expect(doc["features"]).toEqual(panel.featureNames);
    expect(doc["content_hash"]).toBe(modelContentHash(model));
    const back = deserialiseModel(text);
    const data = model.kind === "ridge" ? filled : panel;
    expect(Array.from(k.predict(back, data, test))).toEqual(Array.from(k.predict(model, data, test)));
    expect(serialiseModel(back)).toBe(text);
  });

  it("carries what the trainer logs: parameters with defaults resolved, binning, training summary", () => {
    const doc = JSON.parse(serialiseModel(gbdt)) as { params: Record<string, unknown>; training: Record<string, unknown>; gbdt: { bin_thresholds: number[][]; max_bins: number } };
    expect(doc.params["num_leaves"]).toBe(7);
    expect(doc.params["max_bins"]).toBe(255);
    expect(doc.training["metric"]).toBe("l2");
    expect(doc.training["best_iteration"]).toBe(gbdt.training.bestIteration);
    expect(doc.gbdt.bin_thresholds).toHaveLength(7);
    expect(doc.gbdt.bin_thresholds[0]?.length).toBeGreaterThan(100);
  });

  it("rebuilds split thresholds from the stored bins exactly as the fit made them", () => {
    const back = deserialiseModel(serialiseModel(gbdt)) as GbdtModel;
    expect(Array.from(back.forest.nodeThreshold)).toEqual(Array.from(gbdt.forest.nodeThreshold));
  });

  it("hashes content, not key order: a re-ordered but unchanged file still loads", () => {
    const text = serialiseModel(ridge);
    const doc = JSON.parse(text) as Record<string, unknown>;
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(doc).reverse()));
    expect(deserialiseModel(reordered)).toEqual(deserialiseModel(text));
  });

  it("refuses a file whose content changed after it was written", () => {
    const text = serialiseModel(gbdt);
    const tampered = edit(text, (doc) => {
      const body = doc["gbdt"] as { trees: { leaf_value: number[] } };
      body.trees.leaf_value[0] = (body.trees.leaf_value[0] ?? 0) + 1e-9;
    });
    expect(() => deserialiseModel(tampered)).toThrow(expect.objectContaining({ code: "model_hash_mismatch" }));
  });

  it("refuses a newer format version, another format, non-JSON, and unknown keys", () => {
    const text = serialiseModel(ridge);
    expect(() => deserialiseModel(edit(text, (d) => (d["format_version"] = MODEL_FORMAT_VERSION + 1)))).toThrow(
      expect.objectContaining({ code: "model_format_version", message: expect.stringMatching(/upgrade trademl/) }),
    );
    expect(() => deserialiseModel(edit(text, (d) => (d["format"] = "onnx")))).toThrow(expect.objectContaining({ code: "model_file_invalid" }));
    expect(() => deserialiseModel(text.slice(0, 100))).toThrow(expect.objectContaining({ code: "model_file_invalid" }));
    expect(() => deserialiseModel(edit(text, (d) => (d["extra"] = 1)))).toThrow(expect.objectContaining({ code: "model_file_invalid" }));
  });

  it("documents its hash: SHA-256 of the key-sorted JSON without content_hash (computed here independently)", () => {
    const doc = JSON.parse(serialiseModel(gbdt)) as Record<string, unknown>;
    expect(sign(doc)).toBe(doc["content_hash"]);
  });

  it("refuses malformed trees even when the hash matches (a walk must always reach a leaf)", () => {
    const resigned = (change: (trees: Record<string, number[]>) => void): string => {
      const doc = JSON.parse(serialiseModel(gbdt)) as Record<string, unknown> & { gbdt: { trees: Record<string, number[]> } };
      change(doc.gbdt.trees);
      return JSON.stringify({ ...doc, content_hash: sign(doc) });
    };
    const malformed = expect.objectContaining({ code: "model_file_invalid" });
    expect(() => deserialiseModel(resigned((t) => ((t["node_left"] as number[])[0] = 0)))).toThrow(malformed); // a cycle
    expect(() => deserialiseModel(resigned((t) => ((t["node_right"] as number[])[0] = -99)))).toThrow(malformed); // no such leaf
    expect(() => deserialiseModel(resigned((t) => ((t["node_feature"] as number[])[0] = 7)))).toThrow(malformed); // no such feature
    expect(() => deserialiseModel(resigned((t) => ((t["node_bin"] as number[])[0] = 300)))).toThrow(malformed); // no such bin
    expect(() => deserialiseModel(resigned((t) => (t["leaf_value"] as number[]).pop()))).toThrow(malformed);
  });
});

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function sign(doc: Record<string, unknown>): string {
  const { content_hash: _ignored, ...rest } = doc;
  return `sha256:${createHash("sha256").update(canonical(rest)).digest("hex")}`;
}
