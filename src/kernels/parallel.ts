/**
 * Splitting large option batches over worker threads (node:worker_threads; Deno implements the same module).
 *
 * Each worker instantiates the already-compiled WebAssembly.Module (posted to it, no second compile) with its own
 * memory and arena, and runs contiguous slices of the batch through the same batch exports the in-thread engine
 * uses, laid out by the ABI descriptor, so results are bit-identical to `k.bsm` / `k.impliedVol`. The worker is
 * a small plain-JS program evaluated from a string: it needs no TypeScript loader and no file beside the package.
 *
 * Below `threshold` rows the batch runs in the calling thread: posting a slice to a worker and back costs tens
 * of microseconds, which only pays on large batches (bench/bsm.bench.ts measures the crossover; see
 * bench/RESULTS.md). Workers are created on first use and released with `close()`.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { KernelError } from "../domain/errors.ts";
import { BSM_BATCH, IMPLIED_VOL_BATCH, type AbiExport, type BufferRole, type ElementType } from "./abi/index.ts";
import type { TypedBuffer } from "./abi/run.ts";
import { batchLength, copyFlags, copyRows } from "./columns.ts";
import type { KernelModule } from "./load.ts";
import type { BsmBatch, BsmResult, Column, FlagColumn, IvBatch, IvResult, OptionEngine } from "./types.ts";

/**
 * Rows below which a batch is not split. Measured with bench/bsm.bench.ts and bench/iv.bench.ts on the 2-core
 * EPYC build machine while it was shared with other jobs (bench/RESULTS.md, "kernels"): two workers lost to the
 * calling thread at every size up to 1,000,000 rows (0.5-0.7x), because the second core was never free. So by
 * default only batches of a million rows or more are split; on an idle multi-core host, measure with the same
 * benches and pass `parallelThreshold` to createKernels.
 */
export const DEFAULT_PARALLEL_THRESHOLD = 1_000_000;

