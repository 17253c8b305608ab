/**
 * Runs a planned hedge (plan.ts) on the WebAssembly kernel (assembly/hedge/).
 *
 * Paths go in chunks sized to an arena budget: per chunk, reset the arena, allocate the parameter block, the
 * column tables, the chunk's slices of every input column, the output columns and the scratch, only then create
 * views (DESIGN, "Kernel ABI": memory growth detaches earlier views), copy in, make one kernel call, copy out.
 * Columns shared by every path (a book, a time grid, scalars) are copied whole into every chunk with path stride 0.
 * The kernel's results do not depend on the chunking: each path is computed on its own.
 */
import { DataError, KernelError, UsageError } from "../../domain/errors.ts";
import { bindExport, HEDGE_LAYOUT_DIGEST, HEDGE_RUN, HEDGE_SCRATCH_BYTES, statusName } from "../abi/index.ts";
import { Arena } from "../arena.ts";
import { copyRows } from "../columns.ts";
import type { KernelInstance } from "../instance.ts";
import {
  HEDGE_STATUS, HEDGE_STATUS_NAMES, IN, IN_COLUMNS, IN_SLOTS, layoutDigest, PARAM_SLOTS, PATH_OUT, PATH_OUT_SLOTS, SLOT, STEP_OUT,
  STEP_OUT_SLOTS,
} from "./layout.ts";
import { perPathLength, type HedgePlan, type PlannedLegSeries, type PlannedSeries, type SeriesKind } from "./plan.ts";
import type { HedgePathTotals, HedgeResult, HedgeStepColumns } from "./types.ts";

/** Arena bytes a chunk of paths may use (the module's memory grows to about this once and is reused). */
const CHUNK_BUDGET_BYTES = 32 * 2 ** 20;

const STEP_F64 = ["pnl", "delta", "gamma", "vega", "theta", "financing", "borrow", "stockCost", "optionCost", "residual",
  "hedge", "cash", "bookValue", "bookDelta"] as const satisfies readonly (keyof typeof STEP_OUT)[];
const PATH_F64 = ["pnl", "delta", "gamma", "vega", "theta", "financing", "borrow", "stockCost", "optionCost", "residual",
  "sharesTraded", "notionalTraded"] as const satisfies readonly (keyof typeof PATH_OUT)[];
const PATH_I32 = ["rebalances", "status", "failedStep"] as const satisfies readonly (keyof typeof PATH_OUT)[];

export interface HedgeEngine {
  /** `params`: the PARAM_SLOTS block (layout.ts PARAM). */
  run(plan: HedgePlan, params: Float64Array, withSteps: boolean, out?: HedgeResult): HedgeResult;
}

/** A column of one chunk: where its slice of the caller's values goes, and the strides the kernel reads it with. */
interface Staged {
  readonly column: number;
  readonly ptr: number;
  readonly pathStride: number;
  readonly stepStride: number;
  readonly legStride: number;
  copyIn(): void;
}

/** The chunk's slice [from, from + count) of a series of `kind`, and its strides. */
function slice(kind: SeriesKind, p0: number, paths: number, steps: number) {
  switch (kind) {
    case "scalar": return { from: 0, count: 1, pathStride: 0, stepStride: 0 };
    case "step": return { from: 0, count: steps, pathStride: 0, stepStride: 1 };
    case "path": return { from: p0, count: paths, pathStride: 1, stepStride: 0 };
    case "pathStep": return { from: p0 * steps, count: paths * steps, pathStride: steps, stepStride: 1 };
  }
}

/** Fails on a status code the ABI does not define (a kernel bug, or a build older than the host). */
function checkStatuses(codes: Int32Array): void {
  for (const code of codes) if (code < 0 || code >= HEDGE_STATUS_NAMES.length) statusName(HEDGE_STATUS_NAMES, code, HEDGE_RUN.name);
}

function emptyResult(plan: HedgePlan, withSteps: boolean, out: HedgeResult | undefined): { perStep: HedgeStepColumns | undefined; totals: HedgePathTotals } {
  if (out !== undefined) {
    if (out.paths !== plan.paths || out.steps !== plan.steps || (out.perStep !== undefined) !== withSteps) {
      throw new DataError("batch_shape_mismatch", `hedge: the reused result is ${out.paths} paths x ${out.steps} steps${out.perStep ? "" : " (totals only)"}, the call ${plan.paths} x ${plan.steps}${withSteps ? "" : " (totals only)"}`);
    }
    return { perStep: out.perStep, totals: out.totals };
  }
  const n = plan.paths * plan.steps;
  const f = () => new Float64Array(n);
  const perStep: HedgeStepColumns | undefined = withSteps
    ? {
      pnl: f(), delta: f(), gamma: f(), vega: f(), theta: f(), financing: f(), borrow: f(), stockCost: f(),
      optionCost: f(), residual: f(), hedge: f(), cash: f(), bookValue: f(), bookDelta: f(), status: new Int32Array(n),
    }
    : undefined;
  const g = () => new Float64Array(plan.paths);
  const i = () => new Int32Array(plan.paths);
  const totals: HedgePathTotals = {
    pnl: g(), delta: g(), gamma: g(), vega: g(), theta: g(), financing: g(), borrow: g(), stockCost: g(), optionCost: g(),
    residual: g(), sharesTraded: g(), notionalTraded: g(), rebalances: i(), status: i(), failedStep: i(),
  };
  return { perStep, totals };
}

