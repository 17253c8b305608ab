// The learned blender (src/train/stacker/, src/train/router-blend.ts): NNLS against scipy.optimize.nnls and a
// hand-checked case, non-negativity and the KKT conditions on random problems, the three meta-models on a planted
// blend, the versioned file's lake round trip (and a tampered file refused), and the router's fallback order.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { routerSchema } from "../../src/config/schemas/router.ts";
import { createLogger } from "../../src/domain/logger.ts";
import { createLearnKernels } from "../../src/kernels/learn/index.ts";
import { loadKernelModule } from "../../src/kernels/load.ts";
import { lakeAccess } from "../../src/lake/lake-access.ts";
import { LocalStore } from "../../src/lake/local-store.ts";
import type { Dataset } from "../../src/train/dataset.ts";
import { learnStacker, oofTable, writeOofPredictions } from "../../src/train/stacker/learn-stacker.ts";
import { mulberry32 } from "../../src/sim/random.ts";
import { blendPredictions, resolveRouterBlend } from "../../src/train/router-blend.ts";
import { fitStacker } from "../../src/train/stacker/fit-stacker.ts";
import { nnls, normalEquations } from "../../src/train/stacker/nnls.ts";
import { buildStackerFile, parseStacker, readCurrentStacker, STACKER_CURRENT_KEY, stackerKey, writeStacker } from "../../src/train/stacker/stacker-file.ts";
import { describeWithPypeers, pypeersService } from "../helpers/services.ts";
import { runPeer } from "../peers/run-peer.ts";

function normals(rng: () => number, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-300))) * Math.cos(2 * Math.PI * rng()));
}

interface Problem {
  readonly columns: Float64Array[];
  readonly y: Float64Array;
  readonly w: Float64Array;
}

/** Columns with shared factors (collinear-ish, as model predictions are) and a target with some negative loadings. */
function randomProblem(rng: () => number, rows: number, k: number): Problem {
  const common = normals(rng, rows);
  const columns = Array.from({ length: k }, () => {
    const own = normals(rng, rows);
    const load = rng();
    return Float64Array.from(own, (v, i) => v + load * (common[i] ?? 0));
  });
  const beta = Array.from({ length: k }, () => rng() * 2 - 0.7);
  const noise = normals(rng, rows);
  const y = Float64Array.from({ length: rows }, (_, i) => columns.reduce((s, c, j) => s + (beta[j] ?? 0) * (c[i] ?? 0), 0) + 2 * (noise[i] ?? 0));
  const w = Float64Array.from({ length: rows }, () => 0.2 + rng());
  return { columns, y, w };
}

describe("NNLS", () => {
  it("solves a hand-checked case: the unconstrained optimum has a negative weight, NNLS drops that column", () => {
    // Columns e1, e2 and y = (2, −1): least squares gives (2, −1); NNLS keeps x1 = 2 and sets x2 = 0, RSS 1.
    const result = nnls([Float64Array.of(1, 0), Float64Array.of(0, 1)], Float64Array.of(2, -1));
    expect(Array.from(result.x)).toEqual([2, 0]);
    expect(result.rss).toBeCloseTo(1, 12);
    // Positive target: the constraint does not bind and NNLS is ordinary least squares, (3, 4).
    expect(Array.from(nnls([Float64Array.of(1, 0, 1), Float64Array.of(0, 1, 1)], Float64Array.of(3, 4, 7)).x).map((v) => +v.toFixed(12))).toEqual([3, 4]);
  });

  it("returns non-negative weights that satisfy the KKT conditions on 200 random problems", () => {
    const rng = mulberry32(11);
    for (let trial = 0; trial < 200; trial++) {
      const k = 1 + Math.floor(rng() * 6);
      const { columns, y, w } = randomProblem(rng, 60 + Math.floor(rng() * 200), k);
      const { x } = nnls(columns, y, w);
      const { gram, rhs } = normalEquations(columns, y, w);
      const scale = Math.max(...Array.from(rhs, Math.abs), 1);
      for (let j = 0; j < k; j++) {
        expect(x[j]).toBeGreaterThanOrEqual(0);
        // Gradient of the objective: c − Gx, zero on positive weights and ≤ 0 on the ones held at zero.
        let g = rhs[j] ?? 0;
        for (let i = 0; i < k; i++) g -= (gram[j * k + i] ?? 0) * (x[i] ?? 0);
        if ((x[j] ?? 0) > 0) expect(Math.abs(g)).toBeLessThan(1e-8 * scale);
        else expect(g).toBeLessThan(1e-8 * scale);
      }
    }
  });

  it("keeps a duplicated column at zero instead of failing", () => {
    const rng = mulberry32(3);
    const a = normals(rng, 50);
    const y = Float64Array.from(a, (v, i) => 2 * v + 0.1 * Math.sin(i));
    const { x } = nnls([a, Float64Array.from(a)], y);
    expect((x[0] ?? 0) + (x[1] ?? 0)).toBeCloseTo(nnls([a], y).x[0] ?? Number.NaN, 10);
    expect(Math.min(x[0] ?? -1, x[1] ?? -1)).toBe(0);
  });
});

