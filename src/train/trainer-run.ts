/**
 * `trademl trainer run`: data gate → dataset → CPCV training → gates → backtest → MLflow run → registration,
 * challenger alias only when the gates pass (docs/training.md). Every step reports a line through `progress`.
 * Nothing reaches MLflow before the model is trained and gated, so a bad config, a lake failing the GREEN window
 * or too few samples for the folds registers nothing. Without an MLflow connection the cycle runs to its summary
 * and stops before logging, saying how to start a server.
 */
import type { TrademlConfig } from "../config/load.ts";
import { isCrossSectionTraining, type OptionsVolTrainingConfig, type TrainingConfig } from "../config/schemas/training.ts";
import { backtestRunId, writeBacktest, type WrittenBacktest } from "../backtest/equities/index.ts";
import { renderChart } from "../charts/render.ts";
import { ConfigError } from "../domain/errors.ts";
import { createFoldScorer } from "../kernels/fold-scoring/index.ts";
import { createLearnKernels, serialiseModel } from "../kernels/learn/index.ts";
import { loadKernelModule } from "../kernels/load.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { pinSnapshots } from "../lake/pins.ts";
import { uploadArtifact } from "../mlflow/artifacts.ts";
import type { MlflowClient } from "../mlflow/client.ts";
import { START_MLFLOW_HINT } from "../mlflow/connection.ts";
import { ensureExperiment } from "../mlflow/experiments.ts";
import { logBatch, type MetricPoint } from "../mlflow/log-batch.ts";
import { registerVersion, setChallenger } from "../mlflow/promotion/operations.ts";
import { registryNames } from "../mlflow/promotion/registry-names.ts";
import type { PromotionOutcome } from "../mlflow/promotion/state-machine.ts";
import { createRun, searchAllRuns, terminateRun } from "../mlflow/runs.ts";
import { loadBorrowTiers } from "../reference/borrow-tiers.ts";
import { reliabilitySpec } from "../validate/reliability-plot.ts";
import { checkDataGate } from "./data-gate.ts";
import { CROSS_SECTION_BUILDERS, crossSectionDatasetOf, type CrossSectionDataset } from "./dataset-builders.ts";
import { buildOptionsVol } from "./options-vol.ts";
import type { Dataset } from "./dataset.ts";
import { FEATURE_TRANSFORM } from "./model-features.ts";
import { learnStacker, writeOofPredictions, type LearnedStacker } from "./stacker/learn-stacker.ts";
import { serialiseStacker } from "./stacker/stacker-file.ts";
import { trainModel, type TrainingOutcome } from "./train-model.ts";
import type { Trial } from "./training-gates.ts";

/** Run tag holding the run's trials (candidate hash and net Sharpe), read back by later runs for the DSR. */
export const TRIALS_TAG = "trademl.trials";

export interface TrainerRunOptions {
  readonly model: string;
  /** The dataset the model trains on (default: the model key's own, equities_xs for any other key). */
  readonly dataset?: CrossSectionDataset;
  readonly config: TrademlConfig;
  readonly lake: LakeAccess;
  /** Undefined: no MLflow configured; the run stops before logging. */
  readonly mlflow: MlflowClient | undefined;
  readonly windowYears?: number;
  readonly codeVersion: string;
  readonly progress: (line: string) => void;
  readonly today?: string;
  readonly signal?: AbortSignal;
}

export interface TrainerRunReport {
  readonly model: string;
  readonly outcome: TrainingOutcome;
  readonly backtest: WrittenBacktest;
  readonly snapshot: Readonly<Record<string, number>>;
  readonly rows: number;
  readonly dates: number;
  readonly names: number;
  /** The stacker this run learned (router.yml stacker.enabled), else undefined. */
  readonly stacker: LearnedStacker | undefined;
  /** Undefined when MLflow is not configured. */
  readonly mlflow?: {
    readonly runId: string;
    readonly version: string;
    readonly challenger: PromotionOutcome | undefined;
  };
}

function trainingConfigOf(config: TrademlConfig, model: string): TrainingConfig | OptionsVolTrainingConfig {
  const training = config.training[model];
  if (training === undefined) {
    const known = Object.keys(config.training).sort().join(", ") || "none";
    throw new ConfigError("unknown_model", `no configs/training/${model}.yml in ${config.configDir} (models: ${known})`);
  }
  return training;
}

