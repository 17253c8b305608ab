/**
 * Host side of the kernel arena. A job resets the arena, allocates all its buffers, and only then creates
 * typed views: growing memory while allocating detaches views made earlier (DESIGN, "Kernel ABI").
 */
import { KernelError } from "../domain/errors.ts";
import type { KernelModule } from "./load.ts";

export class Arena {
  readonly #module: KernelModule;
  #sealed = false;

  constructor(module: KernelModule) {
    this.#module = module;
  }

  /** Starts a new job: every earlier pointer and view is invalid afterwards. */
  reset(): this {
    this.#module.exports.arenaReset();
    this.#sealed = false;
    return this;
  }

  /** Reserves room for `count` elements of `bytesPerElement` bytes and returns the pointer (16-byte aligned). */
  alloc(count: number, bytesPerElement: number): number {
    if (this.#sealed) {
      throw new KernelError("kernel_arena_sealed", "arena: allocation after views were created; reset first");
    }
    const bytes = Math.max(0, Math.ceil(count)) * bytesPerElement;
    return this.#module.exports.arenaAlloc(Math.max(bytes, 16));
  }

  f64(ptr: number, count: number): Float64Array {
    this.#sealed = true;
    return new Float64Array(this.#module.exports.memory.buffer, ptr, count);
  }

  i32(ptr: number, count: number): Int32Array {
    this.#sealed = true;
    return new Int32Array(this.#module.exports.memory.buffer, ptr, count);
  }

  u8(ptr: number, count: number): Uint8Array {
    this.#sealed = true;
    return new Uint8Array(this.#module.exports.memory.buffer, ptr, count);
  }
}
