/**
 * Host side of the kernel arena. A job resets the arena, allocates all its buffers, and only then creates
 * typed views: growing memory while allocating detaches views made earlier (DESIGN, "Kernel ABI"). Works on
 * either build's instance (instance.ts).
 */
import { KernelError } from "../domain/errors.ts";
import { ARENA_ALLOC, ARENA_RESET, bindExport } from "./abi/index.ts";
import type { KernelInstance } from "./instance.ts";

export class Arena {
  readonly #instance: KernelInstance;
  readonly #alloc: (args: Readonly<Record<string, number>>) => number;
  readonly #reset: (args: Readonly<Record<string, number>>) => number;
  #sealed = false;

  constructor(instance: KernelInstance) {
    this.#instance = instance;
    this.#alloc = bindExport(instance, ARENA_ALLOC);
    this.#reset = bindExport(instance, ARENA_RESET);
  }

  /** Starts a new job: every earlier pointer and view is invalid afterwards. */
  reset(): this {
    this.#reset({});
    this.#sealed = false;
    return this;
  }

  /** Reserves room for `count` elements of `bytesPerElement` bytes and returns the pointer (16-byte aligned). */
  alloc(count: number, bytesPerElement: number): number {
    if (this.#sealed) {
      throw new KernelError("kernel_arena_sealed", "arena: allocation after views were created; reset first");
    }
    const bytes = Math.max(0, Math.ceil(count)) * bytesPerElement;
    return this.#alloc({ bytes: Math.max(bytes, 16) });
  }

  f64(ptr: number, count: number): Float64Array {
    this.#sealed = true;
    return new Float64Array(this.#instance.memory.buffer, ptr, count);
  }

  i32(ptr: number, count: number): Int32Array {
    this.#sealed = true;
    return new Int32Array(this.#instance.memory.buffer, ptr, count);
  }

  u8(ptr: number, count: number): Uint8Array {
    this.#sealed = true;
    return new Uint8Array(this.#instance.memory.buffer, ptr, count);
  }
}