describeWithPypeers("NNLS equals scipy.optimize.nnls", () => {
  it("on 60 random weighted problems (1–6 columns)", async () => {
    const rng = mulberry32(2026);
    const problems = Array.from({ length: 60 }, () => randomProblem(rng, 40 + Math.floor(rng() * 300), 1 + Math.floor(rng() * 6)));
    const python = pypeersService()?.python ?? "python3";
    const theirs = await runPeer<{ x: number[]; rnorm: number }[]>(python, "nnls_peer.py", problems.map((p) => ({
      a: Array.from(p.y, (_, i) => p.columns.map((c) => c[i] ?? 0)), y: Array.from(p.y), w: Array.from(p.w),
    })));
    let bound = 0;
    problems.forEach((p, n) => {
      const mine = nnls(p.columns, p.y, p.w);
      const peer = theirs[n];
      if (peer === undefined) throw new Error(`no peer answer for problem ${n}`);
      peer.x.forEach((v, j) => expect(mine.x[j], `problem ${n} weight ${j}`).toBeCloseTo(v, 8));
      expect(Math.sqrt(mine.rss)).toBeCloseTo(peer.rnorm, 6);
      if (peer.x.some((v) => v === 0)) bound++;
    });
    // The comparison must cover problems where the constraint binds, not only interior solutions.
    expect(bound).toBeGreaterThan(10);
  });
});

/** A panel of dates × names where the label is 0.7·a + 0.3·b (ranked) plus noise, and c is pure noise. */
function plantedPanel(seed: number, dates = 120, names = 40) {
  const rng = mulberry32(seed);
  const n = dates * names;
  const group = Int32Array.from({ length: n }, (_, i) => Math.floor(i / names));
  const a = normals(rng, n);
  const b = normals(rng, n);
  const c = normals(rng, n);
  const noise = normals(rng, n);
  const label = Float64Array.from({ length: n }, (_, i) => 0.7 * (a[i] ?? 0) + 0.3 * (b[i] ?? 0) + 0.8 * (noise[i] ?? 0));
  return { group, predictions: [a, b, c], label, inputs: ["equities_xs", "intraday_xs", "options_vol"] };
}

const stackerConfig = (model: "nnls" | "ridge" | "gbdt") => routerSchema.parse({ stacker: { enabled: true, model, folds: 4 } }).stacker;

describe("fitStacker", () => {
  const kernels = createLearnKernels("ts");

  it("nnls recovers the planted blend's proportions and gives the noise input no weight", () => {
    const panel = plantedPanel(5);
    const { fit, evaluation } = fitStacker(panel, stackerConfig("nnls"), kernels);
    if (fit.model === "gbdt") throw new Error("expected a linear fit");
    const wa = fit.weights["equities_xs"] ?? 0;
    const wb = fit.weights["intraday_xs"] ?? 0;
    expect(wa / (wa + wb)).toBeGreaterThan(0.6);
    expect(wa / (wa + wb)).toBeLessThan(0.8);
    expect(fit.weights["options_vol"]).toBeLessThan(0.02 * wa);
    expect(fit.intercept).toBe(0);
    // The cross-fitted blend beats its best single input.
    expect(evaluation.blendRankIc).toBeGreaterThan(evaluation.inputRankIc["equities_xs"] ?? 1);
  });

  it("ridge and gbdt fit and blend too, the gbdt with a positive cross-fitted rank IC", async () => {
    const kernels = createLearnKernels(await loadKernelModule({ build: "release" }));
    const panel = plantedPanel(6, 80, 40);
    const ridge = fitStacker(panel, stackerConfig("ridge"), kernels);
    if (ridge.fit.model !== "ridge") throw new Error("expected ridge");
    expect(ridge.fit.weights["equities_xs"]).toBeGreaterThan(ridge.fit.weights["intraday_xs"] ?? 1);
    const gbdt = fitStacker(panel, stackerConfig("gbdt"), kernels);
    expect(gbdt.fit.model).toBe("gbdt");
    expect(gbdt.evaluation.blendRankIc).toBeGreaterThan(0.2);
  });
});

