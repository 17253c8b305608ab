/**
 * On one real curated and audited lake (simulator market; daily and minute curation, reference data and the audit
 * run for real) against the real MLflow server of the test services:
 * - intraday_xs through `trainer run`: the shipped config is refused by the minute bars' GREEN window and registers
 *   nothing; with the minute gate left out of a test config it trains, gates, backtests a book opened at the
 *   cutoff and closed at the close every session (turnover 2 a day), registers a challenger, and the shadow
 *   scorer scores it on a later session;
 * - `trademl models shadow-score` and `trademl models promote` as real child processes (node + tsx, or deno)
 *   on a challenger: idempotent scoring, nothing due before the shadow period is complete, then the decision the
 *   recorded scores call for, and clear errors for a missing --date and a missing MLflow.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type TrademlConfig } from "../../src/config/index.ts";
import { isCrossSectionTraining, trainingSchema, type TrainingConfig } from "../../src/config/schemas/training.ts";
import { sessions } from "../../src/domain/calendar/index.ts";
import { DataError } from "../../src/domain/errors.ts";
import { curateEquities, curateMinuteBars } from "../../src/curate/curate-equities.ts";
import { createLearnKernels } from "../../src/kernels/learn/index.ts";
import { loadKernelModule } from "../../src/kernels/load.ts";
import type { MlflowClient } from "../../src/mlflow/client.ts";
import { modelStatus } from "../../src/mlflow/promotion/model-status.ts";
import { shadowScoreDay } from "../../src/mlflow/promotion/operations.ts";
import { findRegisteredModel, getRegisteredModel } from "../../src/mlflow/registered-models.ts";
import { auditLake, qcFromConfig } from "../../src/quality/audit/index.ts";
import { buildReference } from "../../src/reference/index.ts";
import { SyntheticMarket } from "../../src/sim/market.ts";
import { shadowScorer } from "../../src/train/shadow-scorer.ts";
import { runTrainer, type TrainerRunReport } from "../../src/train/trainer-run.ts";
import { createTestLake, type ActionRow, type BarRow, type TestLake } from "../curate/lake-fixture.ts";
import { describeWithMlflow, mlflowService } from "../helpers/services.ts";
import { testServerClient } from "../mlflow/test-server.ts";

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOG", "META", "TSLA", "JPM", "XOM", "KO"];
const CONFIG_DIR = fileURLToPath(new URL("../../configs", import.meta.url));
const DAILY_FROM = "2025-01-02";
const MINUTE_FROM = "2025-12-15";
const THROUGH = "2026-01-30";
const LENIENT_BARS = { net_sharpe_min: -10, dsr_min: 0, pbo_max: 1, calibration_ece_max: 1 };
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

const utc = (ms: number): string => new Date(ms).toISOString().replace("T", " ").slice(0, 19);

/** Raw parts as the collector writes them (one per session and dataset), then curation and reference data. */
async function auditableLake(market: SyntheticMarket): Promise<TestLake> {
  const t = await createTestLake();
  const actions: ActionRow[] = [];
  for (const session of sessions(DAILY_FROM, THROUGH)) {
    const daily: BarRow[] = [];
    const minute: BarRow[] = [];
    for (const symbol of SYMBOLS) {
      const b = market.dailyBar(symbol, session.date);
      if (b !== undefined) daily.push({ symbol, date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });
      if (session.date < MINUTE_FROM) continue;
      for (const m of market.minuteBars(symbol, session.date)) {
        minute.push({ symbol, date: session.date, open: m.open, high: m.high, low: m.low, close: m.close, volume: m.volume, ts: utc(m.t) });
      }
    }
    if (daily.length > 0) await t.putBars("alpaca", daily);
    if (minute.length > 0) await t.putBars("alpaca", minute, "equities_minute", "bar_time");
  }
  for (const symbol of SYMBOLS) {
    for (const e of market.splits(symbol, DAILY_FROM, THROUGH)) actions.push({ symbol, ex_date: e.exDate, action_type: "split", ratio: e.ratio });
    for (const e of market.dividends(symbol, DAILY_FROM, THROUGH)) actions.push({ symbol, ex_date: e.exDate, action_type: "dividend", amount: e.cash });
  }
  if (actions.length > 0) await t.putActions("alpaca", actions);
  await curateEquities({ lake: t.lake, sourcePriority: ["alpaca"] });
  await curateMinuteBars({ lake: t.lake, sourcePriority: ["alpaca"] });
  await buildReference({ lake: t.lake, tickSize: [], largeCount: SYMBOLS.length, smallCount: 1 });
  return t;
}

