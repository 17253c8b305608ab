/**
 * A numeric CSV reader for the validation commands: a header line of column names, then one row per line, every
 * field a decimal number. Errors name the file and the line (1-based, the header is line 1): a ragged row, a field
 * that is not a number, a missing column. Blank lines are skipped; quoted fields and other separators are not
 * supported (these are machine-written numeric tables).
 */
import { readFile } from "node:fs/promises";
import { DataError, IoError } from "../domain/errors.ts";

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export interface NumericCsv {
  readonly file: string;
  readonly columns: readonly string[];
  /** Row-major values, rows × columns. */
  readonly values: Float64Array;
  readonly rows: number;
  /** The file line of each row (for errors found later, e.g. a probability outside [0, 1]). */
  readonly lines: Int32Array;
}

function parseNumber(text: string): number {
  const t = text.trim();
  if (t === "NaN" || t === "nan") return NaN;
  return DECIMAL.test(t) ? Number(t) : NaN;
}

/** Parses CSV text; `file` names it in errors. NaN/nan fields are kept as NaN (callers decide), others must parse. */
export function parseNumericCsv(text: string, file: string): NumericCsv {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((line) => line.trim() !== "");
  if (headerAt === -1) throw new DataError("csv_empty", `${file}: the file is empty (expected a header line of column names)`);
  const columns = (lines[headerAt] ?? "").split(",").map((name) => name.trim());
  if (columns.some((name) => name === "")) throw new DataError("csv_bad_header", `${file}:${headerAt + 1}: empty column name in the header`);
  if (columns.every((name) => DECIMAL.test(name))) {
    throw new DataError("csv_no_header", `${file}:${headerAt + 1}: the first line looks like data; add a header line of column names`);
  }
  const values: number[] = [];
  const lineOf: number[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    const fields = line.split(",");
    if (fields.length !== columns.length) {
      throw new DataError("csv_ragged", `${file}:${i + 1}: ${fields.length} fields where the header has ${columns.length} (${columns.join(", ")})`);
    }
    fields.forEach((field, c) => {
      const value = parseNumber(field);
      if (Number.isNaN(value) && !/^\s*(NaN|nan)\s*$/.test(field)) {
        throw new DataError("csv_bad_number", `${file}:${i + 1}: column ${columns[c] ?? c} holds "${field.trim()}", not a number`);
      }
      values.push(value);
    });
    lineOf.push(i + 1);
  }
  return { file, columns, values: Float64Array.from(values), rows: lineOf.length, lines: Int32Array.from(lineOf) };
}

export async function readNumericCsv(file: string): Promise<NumericCsv> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new IoError("csv_unreadable", `cannot read ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  return parseNumericCsv(text, file);
}

/** One column's values; an error naming the file when it is missing. */
export function csvColumn(csv: NumericCsv, name: string): Float64Array {
  const c = csv.columns.indexOf(name);
  if (c === -1) throw new DataError("csv_missing_column", `${csv.file}: no column "${name}" (columns: ${csv.columns.join(", ")})`);
  const out = new Float64Array(csv.rows);
  for (let r = 0; r < csv.rows; r++) out[r] = csv.values[r * csv.columns.length + c] ?? NaN;
  return out;
}