/** No stock is borrowed to write a straddle: options_vol books pay no borrow fee. */
const NO_BORROW = { dailyFee: () => 0, rateOf: () => ({ tier: "" }), snapshot: {} };

async function earlierTrials(client: MlflowClient, experimentId: string, signal: AbortSignal | undefined): Promise<Trial[]> {
  const runs = await searchAllRuns(client, { experimentIds: [experimentId] }, signal === undefined ? {} : { signal });
  const trials: Trial[] = [];
  for (const run of runs) {
    const text = run.tags[TRIALS_TAG];
    if (text === undefined) continue;
    try {
      const parsed: unknown = JSON.parse(text);
      if (!Array.isArray(parsed)) continue;
      for (const entry of parsed) {
        if (typeof entry === "object" && entry !== null && "hash" in entry && "sharpe" in entry && typeof entry.hash === "string" && typeof entry.sharpe === "number") {
          trials.push({ hash: entry.hash, sharpe: entry.sharpe });
        }
      }
    } catch {
      // A tag edited by hand is not a trial record; the run is skipped rather than failing training.
    }
  }
  return trials;
}

function flatten(prefix: string, value: unknown, out: Record<string, string>): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(prefix === "" ? key : `${prefix}.${key}`, inner, out);
  } else {
    out[prefix] = typeof value === "string" ? value : JSON.stringify(value);
  }
}

const fmt = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? "n/a" : v.toFixed(digits));

