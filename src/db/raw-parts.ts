/**
 * Raw records into parts of their raw table, the same way for every writer (the edge collector and backfill):
 * one part per partition folder of the dataset's layout (src/db/raw-tables.ts), the date bounds of its rows,
 * the series it answers for, and — for a unit of collection — the range that was asked. Parts are uploaded, not
 * committed: the collector groups several units into one commit, backfill commits each task.
 */
import { DataError } from "../domain/errors.ts";
import type { PartFile, PartUnit } from "../lake/types.ts";
import type { PartWriter } from "./part-writer.ts";
import { partitionFolder, rawSchema } from "./raw-tables.ts";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The range a batch of raw records answers for, and the series that were asked (even those without rows). */
export interface RawUnit {
  readonly start: string;
  readonly end: string;
  readonly series: readonly string[];
  /** Cursor listings: where paging stopped ("" when complete). */
  readonly cursorNext?: string;
}

export interface RawBatch {
  /** The raw table written, normally `rawTable(vendor, dataset)` (src/lake/keys.ts). */
  readonly table: string;
  /** The dataset whose schema and layout the records have (src/db/raw-tables.ts). */
  readonly dataset: string;
  readonly records: readonly Readonly<Record<string, unknown>>[];
  /**
   * The unit of collection the records answer. With a unit, a batch without records still leaves one empty,
   * schema-carrying part: it records that the range was asked and answered, so it is not asked again.
   */
  readonly unit?: RawUnit;
}

/** Writes a batch as one part per partition folder, in folder order; returns the parts to commit. */
export async function writeRawParts(writer: PartWriter, batch: RawBatch): Promise<PartFile[]> {
  const { table } = batch;
  const schema = rawSchema(batch.dataset);
  const groups = new Map<string, { records: Readonly<Record<string, unknown>>[]; dates: string[] }>();
  for (const record of batch.records) {
    const value = record[schema.dateColumn];
    const date = typeof value === "string" && ISO_DATE.test(value) ? value : batch.unit?.start;
    if (date === undefined) throw new DataError("raw_row_undated", `a ${batch.dataset} row for ${table} has no ${schema.dateColumn}: ${JSON.stringify(record).slice(0, 200)}`);
    const folder = partitionFolder(schema.layout, date);
    let group = groups.get(folder);
    if (group === undefined) {
      group = { records: [], dates: [] };
      groups.set(folder, group);
    }
    group.records.push(record);
    group.dates.push(date);
  }
  if (groups.size === 0 && batch.unit !== undefined) groups.set(partitionFolder(schema.layout, batch.unit.start), { records: [], dates: [] });
  const unit: PartUnit | undefined =
    batch.unit === undefined
      ? undefined
      : { start: batch.unit.start, end: batch.unit.end, ...(batch.unit.cursorNext === undefined ? {} : { cursor_next: batch.unit.cursorNext }) };
  const folders = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(
    folders.map(([folder, group]) => {
      const dates = [...group.dates].sort();
      const first = dates[0];
      const last = dates.at(-1);
      const series = batch.unit?.series ?? group.records.map((record) => String(record[schema.seriesColumn] ?? ""));
      return writer.writeRows(schema.columns, group.records, {
        folder: `${table}/${folder}`,
        facts: {
          rows: group.records.length,
          ...(first === undefined || last === undefined ? {} : { min: { [schema.dateColumn]: first }, max: { [schema.dateColumn]: last } }),
          symbols: [...new Set(series)].sort(),
        },
        ...(unit === undefined ? {} : { unit }),
      });
    }),
  );
}
