/**
 * The WebAssembly engine of fold scoring: one kernel call (`scoreFolds`, assembly/validate/fold-scoring.ts) per
 * batch, staged from the ABI descriptor (src/kernels/abi/fold-scoring.ts) by abi/run.ts: reset the arena, allocate
 * every buffer of the job, only then make views (memory growth detaches earlier ones), copy in, call.
 *
 * `plan` exposes the input views for callers that fill them in place (a trainer writing predictions straight into
 * the module's memory, the benchmark's "kernel call only" row); `score` copies from ordinary arrays.
 */
import { KernelError } from "../../domain/errors.ts";
import { FOLD_SCORING_SCRATCH_BYTES, SCORE_FOLDS, bindExport, statusName } from "../abi/index.ts";
import { stageExport, type CallArgs, type ExportCall } from "../abi/run.ts";
import { Arena } from "../arena.ts";
import type { KernelInstance } from "../instance.ts";
import { foldScoringShape, type FoldScoringShape } from "./shape.ts";
import { FOLD_SCORING_STATUS, FOLD_SCORING_STATUS_NAMES, type FoldScorer, type FoldScores, type FoldScoringInput } from "./types.ts";

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

/** The scores of a finished call, as views of its buffers; a status other than ok is an error. */
function scores(call: ExportCall): FoldScores {
  const status = statusName(FOLD_SCORING_STATUS_NAMES, call.result, SCORE_FOLDS.name);
  if (status !== "ok") throw new KernelError("fold_scoring_status", `scoreFolds: ${FOLD_SCORING_STATUS[status]}`);
  return {
    ic: call.f64("ic"), rankIc: call.f64("rankIc"), longShort: call.f64("longShort"), hitRate: call.f64("hitRate"),
    validNames: call.i32("count"), pathSharpe: call.f64("pathSharpe"), pathMean: call.f64("pathMean"),
    pathStd: call.f64("pathStd"), pathCount: call.i32("pathCount"),
  };
}

export function createWasmFoldScorer(instance: KernelInstance): WasmFoldScorer {
  const scratchBytes = bindExport(instance, FOLD_SCORING_SCRATCH_BYTES);
  bindExport(instance, SCORE_FOLDS); // fails now, naming the export, when the build lacks it
  const arena = new Arena(instance);

  /** The call's scalars and buffers: `pred`.. `rowPath` given as contents, or as lengths to fill in place. */
  function stage(shape: FoldScoringShape, inputs: Pick<CallArgs, "pred" | "outcome" | "rowDate" | "rowPath">) {
    const { rows, names, dates, paths, quantiles, periodsPerYear } = shape;
    return stageExport(instance, arena, SCORE_FOLDS, {
      rows, names, dates, paths, quantiles, periodsPerYear, ...inputs, scratch: scratchBytes({ names, dates }),
    });
  }

  function plan(shape: FoldScoringShape): FoldScoringPlan {
    const { rows, names, dates } = shape;
    const staged = stage(shape, { pred: rows * names, outcome: dates * names, rowDate: rows, rowPath: rows });
    return {
      predictions: staged.f64("pred"), outcomes: staged.f64("outcome"), rowDate: staged.i32("rowDate"), rowPath: staged.i32("rowPath"),
      run: () => scores(staged.run()),
    };
  }

  return {
    engine: "wasm",
    plan,
    score(input: FoldScoringInput): FoldScores {
      const views = scores(stage(foldScoringShape(input), {
        pred: input.predictions, outcome: input.outcomes, rowDate: input.rowDate, rowPath: input.rowPath,
      }).run());
      // Copies: the views would go stale at the next job.
      return {
        ic: views.ic.slice(), rankIc: views.rankIc.slice(), longShort: views.longShort.slice(), hitRate: views.hitRate.slice(),
        validNames: views.validNames.slice(), pathSharpe: views.pathSharpe.slice(), pathMean: views.pathMean.slice(),
        pathStd: views.pathStd.slice(), pathCount: views.pathCount.slice(),
      };
    },
  };
}
