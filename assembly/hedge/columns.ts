// The input column table of hedgeRun, decoded once per call into a static block, and the strided reads. A column's
// element for (path p, step k, leg l) sits at pointer + (p*pathStride + k*stepStride + l*legStride) elements
// (layout.ts, "Input table"): one code path serves a book shared by every path, a time grid shared by every path,
// a per-path constant and full per-path series.
import { IN_COLUMNS, IN_SLOTS, S_LEG, S_PATH, S_PTR, S_STEP } from "./layout";

/** IN_COLUMNS descriptors of 16 bytes: pointer, path stride, step stride, leg stride. */
const COLUMNS: usize = memory.data(IN_COLUMNS * 16);

/**
 * Copies the caller's table into COLUMNS. Returns false when a stride is negative (a table the host cannot have
 * meant). Pointers are not checked here: the caller says which columns it requires (columnPresent).
 */
export function decodeColumns(table: usize): bool {
  for (let c = 0; c < IN_COLUMNS; c++) {
    const src = table + (<usize>(c * IN_SLOTS) << 2);
    const dst = COLUMNS + (<usize>c << 4);
    const ps = load<i32>(src, S_PATH << 2);
    const ks = load<i32>(src, S_STEP << 2);
    const ls = load<i32>(src, S_LEG << 2);
    if (ps < 0 || ks < 0 || ls < 0) return false;
    store<u32>(dst, load<u32>(src, S_PTR << 2));
    store<i32>(dst, ps, 4);
    store<i32>(dst, ks, 8);
    store<i32>(dst, ls, 12);
  }
  return true;
}

export function columnPresent(c: i32): bool {
  return load<u32>(COLUMNS + (<usize>c << 4)) != 0;
}

@inline function elementIndex(c: i32, p: i32, k: i32, l: i32): usize {
  const d = COLUMNS + (<usize>c << 4);
  return <usize>p * <usize>load<i32>(d, 4) + <usize>k * <usize>load<i32>(d, 8) + <usize>l * <usize>load<i32>(d, 12);
}

/** The f64 of column c at (p, k, l). */
@inline export function readF64(c: i32, p: i32, k: i32, l: i32): f64 {
  return load<f64>(<usize>load<u32>(COLUMNS + (<usize>c << 4)) + (elementIndex(c, p, k, l) << 3));
}

/** The i32 of column c at (p, k, l). */
@inline export function readI32(c: i32, p: i32, k: i32, l: i32): i32 {
  return load<i32>(<usize>load<u32>(COLUMNS + (<usize>c << 4)) + (elementIndex(c, p, k, l) << 2));
}
