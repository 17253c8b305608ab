/**
 * Linear-memory access for the portable kernels. In WebAssembly a pointer is an address in the module's memory;
 * in the JavaScript build it is a byte offset into the TS engine's memory (an ArrayBuffer managed by
 * src/kernels/js-memory.ts, with the same arena discipline as the module's). Kernels index buffers by element:
 * `loadF64(ptr, i)` is the i-th double of the buffer at `ptr`. Every buffer is 16-byte aligned (the arena's
 * alignment), so element offsets are aligned too.
 */
import { IN_WASM } from "./target.ts";

// The JavaScript build's views of its memory; null until js-memory.ts attaches one (and always null in
// WebAssembly, where nothing reads them and the optimiser drops them).
let jsF64: Float64Array | null = null;
let jsI32: Int32Array | null = null;
let jsU8: Uint8Array | null = null;

/** JavaScript build only: makes `buffer` the kernels' memory (src/kernels/js-memory.ts, after each growth). */
export function attachJsMemory(buffer: ArrayBuffer): void {
  jsF64 = new Float64Array(buffer);
  jsI32 = new Int32Array(buffer);
  jsU8 = new Uint8Array(buffer);
}

/**
 * What WebAssembly would trap on: a kernel bug, never a data condition. (The checks below are statements, not
 * conditional expressions: V8 optimises that form about twice as well in the kernels' inner loops.)
 */
function outOfBounds(ptr: usize, i: i32): never {
  throw new RangeError(`kernel memory access out of bounds (pointer ${ptr}, element ${i})`);
}

// @inline
export function loadF64(ptr: usize, i: i32): f64 {
  if (IN_WASM) return load<f64>(ptr + ((i as usize) << 3));
  const view = jsF64;
  if (view === null) return outOfBounds(ptr, i);
  const v = view[(ptr >>> 3) + i];
  if (v === undefined) return outOfBounds(ptr, i);
  return v;
}

// @inline
export function storeF64(ptr: usize, i: i32, value: f64): void {
  if (IN_WASM) {
    store<f64>(ptr + ((i as usize) << 3), value);
    return;
  }
  const view = jsF64;
  if (view === null) return outOfBounds(ptr, i);
  const at = (ptr >>> 3) + i;
  if (at >= view.length) return outOfBounds(ptr, i);
  view[at] = value;
}

// @inline
export function loadI32(ptr: usize, i: i32): i32 {
  if (IN_WASM) return load<i32>(ptr + ((i as usize) << 2));
  const view = jsI32;
  if (view === null) return outOfBounds(ptr, i);
  const v = view[(ptr >>> 2) + i];
  if (v === undefined) return outOfBounds(ptr, i);
  return v;
}

// @inline
export function storeI32(ptr: usize, i: i32, value: i32): void {
  if (IN_WASM) {
    store<i32>(ptr + ((i as usize) << 2), value);
    return;
  }
  const view = jsI32;
  if (view === null) return outOfBounds(ptr, i);
  const at = (ptr >>> 2) + i;
  if (at >= view.length) return outOfBounds(ptr, i);
  view[at] = value;
}

// @inline
export function loadU8(ptr: usize, i: i32): i32 {
  if (IN_WASM) return load<u8>(ptr + (i as usize)) as i32;
  const view = jsU8;
  if (view === null) return outOfBounds(ptr, i);
  const v = view[ptr + i];
  if (v === undefined) return outOfBounds(ptr, i);
  return v;
}

/** The address `n` doubles past `ptr` (for carving one buffer into several). */
// @inline
export function offsetF64(ptr: usize, n: i32): usize {
  if (IN_WASM) return ptr + ((n as usize) << 3);
  return ptr + n * 8;
}

/** Element i of a static table (a StaticArray literal): a data-segment load in WebAssembly, an array read in JS. */
// @inline
export function tableF64(table: StaticArray<f64>, i: i32): f64 {
  if (IN_WASM) return load<f64>(changetype<usize>(table) + ((i as usize) << 3));
  const v = table[i];
  if (v === undefined) return outOfBounds(0, i);
  return v;
}
