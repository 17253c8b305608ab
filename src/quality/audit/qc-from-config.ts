/** configs/backfill.yml `qc` as the audit's typed thresholds (the audit command, backfill and the demo share it). */
import type { TrademlConfig } from "../../config/index.ts";
import { DEFAULT_QC, type QcThresholds } from "./types.ts";

export function qcFromConfig(config: TrademlConfig): QcThresholds {
  const qc = config.backfill.qc;
  return {
    greenMinRatio: qc.green_min_ratio ?? DEFAULT_QC.greenMinRatio,
    rowsLowRatio: qc.rows_low_ratio ?? DEFAULT_QC.rowsLowRatio,
    rowsHighRatio: qc.rows_high_ratio ?? DEFAULT_QC.rowsHighRatio,
    halfDaysAllowed: qc.half_days_allowed ?? DEFAULT_QC.halfDaysAllowed,
  };
}
