/**
 * The WebAssembly engine: the option kernels of build/*.wasm behind the typed OptionEngine interface.
 *
 * Each batch is processed in chunks of CHUNK_ROWS: reset the arena, allocate every input and output column of the
 * chunk, only then create the views (DESIGN, "Kernel ABI": memory growth detaches earlier views), copy the inputs
 * in, make one kernel call for the whole chunk, copy the outputs out. The kernel itself never allocates, so the
 * views stay valid across the call. Chunking bounds the module's memory whatever the batch size.
 */
import { KernelError } from "../domain/errors.ts";
import { Arena } from "./arena.ts";
import { batchLength, copyFlags, copyRows, outputFloat64, outputInt32 } from "./columns.ts";
import { requireFunction, type KernelModule } from "./load.ts";
import type { BsmBatch, BsmPrices, BsmResult, Column, FlagColumn, IvBatch, IvResult, OptionEngine } from "./types.ts";

/** Rows per kernel call: 16384 rows x 17 columns x 8 bytes is about 2.2 MB of arena. */
export const CHUNK_ROWS = 16384;

type BsmBatchFn = (
  n: number, spot: number, strike: number, t: number, rate: number, div: number, vol: number, isCall: number,
  price: number, delta: number, gamma: number, vega: number, theta: number, rho: number, vanna: number,
  volga: number, charm: number, status: number,
) => number;

type IvBatchFn = (
  n: number, price: number, spot: number, strike: number, t: number, rate: number, div: number, isCall: number,
  vol: number, status: number,
) => number;

const GREEKS = ["delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm"] as const;

/** One chunk's input columns in the arena: six f64 columns and the u8 is-call flags. */
interface StagedInputs {
  readonly ptrs: readonly number[];
  readonly isCallPtr: number;
  /** Copies rows [from, from + count) in; call only after the chunk's last allocation (views detach on growth). */
  copyIn(): void;
}

function stageInputs(
  arena: Arena, columns: readonly Column[], isCall: FlagColumn, from: number, count: number,
): StagedInputs {
  const ptrs = columns.map(() => arena.alloc(count, 8));
  const isCallPtr = arena.alloc(count, 1);
  return {
    ptrs,
    isCallPtr,
    copyIn() {
      columns.forEach((column, k) => copyRows(arena.f64(ptrs[k] ?? 0, count), column, from, count));
      copyFlags(arena.u8(isCallPtr, count), isCall, from, count);
    },
  };
}

export function createWasmEngine(module: KernelModule): OptionEngine {
  const bsmBatch = requireFunction<BsmBatchFn>(module.raw, "bsmBatch");
  const impliedVolBatch = requireFunction<IvBatchFn>(module.raw, "impliedVolBatch");
  const arena = new Arena(module);

  function runBsm(batch: BsmBatch, withGreeks: boolean, out: BsmResult | BsmPrices | undefined): BsmResult | BsmPrices {
    const n = batchLength(batch);
    const price = outputFloat64(n, out?.price, "price");
    const status = outputInt32(n, out?.status, "status");
    const reuse = out !== undefined && "delta" in out ? out : undefined;
    const greeks = withGreeks ? GREEKS.map((name) => outputFloat64(n, reuse?.[name], name)) : [];
    let invalid = 0;
    for (let from = 0; from < n; from += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, n - from);
      arena.reset();
      const inputs = stageInputs(arena, [batch.spot, batch.strike, batch.t, batch.rate, batch.div, batch.vol], batch.isCall, from, count);
      const pricePtr = arena.alloc(count, 8);
      const greekPtrs = GREEKS.map(() => (withGreeks ? arena.alloc(count, 8) : 0));
      const statusPtr = arena.alloc(count, 4);
      inputs.copyIn();
      const isCallPtr = inputs.isCallPtr;
      const [spot, strike, t, rate, div, vol] = inputs.ptrs;
      const [delta, gamma, vega, theta, rho, vanna, volga, charm] = greekPtrs;
      invalid += bsmBatch(count, spot ?? 0, strike ?? 0, t ?? 0, rate ?? 0, div ?? 0, vol ?? 0, isCallPtr, pricePtr,
        delta ?? 0, gamma ?? 0, vega ?? 0, theta ?? 0, rho ?? 0, vanna ?? 0, volga ?? 0, charm ?? 0, statusPtr);
      price.set(arena.f64(pricePtr, count), from);
      status.set(arena.i32(statusPtr, count), from);
      greeks.forEach((out, k) => out.set(arena.f64(greekPtrs[k] ?? 0, count), from));
    }
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
      let failed = 0;
      for (let from = 0; from < n; from += CHUNK_ROWS) {
        const count = Math.min(CHUNK_ROWS, n - from);
        arena.reset();
        const inputs = stageInputs(arena, [batch.price, batch.spot, batch.strike, batch.t, batch.rate, batch.div], batch.isCall, from, count);
        const volPtr = arena.alloc(count, 8);
        const statusPtr = arena.alloc(count, 4);
        inputs.copyIn();
        const isCallPtr = inputs.isCallPtr;
        const [price, spot, strike, t, rate, div] = inputs.ptrs;
        failed += impliedVolBatch(count, price ?? 0, spot ?? 0, strike ?? 0, t ?? 0, rate ?? 0, div ?? 0, isCallPtr,
          volPtr, statusPtr);
        vol.set(arena.f64(volPtr, count), from);
        status.set(arena.i32(statusPtr, count), from);
      }
      return { length: n, vol, status, failed };
    },
  };
}
