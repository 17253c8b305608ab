/**
 * Opens the configured lake for the audit and backfill commands: configuration, environment, object store.
 * Heavy modules (the AWS SDK) load only for an S3 lake.
 */
import { loadConfig, type TrademlConfig } from "../config/index.ts";
import type { ObjectStore } from "../lake/types.ts";
import { DEFAULT_QC, type QcThresholds } from "./audit/types.ts";

export interface OpenedSsotLake {
  readonly config: TrademlConfig;
  readonly store: ObjectStore;
  close(): Promise<void>;
}

export async function openSsotLake(options: {
  readonly configDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly envFile?: string | undefined;
  readonly cwd: string;
}): Promise<OpenedSsotLake> {
  const config = await loadConfig({ configDir: options.configDir, env: options.env, envFile: options.envFile, cwd: options.cwd });
  const { openStore } = await import("../lake/open-store.ts");
  const store = await openStore(config.lakeTarget);
  return { config, store, close: () => store.close() };
}

/** configs/backfill.yml `qc` as the audit's typed thresholds. */
export function qcFromConfig(config: TrademlConfig): QcThresholds {
  const qc = config.backfill.qc;
  return {
    greenMinRatio: qc.green_min_ratio ?? DEFAULT_QC.greenMinRatio,
    rowsLowRatio: qc.rows_low_ratio ?? DEFAULT_QC.rowsLowRatio,
    rowsHighRatio: qc.rows_high_ratio ?? DEFAULT_QC.rowsHighRatio,
    halfDaysAllowed: qc.half_days_allowed ?? DEFAULT_QC.halfDaysAllowed,
  };
}
