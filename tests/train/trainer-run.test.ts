/**
 * `trainer run` end to end on a real curated and audited lake (simulator market with its planted factor; curation,
 * reference data and the audit run for real) against the real MLflow server of the test services:
 * - a version whose gates pass is registered with its run, artifacts and challenger alias;
 * - a version whose gates fail is registered and left without the alias;
 * - a second configuration adds its trials to the earlier run's (the DSR's trial count comes from MLflow);
 * - bad input (a lake failing the GREEN window, too few samples for the folds, unknown config keys) → clear errors
 *   and nothing registered.
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig, type TrademlConfig } from "../../src/config/index.ts";
import { trainingSchema, type TrainingConfig } from "../../src/config/schemas/training.ts";
import { DataError } from "../../src/domain/errors.ts";
import { listArtifacts } from "../../src/mlflow/artifacts.ts";
import type { MlflowClient } from "../../src/mlflow/client.ts";
import { findRegisteredModel, getRegisteredModel } from "../../src/mlflow/registered-models.ts";
import { getRun } from "../../src/mlflow/runs.ts";
import { auditLake, qcFromConfig } from "../../src/quality/audit/index.ts";
import { SyntheticMarket } from "../../src/sim/market.ts";
import { runTrainer, type TrainerRunReport } from "../../src/train/trainer-run.ts";
import { shadowScorer } from "../../src/train/shadow-scorer.ts";
import { oofTable } from "../../src/train/stacker/learn-stacker.ts";
import { readCurrentStacker } from "../../src/train/stacker/stacker-file.ts";
import { createLearnKernels } from "../../src/kernels/learn/index.ts";
import { loadKernelModule } from "../../src/kernels/load.ts";
import { modelStatus } from "../../src/mlflow/promotion/model-status.ts";
import { shadowScoreDay } from "../../src/mlflow/promotion/operations.ts";
import { describeWithMlflow } from "../helpers/services.ts";
import { testServerClient } from "../mlflow/test-server.ts";
import { curateEquities } from "../../src/curate/curate-equities.ts";
import { buildReference } from "../../src/reference/index.ts";
import { createTestLake, type ActionRow, type BarRow, type TestLake } from "../curate/lake-fixture.ts";

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOG", "META", "TSLA", "JPM", "XOM", "KO", "PEP", "WMT", "V", "MA", "HD", "DIS"];
const CONFIG_DIR = fileURLToPath(new URL("../../configs", import.meta.url));

function training(overrides: Record<string, unknown> = {}): TrainingConfig {
  return trainingSchema.parse({
    dependencies: ["curated/equities_ohlcv_adj", "reference/index_membership"],
    cpcv: { folds: 4, test_folds: 2, purge_days: 2, embargo_days: 2 },
    candidates: [
      { name: "ridge", kind: "ridge", params: { lambda: 10 } },
      { name: "gbdt", kind: "gbdt", params: { num_iterations: 20, num_leaves: 7, min_data_in_leaf: 40, early_stopping_rounds: 5 } },
    ],
    promotion_policy: { require_shadow_days: 20 },
    ...overrides,
  });
}

/**
 * The simulator's bars written as the collector writes them, one raw part per session (the audit reads a
 * session's partition), then curation and reference data as the node runs them.
 */
async function auditableLake(market: SyntheticMarket, symbols: readonly string[], from: string, through: string): Promise<TestLake> {
  const t = await createTestLake();
  const byDate = new Map<string, BarRow[]>();
  const actions: ActionRow[] = [];
  for (const symbol of symbols) {
    for (const b of market.dailyBars(symbol, from, through)) {
      byDate.set(b.date, [...(byDate.get(b.date) ?? []), { symbol, date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }]);
    }
    for (const e of market.splits(symbol, from, through)) actions.push({ symbol, ex_date: e.exDate, action_type: "split", ratio: e.ratio });
    for (const e of market.dividends(symbol, from, through)) actions.push({ symbol, ex_date: e.exDate, action_type: "dividend", amount: e.cash });
  }
  for (const rows of byDate.values()) await t.putBars("alpaca", rows);
  if (actions.length > 0) await t.putActions("alpaca", actions);
  await curateEquities({ lake: t.lake, sourcePriority: ["alpaca"] });
  await buildReference({ lake: t.lake, tickSize: [], largeCount: symbols.length, smallCount: 1 });
  return t;
}