describe("stacker file and router", () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  function capture() {
    const lines: string[] = [];
    return { lines, logger: createLogger({ format: "json", sink: { write: (line) => lines.push(line) } }) };
  }

  it("round-trips through the lake, refuses a tampered file, and the router uses it when enabled", async () => {
    root = await mkdtemp(path.join(tmpdir(), "stacker-"));
    const store = new LocalStore({ root });
    const kernels = createLearnKernels("ts");
    const panel = plantedPanel(7, 60, 30);
    const { fit, evaluation, rows } = fitStacker(panel, stackerConfig("nnls"), kernels);
    const file = buildStackerFile(fit, panel.inputs, evaluation, { target_model: "equities_xs", rows, dates: 60, from: "2026-01-02", to: "2026-03-31", snapshot: { "curated/equities_ohlcv_adj": 3 } });
    const key = await writeStacker(store, file);
    expect(key).toBe(stackerKey(file.hash));
    expect(await readCurrentStacker(store)).toEqual(file);
    // Writing the same file again is idempotent (its name is its hash).
    expect(await writeStacker(store, file)).toBe(key);

    const tampered = JSON.parse(JSON.stringify(file)) as typeof file;
    tampered.weights = { ...tampered.weights, options_vol: 5 };
    expect(() => parseStacker(JSON.stringify(tampered), "x.json")).toThrow(/does not match its hash/);

    const router = routerSchema.parse({ stacker: { enabled: true, linear_weights: { equities_xs: 1 } } });
    const { lines, logger } = capture();
    const blend = await resolveRouterBlend(store, router, logger);
    expect(blend.source).toBe("learned");
    expect(lines.join("")).toContain(`using the learned nnls stacker ${file.hash}`);
    // The learned blend is the weights applied to the per-date ranks.
    const signal = blendPredictions(blend, { byModel: { equities_xs: panel.predictions[0] ?? [], intraday_xs: panel.predictions[1] ?? [], options_vol: panel.predictions[2] ?? [] }, group: panel.group }, router.fallback);
    expect(signal.every(Number.isFinite)).toBe(true);
  });

  it("falls back to stacker.linear_weights, then weights, and says which it used", async () => {
    root = await mkdtemp(path.join(tmpdir(), "stacker-"));
    const store = new LocalStore({ root });
    expect(await store.head(STACKER_CURRENT_KEY)).toBeUndefined();

    const enabled = routerSchema.parse({ stacker: { enabled: true, linear_weights: { equities_xs: 0.7, intraday_xs: 0.3 } } });
    const one = capture();
    const linear = await resolveRouterBlend(store, enabled, one.logger);
    expect(linear).toMatchObject({ source: "stacker_linear_weights", weights: { equities_xs: 0.7, intraday_xs: 0.3 } });
    expect(one.lines.join("")).toMatch(/using the configured stacker\.linear_weights \(stacker\.enabled is true but .* holds no learned stacker/);

    const enabledNoLinear = routerSchema.parse({ stacker: { enabled: true } });
    const two = capture();
    expect(await resolveRouterBlend(store, enabledNoLinear, two.logger)).toMatchObject({ source: "router_weights", weights: { equities_xs: 0.6 } });

    const disabled = routerSchema.parse({});
    const three = capture();
    expect(await resolveRouterBlend(store, disabled, three.logger)).toMatchObject({ source: "router_weights" });
    expect(three.lines.join("")).toContain("stacker.enabled is false");

    // best_available renormalises over the models present; none refuses a row with a missing model.
    const group = Int32Array.of(0, 0, 0);
    const byModel = { equities_xs: Float64Array.of(1, 2, 3), intraday_xs: Float64Array.of(Number.NaN, 3, 1) };
    const best = blendPredictions(linear, { byModel, group }, "best_available");
    expect(best[0]).toBeCloseTo(-0.5, 12); // only equities_xs: its rank −0.5
    expect(best[1]).toBeCloseTo(0.7 * 0 + 0.3 * 0.5, 12);
    expect(Number.isNaN(blendPredictions(linear, { byModel, group }, "none")[0] ?? 0)).toBe(true);
  });

  it("stacks a run's predictions with another model's kept in the lake, skipping a model that has none", async () => {
    root = await mkdtemp(path.join(tmpdir(), "stacker-"));
    const lake = lakeAccess(new LocalStore({ root: path.join(root, "lake") }), { cacheDir: path.join(root, "cache") });
    const panel = plantedPanel(8, 40, 20);
    const dates = Array.from({ length: 40 }, (_, d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10));
    const rowDates = Array.from(panel.group, (g) => dates[g] ?? "");
    const names = Array.from(panel.group, (_, i) => `S${i % 20}`);
    const dataset: Dataset = {
      model: "equities_xs", featureNames: [], features: [], label: panel.label, target: panel.label, weight: new Float64Array(panel.label.length).fill(1),
      group: panel.group, dates, rowDates, labelEndDates: rowDates, names, snapshot: { "curated/equities_ohlcv_adj": 1 },
    };
    // options_vol's run kept its predictions (here: the planted second input); intraday_xs never ran.
    await writeOofPredictions(lake, "options_vol", { rowDates, names }, Float64Array.from(panel.predictions[1] ?? []));
    const router = routerSchema.parse({ stacker: { enabled: true, folds: 4 } });
    const learned = await learnStacker(lake, router, "equities_xs", dataset, Float64Array.from(panel.predictions[0] ?? []), createLearnKernels("ts"));
    expect(learned.file.inputs).toEqual(["equities_xs", "options_vol"]);
    expect(learned.file.fitted_on.snapshot[oofTable("options_vol")]).toBe(1);
    const w = learned.file.weights ?? {};
    expect((w["equities_xs"] ?? 0) / ((w["equities_xs"] ?? 0) + (w["options_vol"] ?? 0))).toBeGreaterThan(0.55);
    expect(w["options_vol"]).toBeGreaterThan(0);
    expect((await readCurrentStacker(lake.store))?.hash).toBe(learned.file.hash);
  });
});
