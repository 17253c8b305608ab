/**
 * The trainer's data gate: every lake table in the model's `dependencies` must exist, and every one fed by an
 * audited raw dataset must pass the audit's GREEN window (quality/audit greenWindow, with backfill.yml's
 * qc.green_min_ratio over horizons.<dataset>.train_window_years: one source for the threshold). A model that
 * fails it does not train at all, and the error says why and what to do.
 */
import type { TrademlConfig } from "../config/load.ts";
import { CURATE_TABLES, MINUTE_TABLES } from "../curate/curate-tables.ts";
import { DataError } from "../domain/errors.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { greenWindow, type GreenWindowResult } from "../quality/audit/coverage.ts";
import type { AuditedTable } from "../quality/audited-tables.ts";

/** Curated tables and the audited raw dataset (configs/backfill.yml name) each is built from. */
const AUDITED_SOURCE: Readonly<Record<string, AuditedTable>> = {
  [CURATE_TABLES.adjusted]: "equities_eod",
  [MINUTE_TABLES.adjusted]: "equities_minute",
};

export interface DataGateResult {
  readonly windows: readonly GreenWindowResult[];
  /** Manifest seq of every dependency. */
  readonly seqs: Readonly<Record<string, number>>;
}

export interface DataGateOptions {
  /** Years of the GREEN window instead of backfill.yml's train_window_years (a research lake with less history). */
  readonly windowYears?: number;
  readonly signal?: AbortSignal;
}

export async function checkDataGate(lake: LakeAccess, config: TrademlConfig, dependencies: readonly string[], options: DataGateOptions = {}): Promise<DataGateResult> {
  const seqs: Record<string, number> = {};
  const missing: string[] = [];
  for (const table of dependencies) {
    const manifest = await lake.readManifest(table);
    if (manifest === undefined || manifest.files.length === 0) missing.push(table);
    else seqs[table] = manifest.seq;
  }
  if (missing.length > 0) {
    throw new DataError("training_dependency_missing", `the lake (${lake.store.description}) lacks ${missing.join(", ")}; run the node (or \`trademl demo\`), \`trademl curate\` and \`trademl reference\` first`);
  }
  const audited = [...new Set(dependencies.map((table) => AUDITED_SOURCE[table]).filter((name): name is AuditedTable => name !== undefined))];
  const windows: GreenWindowResult[] = [];
  for (const table of audited) {
    const years = options.windowYears ?? config.backfill.horizons[table].train_window_years;
    const minRatio = config.backfill.qc.green_min_ratio;
    const result = await greenWindow(lake.store, { table, years, minRatio }, options.signal);
    windows.push(result);
    if (!result.ok) {
      throw new DataError(
        "green_window_not_met",
        [
          `data gate: ${table} is not GREEN over the training window (${years} year${years === 1 ? "" : "s"} at >= ${(minRatio * 100).toFixed(1)}% of partitions, configs/backfill.yml):`,
          ...result.reasons.map((reason) => `  - ${reason}`),
          "  A model trained on a short or gappy history would validate on too few independent periods; collect and backfill",
          "  more history (`trademl backfill`), or, for a research lake, shorten the window with --window-years N",
          table === "equities_minute"
            ? "  (minute bars need a year of sessions for --window-years 1: `trademl demo --minute-days N` collects N calendar days of them)."
            : "  (e.g. `trademl demo --symbols <30 names> --days 400` then `trademl trainer run --window-years 1`).",
        ].join("\n"),
        { details: { table, years, minRatio, greenShare: result.greenShare } },
      );
    }
  }
  return { windows, seqs };
}
