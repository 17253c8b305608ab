/** The validation toolkit: CPCV, fold scoring layout, deflated Sharpe, PBO, calibration. */
export {
  cpcvPlan, cpcvSplits, foldAssignment, binomial, MAX_COMBINATIONS,
  type CpcvOptions, type CpcvPlan, type CpcvSplit, type CpcvSplits, type CpcvSampleOptions,
} from "./cpcv.ts";
export { panelCpcv, type PanelCpcv, type PanelCpcvInput, type PanelSplit } from "./panel-cpcv.ts";
export { cpcvScoringLayout, summariseSplits, type CpcvScoringLayout, type SplitSummary } from "./fold-scoring.ts";
export {
  deflatedSharpe, probabilisticSharpe, expectedMaxSharpe, type DsrInput, type DsrResult, type PsrInput,
} from "./deflated-sharpe.ts";
export { probabilityOfBacktestOverfitting, type PboOptions, type PboResult, type ReturnsMatrix } from "./pbo.ts";
export {
  brierScore, logLoss, reliabilityBins, expectedCalibrationError, calibrationReport, checkForecasts,
  type CalibrationReport, type ReliabilityBin,
} from "./calibration.ts";
export { reliabilitySpec } from "./reliability-plot.ts";
export { parseNumericCsv, readNumericCsv, csvColumn, type NumericCsv } from "./read-csv.ts";
export { pairwiseSum, mean, sampleStd, sharpeRatio, averageRanks, moments } from "./numeric.ts";
