/**
 * Turns a feature SQL's output relation into a `Dataset`: picks the configured features, keeps the rows the
 * options ask for, sorts by date then name, and adds the group ids, the (rank-normalised) label and the
 * time-decay weights. Shared by every dataset builder, so the three panels have one shape.
 */
import { closestName } from "../config/did-you-mean.ts";
import type { IsoDate } from "../domain/calendar/index.ts";
import { ConfigError, DataError } from "../domain/errors.ts";
import type { DuckSession } from "../db/session.ts";
import { sqlIdentifier } from "../db/sql-literal.ts";
import type { Dataset, DatasetBuildOptions, DatasetModel } from "./dataset.ts";
import { rankNormalise } from "./rank-normalise.ts";
import { timeDecayWeights } from "./time-decay.ts";

export interface PanelRelation {
  readonly model: DatasetModel;
  /** Temp table with `date`, the name column, the target, `label_end_date` and one column per feature. */
  readonly relation: string;
  readonly nameColumn: string;
  readonly targetColumn: string;
  /** The return the backtester books, when it is not the target (options_vol: a straddle's return); never a feature. */
  readonly returnColumn?: string;
  /** Rank-normalise the target per date into the label (cross-sectional models). */
  readonly rankLabel: boolean;
  /** Dates with fewer labelled rows are left out. */
  readonly minNames: number;
  /** Features the configuration asks for (default: every feature column). */
  readonly features: readonly string[] | undefined;
  readonly halfLifeMonths: number;
  readonly snapshot: Readonly<Record<string, number>>;
}

function finite(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : Number.NaN;
}

/** The feature columns: every column of the relation besides date, name, target and label end date. */
async function featureColumns(duck: DuckSession, spec: PanelRelation): Promise<string[]> {
  const described = await duck.rows<{ column_name: string }>(`DESCRIBE SELECT * FROM ${sqlIdentifier(spec.relation)}`);
  const meta = new Set(["date", spec.nameColumn, spec.targetColumn, "label_end_date", ...(spec.returnColumn === undefined ? [] : [spec.returnColumn])]);
  const all = described.map((row) => row.column_name).filter((name) => !meta.has(name));
  if (spec.features === undefined) return all;
  const unknown = spec.features.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    const hints = unknown.map((name) => {
      const near = closestName(name, all);
      return near === undefined ? `"${name}"` : `"${name}" (did you mean "${near}"?)`;
    });
    throw new ConfigError("unknown_feature", `dataset.features of ${spec.model}: unknown ${hints.join(", ")}; the model's features are ${all.join(", ")}`);
  }
  return [...spec.features];
}

export async function assemblePanel(duck: DuckSession, spec: PanelRelation, options: DatasetBuildOptions): Promise<Dataset> {
  const features = await featureColumns(duck, spec);
  const relation = sqlIdentifier(spec.relation);
  const name = sqlIdentifier(spec.nameColumn);
  const target = sqlIdentifier(spec.targetColumn);
  const labelled = `(${target} IS NOT NULL AND isfinite(${target}))`;
  const range = [
    options.from === undefined ? "true" : `date >= DATE '${options.from}'`,
    options.to === undefined ? "true" : `date <= DATE '${options.to}'`,
  ].join(" AND ");
  const keepRow = options.includeUnlabelled === true ? "true" : labelled;
  // A date needs `minNames` labelled rows (a rank label needs a cross-section); an unlabelled date kept for
  // scoring needs that many rows.
  const labelledCount = `sum(CASE WHEN ${labelled} THEN 1 ELSE 0 END) OVER d`;
  const keepDate =
    options.includeUnlabelled === true
      ? `(${labelledCount} >= ${spec.minNames} OR (${labelledCount} = 0 AND count(*) OVER d >= ${spec.minNames}))`
      : `${labelledCount} >= ${spec.minNames}`;
  const columns = await duck.columns(`
    WITH kept AS (SELECT * FROM ${relation} WHERE ${range} AND ${keepRow}),
    counted AS (SELECT *, ${keepDate} AS keep FROM kept WINDOW d AS (PARTITION BY date))
    SELECT strftime(date, '%Y-%m-%d') AS date, ${name}::VARCHAR AS name, ${target}::DOUBLE AS target,
           coalesce(strftime(label_end_date, '%Y-%m-%d'), '') AS label_end_date,
           ${spec.returnColumn === undefined ? "" : `${sqlIdentifier(spec.returnColumn)}::DOUBLE AS backtest_return,`}
           ${features.map((feature) => `${sqlIdentifier(feature)}::DOUBLE AS ${sqlIdentifier(`f_${feature}`)}`).join(", ")}
    FROM counted WHERE keep ORDER BY date, name`);
  const rowDates = (columns["date"] ?? []).map(String);
  const n = rowDates.length;
  if (n === 0) {
    throw new DataError("dataset_empty", `the ${spec.model} panel has no rows${options.from !== undefined || options.to !== undefined ? ` in ${options.from ?? "…"}..${options.to ?? "…"}` : ""}: no date has ${spec.minNames} or more names with a label (check the universe, the lake's history and dataset.min_names)`);
  }
  const dates: IsoDate[] = [];
  const group = new Int32Array(n);
  rowDates.forEach((date, i) => {
    if (dates.at(-1) !== date) dates.push(date);
    group[i] = dates.length - 1;
  });
  const targetColumn = Float64Array.from(columns["target"] ?? [], finite);
  const label = spec.rankLabel ? rankNormalise(targetColumn, group) : Float64Array.from(targetColumn);
  const anchor = options.decayAnchor ?? dates.at(-1) ?? rowDates[0] ?? "";
  return {
    model: spec.model,
    featureNames: features,
    features: features.map((feature) => Float64Array.from(columns[`f_${feature}`] ?? [], finite)),
    label,
    target: targetColumn,
    ...(spec.returnColumn === undefined ? {} : { backtestReturn: Float64Array.from(columns["backtest_return"] ?? [], finite) }),
    weight: timeDecayWeights(rowDates, spec.halfLifeMonths, anchor),
    group,
    dates,
    rowDates,
    labelEndDates: (columns["label_end_date"] ?? []).map(String),
    names: (columns["name"] ?? []).map(String),
    snapshot: spec.snapshot,
  };
}
