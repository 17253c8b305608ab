/**
 * The 32-bit words of a double, as musl's math code reads them (GET_HIGH_WORD, SET_LOW_WORD). WebAssembly
 * reinterprets the bits in registers; JavaScript goes through an 8-byte DataView (big-endian by default, so byte 0
 * holds the high word on every platform).
 */
import { IN_WASM } from "../target.ts";

let jsWords: DataView | null = null;

function words(): DataView {
  let view = jsWords;
  if (view === null) {
    view = new DataView(new ArrayBuffer(8));
    jsWords = view;
  }
  return view;
}

/** The high 32 bits of x as a signed integer (sign, exponent and the top 20 bits of the significand). */
// @inline
export function highWord(x: f64): i32 {
  if (IN_WASM) return (reinterpret<u64>(x) >>> 32) as i32;
  const view = words();
  view.setFloat64(0, x);
  return view.getInt32(0);
}

/** x with its low 32 bits cleared: 21 significant bits, so its square is exact. */
// @inline
export function clearLowWord(x: f64): f64 {
  if (IN_WASM) return reinterpret<f64>(reinterpret<u64>(x) & 0xFFFFFFFF00000000);
  const view = words();
  view.setFloat64(0, x);
  view.setUint32(4, 0);
  return view.getFloat64(0);
}

/** x with its low 27 bits cleared: 26 significant bits, so its square is exact. */
// @inline
export function clearLow27Bits(x: f64): f64 {
  if (IN_WASM) return reinterpret<f64>(reinterpret<u64>(x) & 0xFFFFFFFFF8000000);
  const view = words();
  view.setFloat64(0, x);
  view.setUint32(4, view.getUint32(4) & 0xf8000000);
  return view.getFloat64(0);
}
