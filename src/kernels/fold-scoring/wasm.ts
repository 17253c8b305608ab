/**
 * The WebAssembly engine of fold scoring: one kernel call (`scoreFolds`, assembly/validate/fold-scoring.ts) per
 * batch. The arena pattern of src/kernels/wasm-engine.ts: reset, allocate every input, output and scratch buffer
 * of the job, only then make views (memory growth detaches earlier ones), copy in, call, copy out.
 *
 * `plan` exposes the views for callers that fill the inputs in place (a trainer writing predictions straight into
 * the module's memory, the benchmark's "kernel call only" row); `score` copies from ordinary arrays.
 */
import { KernelError } from "../../domain/errors.ts";
import { Arena } from "../arena.ts";
import { requireFunction, type KernelModule } from "../load.ts";
import { foldScoringShape, type FoldScoringShape } from "./shape.ts";
import { FOLD_SCORING_STATUS, type FoldScorer, type FoldScores, type FoldScoringInput } from "./types.ts";

type ScoreFoldsFn = (
  rows: number, names: number, dates: number, paths: number, quantiles: number, periodsPerYear: number,
  pred: number, outcome: number, rowDate: number, rowPath: number, scratch: number,
  ic: number, rankIc: number, longShort: number, hitRate: number, count: number,
  pathSharpe: number, pathMean: number, pathStd: number, pathCount: number,
) => number;

type ScratchBytesFn = (names: number, dates: number) => number;

/** A job laid out in the module's memory: fill the input views, then `run()`; the result views are the module's. */
export interface FoldScoringPlan {
  readonly predictions: Float64Array;
  readonly outcomes: Float64Array;
  readonly rowDate: Int32Array;
  readonly rowPath: Int32Array;
  /** One kernel call; the returned arrays are views into the module's memory, valid until the next plan. */
  run(): FoldScores;
}

export interface WasmFoldScorer extends FoldScorer {
  /** Lays out a job of this shape (rows, names, dates, paths, quantiles, periodsPerYear). */
  plan(shape: FoldScoringShape): FoldScoringPlan;
}

export function createWasmFoldScorer(module: KernelModule): WasmFoldScorer {
  const scoreFolds = requireFunction<ScoreFoldsFn>(module.raw, "scoreFolds");
  const scratchBytes = requireFunction<ScratchBytesFn>(module.raw, "foldScoringScratchBytes");
  const arena = new Arena(module);

  function plan(shape: FoldScoringShape): FoldScoringPlan {
    const { rows, names, dates, paths, quantiles, periodsPerYear } = shape;
    arena.reset();
    const ptr = {
      pred: arena.alloc(rows * names, 8),
      outcome: arena.alloc(dates * names, 8),
      rowDate: arena.alloc(rows, 4),
      rowPath: arena.alloc(rows, 4),
      scratch: arena.alloc(scratchBytes(names, dates), 1),
      ic: arena.alloc(rows, 8),
      rankIc: arena.alloc(rows, 8),
      longShort: arena.alloc(rows, 8),
      hitRate: arena.alloc(rows, 8),
      count: arena.alloc(rows, 4),
      pathSharpe: arena.alloc(paths, 8),
      pathMean: arena.alloc(paths, 8),
      pathStd: arena.alloc(paths, 8),
      pathCount: arena.alloc(paths, 4),
    };
    return {
      predictions: arena.f64(ptr.pred, rows * names),
      outcomes: arena.f64(ptr.outcome, dates * names),
      rowDate: arena.i32(ptr.rowDate, rows),
      rowPath: arena.i32(ptr.rowPath, rows),
      run(): FoldScores {
        const status = scoreFolds(rows, names, dates, paths, quantiles, periodsPerYear, ptr.pred, ptr.outcome, ptr.rowDate,
          ptr.rowPath, ptr.scratch, ptr.ic, ptr.rankIc, ptr.longShort, ptr.hitRate, ptr.count, ptr.pathSharpe, ptr.pathMean,
          ptr.pathStd, ptr.pathCount);
        if (status !== 0) {
          const why = FOLD_SCORING_STATUS[status];
          throw new KernelError("fold_scoring_status", why === undefined ? `scoreFolds returned the unknown status ${status}` : `scoreFolds: ${why}`);
        }
        return {
          ic: arena.f64(ptr.ic, rows),
          rankIc: arena.f64(ptr.rankIc, rows),
          longShort: arena.f64(ptr.longShort, rows),
          hitRate: arena.f64(ptr.hitRate, rows),
          validNames: arena.i32(ptr.count, rows),
          pathSharpe: arena.f64(ptr.pathSharpe, paths),
          pathMean: arena.f64(ptr.pathMean, paths),
          pathStd: arena.f64(ptr.pathStd, paths),
          pathCount: arena.i32(ptr.pathCount, paths),
        };
      },
    };
  }

  return {
    engine: "wasm",
    plan,
    score(input: FoldScoringInput): FoldScores {
      const job = plan(foldScoringShape(input));
      job.predictions.set(input.predictions);
      job.outcomes.set(input.outcomes);
      job.rowDate.set(input.rowDate);
      job.rowPath.set(input.rowPath);
      const views = job.run();
      // Copies: the views would go stale at the next job.
      return {
        ic: views.ic.slice(), rankIc: views.rankIc.slice(), longShort: views.longShort.slice(), hitRate: views.hitRate.slice(),
        validNames: views.validNames.slice(), pathSharpe: views.pathSharpe.slice(), pathMean: views.pathMean.slice(),
        pathStd: views.pathStd.slice(), pathCount: views.pathCount.slice(),
      };
    },
  };
}
