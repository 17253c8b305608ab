// Ridge regression: the kernel's coefficients equal the solution of the normal equations solved here from
// scratch (Gaussian elimination with partial pivoting, no centring, the intercept as an unknown of its own), on
// both engines, which agree bit for bit.
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/errors.ts";
import { loadKernelModule } from "../../src/kernels/load.ts";
import { createLearnKernels, type LearnKernels, type LearnPanel, type RidgeModel } from "../../src/kernels/learn/index.ts";
import { uniformStream } from "./synthetic-panel.ts";

const wasm = createLearnKernels(await loadKernelModule());
const ts = createLearnKernels("ts");

function panelOf(n: number, p: number, seed: number, weighted: boolean): LearnPanel & { features: Float64Array[]; label: Float64Array } {
  const u = uniformStream(seed);
  // Correlated features on different scales, so standardisation and the penalty both matter.
  const features = Array.from({ length: p }, () => new Float64Array(n));
  const label = new Float64Array(n);
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const common = u() - 0.5;
    let y = 3;
    for (let j = 0; j < p; j++) {
      const x = (10 ** (j % 3)) * (u() - 0.5 + 0.7 * common) + j;
      (features[j] as Float64Array)[i] = x;
      y += ((j % 2 === 0 ? 1 : -0.5) * x) / 10 ** (j % 3);
    }
    label[i] = y + 0.3 * (u() - 0.5);
    weight[i] = 0.1 + 2 * u();
  }
  return { featureNames: features.map((_, j) => `x${j}`), features, label, ...(weighted ? { weight } : {}) };
}

/** Solves A z = b by Gaussian elimination with partial pivoting (A is n x n, row-major). */
function gaussSolve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] ?? 0]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]?.[col] ?? 0) > Math.abs(m[pivot]?.[col] ?? 0)) pivot = r;
    [m[col], m[pivot]] = [m[pivot] ?? [], m[col] ?? []];
    for (let r = col + 1; r < n; r++) {
      const f = (m[r]?.[col] ?? 0) / (m[col]?.[col] ?? 1);
      for (let c = col; c <= n; c++) (m[r] as number[])[c] = (m[r]?.[c] ?? 0) - f * (m[col]?.[c] ?? 0);
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]?.[n] ?? 0;
    for (let c = r + 1; c < n; c++) s -= (m[r]?.[c] ?? 0) * (z[c] ?? 0);
    z[r] = s / (m[r]?.[r] ?? 1);
  }
  return z;
}

/**
 * The documented objective sum_i w_i (y_i - b - z_i . beta)^2 + lambda |beta|^2 (weights rescaled to mean 1,
 * z the weighted-standardised features), through its normal equations in (b, beta): stationarity gives
 *   [ sum w      sum w z'        ] [b]      [ sum w y   ]
 *   [ sum w z    Z'WZ + lambda I ] [beta] = [ Z'W y     ]
 * Returns raw-scale coefficients and intercept.
 */
function normalEquations(panel: LearnPanel, rows: readonly number[], lambda: number): { coef: number[]; intercept: number } {
  const p = panel.features.length;
  const w0 = rows.map((r) => panel.weight?.[r] ?? 1);
  const wMean = w0.reduce((s, v) => s + v, 0) / rows.length;
  const w = w0.map((v) => v / wMean);
  const sw = w.reduce((s, v) => s + v, 0);
  const col = (j: number) => rows.map((r) => panel.features[j]?.[r] ?? 0);
  const mean = Array.from({ length: p }, (_, j) => col(j).reduce((s, x, i) => s + (w[i] ?? 0) * x, 0) / sw);
  const sd = Array.from({ length: p }, (_, j) => Math.sqrt(col(j).reduce((s, x, i) => s + (w[i] ?? 0) * (x - (mean[j] ?? 0)) ** 2, 0) / sw));
  const z = rows.map((r) => Array.from({ length: p }, (_, j) => ((panel.features[j]?.[r] ?? 0) - (mean[j] ?? 0)) / (sd[j] ?? 1)));
  const y = rows.map((r) => panel.label[r] ?? 0);
  const k = p + 1;
  const a = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const b = new Array<number>(k).fill(0);
  rows.forEach((_, i) => {
    const v = [1, ...(z[i] ?? [])];
    for (let r = 0; r < k; r++) {
      b[r] = (b[r] ?? 0) + (w[i] ?? 0) * (v[r] ?? 0) * (y[i] ?? 0);
      for (let c = 0; c < k; c++) (a[r] as number[])[c] = (a[r]?.[c] ?? 0) + (w[i] ?? 0) * (v[r] ?? 0) * (v[c] ?? 0);
    }
  });
  for (let j = 1; j < k; j++) (a[j] as number[])[j] = (a[j]?.[j] ?? 0) + lambda;
  const [b0 = 0, ...beta] = gaussSolve(a, b);
  const coef = beta.map((v, j) => v / (sd[j] ?? 1));
  return { coef, intercept: b0 - coef.reduce((s, c, j) => s + c * (mean[j] ?? 0), 0) };
}

