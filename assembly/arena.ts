// Arena allocation for the host. With `--runtime stub` the heap is a bump allocator: the host resets it at
// the start of a job, allocates every buffer the job needs, then creates typed views (memory growth during
// allocation detaches earlier views, so views are made only after the last allocation).

import { ABI_VERSION } from "../src/kernels/portable/abi-version.ts";

/** Kernel ABI version (src/kernels/portable/abi-version.ts). */
export function abiVersion(): i32 {
  return ABI_VERSION;
}

/** Allocates `bytes` bytes aligned to 16 (enough for f64 and v128) and returns the pointer. */
export function arenaAlloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Frees every arena allocation at once. Pointers handed out before are invalid afterwards. */
export function arenaReset(): void {
  heap.reset();
}
