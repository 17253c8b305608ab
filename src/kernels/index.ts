/**
 * The kernel façade: `createKernels({ engine: "wasm" | "ts" })` returns one object with every numeric kernel
 * family of trademl, on the WebAssembly build (default) or on the pure-TypeScript reference engine (same
 * signatures; the test oracle and the fallback).
 *
 * Adding a kernel family is a one-line change here: a family is a function of the KernelContext returning its
 * methods, spread into the result, and its type is intersected into `Kernels`. For example the SVI family:
 *
 *     export type Kernels = KernelsCore & OptionFamily & SviFamily & LearnFamily & HedgeFamily;
 *     ...
 *     return { ...core, ...optionFamily(options), ...sviFamily(ctx) };
 *
 * A family that needs WebAssembly reads `ctx.module` (undefined on the "ts" engine) and looks its exports up
 * with `requireFunction`; it owns its own Arena (one arena per job, DESIGN "Kernel ABI").
 */
import { createTsEngine } from "./ts/engine.ts";
import { loadKernelModule, type KernelBuild, type KernelModule, type KernelSource } from "./load.ts";
import { optionFamily, type OptionFamily } from "./options.ts";
import { sviFamily, type SviFamily } from "./svi/index.ts";
import { learnFamily, type LearnFamily } from "./learn/index.ts";
import { hedgeFamily, type HedgeFamily } from "./hedge/index.ts";
import { createWasmEngine } from "./wasm-engine.ts";
import { createKernelPool } from "./parallel.ts";
import type { BsmBatch, BsmResult, IvBatch, IvResult } from "./types.ts";

export type EngineName = "wasm" | "ts";

export interface CreateKernelsOptions {
  /** "wasm" (default): build/release.wasm; "ts": the pure-TypeScript reference engine. */
  readonly engine?: EngineName;
  /** Which WebAssembly build (default release), or an explicit source. Ignored by the "ts" engine. */
  readonly build?: KernelBuild;
  readonly source?: KernelSource;
  /** Worker threads for `bsmParallel` / `impliedVolParallel` (default: available parallelism; wasm engine only). */
  readonly workers?: number;
  /** Rows below which the parallel methods run in the calling thread (default DEFAULT_PARALLEL_THRESHOLD). */
  readonly parallelThreshold?: number;
}

/** What every family receives. */
export interface KernelContext {
  readonly engine: EngineName;
  /** The instantiated module on the "wasm" engine; undefined on "ts". */
  readonly module: KernelModule | undefined;
}

export interface KernelsCore {
  readonly engine: EngineName;
  /** The loaded module (wasm engine only), for families and diagnostics. */
  readonly module: KernelModule | undefined;
  /** `bsm` split over worker threads above the parallel threshold (in-thread below it, and on the ts engine). */
  bsmParallel(batch: BsmBatch): Promise<BsmResult>;
  /** `impliedVol` split over worker threads above the parallel threshold. */
  impliedVolParallel(batch: IvBatch): Promise<IvResult>;
  /** Stops the worker threads, if any were started. */
  close(): Promise<void>;
}

export type Kernels = KernelsCore & OptionFamily & SviFamily & LearnFamily & HedgeFamily;

export async function createKernels(options: CreateKernelsOptions = {}): Promise<Kernels> {
  const engine = options.engine ?? "wasm";
  const module = engine === "wasm" ? await loadKernelModule(options.source ?? { build: options.build ?? "release" }) : undefined;
  const ctx: KernelContext = { engine, module };
  const optionEngine = ctx.module === undefined ? createTsEngine() : createWasmEngine(ctx.module);
  const poolOptions = {
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.parallelThreshold === undefined ? {} : { threshold: options.parallelThreshold }),
  };
  const pool = ctx.module === undefined ? undefined : createKernelPool(ctx.module, optionEngine, poolOptions);
  const core: KernelsCore = {
    engine,
    module,
    bsmParallel: async (batch) => (pool ? pool.bsm(batch) : optionEngine.bsm(batch)),
    impliedVolParallel: async (batch) => (pool ? pool.impliedVol(batch) : optionEngine.impliedVol(batch)),
    close: async () => pool?.close(),
  };
  return { ...core, ...optionFamily(optionEngine), ...sviFamily(ctx), ...learnFamily(ctx), ...hedgeFamily(ctx) };
}

export { createTsEngine } from "./ts/engine.ts";
export { createWasmEngine } from "./wasm-engine.ts";
export { createKernelPool, DEFAULT_PARALLEL_THRESHOLD, type KernelPool, type KernelPoolOptions } from "./parallel.ts";
export * from "./types.ts";
