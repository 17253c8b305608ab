/**
 * The curated and reference tables a dataset reads, bound into a DuckDB session as temp views over one manifest
 * each (snapshot isolation: parts committed later are invisible), with the manifest seqs recorded. Columns are
 * selected by name and cast to the type the feature SQL expects; a column that older parts lack reads as NULL
 * when the input allows it.
 */
import { DataError } from "../domain/errors.ts";
import type { DuckSession } from "../db/session.ts";
import { sqlIdentifier, sqlList } from "../db/sql-literal.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import type { PartFile } from "../lake/types.ts";

export interface InputTable {
  /** Lake table, e.g. `curated/equities_ohlcv_adj`. */
  readonly table: string;
  /** Temp view the SQL reads. */
  readonly view: string;
  /** Column → DuckDB type, in view order. */
  readonly columns: Readonly<Record<string, string>>;
  /** Columns that read as NULL when the table's parts lack them (added to a table later). */
  readonly optional?: readonly string[];
  /** A table without a manifest or parts is an error (true) or an empty view (false). */
  readonly required: boolean;
  /** Keep only parts whose recorded `date` range meets [from, to] (parts without a recorded range are kept). */
  readonly dateRange?: { readonly from?: string; readonly to?: string };
  /** What the missing table means to the user (appended to the error). */
  readonly hint?: string;
}

function overlaps(part: PartFile, from: string | undefined, to: string | undefined): boolean {
  const lo = part.min?.["date"];
  const hi = part.max?.["date"];
  if (typeof lo !== "string" || typeof hi !== "string") return true;
  return (from === undefined || hi >= from) && (to === undefined || lo <= to);
}

/** Binds every input; returns the manifest seq of each table read (tables with no manifest are left out). */
export async function bindInputs(
  duck: DuckSession,
  lake: LakeAccess,
  inputs: readonly InputTable[],
  seqs: Readonly<Record<string, number>> = {},
): Promise<Record<string, number>> {
  const snapshot: Record<string, number> = {};
  for (const input of inputs) {
    const manifest = await lake.readManifest(input.table, seqs[input.table]);
    const files = (manifest?.files ?? []).filter((part) => overlaps(part, input.dateRange?.from, input.dateRange?.to));
    const view = sqlIdentifier(input.view);
    const typed = Object.entries(input.columns);
    if (manifest === undefined || manifest.files.length === 0) {
      if (input.required) {
        throw new DataError(
          "dataset_input_missing",
          `the dataset needs ${input.table}, which ${manifest === undefined ? "has no manifest" : `has no parts at seq ${manifest.seq}`} in ${lake.store.description}${input.hint === undefined ? "" : `; ${input.hint}`}`,
          { details: { table: input.table } },
        );
      }
    }
    if (manifest !== undefined) snapshot[input.table] = manifest.seq;
    if (files.length === 0) {
      await duck.run(`CREATE OR REPLACE TEMP TABLE ${view} (${typed.map(([name, type]) => `${sqlIdentifier(name)} ${type}`).join(", ")})`);
      continue;
    }
    const paths = await lake.localPaths(files, input.table);
    const source = `read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)`;
    const described = await duck.rows<{ column_name: string }>(`DESCRIBE SELECT * FROM ${source}`);
    const present = new Set(described.map((row) => row.column_name));
    const missing = typed.filter(([name]) => !present.has(name) && !(input.optional ?? []).includes(name)).map(([name]) => name);
    if (missing.length > 0) {
      throw new DataError("dataset_input_columns", `${input.table} lacks the column(s) ${missing.join(", ")} the dataset reads`, { details: { table: input.table } });
    }
    const select = typed.map(([name, type]) => (present.has(name) ? `CAST(${sqlIdentifier(name)} AS ${type})` : `CAST(NULL AS ${type})`) + ` AS ${sqlIdentifier(name)}`);
    await duck.run(`CREATE OR REPLACE TEMP VIEW ${view} AS SELECT ${select.join(", ")} FROM ${source}`);
  }
  return snapshot;
}