export async function runTrainer(options: TrainerRunOptions): Promise<TrainerRunReport> {
  const { config, lake, progress, model } = options;
  const training = trainingConfigOf(config, model);
  const callOptions = options.signal === undefined ? {} : { signal: options.signal };

  progress(`[1/6] data gate: ${training.dependencies.join(", ")}`);
  const gate = await checkDataGate(lake, config, training.dependencies, { ...(options.windowYears === undefined ? {} : { windowYears: options.windowYears }), ...callOptions });
  for (const window of gate.windows) {
    progress(`  ${window.table}: GREEN ${(window.greenShare * 100).toFixed(2)}% of ${window.partitions} partitions, ${window.from}..${window.through}`);
  }

  const datasetKind = isCrossSectionTraining(training) ? (options.dataset ?? crossSectionDatasetOf(model)) : "options_vol";
  progress(`[2/6] dataset: ${datasetKind} point-in-time panel`);
  const duck = { duck: { memoryLimit: config.node.duckdb.memory_limit, threads: config.node.duckdb.threads } };
  // The model → dataset dispatch: options_vol has its own config shape; cross-sectional models pick their builder in dataset-builders.ts.
  let dataset: Dataset;
  if (isCrossSectionTraining(training)) {
    dataset = await CROSS_SECTION_BUILDERS[options.dataset ?? crossSectionDatasetOf(model)](lake, training, duck);
  } else {
    const built = await buildOptionsVol(lake, training, duck);
    const q = built.surfaceQc;
    progress(`  surfaces: ${(q.rate * 100).toFixed(1)}% of ${q.expiries} SVI slices passed QC (min ${(training.min_surface_qc_rate * 100).toFixed(1)}%); ${q.keptDays} of ${q.underlierDays} underlier-days at or above it`);
    dataset = built;
  }
  const names = new Set(dataset.names).size;
  progress(`  ${dataset.label.length} rows, ${dataset.dates.length} dates (${dataset.dates[0] ?? "?"}..${dataset.dates[dataset.dates.length - 1] ?? "?"}), ${names} names, ${dataset.featureNames.length} features`);

  const experiment = options.mlflow === undefined ? undefined : await ensureExperiment(options.mlflow, { name: registryNames(model).trainingExperiment }, callOptions);
  const earlier = options.mlflow === undefined || experiment === undefined ? [] : await earlierTrials(options.mlflow, experiment.experimentId, options.signal);

  progress(`[3/6] CPCV: ${training.cpcv.folds} folds, ${training.cpcv.test_folds} test folds, candidates ${training.candidates.map((c) => c.name).join(", ")}`);
  const kernels = createLearnKernels(await loadKernelModule({ build: "release" }));
  const scorer = await createFoldScorer();
  const borrow = isCrossSectionTraining(training) ? await loadBorrowTiers(lake, config.borrow) : NO_BORROW;
  const outcome = trainModel({ dataset, config: training, kernels, scorer, borrow, earlierTrials: earlier, progress });
  for (const c of outcome.candidates) {
    const s = c.backtest.summary;
    progress(`  ${c.candidate.name.padEnd(12)} rank IC ${fmt(c.meanRankIc, 4)}  gross Sharpe ${fmt(s.grossSharpe, 2)}  net Sharpe ${fmt(s.netSharpe, 2)}`);
  }
  progress(`  selected: ${outcome.selected.candidate.name}`);

  progress("[4/6] gates");
  for (const check of outcome.gates.checks) {
    progress(`  ${check.passed ? "pass" : "FAIL"} ${check.name.padEnd(16)} ${fmt(check.value, 4).padStart(8)}  (${check.direction} ${check.bar})`);
  }
  progress(`  trials: ${outcome.gates.trials} (this run ${outcome.candidates.length}, earlier runs ${earlier.length})`);

  progress("[5/6] backtest → lake");
  const snapshot = { ...dataset.snapshot, ...borrow.snapshot };
  const runId = backtestRunId({ model: `${model}/${outcome.selected.candidate.name}`, config: training, snapshot, predictions: outcome.selectedOof, codeVersion: options.codeVersion });
  const written = await writeBacktest(lake, runId, outcome.selected.backtest, snapshot);
  const bs = outcome.selected.backtest.summary;
  progress(`  ${written.tables.daily} (${written.written ? "written" : "already there"}): ${bs.days} days, net return ${fmt(bs.netReturn * 100, 2)}%, costs ${fmt(bs.totalCost * 100, 2)}%, borrow ${fmt(bs.totalBorrow * 100, 3)}%, turnover ${fmt(bs.meanTurnover, 3)}/day, median capacity $${fmt(bs.medianCapacityUsd / 1e6, 1)}M`);

  // Out-of-fold predictions for the stacker of any later run; this run stacks when the router asks for it.
  await writeOofPredictions(lake, model, dataset, outcome.selectedOof);
  const stacker = config.router.stacker.enabled && isCrossSectionTraining(training) ? await learnStacker(lake, config.router, model, dataset, outcome.selectedOof, kernels) : undefined;
  if (stacker !== undefined) {
    const f = stacker.file;
    const weights = f.weights === undefined ? "a tree model" : Object.entries(f.weights).map(([m, w]) => `${m} ${fmt(w, 4)}`).join(", ");
    progress(`  stacker (${f.model}) over ${f.inputs.join(", ")}: ${weights}; cross-fitted rank IC ${fmt(f.evaluation.blend_rank_ic, 4)} → ${stacker.key}`);
  }

  const base = { model, outcome, backtest: written, snapshot, rows: dataset.label.length, dates: dataset.dates.length, names, stacker };
  if (options.mlflow === undefined || experiment === undefined) {
    progress("[6/6] MLflow: not configured; nothing logged or registered");
    throw new ConfigError("mlflow_not_configured", `MLFLOW_TRACKING_URI is not set, so the trained model was not logged or registered: ${START_MLFLOW_HINT}`, { details: { trained: true } });
  }

  progress(`[6/6] MLflow: experiment ${registryNames(model).trainingExperiment}`);
  const client = options.mlflow;
  const trials = outcome.candidates.map((c) => ({ hash: c.trialHash, sharpe: c.backtest.summary.netSharpe }));
  const run = await createRun(client, { experimentId: experiment.experimentId, runName: `${model}-${outcome.selected.candidate.name}`, tags: { "trademl.model": model } }, callOptions);
  const runId_ = run.info.runId;
  try {
    await pinSnapshots(lake.store, { kind: "model_run", id: runId_, tables: snapshot, note: `MLflow run ${runId_} of ${model}` });
    const params: Record<string, string> = {};
    flatten("", { ...training, candidates: undefined }, params);
    delete params["candidates"];
    params["selected_candidate"] = outcome.selected.candidate.name;
    params["feature_transform"] = FEATURE_TRANSFORM;
    params["backtest_run_id"] = written.runId;
    if (options.windowYears !== undefined) params["data_gate.window_years"] = String(options.windowYears);
    const metrics: MetricPoint[] = [
      ...outcome.gates.checks.map((c) => ({ key: `gate.${c.name}`, value: c.value ?? Number.NaN })),
      { key: "gates.passed", value: outcome.gates.checks.every((c) => c.passed) ? 1 : 0 },
      { key: "trials", value: outcome.gates.trials },
      { key: "dataset.rows", value: dataset.label.length },
      { key: "dataset.dates", value: dataset.dates.length },
      { key: "calibration.brier", value: outcome.calibration.brier },
      { key: "calibration.log_loss", value: outcome.calibration.logLoss },
      ...outcome.candidates.flatMap((c) => [
        { key: `candidate.${c.candidate.name}.rank_ic`, value: c.meanRankIc },
        { key: `candidate.${c.candidate.name}.net_sharpe`, value: c.backtest.summary.netSharpe },
        { key: `candidate.${c.candidate.name}.gross_sharpe`, value: c.backtest.summary.grossSharpe },
      ]),
      { key: "backtest.net_return", value: bs.netReturn },
      { key: "backtest.total_cost", value: bs.totalCost },
      { key: "backtest.total_borrow", value: bs.totalBorrow },
      { key: "backtest.mean_turnover", value: bs.meanTurnover },
      { key: "backtest.max_drawdown", value: bs.maxDrawdown },
    ];
    if (stacker !== undefined) {
      params["stacker.hash"] = stacker.file.hash;
      params["stacker.inputs"] = stacker.file.inputs.join(",");
      metrics.push({ key: "stacker.blend_rank_ic", value: stacker.file.evaluation.blend_rank_ic ?? Number.NaN });
      for (const [m, w] of Object.entries(stacker.file.weights ?? {})) metrics.push({ key: `stacker.weight.${m}`, value: w });
    }
    await logBatch(client, runId_, { params, metrics, tags: { [TRIALS_TAG]: JSON.stringify(trials), "trademl.snapshot": JSON.stringify(snapshot) } }, callOptions);
    const uri = run.info.artifactUri;
    const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
    await uploadArtifact(client, uri, "config.json", json(training), callOptions);
    await uploadArtifact(client, uri, "snapshot.json", json(snapshot), callOptions);
    await uploadArtifact(client, uri, "cpcv-report.json", json({
      splits: outcome.cv.cv.splits.length,
      paths: outcome.cv.layout.paths,
      candidates: outcome.candidates.map((c) => ({
        name: c.candidate.name, kind: c.candidate.kind, trial_hash: c.trialHash, mean_rank_ic: c.meanRankIc, path_sharpe_gross: c.pathSharpe,
        mean_best_iteration: c.meanBestIteration ?? null, backtest: c.backtest.summary,
      })),
    }), callOptions);
    await uploadArtifact(client, uri, "gates.json", json(outcome.gates), callOptions);
    await uploadArtifact(client, uri, "calibration.json", json(outcome.calibration), callOptions);
    await uploadArtifact(client, uri, "reliability.png", await renderChart(reliabilitySpec(outcome.calibration, `${model}: P(forward return > 0), cross-fitted`), "png"), callOptions);
    await uploadArtifact(client, uri, "model/model.json", serialiseModel(outcome.model), callOptions);
    await uploadArtifact(client, uri, "model/probability-map.json", json(outcome.probabilityMap), callOptions);
    if (stacker !== undefined) await uploadArtifact(client, uri, "stacker/stacker.json", serialiseStacker(stacker.file), callOptions);
    await uploadArtifact(client, uri, "model/features.json", json({ transform: FEATURE_TRANSFORM, features: dataset.featureNames }), callOptions);
    await terminateRun(client, runId_, "FINISHED", callOptions);
  } catch (error) {
    await terminateRun(client, runId_, "FAILED", callOptions).catch(() => undefined);
    throw error;
  }
  const context = { client, model, policy: training.promotion_policy, ...callOptions };
  const registered = await registerVersion(context, { runId: runId_, gates: outcome.gates.checks, description: `${outcome.selected.candidate.name} from run ${runId_}` });
  progress(`  run ${runId_}; registered version ${registered.version.version} (gates ${registered.gates.passed ? "passed" : "failed"})`);
  let challenger: PromotionOutcome | undefined;
  if (registered.gates.passed) {
    challenger = await setChallenger(context, registered.version.version, options.today === undefined ? {} : { today: options.today });
    progress(`  challenger: ${challenger.kind}`);
  } else {
    progress("  not a challenger: the gates failed");
  }
  return { ...base, mlflow: { runId: runId_, version: registered.version.version, challenger } };
}
