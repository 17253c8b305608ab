/**
 * trademl's programmatic API. The CLI (src/cli/) is a thin adapter over what is exported here.
 */
export * from "./domain/errors.ts";
export { createLogger, silentLogger, type Logger, type LogLevel, type LogFormat } from "./domain/logger.ts";
export { redact, registerSecret } from "./domain/redact.ts";
export { fullJitterDelay, retryAfterMs, type BackoffOptions } from "./domain/backoff.ts";
export { loadKernelModule, requireFunction, type KernelModule, type KernelBuild, type KernelSource } from "./kernels/load.ts";
export { Arena } from "./kernels/arena.ts";
export { runCli } from "./cli/main.ts";
export * from "./domain/calendar/index.ts";
export * from "./config/index.ts";
export * from "./doctor/index.ts";
export {
  createSviKernels, sviFamily, sviSliceFromVols, rawToJw, jwToRaw, ssviSliceToRaw, phiValue, checkSsviConditions,
  type SviKernels, type SviFamily, type SviFit, type SviFitOptions, type SviSliceInput, type SviStatus, type RawSviParams,
  type JwSviParams, type ButterflyCheck, type CalendarCheck, type SviRepair, type SsviFit, type SsviFitOptions,
  type SsviSliceInput, type SsviSliceFit, type SsviPhi, type SsviConditions, type SviDerivatives, type VolSliceQuotes,
} from "./kernels/svi/index.ts";
export { registerSviFunctions } from "./kernels/svi/sql.ts";
export * from "./quality/audit/index.ts";
export * from "./quality/backfill/index.ts";
export { createKernels, type Kernels, type KernelContext, type CreateKernelsOptions, type EngineName } from "./kernels/index.ts";
export {
  createLearnKernels, learnFamily, gbdtMetric, serialiseModel, deserialiseModel, modelContentHash, featureImportance,
  MODEL_FORMAT, MODEL_FORMAT_VERSION, type LearnKernels, type LearnFamily, type LearnPanel, type FeaturePanel,
  type RowSplit, type LearnModel, type RidgeModel, type GbdtModel, type GbdtTraining, type GbdtFitOptions, type Forest,
  type Binning, type FeatureImportance,
} from "./kernels/learn/index.ts";
export {
  createHedgeKernels, hedgeFamily, bookFromLegs, parseHedgeParams, hedgeParamsSchema, hedgeStatusName, HEDGE_STATUS,
  HEDGE_STATUS_NAMES, HEDGE_FIRST_FAILURE, type HedgeFamily, type HedgeInput, type HedgeBook, type HedgeLeg,
  type HedgeParams, type HedgeParamsInput, type HedgeResult, type HedgeRunOptions, type HedgePathTotals,
  type HedgeStepColumns, type HedgeStatusName, type StepSeries, type LegSeries,
} from "./kernels/hedge/index.ts";
export * from "./kernels/types.ts";
export { registerKernelFunctions, KERNEL_SQL_FUNCTIONS } from "./kernels/sql-functions.ts";
export * from "./lake/index.ts";
export * from "./db/index.ts";
export {
  curateEquities, curateMinuteBars, CURATE_TABLES, MINUTE_TABLES, DEFAULT_DATASETS,
  type CurateOptions, type CurateReport, type CurateDatasets,
} from "./curate/curate-equities.ts";
export { openConfiguredLake, type OpenedLake, type OpenLakeOptions } from "./cli/open-lake.ts";
export { buildReference, REFERENCE_TABLES, type ReferenceOptions, type ReferenceReport, type TickRuleVersion } from "./reference/index.ts";
export {
  openAnalystSession, runRepl, exportCatalog, parseAsOf, resolveLakeViews, viewNameFor,
  type AnalystSession, type CatalogReport, type LakeView, type OutputFormat,
} from "./analyst/index.ts";
export * from "./vendors/index.ts";
export * from "./sim/index.ts";
export * from "./ingest/index.ts";
export * from "./demo/index.ts";
export { LOW_RSS_SESSION, lowRssSession, type DuckResourceOptions } from "./db/session.ts";
export * from "./mlflow/index.ts";
export * from "./validate/index.ts";
export * from "./charts/index.ts";
export {
  createFoldScorer, scoreFoldsReference, foldScoringShape, DEFAULT_QUANTILES, DEFAULT_PERIODS_PER_YEAR,
  type FoldScorer, type FoldScores, type FoldScoringInput, type FoldScoringPlan, type FoldScoringShape, type WasmFoldScorer,
} from "./kernels/fold-scoring/index.ts";
export * from "./options/index.ts";
export {
  OPTIONS_BACKTEST_KIND, runOptionsBacktest, simulateOptionsBacktest, type OptionsBacktestOptions, type OptionsBacktestResult, type OptionsBacktestRun,
  type OptionsBacktestSummary,
} from "./backtest/options/index.ts";
