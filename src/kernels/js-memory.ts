/**
 * The linear memory of the TS engine: one ArrayBuffer that the portable kernels read and write through
 * portable/memory.ts, with the same bump arena as the WebAssembly module's (16-byte aligned, reset per job), so
 * pointers mean the same thing in both builds. Pointer 0 is never handed out: kernels read it as "not wanted".
 *
 * One memory per JavaScript realm, like the kernels' own module-level state (a WebAssembly instance has one of
 * each too); calls are synchronous, and every job resets the arena first.
 */
import { attachJsMemory } from "./portable/memory.ts";

const ALIGN = 16;
const INITIAL_BYTES = 1 << 16;

let buffer: ArrayBuffer | undefined;
let offset = ALIGN;

function current(): ArrayBuffer {
  if (buffer === undefined) {
    buffer = new ArrayBuffer(INITIAL_BYTES);
    attachJsMemory(buffer);
  }
  return buffer;
}

/** The memory's current buffer (replaced when an allocation grows it, like WebAssembly.Memory's). */
export const jsMemory: { readonly buffer: ArrayBuffer } = {
  get buffer(): ArrayBuffer {
    return current();
  },
};

/** Reserves `bytes` bytes aligned to 16 and returns the pointer; grows (copies) the memory when needed. */
export function jsArenaAlloc(bytes: number): number {
  const old = current();
  const ptr = offset;
  const end = ptr + Math.ceil(Math.max(bytes, 0) / ALIGN) * ALIGN;
  if (end > old.byteLength) {
    let size = old.byteLength;
    while (size < end) size *= 2;
    const grown = new ArrayBuffer(size);
    new Uint8Array(grown).set(new Uint8Array(old));
    buffer = grown;
    attachJsMemory(grown);
  }
  offset = end;
  return ptr;
}

/** Frees every allocation at once; earlier pointers are invalid afterwards. */
export function jsArenaReset(): void {
  offset = ALIGN;
}
