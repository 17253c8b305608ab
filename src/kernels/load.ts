/**
 * Loads the trademl WebAssembly module. The only code in trademl that instantiates WebAssembly.
 *
 * Sources: the build shipped beside the package (`build/release.wasm` or `build/debug.wasm`, read from a
 * file URL on Node and Deno), an explicit URL (file: URLs are read from disk, others fetched), or bytes.
 * The module imports nothing but `env.abort`; an abort becomes a KernelError with the kernel's message.
 */
import { readFile } from "node:fs/promises";
import { KernelError } from "../domain/errors.ts";
import { EXPECTED_ABI_VERSION } from "./abi/index.ts";
import type { KernelInstance } from "./instance.ts";

export type KernelBuild = "release" | "debug";

export type KernelSource =
  | { build?: KernelBuild }
  | { url: URL }
  | { bytes: ArrayBuffer | Uint8Array };

/** Exports every build has; kernel families add their own functions (see `requireFunction`). */
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  abiVersion(): number;
  arenaAlloc(bytes: number): number;
  arenaReset(): void;
}

/** The WebAssembly build's instance (instance.ts), with the compiled module for worker threads. */
export interface KernelModule extends KernelInstance {
  readonly engine: "wasm";
  readonly memory: WebAssembly.Memory;
  readonly build: KernelBuild | "custom";
  readonly exports: CoreExports;
  /** All raw exports, for kernel families to look up their functions. */
  readonly raw: WebAssembly.Exports;
  /** The compiled module, so worker threads can instantiate their own copy without compiling again. */
  readonly compiled: WebAssembly.Module;
}

export { EXPECTED_ABI_VERSION };

export function buildUrl(build: KernelBuild): URL {
  // src/kernels/load.ts and dist/kernels/load.js both sit two levels below the package root.
  return new URL(`../../build/${build}.wasm`, import.meta.url);
}

async function readSource(source: KernelSource): Promise<{ bytes: Uint8Array<ArrayBuffer>; build: KernelBuild | "custom" }> {
  if ("bytes" in source) {
    const bytes = new Uint8Array(source.bytes);
    return { bytes, build: "custom" };
  }
  const url = "url" in source ? source.url : buildUrl(source.build ?? "release");
  const build = "url" in source ? "custom" : (source.build ?? "release");
  try {
    if (url.protocol === "file:") return { bytes: new Uint8Array(await readFile(url)), build };
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return { bytes: new Uint8Array(await response.arrayBuffer()), build };
  } catch (cause) {
    const hint = url.protocol === "file:" ? " (run `npm run build` to compile the kernels)" : "";
    throw new KernelError("kernel_load_failed", `cannot read WebAssembly module ${url.href}${hint}`, { cause });
  }
}

/** Decodes an AssemblyScript string (UTF-16, byte length stored 4 bytes before the pointer). */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (ptr === 0) return "";
  const buffer = memory.buffer;
  if (ptr < 4 || ptr > buffer.byteLength) return "";
  const byteLength = new Uint32Array(buffer, ptr - 4, 1)[0] ?? 0;
  const units = new Uint16Array(buffer, ptr, Math.min(byteLength, buffer.byteLength - ptr) >>> 1);
  let out = "";
  for (let i = 0; i < units.length; i += 1024) out += String.fromCharCode(...units.subarray(i, i + 1024));
  return out;
}

function isFunction(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === "function";
}

export async function loadKernelModule(source: KernelSource = {}): Promise<KernelModule> {
  const { bytes, build } = await readSource(source);
  let memoryRef: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(msgPtr: number, filePtr: number, line: number, column: number): never {
        const memory = memoryRef;
        const msg = memory ? readAsString(memory, msgPtr) : "";
        const file = memory ? readAsString(memory, filePtr) : "";
        throw new KernelError("kernel_abort", `kernel aborted: ${msg || "(no message)"} at ${file}:${line}:${column}`);
      },
    },
  };
  let instance: WebAssembly.Instance;
  let compiled: WebAssembly.Module;
  try {
    compiled = await WebAssembly.compile(bytes);
    instance = await WebAssembly.instantiate(compiled, imports);
  } catch (cause) {
    throw new KernelError("kernel_instantiate_failed", "cannot instantiate the WebAssembly kernels", { cause });
  }
  const raw = instance.exports;
  const memory = raw["memory"];
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new KernelError("kernel_abi_mismatch", "the WebAssembly module exports no memory");
  }
  memoryRef = memory;
  const init = raw["_initialize"];
  if (isFunction(init)) init();
  const exports: CoreExports = {
    memory,
    abiVersion: requireFunction<() => number>(raw, "abiVersion"),
    arenaAlloc: requireFunction<(bytes: number) => number>(raw, "arenaAlloc"),
    arenaReset: requireFunction<() => void>(raw, "arenaReset"),
  };
  const abi = exports.abiVersion();
  if (abi !== EXPECTED_ABI_VERSION) {
    throw new KernelError(
      "kernel_abi_mismatch",
      `kernel ABI ${abi} does not match the host's ${EXPECTED_ABI_VERSION}; rebuild with \`npm run build\``,
    );
  }
  return { engine: "wasm", memory, build, exports, raw, compiled };
}

/** Looks up an exported kernel function, failing with a KernelError naming it when the build lacks it. */
export function requireFunction<F>(raw: WebAssembly.Exports, name: string): F {
  const fn = raw[name];
  if (!isFunction(fn)) {
    throw new KernelError("kernel_abi_mismatch", `the WebAssembly module has no export "${name}"; rebuild it`);
  }
  return fn as F;
}
