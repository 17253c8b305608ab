/**
 * Splitting large option batches over worker threads (node:worker_threads; Deno implements the same module).
 *
 * Each worker instantiates the already-compiled WebAssembly.Module (posted to it, no second compile) with its own
 * memory and arena, and runs contiguous slices of the batch through the same batch exports the in-thread engine
 * uses, so results are bit-identical to `k.bsm` / `k.impliedVol`. The worker is a small plain-JS program
 * evaluated from a string: it needs no TypeScript loader and no file beside the package.
 *
 * Below `threshold` rows the batch runs in the calling thread: posting a slice to a worker and back costs tens
 * of microseconds, which only pays on large batches (bench/bsm.bench.ts measures the crossover; see
 * bench/RESULTS.md). Workers are created on first use and released with `close()`.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { KernelError } from "../domain/errors.ts";
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

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const instance = new WebAssembly.Instance(workerData.module, { env: { abort() { throw new Error("kernel abort"); } } });
const k = instance.exports;
if (typeof k._initialize === "function") k._initialize();
parentPort.on("message", (job) => {
  try {
    const n = job.n;
    k.arenaReset();
    const inPtrs = job.inputs.map(() => k.arenaAlloc(Math.max(n * 8, 16)));
    const callPtr = k.arenaAlloc(Math.max(n, 16));
    const outPtrs = [];
    for (let i = 0; i < job.outputs; i++) outPtrs.push(k.arenaAlloc(Math.max(n * 8, 16)));
    const statusPtr = k.arenaAlloc(Math.max(n * 4, 16));
    job.inputs.forEach((col, i) => new Float64Array(k.memory.buffer, inPtrs[i], n).set(col));
    new Uint8Array(k.memory.buffer, callPtr, n).set(job.isCall);
    const bad = k[job.fn](n, ...inPtrs, callPtr, ...outPtrs, statusPtr);
    const outputs = outPtrs.map((p) => new Float64Array(k.memory.buffer, p, n).slice());
    const status = new Int32Array(k.memory.buffer, statusPtr, n).slice();
    parentPort.postMessage({ id: job.id, bad, outputs, status }, [...outputs.map((o) => o.buffer), status.buffer]);
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String(error && error.message || error) });
  }
});
`;

interface JobReply {
  id: number;
  bad?: number;
  outputs?: Float64Array[];
  status?: Int32Array;
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

  function run(
    worker: Worker, fn: string, inputs: Float64Array<ArrayBuffer>[], isCall: Uint8Array<ArrayBuffer>, outputs: number,
  ): Promise<JobReply> {
    const id = nextId++;
    return new Promise<JobReply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, fn, n: isCall.length, inputs, isCall, outputs }, [...inputs.map((c) => c.buffer), isCall.buffer]);
    }).then((reply) => {
      if (reply.error !== undefined) throw new KernelError("kernel_worker_failed", `kernel worker: ${reply.error}`);
      return reply;
    });
  }

  /** Splits [0, n) into one contiguous slice per worker and runs them concurrently. */
  async function split(n: number, fn: string, columns: readonly Column[], flags: FlagColumn, outputs: number) {
    const pool = start();
    const per = Math.ceil(n / pool.length);
    const parts: { from: number; reply: Promise<JobReply> }[] = [];
    pool.forEach((worker, w) => {
      const from = w * per;
      const count = Math.min(per, n - from);
      if (count <= 0) return;
      const inputs = columns.map((c) => sliceColumn(c, from, count));
      parts.push({ from, reply: run(worker, fn, inputs, sliceFlags(flags, from, count), outputs) });
    });
    const outs = Array.from({ length: outputs }, () => new Float64Array(n));
    const status = new Int32Array(n);
    let bad = 0;
    for (const part of parts) {
      const reply = await part.reply;
      bad += reply.bad ?? 0;
      (reply.outputs ?? []).forEach((o, k) => outs[k]?.set(o, part.from));
      if (reply.status) status.set(reply.status, part.from);
    }
    return { outs, status, bad };
  }

  return {
    workers: size,
    threshold,
    async bsm(batch) {
      const n = batchLength(batch);
      if (n < threshold) return inline.bsm(batch);
      const { outs, status, bad } = await split(n, "bsmBatch",
        [batch.spot, batch.strike, batch.t, batch.rate, batch.div, batch.vol], batch.isCall, 9);
      const col = (k: number) => outs[k] ?? new Float64Array(n);
      return {
        length: n, price: col(0), delta: col(1), gamma: col(2), vega: col(3), theta: col(4), rho: col(5),
        vanna: col(6), volga: col(7), charm: col(8), status, invalid: bad,
      };
    },
    async impliedVol(batch) {
      const n = batchLength(batch);
      if (n < threshold) return inline.impliedVol(batch);
      const { outs, status, bad } = await split(n, "impliedVolBatch",
        [batch.price, batch.spot, batch.strike, batch.t, batch.rate, batch.div], batch.isCall, 1);
      return { length: n, vol: outs[0] ?? new Float64Array(n), status, failed: bad };
    },
    async close() {
      const all = workers ?? [];
      workers = undefined;
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
