/**
 * A running set of kernels, whichever build it came from: the WebAssembly module (load.ts) or the TS engine's
 * JavaScript build of the portable kernels (ts-instance.ts). Both have the same exports with the same positional
 * arguments (the ABI descriptor, abi/), a linear memory and an arena in it, so one host code drives either.
 */
export type EngineName = "wasm" | "ts";

export interface KernelInstance {
  readonly engine: EngineName;
  /** The linear memory pointers index into: a WebAssembly.Memory, or the TS engine's ArrayBuffer holder. */
  readonly memory: { readonly buffer: ArrayBuffer };
  /** Every export by name; hosts reach kernels through the ABI descriptor (abi/index.ts), not by name. */
  readonly raw: Readonly<Record<string, unknown>>;
}