function testTraining(overrides: Record<string, unknown> = {}): TrainingConfig {
  return trainingSchema.parse({
    dependencies: ["curated/equities_ohlcv_adj", "reference/index_membership"],
    cpcv: { folds: 4, test_folds: 2, purge_days: 2, embargo_days: 2 },
    candidates: [
      { name: "ridge", kind: "ridge", params: { lambda: 10 } },
      { name: "ridge_strong", kind: "ridge", params: { lambda: 1000 } },
    ],
    promotion_bars: LENIENT_BARS,
    ...overrides,
  });
}

interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `trademl <args>` as a real process from source (node --import tsx, or deno run -A). */
async function trademlProcess(args: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<ChildRun> {
  const script = fileURLToPath(new URL("../e2e/trademl-child.ts", import.meta.url));
  const tsx = pathToFileURL(fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url))).href;
  const argv = isDeno ? ["run", "-A", "--quiet", script, ...args] : ["--import", tsx, script, ...args];
  // The child sees only this test's MLflow setting (an undefined value removes the variable).
  const childEnv: Record<string, string | undefined> = { ...process.env, MLFLOW_TRACKING_URI: undefined, NODE_NO_WARNINGS: "1", ...env };
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  const child = spawn(process.execPath, argv, { cwd, stdio: ["ignore", "pipe", "pipe"], env: childEnv });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr };
}