/** Bars that any honest model passes: the wiring of registration is under test here, not the strategy. */
const LENIENT_BARS = { net_sharpe_min: -10, dsr_min: 0, pbo_max: 1, calibration_ece_max: 1 };

describeWithMlflow("trainer run against a real MLflow server", () => {
  let client: MlflowClient;
  let lake: TestLake;
  let config: TrademlConfig;
  const lines: string[] = [];
  const modelKey = (topic: string): string => `${topic}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;

  beforeAll(async () => {
    client = testServerClient();
    lake = await auditableLake(new SyntheticMarket(7), SYMBOLS, "2025-01-02", "2026-01-30");
    config = await loadConfig({ configDir: CONFIG_DIR, env: { LAKE_ROOT: lake.root }, envFile: false });
    const audit = await auditLake(lake.lake.store, { vendors: ["alpaca"], holder: "trainer-test", qc: qcFromConfig(config), through: "2026-01-30" });
    expect(audit.ran).toBe(true);
  }, 300_000);

  afterAll(async () => {
    await client?.close();
    await lake?.close();
  });

  function run(model: string, cfg: TrainingConfig, windowYears = 1, today = "2026-02-02", stacker = false): Promise<TrainerRunReport> {
    const router = stacker ? { ...config.router, stacker: { ...config.router.stacker, enabled: true } } : config.router;
    return runTrainer({
      model, config: { ...config, router, training: { [model]: cfg } }, lake: lake.lake, mlflow: client, windowYears,
      codeVersion: "test", progress: (line) => lines.push(line), today,
    });
  }

  it("registers a version that passed its gates as the challenger, with its run and artifacts", async () => {
    const model = modelKey("xs_pass");
    const cfg = training({ promotion_bars: LENIENT_BARS });
    // The shadow starts on 2026-01-20, so the lake's last labelled sessions can be scored as live ones.
    const report = await run(model, cfg, 1, "2026-01-20", true);
    expect(report.outcome.gates.checks.every((check) => check.passed)).toBe(true);
    expect(report.mlflow?.challenger?.kind).toBe("challenger_set");
    const registered = await getRegisteredModel(client, `trademl.${model}`);
    expect(registered.aliases["challenger"]).toBe(report.mlflow?.version);
    const logged = await getRun(client, report.mlflow?.runId ?? "");
    expect(logged.info.status).toBe("FINISHED");
    expect(logged.params["cpcv.folds"]).toBe("4");
    expect(Object.keys(logged.params)).toContain("selected_candidate");
    const files = (await listArtifacts(client, logged.info.artifactUri, "")).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["config.json", "cpcv-report.json", "gates.json", "reliability.png", "snapshot.json", "model"]));
    const model_ = (await listArtifacts(client, logged.info.artifactUri, "model")).map((f) => f.path);
    expect(model_).toEqual(expect.arrayContaining(["model/model.json", "model/probability-map.json"]));
    // router.yml stacker.enabled: the run kept its out-of-fold predictions and learned a stacker, in the lake
    // (the router's current one) and in MLflow.
    const stacker = report.stacker;
    expect(stacker?.file.inputs).toEqual([model]);
    expect(Object.values(stacker?.file.weights ?? { none: -1 }).every((w) => w >= 0)).toBe(true);
    expect((await readCurrentStacker(lake.lake.store))?.hash).toBe(stacker?.file.hash);
    expect((await lake.lake.readManifest(oofTable(model)))?.files.length).toBe(1);
    expect(files).toContain("stacker");
    expect(logged.params["stacker.hash"]).toBe(stacker?.file.hash);
    // The data snapshot is the manifests read, and the backtest landed in the lake.
    expect(report.snapshot["curated/equities_ohlcv_adj"]).toBeGreaterThan(0);
    expect(await lake.lake.readManifest(report.backtest.tables.daily)).toBeDefined();
    // Every date of the panel is tested by some split, so the out-of-fold backtest covers them all.
    expect(report.outcome.selected.backtest.days.length).toBe(report.dates);

    // The daily shadow step scores the challenger's model file, downloaded from the registry, on a session.
    const kernels = createLearnKernels(await loadKernelModule({ build: "release" }));
    const context = { client, model, policy: cfg.promotion_policy };
    const scored = await shadowScoreDay(context, "2026-01-21", shadowScorer(lake.lake, client, cfg, kernels));
    expect(scored).toMatchObject({ kind: "day_recorded", session: "2026-01-21", days: 1, required: 20 });
    const again = await shadowScoreDay(context, "2026-01-21", () => Promise.reject(new Error("must not score twice")));
    expect(again.kind).toBe("day_already_recorded");
    const status = await modelStatus(context);
    const day = status.challenger?.shadow?.days[0];
    expect(day?.champion).toBeNull();
    expect(Math.abs(day?.challenger ?? NaN)).toBeLessThanOrEqual(1);
  }, 300_000);

  it("leaves a version that failed its gates registered but without the challenger alias; trials accumulate", async () => {
    const model = modelKey("xs_fail");
    const strict = { net_sharpe_min: 10, dsr_min: 0.999, pbo_max: 0, calibration_ece_max: 0 };
    const first = await run(model, training({ promotion_bars: strict }));
    expect(first.outcome.gates.trials).toBe(2);
    expect(first.mlflow?.challenger).toBeUndefined();
    const registered = await getRegisteredModel(client, `trademl.${model}`);
    expect(registered.aliases["challenger"]).toBeUndefined();
    // Another configuration in the same experiment: its DSR counts the earlier run's trials too.
    const second = await run(model, training({ promotion_bars: strict, candidates: [
      { name: "ridge_strong", kind: "ridge", params: { lambda: 1000 } },
      { name: "ridge_weak", kind: "ridge", params: { lambda: 0.1 } },
    ] }));
    expect(second.outcome.gates.trials).toBe(4);
    expect(second.mlflow?.version).not.toBe(first.mlflow?.version);
  }, 300_000);

  it("refuses a lake that fails the GREEN window and registers nothing", async () => {
    const model = modelKey("xs_green");
    const error = await run(model, training(), 5).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).code).toBe("green_window_not_met");
    expect((error as DataError).message).toMatch(/history starts 2025-01-02, after the window start/);
    expect(await findRegisteredModel(client, `trademl.${model}`)).toBeUndefined();
  }, 120_000);

  it("refuses too few samples for the folds and registers nothing", async () => {
    const model = modelKey("xs_small");
    const error = await run(model, training({ cpcv: { folds: 16, test_folds: 2, purge_days: 10, embargo_days: 10 } })).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).code).toBe("too_few_samples");
    expect((error as DataError).message).toMatch(/dates per fold/);
    expect(await findRegisteredModel(client, `trademl.${model}`)).toBeUndefined();
  }, 120_000);

  it("refuses unknown keys in a model config", () => {
    const parsed = trainingSchema.safeParse({ dependencies: ["curated/equities_ohlcv_adj"], candidates: [{ name: "ridge", kind: "ridge", params: { lamda: 1 } }] });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(/lamda/);
    expect(() => trainingSchema.parse({ dependencies: ["curated/equities_ohlcv_adj"], backtest: { weighting: "rank", costs: 1 } })).toThrow(/costs/);
  });
});
