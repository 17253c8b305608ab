/**
 * A training dataset: a point-in-time feature/label panel in the shape the learn kernels take (`LearnPanel`:
 * struct-of-arrays columns, one row per (date, name), rows sorted by date then name) plus what validation and the
 * trainer need around it: each row's date and label end date (CPCV purging by label horizon), the name, the
 * un-normalised target (the backtester's forward return), and the manifest seqs it was read from.
 */
import type { IsoDate } from "../domain/calendar/index.ts";
import type { LearnPanel } from "../kernels/learn/types.ts";

export type DatasetModel = "equities_xs" | "intraday_xs" | "options_vol";

export interface Dataset extends LearnPanel {
  readonly model: DatasetModel;
  readonly featureNames: readonly string[];
  /** One column per feature; NaN where the feature's window reaches before the name's history (or data is missing). */
  readonly features: readonly Float64Array[];
  /** The training label (equities_xs, intraday_xs: the target rank-normalised per date; options_vol: the target). */
  readonly label: Float64Array;
  /** The label before normalisation: a forward total return (xs models) or a change in ATM implied vol. */
  readonly target: Float64Array;
  /** The return the backtester books when it is not `target` (options_vol: an ATM straddle's return, ≈ Δσ/σ). */
  readonly backtestReturn?: Float64Array;
  /** Time-decay sample weights, 1 on the newest date (training config `time_decay.half_life_months`). */
  readonly weight: Float64Array;
  /** Index of each row's date in `dates` (the kernels' group id: one group per cross-section). */
  readonly group: Int32Array;
  /** The distinct dates, ascending. */
  readonly dates: readonly IsoDate[];
  /** Each row's date (for CPCV over dates: validate's `panelCpcv` `rowDates`). */
  readonly rowDates: readonly IsoDate[];
  /** The last date each row's label depends on (`panelCpcv` `labelEndDates`, for label-horizon purging). */
  readonly labelEndDates: readonly IsoDate[];
  /** The symbol (or underlier) of each row. */
  readonly names: readonly string[];
  /** Manifest seq of every lake table read: the data snapshot to log with a training run. */
  readonly snapshot: Readonly<Record<string, number>>;
}

/** What every dataset builder accepts besides the model's configuration. */
export interface DatasetBuildOptions {
  /** First and last row date to keep (features still use history before `from`). */
  readonly from?: IsoDate;
  readonly to?: IsoDate;
  /**
   * Keep rows whose label is not known yet (label and target NaN, label end date empty): the latest dates, for
   * scoring live predictions. Default false: a training panel has labelled rows only.
   */
  readonly includeUnlabelled?: boolean;
  /** Pin lake tables to manifest seqs (default: each table's latest). */
  readonly seqs?: Readonly<Record<string, number>>;
  /** The date the time decay counts back from (default: the panel's last date). */
  readonly decayAnchor?: IsoDate;
  /** DuckDB memory limit and threads (configs/node.yml `duckdb`). */
  readonly duck?: { readonly memoryLimit?: string; readonly threads?: number };
}
