/**
 * The kernel façade: `createKernels({ engine: "wasm" | "ts" })` returns one object with every numeric kernel
 * family of trademl, on the WebAssembly build (default) or on the TS engine (the same kernel sources compiled by
 * tsc, ts-instance.ts: the fallback and a second opinion in the tests).
 *
 * Adding a kernel family is a one-line change here: a family is a function of the KernelContext returning its
 * methods, spread into the result, and its type is intersected into `Kernels`. For example the SVI family:
 *
 *     export type Kernels = KernelsCore & OptionFamily & SviFamily & LearnFamily & HedgeFamily;
 *     ...
 *     return { ...core, ...optionFamily(options), ...sviFamily(ctx) };
 *
 * A family calls its exports on `ctx.instance` (the WebAssembly module, or the TS engine's build of the same
 * sources) through the ABI descriptor (abi/, with abi/run.ts staging each call in its own Arena: one arena per
 * job, DESIGN "Kernel ABI"). The whole recipe, kernel to façade: docs/kernels.md, "Adding a kernel family".
 */
import type { EngineName, KernelInstance } from "./instance.ts";
import { loadKernelModule, type KernelBuild, type KernelModule, type KernelSource } from "./load.ts";
import { optionFamily, type OptionFamily } from "./options.ts";
import { sviFamily, type SviFamily } from "./svi/index.ts";
import { learnFamily, type LearnFamily } from "./learn/index.ts";
import { createOptionEngine } from "./option-engine.ts";
import { hedgeFamily, type HedgeFamily } from "./hedge/index.ts";
import { createKernelPool } from "./parallel.ts";
import { tsKernelInstance } from "./ts-instance.ts";
import type { BsmBatch, BsmResult, IvBatch, IvResult } from "./types.ts";

export type { EngineName };

export interface CreateKernelsOptions {
  /** "wasm" (default): build/release.wasm; "ts": the same kernels compiled by tsc (ts-instance.ts). */
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
  /** The kernels the families call: the WebAssembly module, or the TS engine's instance. */
  readonly instance: KernelInstance;
  /** The instantiated module on the "wasm" engine (worker threads compile from it); undefined on "ts". */
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
  const ctx: KernelContext = { engine, module, instance: module ?? tsKernelInstance() };
  const optionEngine = createOptionEngine(ctx.instance);
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

export { createOptionEngine } from "./option-engine.ts";
export { tsKernelInstance } from "./ts-instance.ts";
export type { KernelInstance } from "./instance.ts";
export { createKernelPool, DEFAULT_PARALLEL_THRESHOLD, type KernelPool, type KernelPoolOptions } from "./parallel.ts";
export * from "./types.ts";