function expectClose(model: RidgeModel, want: { coef: number[]; intercept: number }, tol: number): void {
  const scale = Math.max(1, ...want.coef.map(Math.abs), Math.abs(want.intercept));
  want.coef.forEach((c, j) => expect(Math.abs((model.coef[j] ?? Number.NaN) - c) / scale).toBeLessThan(tol));
  expect(Math.abs(model.intercept - want.intercept) / scale).toBeLessThan(tol);
}

const engines: [string, LearnKernels][] = [["wasm", wasm], ["ts", ts]];

describe.each(engines)("ridge regression (%s engine)", (_name, k) => {
  it.each([
    ["unweighted, lambda 0 (least squares)", false, 0],
    ["unweighted, lambda 5", false, 5],
    ["weighted, lambda 0.5", true, 0.5],
    ["weighted, lambda 200", true, 200],
  ])("equals the normal equations: %s", (_label, weighted, lambda) => {
    const panel = panelOf(400, 6, 11, weighted);
    const train = Array.from({ length: 300 }, (_, i) => i + 50);
    const model = k.fitRidge(panel, { train }, { lambda });
    expectClose(model, normalEquations(panel, train, lambda), 1e-9);
    expect(model.training.trainRows).toBe(300);
  });

  it("leaves the intercept unpenalised: a huge lambda shrinks every coefficient to 0, not the mean", () => {
    const panel = panelOf(300, 4, 3, true);
    const train = Array.from({ length: 300 }, (_, i) => i);
    const model = k.fitRidge(panel, { train }, { lambda: 1e12 });
    const w = panel.weight ?? [];
    let sw = 0;
    let swy = 0;
    train.forEach((r) => {
      sw += w[r] ?? 0;
      swy += (w[r] ?? 0) * (panel.label[r] ?? 0);
    });
    for (const c of model.stdCoef) expect(Math.abs(c)).toBeLessThan(1e-8);
    expect(model.intercept).toBeCloseTo(swy / sw, 6);
  });

  it("gives a constant feature coefficient 0 and still fits the others", () => {
    const panel = panelOf(200, 3, 5, false);
    const constant = { ...panel, featureNames: [...panel.featureNames, "flat"], features: [...panel.features, new Float64Array(200).fill(4.2)] };
    const train = Array.from({ length: 200 }, (_, i) => i);
    const model = k.fitRidge(constant, { train }, { lambda: 1 });
    expect(model.scale[3]).toBe(0);
    expect(model.coef[3]).toBe(0);
    expectClose({ ...model, coef: model.coef.subarray(0, 3) }, normalEquations(panel, train, 1), 1e-9);
  });

  it("predicts intercept + coef . x", () => {
    const panel = panelOf(100, 5, 9, false);
    const model = k.fitRidge(panel, { train: Array.from({ length: 80 }, (_, i) => i) }, { lambda: 1 });
    const rows = [80, 85, 99];
    const got = k.predict(model, panel, rows);
    rows.forEach((r, i) => {
      const want = model.coef.reduce((s, c, j) => s + c * (panel.features[j]?.[r] ?? 0), model.intercept);
      expect(got[i]).toBeCloseTo(want, 12);
    });
  });

  it("refuses a missing feature value, collinear features without a penalty, and bad parameters", () => {
    const panel = panelOf(100, 3, 2, false);
    const train = Array.from({ length: 100 }, (_, i) => i);
    const holes = { ...panel, features: panel.features.map((c, j) => (j === 1 ? Float64Array.from(c, (v, i) => (i === 7 ? Number.NaN : v)) : c)) };
    expect(() => k.fitRidge(holes, { train })).toThrow(expect.objectContaining({ code: "learn_non_finite_feature" }));
    const twin = { ...panel, featureNames: [...panel.featureNames, "x0_copy"], features: [...panel.features, Float64Array.from(panel.features[0] ?? [])] };
    expect(() => k.fitRidge(twin, { train }, { lambda: 0 })).toThrow(expect.objectContaining({ code: "learn_singular" }));
    expect(() => k.fitRidge(panel, { train }, { lambda: -1 })).toThrow(expect.objectContaining({ code: "learn_bad_params" }));
    expect(() => k.fitRidge(panel, { train }, { lamda: 1 } as never)).toThrow(AppError);
    expect(() => k.fitRidge(panel, { train: [0, 100] })).toThrow(expect.objectContaining({ code: "learn_bad_rows" }));
  });
});

describe("ridge engines", () => {
  it("agree bit for bit (the TS twin mirrors the kernel operation by operation)", () => {
    for (const seed of [1, 2, 3]) {
      const panel = panelOf(500, 7, seed, seed !== 2);
      const train = Array.from({ length: 450 }, (_, i) => i);
      const a = wasm.fitRidge(panel, { train }, { lambda: seed });
      const b = ts.fitRidge(panel, { train }, { lambda: seed });
      expect(Array.from(a.coef)).toEqual(Array.from(b.coef));
      expect(Array.from(a.stdCoef)).toEqual(Array.from(b.stdCoef));
      expect(a.intercept).toBe(b.intercept);
      expect(Array.from(wasm.predict(a, panel))).toEqual(Array.from(ts.predict(b, panel)));
    }
  });
});
