/**
 * The shape of the kernel ABI descriptor (DESIGN, "Kernel ABI"): every export of the kernels with its positional
 * parameters. A parameter is a scalar (i32 counts and flags, f64 values) or a buffer: a pointer into the
 * instance's memory with an element type, a role (read, written, or scratch the kernel may overwrite) and a
 * length rule. Hosts never spell positions out: they name arguments, and abi/bind.ts and abi/run.ts put them in
 * order.
 */
export type ScalarKind = "i32" | "f64";
export type ElementType = "f64" | "i32" | "u8";
export type BufferRole = "in" | "out" | "scratch";

/**
 * The sizes a length rule may use: every i32 scalar of the call by name, and every input buffer's length by the
 * buffer's name.
 */
export type CallSizes = Readonly<Record<string, number>>;

export interface ScalarParam {
  readonly name: string;
  readonly kind: ScalarKind;
}

export interface BufferParam {
  readonly name: string;
  readonly kind: "buffer";
  readonly element: ElementType;
  readonly role: BufferRole;
  /**
   * Elements the kernel reads or writes, from the call's sizes; undefined where only another export can say
   * (a scratch size a kernel computes): such a buffer is the caller's to size, and runExport refuses it.
   */
  readonly length: ((sizes: CallSizes) => number) | undefined;
  /** A buffer the caller may leave out by passing pointer 0 (an output it does not want, an input with a default). */
  readonly optional?: boolean;
}

export type AbiParam = ScalarParam | BufferParam;

export type Build = "wasm" | "ts";

export interface AbiExport {
  readonly name: string;
  /** The kernel family (a folder of assembly/ or src/kernels/portable/). */
  readonly family: string;
  /** One line for docs and error messages. */
  readonly summary: string;
  readonly params: readonly AbiParam[];
  readonly result: "void" | ScalarKind;
  /** The builds that export it: both, unless it is AssemblyScript-only ("wasm"). */
  readonly builds: readonly Build[];
  /**
   * Names of the status codes the export writes to its buffer named `status` (or returns, for a status getter),
   * by code. A code outside this list is a kernel bug and fails loudly (statusName in abi/index.ts).
   */
  readonly statuses?: readonly string[];
}

export const BOTH_BUILDS: readonly Build[] = ["wasm", "ts"];

/** An export's descriptor (both builds unless `builds` says otherwise). */
export function kernelExport(
  family: string, name: string, summary: string, params: readonly AbiParam[], result: AbiExport["result"],
  more: { readonly builds?: readonly Build[]; readonly statuses?: readonly string[] } = {},
): AbiExport {
  const builds = more.builds ?? BOTH_BUILDS;
  return more.statuses === undefined
    ? { name, family, summary, params, result, builds }
    : { name, family, summary, params, result, builds, statuses: more.statuses };
}

export function i32(name: string): ScalarParam {
  return { name, kind: "i32" };
}

export function f64(name: string): ScalarParam {
  return { name, kind: "f64" };
}

export function input(
  name: string, element: ElementType, length: ((sizes: CallSizes) => number) | undefined, optional = false,
): BufferParam {
  return { name, kind: "buffer", element, role: "in", length, optional };
}

export function output(
  name: string, element: ElementType, length: ((sizes: CallSizes) => number) | undefined, optional = false,
): BufferParam {
  return { name, kind: "buffer", element, role: "out", length, optional };
}

export function scratch(name: string, element: ElementType, length: ((sizes: CallSizes) => number) | undefined): BufferParam {
  return { name, kind: "buffer", element, role: "scratch", length };
}

/** The size named `key` of a call; a length rule asking for one the call lacks is a descriptor bug. */
export function size(sizes: CallSizes, key: string): number {
  const value = sizes[key];
  if (value === undefined) throw new RangeError(`ABI length rule: the call has no size "${key}"`);
  return value;
}

/** A length rule: the value of size `key` (an i32 scalar or an input buffer's length), times `times`, plus `plus`. */
export function sized(key: string, times = 1, plus = 0): (sizes: CallSizes) => number {
  return (sizes) => size(sizes, key) * times + plus;
}

export const BYTES: Readonly<Record<ElementType, number>> = { f64: 8, i32: 4, u8: 1 };
