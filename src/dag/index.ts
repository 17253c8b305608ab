/** The nightly DAG: steps declared once, the in-process runner, one step for an orchestrator, the run records. */
export { NIGHTLY_STEPS } from "./nightly-steps.ts";
export { checkGraph, graphDot, graphJson, graphText, selectSteps, type GraphJson, type StepSelection } from "./graph.ts";
export { newRunId, runDag, type DagRunResult, type RunDagOptions } from "./runner.ts";
export { runStep, type StepProgress, type StepRunOptions } from "./run-step.ts";
export { listRuns, readRun, type RunRecord, type StepRecord, type StepStatus } from "./run-state.ts";
export type { DagStep, RetryPolicy, StepContext, StepInputs, StepResult, StepRole } from "./types.ts";
