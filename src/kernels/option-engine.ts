/**
 * The option engine: BSM prices and Greeks and implied vols of whole batches, on either build's kernels
 * (instance.ts): the WebAssembly module, or the TS engine's JavaScript build of the same sources.
 *
 * Each batch is processed in chunks of CHUNK_ROWS, one kernel call per chunk staged by abi/run.ts (reset the
 * arena, allocate the chunk's columns, copy the inputs in, call, copy the outputs out). Chunking bounds the
 * instance's memory whatever the batch size.
 */
import { KernelError } from "../domain/errors.ts";
import { BSM_BATCH, IMPLIED_VOL_BATCH, type AbiExport } from "./abi/index.ts";
import { runExport, type CallArgs, type ExportCall, type FilledInput } from "./abi/run.ts";
import { Arena } from "./arena.ts";
import { batchLength, columnInput, flagInput, outputFloat64, outputInt32 } from "./columns.ts";
import type { KernelInstance } from "./instance.ts";
import type { BsmBatch, BsmPrices, BsmResult, Column, FlagColumn, IvBatch, IvResult, OptionEngine } from "./types.ts";

/** Rows per kernel call: 16384 rows x 17 columns x 8 bytes is about 2.2 MB of arena. */
export const CHUNK_ROWS = 16384;

const GREEKS = ["delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm"] as const;
const SKIP_GREEKS = Object.fromEntries(GREEKS.map((name) => [name, 0]));

export function createOptionEngine(instance: KernelInstance): OptionEngine {
  const arena = new Arena(instance);

  /**
   * Runs a batch export over rows [0, n) chunk by chunk: `columns` (by parameter name) and the is-call flags are
   * each chunk's inputs, `fixed` the other arguments; `collect` copies a chunk's outputs out. Returns the sum of
   * the kernel's results (its rows not ok).
   */
  function inChunks(
    exp: AbiExport, n: number, columns: Readonly<Record<string, Column>>, isCall: FlagColumn, fixed: CallArgs,
    collect: (call: ExportCall, from: number) => void,
  ): number {
    let notOk = 0;
    for (let from = 0; from < n; from += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, n - from);
      const inputs: Record<string, FilledInput> = { isCall: flagInput(isCall, from, count) };
      for (const [name, column] of Object.entries(columns)) inputs[name] = columnInput(column, from, count);
      const call = runExport(instance, arena, exp, { ...fixed, ...inputs, n: count });
      notOk += call.result;
      collect(call, from);
    }
    return notOk;
  }

  function runBsm(batch: BsmBatch, withGreeks: boolean, out: BsmResult | BsmPrices | undefined): BsmResult | BsmPrices {
    const n = batchLength(batch);
    const price = outputFloat64(n, out?.price, "price");
    const status = outputInt32(n, out?.status, "status");
    const reuse = out !== undefined && "delta" in out ? out : undefined;
    const greeks = withGreeks ? GREEKS.map((name) => outputFloat64(n, reuse?.[name], name)) : [];
    const { spot, strike, t, rate, div, vol } = batch;
    const invalid = inChunks(BSM_BATCH, n, { spot, strike, t, rate, div, vol }, batch.isCall, withGreeks ? {} : SKIP_GREEKS,
      (call, from) => {
        price.set(call.f64("price"), from);
        status.set(call.i32("status"), from);
        greeks.forEach((column, k) => column.set(call.f64(GREEKS[k] ?? "delta"), from));
      });
    if (!withGreeks) return { length: n, price, status, invalid };
    const [delta, gamma, vega, theta, rho, vanna, volga, charm] = greeks;
    const empty = new Float64Array(0);
    return {
      length: n, price, status, invalid, delta: delta ?? empty, gamma: gamma ?? empty, vega: vega ?? empty,
      theta: theta ?? empty, rho: rho ?? empty, vanna: vanna ?? empty, volga: volga ?? empty, charm: charm ?? empty,
    };
  }

  return {
    bsm(batch: BsmBatch, out?: BsmResult): BsmResult {
      const result = runBsm(batch, true, out);
      if (!("delta" in result)) throw new KernelError("kernel_internal", "the BSM kernel returned no Greeks");
      return result;
    },

    bsmPrice(batch: BsmBatch, out?: BsmPrices): BsmPrices {
      return runBsm(batch, false, out);
    },

    impliedVol(batch: IvBatch, out?: IvResult): IvResult {
      const n = batchLength(batch);
      const vol = outputFloat64(n, out?.vol, "vol");
      const status = outputInt32(n, out?.status, "status");
      const { price, spot, strike, t, rate, div } = batch;
      const failed = inChunks(IMPLIED_VOL_BATCH, n, { price, spot, strike, t, rate, div }, batch.isCall, {}, (call, from) => {
        vol.set(call.f64("vol"), from);
        status.set(call.i32("status"), from);
      });
      return { length: n, vol, status, failed };
    },
  };
}
