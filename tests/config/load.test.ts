// The shipped configuration loads; missing files fall back to the schema defaults; the schemas enforce
// the relationships a user could get wrong (lease renewal, overlapping regimes, tick table order, budgets).
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { consumerBudget, maxInflight } from "../../src/config/effective.ts";
import { loadConfig, loadConfigFile } from "../../src/config/load.ts";
import { backfillSchema } from "../../src/config/schemas/backfill.ts";
import { nodeSchema } from "../../src/config/schemas/node.ts";
import { routerSchema } from "../../src/config/schemas/router.ts";
import { optionsVolTrainingSchema, trainingSchema } from "../../src/config/schemas/training.ts";
import { ConfigError } from "../../src/domain/errors.ts";
import { SHIPPED_CONFIGS, tempDir, type TempDir } from "./fixtures.ts";

let temp: TempDir | undefined;
afterEach(async () => {
  await temp?.cleanup();
  temp = undefined;
});

describe("loadConfig", () => {
  it("loads the shipped configs/ with the values the original system used", async () => {
    const config = await loadConfig({ configDir: SHIPPED_CONFIGS, env: {}, envFile: false });
    expect(config.files.filter((file) => !file.present)).toEqual([]);
    expect(config.backfill.qc).toEqual({ green_min_ratio: 0.98, rows_low_ratio: 0.9, rows_high_ratio: 1.2, half_days_allowed: true });
    expect(config.backfill.priorities.corp_actions).toBe(100);
    expect(config.backfill.priorities.options_nbbo).toBe(60);
    expect(config.curator.leases).toEqual({ lease_seconds: 120, renew_seconds: 45 });
    expect(config.node.vendors.polygon.history_window_days).toBe(730);
    expect(config.node.vendors.finnhub.requests_per_second).toBe(30);
    expect(Object.keys(config.training).sort()).toEqual(["equities_xs", "intraday_xs", "options_vol"]);
    expect(config.training["equities_xs"]?.promotion_policy.require_shadow_days).toBe(20);
    expect(config.training["options_vol"]).toHaveProperty("min_surface_qc_rate", 0.95);
    expect(config.lakeTarget).toEqual({ kind: "local", root: path.resolve(process.cwd(), "lake") });
  });

  it("fills every section from the schema defaults when the folder is empty", async () => {
    temp = await tempDir();
    const config = await loadConfig({ configDir: temp.dir, env: {}, envFile: false, cwd: temp.dir });
    expect(config.files.every((file) => !file.present)).toBe(true);
    expect(config.training).toEqual({});
    // The defaults are the documented ones (issue 3, item 5).
    expect(config.backfill.qc.green_min_ratio).toBe(0.98);
    expect(config.curator.leases.lease_seconds).toBe(120);
    expect(config.node.lake.renew_seconds).toBe(45);
    expect(config.node.duckdb.memory_limit).toBe("768MB");
    expect(config.node.vendors.alpaca.requests_per_minute).toBe(200);
    expect(config.node.vendors.fred.requests_per_minute).toBe(120);
    expect(config.node.reference.tick_size[0]?.rules).toEqual([
      { min_price: 0, tick: 0.0001 },
      { min_price: 1, tick: 0.01 },
    ]);
  });

  it("fills the keys a file leaves out and keeps the ones it sets", async () => {
    temp = await tempDir();
    await temp.write("node.yml", "vendors:\n  polygon:\n    max_inflight: 2\n");
    const config = await loadConfig({ configDir: temp.dir, env: {}, envFile: false, cwd: temp.dir });
    expect(config.node.vendors.polygon.max_inflight).toBe(2);
    expect(config.node.vendors.polygon.requests_per_minute).toBe(5);
    expect(config.node.vendors.alpaca.max_inflight).toBe(4);
  });

  it("treats an empty file as all defaults", async () => {
    temp = await tempDir();
    await temp.write("router.yml", "# nothing set yet\n");
    const config = await loadConfig({ configDir: temp.dir, env: {}, envFile: false, cwd: temp.dir });
    expect(config.router.fallback).toBe("best_available");
    expect(config.files.find((file) => file.section === "router")?.present).toBe(true);
  });

  it("lets NODE_MAX_INFLIGHT_<VENDOR> override node.yml and falls back to the vendor's budget", async () => {
    temp = await tempDir();
    await temp.write("edge.yml", "daily_budget: { alpaca: 1000 }\n");
    const config = await loadConfig({ configDir: temp.dir, env: { NODE_MAX_INFLIGHT_ALPACA: "7" }, envFile: false, cwd: temp.dir });
    expect(maxInflight(config, "alpaca")).toBe(7);
    expect(maxInflight(config, "polygon")).toBe(1);
    expect(consumerBudget(config, "alpaca", "edge")).toBe(1000);
    expect(consumerBudget(config, "polygon", "edge")).toBe(7000);
    expect(consumerBudget(config, "alpaca", "options")).toBe(config.node.vendors.alpaca.daily_budget);
  });

  it("names a training file with a bad model name", async () => {
    temp = await tempDir();
    await temp.write("training/Equities-XS.yml", "dependencies: [curated/equities_ohlcv_adj]\n");
    await expect(loadConfig({ configDir: temp.dir, env: {}, envFile: false, cwd: temp.dir })).rejects.toThrow(/snake_case model name/);
  });

  it("requires dependencies in a training file", async () => {
    temp = await tempDir();
    await temp.write("training/equities_xs.yml", "cpcv: { folds: 8 }\n");
    const error = await loadConfig({ configDir: temp.dir, env: {}, envFile: false, cwd: temp.dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/equities_xs\.yml:1:1: dependencies: required key is missing/);
  });
});

describe("loadConfigFile", () => {
  it("validates one file against a schema and positions the error", async () => {
    temp = await tempDir();
    await temp.write("b.yml", "qc:\n  rows_high_ratio: 0.5\n");
    const error = await loadConfigFile("b.yml", backfillSchema, { cwd: temp.dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    // "  rows_high_ratio: " is 19 characters, so the value starts in column 20 of line 2.
    expect((error as ConfigError).message).toMatch(/^b\.yml:2:20: qc\.rows_high_ratio: .*>=1$/);
    expect((error as ConfigError).details).toMatchObject({ line: 2, col: 20 });
  });

  it("returns the defaults for a missing file", async () => {
    temp = await tempDir();
    const value = await loadConfigFile(path.join(temp.dir, "absent.yml"), routerSchema);
    expect(value.stacker).toMatchObject({ enabled: false, model: "nnls", ridge_lambda: 1, folds: 8 });
    expect(value.stacker.gbdt).toMatchObject({ num_iterations: 50, num_leaves: 4, min_data_in_leaf: 200 });
    expect(value.stacker.linear_weights).toBeUndefined();
  });
});

describe("schema rules", () => {
  it("requires lease renewal before expiry", () => {
    const result = nodeSchema.safeParse({ lake: { lease_seconds: 30, renew_seconds: 30 } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["lake", "renew_seconds"]);
  });

  it("rejects overlapping regimes and open-ended overlaps", () => {
    const masks = [
      { name: "a", from: "2010-01-01", to: "2015-12-31", use_for: "fit_and_validate" },
      { name: "b", from: "2015-06-01", use_for: "monitor_only" },
    ];
    expect(trainingSchema.safeParse({ dependencies: ["curated/equities_ohlcv_adj"], regime_masks: masks }).success).toBe(false);
    const disjoint = [masks[0], { ...masks[1], from: "2016-01-01" }];
    expect(trainingSchema.safeParse({ dependencies: ["curated/equities_ohlcv_adj"], regime_masks: disjoint }).success).toBe(true);
  });

  it("keeps CPCV test folds below the fold count", () => {
    expect(trainingSchema.safeParse({ dependencies: ["curated/equities_ohlcv_adj"], cpcv: { folds: 4, test_folds: 4 } }).success).toBe(false);
  });

  it("wants at least 2 CPCV test folds (as skfolio), a purge key, and dsr_min as a probability", () => {
    expect(trainingSchema.safeParse({ dependencies: ["curated/equities_ohlcv_adj"], cpcv: { folds: 8, test_folds: 1 } }).success).toBe(false);
    const parsed = trainingSchema.parse({ dependencies: ["curated/equities_ohlcv_adj"] });
    expect(parsed.cpcv).toMatchObject({ test_folds: 2, purge_days: 5, purge_label_horizon: true });
    expect(parsed.promotion_bars.dsr_min).toBe(0.95);
    expect(parsed.scoring).toEqual({ quantiles: 5, periods_per_year: 252 });
    expect(trainingSchema.safeParse({ dependencies: ["curated/equities_ohlcv_adj"], promotion_bars: { dsr_min: 1.5 } }).success).toBe(false);
    expect(trainingSchema.safeParse({ dependencies: ["curated/equities_ohlcv_adj"], promotion_bars: { dsr_min: -0.1 } }).success).toBe(false);
    expect(trainingSchema.safeParse({ dependencies: ["curated/equities_ohlcv_adj"], cpcv: { folds: 40, test_folds: 20 } }).success).toBe(false);
  });

  it("accepts min_surface_qc_rate only for the options volatility model", () => {
    expect(trainingSchema.safeParse({ dependencies: ["curated/equities_ohlcv_adj"], min_surface_qc_rate: 0.9 }).success).toBe(false);
    expect(optionsVolTrainingSchema.parse({ dependencies: ["curated/options_surfaces"] }).min_surface_qc_rate).toBe(0.95);
  });

  it("names lake tables as dependencies and has one GREEN threshold, the audit's", () => {
    // The old logical names named no table; the GREEN window comes from backfill.yml (qc and horizons).
    const old = trainingSchema.safeParse({ dependencies: ["equities_eod", "corp_actions"] });
    expect(old.success).toBe(false);
    expect(old.error?.issues[0]?.message).toMatch(/lake table such as curated\/equities_ohlcv_adj/);
    const green = trainingSchema.safeParse({ dependencies: ["curated/equities_ohlcv_adj"], green_threshold: { window_years: 15, min_ratio: 0.98 } });
    expect(green.success).toBe(false);
    expect(green.error?.issues[0]?.code).toBe("unrecognized_keys");
    const parsed = trainingSchema.parse({ dependencies: ["curated/equities_ohlcv_adj", "reference/index_membership"] });
    expect(parsed.dataset).toEqual({ universe: ["large_cap_proxy"], horizon_days: 1, morning_minutes: 120, min_names: 5 });
    expect(optionsVolTrainingSchema.parse({ dependencies: ["curated/options_surfaces"] }).dataset).toEqual({ atm_tenor_days: 30 });
  });

  it("wants tick rules starting at 0 in rising price order and versions in date order", () => {
    const rules = [{ min_price: 1, tick: 0.01 }, { min_price: 0, tick: 0.0001 }];
    expect(nodeSchema.safeParse({ reference: { tick_size: [{ id: "x", effective_from: "2006-01-31", rules }] } }).success).toBe(false);
    const good = [{ min_price: 0, tick: 0.0001 }, { min_price: 1, tick: 0.01 }];
    const versions = [
      { id: "b", effective_from: "2026-01-01", rules: good },
      { id: "a", effective_from: "2006-01-31", rules: good },
    ];
    expect(nodeSchema.safeParse({ reference: { tick_size: versions } }).success).toBe(false);
    expect(nodeSchema.safeParse({ reference: { tick_size: versions.slice().reverse() } }).success).toBe(true);
  });

  it("rejects a stacker weight for a model the router does not know", () => {
    const result = routerSchema.safeParse({ weights: { a: 1 }, stacker: { linear_weights: { b: 1 } } });
    expect(result.error?.issues[0]?.path).toEqual(["stacker", "linear_weights", "b"]);
  });

  it("accepts only curated tables the curator writes, and unique job names", async () => {
    const { curatorSchema } = await import("../../src/config/schemas/curator.ts");
    const job = { name: "j", table: "equities_bars", output_prefix: "curated/equities_ohlcv_adj" };
    expect(curatorSchema.safeParse({ jobs: [job] }).success).toBe(true);
    // The minute job's table is curated/equities_minute_adj; the old default named curated/equities_minute.
    expect(curatorSchema.safeParse({ jobs: [{ ...job, output_prefix: "curated/equities_minute" }] }).success).toBe(false);
    expect(curatorSchema.safeParse({ jobs: [{ ...job, output_prefix: "curated/../raw" }] }).success).toBe(false);
    // Keys nothing read are gone: a file that still sets them is told so, not silently ignored.
    expect(curatorSchema.safeParse({ jobs: [{ ...job, input_prefix: "raw/alpaca/equities_bars" }] }).success).toBe(false);
    expect(curatorSchema.safeParse({ jobs: [job, job] }).success).toBe(false);
    // The schema lists the tables curation writes (config cannot import curate/): they must stay the same.
    const { CURATED_OUTPUTS } = await import("../../src/config/schemas/curator.ts");
    const { CURATE_TABLES, MINUTE_TABLES } = await import("../../src/curate/curate-equities.ts");
    expect([...CURATED_OUTPUTS]).toEqual([CURATE_TABLES.adjusted, MINUTE_TABLES.adjusted]);
  });

  it("rejects an edge task for an unknown vendor and a DuckDB memory limit it would not parse", async () => {
    const { edgeSchema } = await import("../../src/config/schemas/edge.ts");
    expect(edgeSchema.safeParse({ tasks: ["av_corp_actions"] }).success).toBe(false);
    expect(nodeSchema.safeParse({ duckdb: { memory_limit: "lots" } }).success).toBe(false);
    expect(nodeSchema.parse({ duckdb: { memory_limit: "1.5GiB" } }).duckdb.memory_limit).toBe("1.5GiB");
  });
});
