/**
 * Turns a batch of columns (arrays or broadcast scalars) into dense typed arrays of one length, so both engines
 * see struct-of-arrays input. A length mismatch is the caller's bug and fails loudly.
 */
import { DataError } from "../domain/errors.ts";
import type { FilledInput } from "./abi/run.ts";
import type { Column, FlagColumn } from "./types.ts";

function columnLength(column: Column | FlagColumn): number | undefined {
  return typeof column === "number" || typeof column === "boolean" ? undefined : column.length;
}

/** The common length of the array columns (1 when every column is a scalar). */
export function batchLength(columns: Readonly<Record<string, Column | FlagColumn>>): number {
  let length: number | undefined;
  let first = "";
  for (const [name, column] of Object.entries(columns)) {
    const n = columnLength(column);
    if (n === undefined) continue;
    if (length === undefined) {
      length = n;
      first = name;
    } else if (n !== length) {
      throw new DataError("batch_shape_mismatch", `column "${name}" has ${n} rows but "${first}" has ${length}`);
    }
  }
  return length ?? 1;
}

export function toFloat64(column: Column, length: number): Float64Array {
  if (typeof column === "number") return new Float64Array(length).fill(column);
  if (column instanceof Float64Array) return column;
  return Float64Array.from(column);
}

export function toFlags(column: FlagColumn, length: number): Uint8Array {
  if (typeof column === "boolean") return new Uint8Array(length).fill(column ? 1 : 0);
  if (column instanceof Uint8Array) return column;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = column[i] ? 1 : 0;
  return out;
}

/**
 * An output column of n rows: `reuse` (an array of an earlier result, handed back by the caller so no new memory
 * is allocated) when given, else a new array. A reused array of another length is a caller bug.
 */
export function outputFloat64(n: number, reuse: Float64Array | undefined, name: string): Float64Array {
  if (reuse === undefined) return new Float64Array(n);
  if (reuse.length !== n) {
    throw new DataError("batch_shape_mismatch", `the reused "${name}" array has ${reuse.length} rows but the batch has ${n}`);
  }
  return reuse;
}

export function outputInt32(n: number, reuse: Int32Array | undefined, name: string): Int32Array {
  if (reuse === undefined) return new Int32Array(n);
  if (reuse.length !== n) {
    throw new DataError("batch_shape_mismatch", `the reused "${name}" array has ${reuse.length} rows but the batch has ${n}`);
  }
  return reuse;
}

/** Copies `column` (or its broadcast scalar) rows [from, from + count) into `target`. */
export function copyRows(target: Float64Array, column: Column, from: number, count: number): void {
  if (typeof column === "number") target.fill(column, 0, count);
  else if (column instanceof Float64Array) target.set(column.subarray(from, from + count));
  else for (let i = 0; i < count; i++) target[i] = column[from + i] ?? Number.NaN;
}

export function copyFlags(target: Uint8Array, column: FlagColumn, from: number, count: number): void {
  if (typeof column === "boolean") target.fill(column ? 1 : 0, 0, count);
  else if (column instanceof Uint8Array) target.set(column.subarray(from, from + count));
  else for (let i = 0; i < count; i++) target[i] = column[from + i] ? 1 : 0;
}

/** Rows [from, from + count) of a column as a kernel input, copied straight into the arena. */
export function columnInput(column: Column, from: number, count: number): FilledInput {
  return {
    length: count,
    copyInto(view) {
      if (view instanceof Float64Array) copyRows(view, column, from, count);
    },
  };
}

/** Rows [from, from + count) of a flag column as a kernel input (u8). */
export function flagInput(column: FlagColumn, from: number, count: number): FilledInput {
  return {
    length: count,
    copyInto(view) {
      if (view instanceof Uint8Array) copyFlags(view, column, from, count);
    },
  };
}