/** Arena bytes one more path of a chunk costs. */
function bytesPerPath(plan: HedgePlan, withSteps: boolean): number {
  const { steps, legs } = plan;
  const series = [plan.spot, plan.time, plan.rate, plan.div, plan.borrow].filter((s) => s !== undefined);
  const legSeries = [plan.vol, plan.mark, plan.halfSpread].filter((s) => s !== undefined);
  let values = 0;
  for (const s of series) values += perPathLength(s.kind, steps);
  for (const s of legSeries) values += legs * perPathLength(s.kind, steps);
  const book = plan.book.perPath ? legs * (5 * 8 + 3 * 4) : 0;
  const outputs = (withSteps ? steps * (STEP_F64.length * 8 + 4) : 0) + PATH_F64.length * 8 + PATH_I32.length * 4;
  return values * 8 + book + outputs;
}

export function createWasmHedgeEngine(instance: KernelInstance): HedgeEngine {
  const digest = bindExport(instance, HEDGE_LAYOUT_DIGEST)({});
  if (digest !== layoutDigest()) {
    throw new KernelError("kernel_abi_mismatch", "the hedging kernel's buffer layout does not match the host's; rebuild with `npm run build`");
  }
  const hedgeRun = bindExport(instance, HEDGE_RUN);
  const hedgeScratchBytes = bindExport(instance, HEDGE_SCRATCH_BYTES);
  const arena = new Arena(instance);

  function stageBookF64(column: number, values: ArrayLike<number>, plan: HedgePlan, p0: number, count: number): Staged {
    const n = plan.book.perPath ? count * plan.legs : plan.legs;
    const from = plan.book.perPath ? p0 * plan.legs : 0;
    const ptr = arena.alloc(n, 8);
    return {
      column, ptr, pathStride: plan.book.perPath ? plan.legs : 0, stepStride: 0, legStride: 1,
      copyIn: () => copyRows(arena.f64(ptr, n), values, from, n),
    };
  }

  function stageBookI32(column: number, values: ArrayLike<boolean | number>, plan: HedgePlan, p0: number, count: number): Staged {
    const n = plan.book.perPath ? count * plan.legs : plan.legs;
    const from = plan.book.perPath ? p0 * plan.legs : 0;
    const ptr = arena.alloc(n, 4);
    return {
      column, ptr, pathStride: plan.book.perPath ? plan.legs : 0, stepStride: 0, legStride: 1,
      copyIn: () => {
        const view = arena.i32(ptr, n);
        for (let i = 0; i < n; i++) {
          const v = values[from + i];
          view[i] = typeof v === "boolean" ? (v ? 1 : 0) : (v ?? 0);
        }
      },
    };
  }

  function stageSeries(column: number, series: PlannedSeries, plan: HedgePlan, p0: number, count: number): Staged {
    const s = slice(series.kind, p0, count, plan.steps);
    const ptr = arena.alloc(s.count, 8);
    return {
      column, ptr, pathStride: s.pathStride, stepStride: s.stepStride, legStride: 0,
      copyIn: () => copyRows(arena.f64(ptr, s.count), series.values, s.from, s.count),
    };
  }

  function stageLegSeries(column: number, series: PlannedLegSeries, plan: HedgePlan, p0: number, count: number): Staged {
    const s = slice(series.kind, p0, count, plan.steps);
    const ptr = arena.alloc(s.count * plan.legs, 8);
    return {
      column, ptr, pathStride: s.pathStride, stepStride: s.stepStride, legStride: s.count,
      copyIn: () => {
        const view = arena.f64(ptr, s.count * plan.legs);
        series.legs.forEach((values, l) => copyRows(view.subarray(l * s.count, (l + 1) * s.count), values, s.from, s.count));
      },
    };
  }

  return {
    run(plan, params, withSteps, out) {
      const { paths, steps, legs } = plan;
      const scratchBytes = hedgeScratchBytes({ nLegs: legs });
      if (scratchBytes < 0) throw new UsageError("hedge_too_many_legs", `hedge: ${legs} legs per book is more than the kernel takes`);
      const { perStep, totals } = emptyResult(plan, withSteps, out);
      const chunk = Math.max(1, Math.floor(CHUNK_BUDGET_BYTES / bytesPerPath(plan, withSteps)));
      let failed = 0;
      for (let p0 = 0; p0 < paths; p0 += chunk) {
        const count = Math.min(chunk, paths - p0);
        arena.reset();
        const paramsPtr = arena.alloc(PARAM_SLOTS, 8);
        const tablePtr = arena.alloc(IN_COLUMNS * IN_SLOTS, 4);
        const stepTablePtr = arena.alloc(STEP_OUT_SLOTS, 4);
        const pathTablePtr = arena.alloc(PATH_OUT_SLOTS, 4);
        const { book } = plan;
        const staged: Staged[] = [
          stageBookF64(IN.strike, book.strike, plan, p0, count),
          stageBookF64(IN.expiry, book.expiry, plan, p0, count),
          stageBookI32(IN.isCall, book.isCall, plan, p0, count),
          stageBookF64(IN.quantity, book.quantity, plan, p0, count),
          stageSeries(IN.spot, plan.spot, plan, p0, count),
          stageSeries(IN.time, plan.time, plan, p0, count),
          stageSeries(IN.rate, plan.rate, plan, p0, count),
          stageSeries(IN.div, plan.div, plan, p0, count),
          stageLegSeries(IN.vol, plan.vol, plan, p0, count),
        ];
        if (book.entryPrice) staged.push(stageBookF64(IN.entryPrice, book.entryPrice, plan, p0, count));
        if (book.entryStep) staged.push(stageBookI32(IN.entryStep, book.entryStep, plan, p0, count));
        if (book.exitStep) staged.push(stageBookI32(IN.exitStep, book.exitStep, plan, p0, count));
        if (plan.borrow) staged.push(stageSeries(IN.borrow, plan.borrow, plan, p0, count));
        if (plan.mark) staged.push(stageLegSeries(IN.mark, plan.mark, plan, p0, count));
        if (plan.halfSpread) staged.push(stageLegSeries(IN.halfSpread, plan.halfSpread, plan, p0, count));
        const n = count * steps;
        const stepPtrs = withSteps ? STEP_F64.map(() => arena.alloc(n, 8)) : [];
        const stepStatusPtr = withSteps ? arena.alloc(n, 4) : 0;
        const pathF64Ptrs = PATH_F64.map(() => arena.alloc(count, 8));
        const pathI32Ptrs = PATH_I32.map(() => arena.alloc(count, 4));
        const scratchPtr = arena.alloc(scratchBytes, 1);

        arena.f64(paramsPtr, PARAM_SLOTS).set(params);
        const table = arena.i32(tablePtr, IN_COLUMNS * IN_SLOTS);
        table.fill(0);
        for (const s of staged) {
          const at = s.column * IN_SLOTS;
          table[at + SLOT.ptr] = s.ptr;
          table[at + SLOT.path] = s.pathStride;
          table[at + SLOT.step] = s.stepStride;
          table[at + SLOT.leg] = s.legStride;
          s.copyIn();
        }
        const stepTable = arena.i32(stepTablePtr, STEP_OUT_SLOTS);
        stepTable.fill(0);
        STEP_F64.forEach((name, j) => (stepTable[STEP_OUT[name]] = stepPtrs[j] ?? 0));
        stepTable[STEP_OUT.status] = stepStatusPtr;
        const pathTable = arena.i32(pathTablePtr, PATH_OUT_SLOTS);
        PATH_F64.forEach((name, j) => (pathTable[PATH_OUT[name]] = pathF64Ptrs[j] ?? 0));
        PATH_I32.forEach((name, j) => (pathTable[PATH_OUT[name]] = pathI32Ptrs[j] ?? 0));

        const rc = hedgeRun({
          nPaths: count, nSteps: steps, nLegs: legs, params: paramsPtr, inputs: tablePtr, stepOut: withSteps ? stepTablePtr : 0,
          pathOut: pathTablePtr, scratch: scratchPtr,
        });
        if (rc < 0) throw new KernelError("kernel_hedge_refused", `hedgeRun refused the call (code ${rc}): a façade check is missing`);
        failed += rc;

        if (perStep !== undefined) {
          STEP_F64.forEach((name, j) => perStep[name].set(arena.f64(stepPtrs[j] ?? 0, n), p0 * steps));
          const stepStatus = arena.i32(stepStatusPtr, n);
          checkStatuses(stepStatus);
          perStep.status.set(stepStatus, p0 * steps);
        }
        checkStatuses(arena.i32(pathI32Ptrs[PATH_I32.indexOf("status")] ?? 0, count));
        PATH_F64.forEach((name, j) => totals[name].set(arena.f64(pathF64Ptrs[j] ?? 0, count), p0));
        PATH_I32.forEach((name, j) => totals[name].set(arena.i32(pathI32Ptrs[j] ?? 0, count), p0));
      }
      const carried = totals.status.reduce((c, s) => c + (s === HEDGE_STATUS.carried ? 1 : 0), 0);
      return { paths, steps, legs, perStep, totals, failed, carried };
    },
  };
}