describeWithMlflow("intraday_xs training and `trademl models` against a real MLflow server", () => {
  let client: MlflowClient;
  let lake: TestLake;
  let config: TrademlConfig;
  const lines: string[] = [];
  const modelKey = (topic: string): string => `${topic}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;

  beforeAll(async () => {
    client = testServerClient();
    lake = await auditableLake(new SyntheticMarket(7));
    config = await loadConfig({ configDir: CONFIG_DIR, env: { LAKE_ROOT: lake.root }, envFile: false });
    const audit = await auditLake(lake.lake.store, { vendors: ["alpaca"], holder: "trainer-cli-test", qc: qcFromConfig(config), through: THROUGH });
    expect(audit.ran).toBe(true);
  }, 600_000);

  afterAll(async () => {
    await client?.close();
    await lake?.close();
  });

  function run(model: string, training: TrainingConfig, options: { dataset?: "equities_xs" | "intraday_xs"; today: string }): Promise<TrainerRunReport> {
    return runTrainer({
      model, ...(options.dataset === undefined ? {} : { dataset: options.dataset }), config: { ...config, training: { [model]: training } },
      lake: lake.lake, mlflow: client, windowYears: 1, codeVersion: "test", progress: (line) => lines.push(line), today: options.today,
    });
  }

  describe("intraday_xs", () => {
    it("is refused by the minute bars' GREEN window with the shipped config, and nothing is registered", async () => {
      const shipped = config.training["intraday_xs"];
      expect(shipped).toBeDefined();
      const error = await runTrainer({
        model: "intraday_xs", config, lake: lake.lake, mlflow: client, windowYears: 1, codeVersion: "test", progress: (line) => lines.push(line),
      }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).code).toBe("green_window_not_met");
      expect((error as DataError).message).toMatch(/equities_minute is not GREEN[\s\S]*history starts 2025-12-15, after the window start/);
      expect((error as DataError).message).toMatch(/--minute-days/);
      expect(await findRegisteredModel(client, "trademl.intraday_xs")).toBeUndefined();
    }, 120_000);

    it("trains on the morning, backtests a book closed every session, registers a challenger and shadow-scores it", async () => {
      const model = modelKey("ix_pass");
      const training = testTraining({ dataset: { morning_minutes: 120, min_names: 5 } });
      const report = await run(model, training, { dataset: "intraday_xs", today: "2026-01-26" });
      expect(lines).toContain("[2/6] dataset: intraday_xs point-in-time panel");
      const minuteSessions = sessions(MINUTE_FROM, THROUGH).length;
      expect(report.dates).toBe(minuteSessions);
      expect(report.names).toBe(SYMBOLS.length);
      expect(report.mlflow?.challenger?.kind).toBe("challenger_set");
      const registered = await getRegisteredModel(client, `trademl.${model}`);
      expect(registered.aliases["challenger"]).toBe(report.mlflow?.version);
      // Opened at the cutoff and closed at the close: a unit of gross leverage in and out every session, and no
      // borrow (nothing is held overnight).
      const backtest = report.outcome.selected.backtest;
      expect(backtest.days.every((day) => Math.abs(day.turnover - 2) < 1e-12)).toBe(true);
      expect(backtest.summary.totalBorrow).toBe(0);
      expect(report.snapshot["curated/equities_minute_adj"]).toBeGreaterThan(0);

      const kernels = createLearnKernels(await loadKernelModule({ build: "release" }));
      const context = { client, model, policy: training.promotion_policy };
      const scored = await shadowScoreDay(context, "2026-01-27", shadowScorer(lake.lake, client, training, kernels, "intraday_xs"));
      expect(scored).toMatchObject({ kind: "day_recorded", session: "2026-01-27", days: 1 });
      const status = await modelStatus(context);
      expect(Math.abs(status.challenger?.shadow?.days[0]?.challenger ?? Number.NaN)).toBeLessThanOrEqual(1);
    }, 300_000);
  });

  describe("trademl models as a real process", () => {
    let dir: string;
    let env: Record<string, string>;
    let model: string;
    const cli = (...args: string[]): Promise<ChildRun> => trademlProcess([...args, "--model", model, "--log-level", "warn"], env, dir);

    beforeAll(async () => {
      const service = mlflowService();
      if (service === undefined) throw new Error("describeWithMlflow ran without an MLflow service");
      dir = await mkdtemp(join(tmpdir(), "trademl-models-cli-"));
      // The shipped configuration plus this test's model (two shadow sessions), as a user's config folder would be.
      await cp(CONFIG_DIR, join(dir, "configs"), { recursive: true });
      model = modelKey("cli");
      const yaml = [
        "dependencies: [curated/equities_ohlcv_adj, reference/index_membership]",
        "cpcv: { folds: 4, test_folds: 2, purge_days: 2, embargo_days: 2 }",
        "candidates:",
        "  - { name: ridge, kind: ridge, params: { lambda: 10 } }",
        "  - { name: ridge_strong, kind: ridge, params: { lambda: 1000 } }",
        `promotion_bars: ${JSON.stringify(LENIENT_BARS)}`,
        "promotion_policy: { require_shadow_days: 2 }",
      ].join("\n");
      await writeFile(join(dir, "configs", "training", `${model}.yml`), `${yaml}\n`);
      env = { LAKE_ROOT: join(lake.root, "lake"), TRADEML_CONFIG_DIR: join(dir, "configs"), MLFLOW_TRACKING_URI: service.trackingUri };
      const cfg = await loadConfig({ configDir: join(dir, "configs"), env: { LAKE_ROOT: lake.root }, envFile: false });
      const training = cfg.training[model];
      if (training === undefined || !isCrossSectionTraining(training)) throw new Error("the test model's config did not load");
      const report = await run(model, training, { today: "2026-01-20" });
      expect(report.mlflow?.challenger?.kind).toBe("challenger_set");
    }, 300_000);

    afterAll(async () => {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it("shadow-score needs --date, and both commands need MLflow", async () => {
      const missing = await cli("models", "shadow-score");
      expect(missing.code, missing.stderr).toBe(2);
      expect(missing.stderr).toMatch(/--date is required/);
      const noServer = await trademlProcess(["models", "promote", "--model", model, "--log-level", "warn"], { ...env, MLFLOW_TRACKING_URI: undefined }, dir);
      expect(noServer.code, noServer.stderr).toBe(2);
      expect(noServer.stderr).toMatch(/mlflow_not_configured/);
    }, 120_000);

    it("scores sessions once each, promotes nothing before the period is complete, then decides by the scores", async () => {
      const early = await cli("models", "promote", "--date", "2026-01-21");
      expect(early.code, early.stderr).toBe(0);
      expect(JSON.parse(early.stdout)).toMatchObject({ kind: "shadow_running" });

      const first = await cli("models", "shadow-score", "--date", "2026-01-21");
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ kind: "day_recorded", session: "2026-01-21", days: 1, required: 2 });
      const again = await cli("models", "shadow-score", "--date", "2026-01-21");
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ kind: "day_already_recorded", days: 1 });
      const second = await cli("models", "shadow-score", "--date", "2026-01-22");
      expect(JSON.parse(second.stdout)).toMatchObject({ kind: "day_recorded", session: "2026-01-22", days: 2 });

      // What the registry recorded decides: the challenger passes when its mean rank IC is above zero (no champion).
      const context = { client, model, policy: { require_shadow_days: 2 } };
      const before = await modelStatus(context);
      const scores = (before.challenger?.shadow?.days ?? []).map((day) => day.challenger);
      expect(scores).toHaveLength(2);
      const mean = scores.reduce((sum, v) => sum + v, 0) / scores.length;
      const decided = await cli("models", "promote", "--date", "2026-01-23");
      expect(decided.code, decided.stderr).toBe(0);
      const outcome: unknown = JSON.parse(decided.stdout);
      expect(outcome).toMatchObject({ kind: mean > 0 ? "promoted" : "shadow_failed" });
      const after = await modelStatus(context);
      expect(after.challenger).toBeUndefined();
      expect(after.champion?.version).toBe(mean > 0 ? before.challenger?.version : undefined);
      const status = await cli("models", "status");
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain(mean > 0 ? `champion:   version ${before.challenger?.version ?? "?"}` : "champion:   none");
      // Deciding again moves nothing.
      const twice = await cli("models", "promote", "--date", "2026-01-26");
      expect(JSON.parse(twice.stdout)).toMatchObject({ kind: "no_challenger" });
    }, 300_000);
  });
});
