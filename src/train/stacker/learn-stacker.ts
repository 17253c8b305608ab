/**
 * The trainer's stacker step. Every training run keeps its selected candidate's out-of-fold predictions in the
 * lake (`models/<model>/oof`, replaced by each run: date, name, prediction), so a later run of another model can
 * stack on them. When router.yml `stacker.enabled` is true, a run of a return model (equities_xs, intraday_xs)
 * then fits the stacker on its own rows and label: its own fresh out-of-fold predictions plus the latest ones of
 * every other router model, joined by (date, name); a model without out-of-fold predictions in the lake is not an
 * input. The fitted stacker is written to the lake as a versioned file (stacker-file.ts) for the router.
 */
import type { RouterConfig } from "../../config/schemas/router.ts";
import { DuckSession } from "../../db/session.ts";
import { PartWriter, type TableColumns } from "../../db/part-writer.ts";
import type { LearnKernels } from "../../kernels/learn/index.ts";
import type { LakeAccess } from "../../lake/lake-access.ts";
import type { Dataset } from "../dataset.ts";
import { bindInputs } from "../lake-inputs.ts";
import { fitStacker } from "./fit-stacker.ts";
import { buildStackerFile, writeStacker, type StackerFile } from "./stacker-file.ts";

const OOF_COLUMNS: TableColumns = [["date", "DATE"], ["name", "VARCHAR"], ["prediction", "DOUBLE"]];

/** The lake table holding a model's latest out-of-fold predictions. */
export function oofTable(model: string): string {
  return `models/${model}/oof`;
}

/** Replaces `models/<model>/oof` with this run's out-of-fold predictions (rows without one are left out). */
export async function writeOofPredictions(lake: LakeAccess, model: string, dataset: Pick<Dataset, "rowDates" | "names">, oof: Float64Array): Promise<void> {
  const rows: { date: string; name: string; prediction: number }[] = [];
  oof.forEach((prediction, r) => {
    if (Number.isFinite(prediction)) rows.push({ date: dataset.rowDates[r] ?? "", name: dataset.names[r] ?? "", prediction });
  });
  const duck = await DuckSession.create({ kernels: false, memoryLimit: "512MB", threads: 1 });
  const writer = new PartWriter({ session: duck, store: lake.store, commit: lake.commitOptions });
  try {
    const table = oofTable(model);
    const part = await writer.writeRows(OOF_COLUMNS, rows, { folder: table, bounds: ["date"] });
    await writer.replaceAll(table, [part], await lake.readManifest(table));
  } finally {
    await writer.close();
    duck.close();
  }
}

/** Other router models' latest out-of-fold predictions on the dataset's rows (NaN where a model has none). */
async function otherModelsOof(lake: LakeAccess, models: readonly string[], dataset: Pick<Dataset, "rowDates" | "names">): Promise<{ columns: Map<string, Float64Array>; snapshot: Record<string, number> }> {
  const columns = new Map<string, Float64Array>();
  const snapshot: Record<string, number> = {};
  if (models.length === 0) return { columns, snapshot };
  const index = new Map(dataset.rowDates.map((date, r) => [`${date}|${dataset.names[r] ?? ""}`, r]));
  const duck = await DuckSession.create({ kernels: false, memoryLimit: "512MB", threads: 1 });
  try {
    for (const [k, model] of models.entries()) {
      // One relation per model: a missing table binds as an empty temp table, a present one as a view.
      const view = `stack_oof_${k}`;
      const seqs = await bindInputs(duck, lake, [{ table: oofTable(model), view, columns: { date: "DATE", name: "VARCHAR", prediction: "DOUBLE" }, required: false }]);
      const seq = seqs[oofTable(model)];
      if (seq === undefined) continue;
      snapshot[oofTable(model)] = seq;
      const column = new Float64Array(dataset.rowDates.length).fill(Number.NaN);
      const rows = await duck.rows<{ date: string; name: string; prediction: number }>(`SELECT strftime(date, '%Y-%m-%d') AS date, name, prediction FROM ${view}`);
      for (const row of rows) {
        const r = index.get(`${row.date}|${row.name}`);
        if (r !== undefined) column[r] = row.prediction;
      }
      columns.set(model, column);
    }
  } finally {
    duck.close();
  }
  return { columns, snapshot };
}

export interface LearnedStacker {
  readonly file: StackerFile;
  readonly key: string;
}

/** Fits the stacker for a run of `model` and writes it; the caller decides whether the run stacks at all. */
export async function learnStacker(
  lake: LakeAccess,
  router: RouterConfig,
  model: string,
  dataset: Dataset,
  oof: Float64Array,
  kernels: LearnKernels,
): Promise<LearnedStacker> {
  const others = Object.keys(router.weights).filter((m) => m !== model);
  const found = await otherModelsOof(lake, others, dataset);
  const inputs = [model, ...others.filter((m) => found.columns.has(m))];
  const predictions = inputs.map((m) => (m === model ? oof : (found.columns.get(m) ?? new Float64Array(0))));
  const { fit, evaluation, rows } = fitStacker({ inputs, predictions, label: dataset.label, weight: dataset.weight, group: dataset.group }, router.stacker, kernels);
  const file = buildStackerFile(fit, inputs, evaluation, {
    target_model: model,
    rows,
    dates: dataset.dates.length,
    from: dataset.dates[0] ?? "",
    to: dataset.dates.at(-1) ?? "",
    snapshot: { ...dataset.snapshot, ...found.snapshot },
  });
  return { file, key: await writeStacker(lake.store, file) };
}
