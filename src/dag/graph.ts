/**
 * The DAG's shape: checked once (unique names, known dependencies, no cycle), run in declaration order (which must
 * already be topological, so the order a reader sees in `nightly-steps.ts` is the order it runs), selected by
 * `--steps`/`--from`, and printed as text, JSON (the Prefect adapter's input) or Graphviz DOT.
 */
import { UsageError } from "../domain/errors.ts";
import type { DagStep, StepRole } from "./types.ts";

const STEP_NAME = /^[a-z][a-z0-9_]*$/;

/** Throws a UsageError naming the first problem; returns the steps unchanged. */
export function checkGraph(steps: readonly DagStep[]): readonly DagStep[] {
  const seen = new Set<string>();
  for (const step of steps) {
    if (!STEP_NAME.test(step.name)) throw new UsageError("dag_bad_step", `step name "${step.name}" must match ${String(STEP_NAME)}`);
    if (seen.has(step.name)) throw new UsageError("dag_bad_step", `step "${step.name}" is declared twice`);
    for (const dep of step.dependsOn) {
      if (!seen.has(dep)) {
        const known = steps.some((s) => s.name === dep);
        throw new UsageError("dag_bad_step", known ? `step "${step.name}" depends on "${dep}", declared after it: declare steps in dependency order` : `step "${step.name}" depends on unknown step "${dep}"`);
      }
    }
    if (step.retry.attempts < 1 || !Number.isInteger(step.retry.attempts)) throw new UsageError("dag_bad_step", `step "${step.name}" needs at least one attempt`);
    if (!(step.timeoutMs > 0)) throw new UsageError("dag_bad_step", `step "${step.name}" needs a positive timeout`);
    seen.add(step.name);
  }
  return steps;
}

export interface StepSelection {
  /** Only these steps (their dependencies are not added: a dependency outside the selection does not block). */
  readonly steps?: readonly string[];
  /** This step and everything that depends on it, transitively. */
  readonly from?: string;
  /** Only steps of this role. */
  readonly role?: StepRole;
}

function requireStep(steps: readonly DagStep[], name: string, flag: string): void {
  if (!steps.some((s) => s.name === name)) throw new UsageError("dag_unknown_step", `${flag}: no step "${name}" (steps: ${steps.map((s) => s.name).join(", ")})`);
}

/** The steps to run, in run order. */
export function selectSteps(steps: readonly DagStep[], selection: StepSelection): DagStep[] {
  let chosen = [...steps];
  if (selection.steps !== undefined) {
    for (const name of selection.steps) requireStep(steps, name, "--steps");
    chosen = chosen.filter((s) => selection.steps?.includes(s.name));
  }
  if (selection.from !== undefined) {
    requireStep(steps, selection.from, "--from");
    const downstream = new Set([selection.from]);
    for (const step of steps) if (step.dependsOn.some((d) => downstream.has(d))) downstream.add(step.name);
    chosen = chosen.filter((s) => downstream.has(s.name));
  }
  if (selection.role !== undefined) chosen = chosen.filter((s) => s.role === selection.role);
  return chosen;
}

/** The graph as data: what `trademl dag graph --json` prints and orchestration/prefect/ reads. */
export interface GraphJson {
  readonly format: 1;
  readonly steps: readonly {
    readonly name: string;
    readonly summary: string;
    readonly depends_on: readonly string[];
    readonly role: StepRole;
    readonly retries: number;
    readonly retry_delay_seconds: number;
    readonly timeout_seconds: number;
    readonly lease: string | null;
  }[];
}

export function graphJson(steps: readonly DagStep[]): GraphJson {
  return {
    format: 1,
    steps: steps.map((s) => ({
      name: s.name,
      summary: s.summary,
      depends_on: s.dependsOn,
      role: s.role,
      retries: s.retry.attempts - 1,
      retry_delay_seconds: s.retry.baseMs / 1000,
      timeout_seconds: s.timeoutMs / 1000,
      lease: s.lease ?? null,
    })),
  };
}

export function graphDot(steps: readonly DagStep[]): string {
  const lines = ["digraph trademl_dag {", "  rankdir=LR;", "  node [shape=box];"];
  for (const s of steps) lines.push(`  ${s.name} [label="${s.name}\\n(${s.role})"];`);
  for (const s of steps) for (const d of s.dependsOn) lines.push(`  ${d} -> ${s.name};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

export function graphText(steps: readonly DagStep[]): string {
  const width = Math.max(...steps.map((s) => s.name.length));
  return steps
    .map((s) => `${s.name.padEnd(width)}  ${s.role.padEnd(7)}  ${s.dependsOn.length === 0 ? "(start)" : `after ${s.dependsOn.join(", ")}`}  — ${s.summary}`)
    .join("\n") + "\n";
}
