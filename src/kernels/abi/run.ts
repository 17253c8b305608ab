/**
 * One call of a kernel export with its buffers staged in the instance's arena (DESIGN, "Kernel ABI"): reset the
 * arena, allocate every buffer the descriptor lists, only then make views (memory growth detaches views made
 * earlier) and copy the inputs in, call, and hand back views of the outputs. The kernels never allocate, so the
 * views stay valid until the arena's next reset.
 */
import { KernelError } from "../../domain/errors.ts";
import type { Arena } from "../arena.ts";
import type { KernelInstance } from "../instance.ts";
import { bindExport } from "./index.ts";
import type { AbiExport, BufferParam, CallSizes } from "./types.ts";

export type TypedBuffer = Float64Array | Int32Array | Uint8Array;

/** An input the caller fills itself, straight into the arena (no intermediate array): `length` elements. */
export interface FilledInput {
  readonly length: number;
  copyInto(view: TypedBuffer): void;
}

/**
 * Arguments by parameter name: a number for a scalar; for an input buffer its contents (a typed array or a
 * FilledInput); for an optional buffer, 0 to skip it. Outputs and scratch are allocated from the length rules. A
 * number for any other buffer is its length in elements: an input the caller fills in place through the staged
 * call's views (stageExport), or a buffer only the caller can size (a scratch size another export computes).
 */
export type CallArgs = Readonly<Record<string, number | TypedBuffer | FilledInput>>;

export interface ExportCall {
  readonly result: number;
  /** A buffer of the call as a view of instance memory (valid until the arena's next reset). */
  f64(name: string): Float64Array;
  i32(name: string): Int32Array;
}

/** A call laid out in the arena, inputs copied in, not yet made: fill in-place inputs through its views, then run. */
export interface StagedCall {
  f64(name: string): Float64Array;
  i32(name: string): Int32Array;
  /** Makes the call; the views stay valid (the kernels never allocate) until the arena's next reset. */
  run(): ExportCall;
}

function isBuffer(p: BufferParam | { kind: string }): p is BufferParam {
  return p.kind === "buffer";
}

function bufferLength(arg: number | TypedBuffer | FilledInput | undefined, exp: AbiExport, name: string): number {
  if (arg === undefined) throw new KernelError("kernel_internal", `${exp.name}: buffer "${name}" is missing`);
  const length = typeof arg === "number" ? arg : arg.length;
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new KernelError("kernel_internal", `${exp.name}: buffer "${name}" has the length ${length}`);
  }
  return length;
}

/** One call of `exp` with `args`: stage it, run it. */
export function runExport(instance: KernelInstance, arena: Arena, exp: AbiExport, args: CallArgs): ExportCall {
  return stageExport(instance, arena, exp, args).run();
}

export function stageExport(instance: KernelInstance, arena: Arena, exp: AbiExport, args: CallArgs): StagedCall {
  const sizes: Record<string, number> = {};
  for (const p of exp.params) {
    const arg = args[p.name];
    if (!isBuffer(p)) {
      if (typeof arg !== "number") throw new KernelError("kernel_internal", `${exp.name}: scalar "${p.name}" is missing`);
      if (p.kind === "i32") sizes[p.name] = arg;
    } else if (p.role === "in" && !(p.optional === true && arg === 0)) {
      sizes[p.name] = bufferLength(arg, exp, p.name);
    }
  }
  const frozen: CallSizes = sizes;
  arena.reset();
  const pointers: Record<string, number> = {};
  const buffers: { param: BufferParam; ptr: number; length: number }[] = [];
  for (const p of exp.params) {
    const arg = args[p.name];
    if (!isBuffer(p)) {
      pointers[p.name] = typeof arg === "number" ? arg : 0;
      continue;
    }
    if (p.optional === true && arg === 0) {
      pointers[p.name] = 0;
      continue;
    }
    const rule = p.length;
    if (p.role !== "in" && rule === undefined && typeof arg !== "number") {
      throw new KernelError("kernel_internal", `${exp.name}: buffer "${p.name}" is sized by the caller; pass its length`);
    }
    const length = p.role === "in" || rule === undefined ? bufferLength(arg, exp, p.name) : rule(frozen);
    const ptr = arena.alloc(length, p.element === "f64" ? 8 : p.element === "i32" ? 4 : 1);
    pointers[p.name] = ptr;
    buffers.push({ param: p, ptr, length });
  }
  // Views only now: every allocation above may have grown the memory and detached earlier views.
  const views = new Map<string, TypedBuffer>();
  for (const { param, ptr, length } of buffers) {
    const view = param.element === "f64" ? arena.f64(ptr, length) : param.element === "i32" ? arena.i32(ptr, length) : arena.u8(ptr, length);
    views.set(param.name, view);
    const arg = args[param.name];
    if (param.role !== "in" || arg === undefined || typeof arg === "number") continue;
    if (arg instanceof Float64Array || arg instanceof Int32Array || arg instanceof Uint8Array) {
      const target: { set(values: ArrayLike<number>): void } = view;
      target.set(arg);
    } else {
      arg.copyInto(view);
    }
  }
  function view<T extends TypedBuffer>(name: string, kind: new (...a: never[]) => T): T {
    const v = views.get(name);
    if (!(v instanceof kind)) throw new KernelError("kernel_internal", `${exp.name}: no ${kind.name} buffer "${name}" in this call`);
    return v;
  }
  const f64 = (name: string): Float64Array => view(name, Float64Array);
  const i32 = (name: string): Int32Array => view(name, Int32Array);
  const call = bindExport(instance, exp);
  return {
    f64, i32,
    run: () => ({ result: call(pointers), f64, i32 }),
  };
}
