/**
 * The options_vol dataset: one row per (underlier, session) from the SVI surfaces of the options pipeline — the
 * constant-maturity ATM vol, the smile's skew, the term slope, implied minus realised vol and recent ATM changes —
 * with the next accepted surface's change in ATM vol as the label (sql/features/options_vol.sql). Underlier-days
 * whose surface QC rate is below `min_surface_qc_rate` are left out, and the run refuses outright when the lake's
 * surfaces as a whole pass QC less often than that (`checkSurfaceQc`).
 */
import type { OptionsVolTrainingConfig } from "../config/schemas/training.ts";
import { DuckSession } from "../db/session.ts";
import { DataError } from "../domain/errors.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { OPTIONS_TABLES } from "../options/options-tables.ts";
import { assemblePanel } from "./assemble-panel.ts";
import type { Dataset, DatasetBuildOptions } from "./dataset.ts";
import { DAILY_BARS_INPUT } from "./equity-inputs.ts";
import { bindInputs } from "./lake-inputs.ts";

/** A long-short book of straddles needs two underliers a day. */
const MIN_UNDERLIERS = 2;

const SURFACE_INPUTS = [
  {
    table: OPTIONS_TABLES.surfaces,
    view: "ov_surfaces",
    columns: { underlying: "VARCHAR", date: "DATE", expiry: "DATE", t: "DOUBLE", a: "DOUBLE", b: "DOUBLE", rho: "DOUBLE", m: "DOUBLE", sigma: "DOUBLE", qc_status: "VARCHAR" },
    required: true,
    hint: "option surfaces come from `trademl curate` after option chains were collected (`trademl demo --option-days N`)",
  },
  {
    table: OPTIONS_TABLES.surfaceQc,
    view: "ov_qc",
    columns: { underlying: "VARCHAR", date: "DATE", expiries: "INTEGER", ok: "INTEGER", repaired: "INTEGER", surface_qc_rate: "DOUBLE" },
    required: true,
    hint: "the surface QC table is written with the surfaces by `trademl curate`",
  },
] as const;

export interface SurfaceQcSummary {
  readonly expiries: number;
  readonly passed: number;
  /** Share of SVI slices that passed QC (ok or repaired) over every underlier-day. */
  readonly rate: number;
  readonly underlierDays: number;
  /** Underlier-days at or above the bar (the panel's candidates). */
  readonly keptDays: number;
}

/**
 * The data gate's surface bar: the share of slices that passed QC over the lake's surfaces must reach
 * `min_surface_qc_rate`, else a model would learn from fits the pipeline itself distrusts.
 */
export function checkSurfaceQc(summary: SurfaceQcSummary, minRate: number): void {
  if (summary.expiries === 0 || !(summary.rate >= minRate)) {
    throw new DataError(
      "surface_qc_rate_not_met",
      `data gate: ${(summary.rate * 100).toFixed(1)}% of ${summary.expiries} SVI slices passed QC (${summary.passed}), below min_surface_qc_rate ${(minRate * 100).toFixed(1)}% (configs/training/options_vol.yml); check \`trademl options surface --underlier <name>\` for the rejected slices' reasons`,
      { details: { ...summary, minRate } },
    );
  }
}

export async function buildOptionsVol(
  lake: LakeAccess,
  config: Pick<OptionsVolTrainingConfig, "dataset" | "time_decay" | "min_surface_qc_rate">,
  options: DatasetBuildOptions = {},
): Promise<Dataset & { readonly surfaceQc: SurfaceQcSummary }> {
  const duck = await DuckSession.create({ kernels: false, memoryLimit: options.duck?.memoryLimit ?? "2GB", threads: options.duck?.threads ?? 2 });
  try {
    const snapshot = await bindInputs(duck, lake, [...SURFACE_INPUTS, { ...DAILY_BARS_INPUT, view: "ov_bars" }], options.seqs);
    const qc = await duck.rows<{ expiries: number; passed: number; days: number; kept: number }>(
      `SELECT coalesce(sum(expiries), 0)::DOUBLE AS expiries, coalesce(sum(ok + repaired), 0)::DOUBLE AS passed, count(*)::DOUBLE AS days,
              count(*) FILTER (WHERE surface_qc_rate >= ${config.min_surface_qc_rate})::DOUBLE AS kept FROM ov_qc`,
    );
    const row = qc[0] ?? { expiries: 0, passed: 0, days: 0, kept: 0 };
    const surfaceQc: SurfaceQcSummary = { expiries: row.expiries, passed: row.passed, rate: row.expiries > 0 ? row.passed / row.expiries : 0, underlierDays: row.days, keptDays: row.kept };
    checkSurfaceQc(surfaceQc, config.min_surface_qc_rate);
    await duck.run(`SET VARIABLE tenor = ${config.dataset.atm_tenor_days / 365}`);
    await duck.run(`SET VARIABLE min_qc_rate = ${config.min_surface_qc_rate}`);
    await duck.runFile("features/options_vol");
    const dataset = await assemblePanel(
      duck,
      {
        model: "options_vol",
        relation: "ov_panel",
        nameColumn: "underlying",
        targetColumn: "dvol",
        returnColumn: "straddle_return",
        rankLabel: false,
        minNames: MIN_UNDERLIERS,
        features: config.dataset.features,
        halfLifeMonths: config.time_decay.half_life_months,
        snapshot,
      },
      options,
    );
    return { ...dataset, surfaceQc };
  } finally {
    duck.close();
  }
}