// The worker is driven by the ABI descriptor (abi/): each job lists the export's parameters in order, scalars
// with their value and buffers with their element type, role, length and (for inputs) contents, so the worker
// needs to know nothing about any kernel.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const instance = new WebAssembly.Instance(workerData.module, { env: { abort() { throw new Error("kernel abort"); } } });
const k = instance.exports;
if (typeof k._initialize === "function") k._initialize();
const TYPES = { f64: Float64Array, i32: Int32Array, u8: Uint8Array };
parentPort.on("message", (job) => {
  try {
    k.arenaReset();
    const args = job.params.map((p) => (p.kind === "buffer" ? (p.skip ? 0 : k.arenaAlloc(Math.max(p.length * TYPES[p.element].BYTES_PER_ELEMENT, 16))) : p.value));
    job.params.forEach((p, i) => { if (p.data) new TYPES[p.element](k.memory.buffer, args[i], p.length).set(p.data); });
    const result = k[job.fn](...args);
    const outputs = {};
    job.params.forEach((p, i) => {
      if (p.kind === "buffer" && p.role === "out" && !p.skip) outputs[p.name] = new TYPES[p.element](k.memory.buffer, args[i], p.length).slice();
    });
    parentPort.postMessage({ id: job.id, result, outputs }, Object.values(outputs).map((o) => o.buffer));
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String(error && error.message || error) });
  }
});
`;

/** One parameter of a worker job, in the export's positional order. */
type JobParam =
  | { kind: "i32" | "f64"; name: string; value: number }
  | { kind: "buffer"; name: string; element: ElementType; role: BufferRole; length: number; skip: boolean; data?: TypedBuffer };

/** The job for rows [0, count) of a slice: every parameter of `exp`, inputs filled from `inputs` by name. */
function jobParams(exp: AbiExport, count: number, inputs: Readonly<Record<string, TypedBuffer>>, skip: ReadonlySet<string>): JobParam[] {
  const sizes: Record<string, number> = { n: count };
  for (const [name, data] of Object.entries(inputs)) sizes[name] = data.length;
  return exp.params.map((p): JobParam => {
    if (p.kind !== "buffer") return { kind: p.kind, name: p.name, value: sizes[p.name] ?? 0 };
    const data = inputs[p.name];
    const length = data?.length ?? p.length?.(sizes) ?? 0;
    const base = { kind: "buffer" as const, name: p.name, element: p.element, role: p.role, length, skip: skip.has(p.name) };
    return data === undefined ? base : { ...base, data };
  });
}

interface JobReply {
  id: number;
  result?: number;
  outputs?: Record<string, TypedBuffer>;
  error?: string;
}

interface Pending {
  resolve: (reply: JobReply) => void;
  reject: (error: unknown) => void;
}

export interface KernelPoolOptions {
  /** Worker count (default: available parallelism, at least 1). */
  readonly workers?: number;
  /** Rows below which batches run in the calling thread. */
  readonly threshold?: number;
}

export interface KernelPool {
  readonly workers: number;
  readonly threshold: number;
  bsm(batch: BsmBatch): Promise<BsmResult>;
  impliedVol(batch: IvBatch): Promise<IvResult>;
  close(): Promise<void>;
}

function sliceColumn(column: Column, from: number, count: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(count);
  copyRows(out, column, from, count);
  return out;
}

function sliceFlags(column: FlagColumn, from: number, count: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(count);
  copyFlags(out, column, from, count);
  return out;
}

/** A pool of kernel workers over `module`, falling back to `inline` (the in-thread engine) for small batches. */
export function createKernelPool(module: KernelModule, inline: OptionEngine, options: KernelPoolOptions = {}): KernelPool {
  const size = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
  const threshold = options.threshold ?? DEFAULT_PARALLEL_THRESHOLD;
  const compiled = module.compiled;
  let workers: Worker[] | undefined;
  const pending = new Map<number, Pending>();
  let nextId = 1;

  function start(): Worker[] {
    if (workers) return workers;
    workers = Array.from({ length: size }, () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: compiled } });
      worker.on("message", (reply: JobReply) => {
        const job = pending.get(reply.id);
        if (!job) return;
        pending.delete(reply.id);
        job.resolve(reply);
        if (pending.size === 0) for (const w of workers ?? []) w.unref();
      });
      worker.on("error", (error) => {
        for (const job of pending.values()) job.reject(new KernelError("kernel_worker_failed", "a kernel worker failed", { cause: error }));
        pending.clear();
      });
      worker.unref();
      return worker;
    });
    return workers;
  }

  function run(worker: Worker, exp: AbiExport, params: JobParam[]): Promise<JobReply> {
    const id = nextId++;
    const transfer = params.flatMap((p) => (p.kind === "buffer" && p.data?.buffer instanceof ArrayBuffer ? [p.data.buffer] : []));
    return new Promise<JobReply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, fn: exp.name, params }, transfer);
    }).then((reply) => {
      if (reply.error !== undefined) throw new KernelError("kernel_worker_failed", `kernel worker: ${reply.error}`);
      return reply;
    });
  }

  /**
   * Splits rows [0, n) into one contiguous slice per worker, runs `exp` on each, and joins the outputs named in
   * `outputs` (f64 columns, then the i32 status) back into full columns.
   */
  async function split(
    exp: AbiExport, n: number, columns: Readonly<Record<string, Column>>, isCall: FlagColumn, outputs: readonly string[],
  ) {
    const pool = start();
    const per = Math.ceil(n / pool.length);
    const skip = new Set(exp.params.filter((p) => p.kind === "buffer" && p.role === "out" && p.name !== "status" && !outputs.includes(p.name)).map((p) => p.name));
    const parts: { from: number; reply: Promise<JobReply> }[] = [];
    pool.forEach((worker, w) => {
      const from = w * per;
      const count = Math.min(per, n - from);
      if (count <= 0) return;
      const inputs: Record<string, TypedBuffer> = { isCall: sliceFlags(isCall, from, count) };
      for (const [name, column] of Object.entries(columns)) inputs[name] = sliceColumn(column, from, count);
      parts.push({ from, reply: run(worker, exp, jobParams(exp, count, inputs, skip)) });
    });
    const outs = new Map(outputs.map((name) => [name, new Float64Array(n)]));
    const status = new Int32Array(n);
    let bad = 0;
    for (const part of parts) {
      const reply = await part.reply;
      bad += reply.result ?? 0;
      for (const [name, column] of outs) {
        const got = reply.outputs?.[name];
        if (got instanceof Float64Array) column.set(got, part.from);
      }
      const got = reply.outputs?.["status"];
      if (got instanceof Int32Array) status.set(got, part.from);
    }
    const col = (name: string): Float64Array => outs.get(name) ?? new Float64Array(n);
    return { col, status, bad };
  }

  return {
    workers: size,
    threshold,
    async bsm(batch) {
      const n = batchLength(batch);
      if (n < threshold) return inline.bsm(batch);
      const { spot, strike, t, rate, div, vol } = batch;
      const { col, status, bad } = await split(BSM_BATCH, n, { spot, strike, t, rate, div, vol }, batch.isCall,
        ["price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm"]);
      return {
        length: n, price: col("price"), delta: col("delta"), gamma: col("gamma"), vega: col("vega"), theta: col("theta"),
        rho: col("rho"), vanna: col("vanna"), volga: col("volga"), charm: col("charm"), status, invalid: bad,
      };
    },
    async impliedVol(batch) {
      const n = batchLength(batch);
      if (n < threshold) return inline.impliedVol(batch);
      const { price, spot, strike, t, rate, div } = batch;
      const { col, status, bad } = await split(IMPLIED_VOL_BATCH, n, { price, spot, strike, t, rate, div }, batch.isCall, ["vol"]);
      return { length: n, vol: col("vol"), status, failed: bad };
    },
    async close() {
      const all = workers ?? [];
      workers = undefined;
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
