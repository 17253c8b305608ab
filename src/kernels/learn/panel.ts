/**
 * Checks a panel and row sets before they reach a kernel, so a caller's mistake is a clear error naming the
 * column or row instead of a status code.
 */
import { UsageError } from "../../domain/errors.ts";
import type { FeaturePanel, LearnPanel } from "./types.ts";

/** The panel's row count; throws when its columns disagree. */
export function checkPanel(panel: LearnPanel): number {
  const n = panel.label.length;
  checkFeatures(panel, n);
  if (panel.weight !== undefined && panel.weight.length !== n) {
    throw new UsageError("learn_bad_panel", `weight has ${panel.weight.length} rows, label has ${n}`);
  }
  if (panel.group !== undefined) {
    if (panel.group.length !== n) throw new UsageError("learn_bad_panel", `group has ${panel.group.length} rows, label has ${n}`);
    for (let i = 0; i < n; i++) {
      const g = panel.group[i] ?? Number.NaN;
      if (!Number.isInteger(g) || g < -(2 ** 31) || g >= 2 ** 31) {
        throw new UsageError("learn_bad_panel", `group[${i}] = ${g} is not a 32-bit integer id`);
      }
    }
  }
  return n;
}

/** Checks feature names and column lengths (n rows, or the first column's length when n is undefined). */
export function checkFeatures(panel: FeaturePanel, n?: number): number {
  const { featureNames, features } = panel;
  if (featureNames.length !== features.length) {
    throw new UsageError("learn_bad_panel", `${featureNames.length} feature names for ${features.length} feature columns`);
  }
  if (features.length === 0) throw new UsageError("learn_bad_panel", "the panel has no feature columns");
  const seen = new Set<string>();
  for (const name of featureNames) {
    if (seen.has(name)) throw new UsageError("learn_bad_panel", `feature "${name}" appears twice`);
    seen.add(name);
  }
  const rows = n ?? features[0]?.length ?? 0;
  features.forEach((column, j) => {
    if (column.length !== rows) {
      throw new UsageError("learn_bad_panel", `feature "${featureNames[j] ?? j}" has ${column.length} rows, expected ${rows}`);
    }
  });
  if (rows === 0) throw new UsageError("learn_bad_panel", "the panel has no rows");
  return rows;
}

/** Row indices as an Int32Array; throws on a non-integer or out-of-range index. */
export function rowIndex(rows: ArrayLike<number>, n: number, what: string): Int32Array {
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] ?? Number.NaN;
    if (!Number.isInteger(r) || r < 0 || r >= n) {
      throw new UsageError("learn_bad_rows", `${what}[${i}] = ${r} is not a row of the panel (0..${n - 1})`);
    }
    out[i] = r;
  }
  return out;
}

/** Every row, in order. */
export function allRows(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** The panel's columns in the model's feature order; throws naming the features the panel lacks. */
export function columnsFor(features: readonly string[], panel: FeaturePanel): ArrayLike<number>[] {
  const byName = new Map(panel.featureNames.map((name, j) => [name, panel.features[j]] as const));
  const missing = features.filter((name) => !byName.has(name));
  if (missing.length > 0) {
    throw new UsageError("learn_missing_features", `the panel lacks the model's features: ${missing.join(", ")}`);
  }
  return features.map((name) => byName.get(name) ?? []);
}
