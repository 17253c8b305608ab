/** A run as `trademl dag status`, `trademl dag run`, the node and the demo print it: step, state, duration, attempts, what it did. */
import { textTable } from "../domain/text-table.ts";
import type { RunRecord } from "./run-state.ts";

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "-";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 120 ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const RUN_HEADER = ["step", "state", "duration", "attempts"] as const;

/** The run's header line, its table of steps, then what each step did (summaries are too long for a column). */
export function formatRun(run: RunRecord): string {
  const rows = run.steps.map((step) => {
    const r = run.records[step];
    return [step, r?.status ?? "pending", formatDuration(r?.duration_ms), String(r?.attempts.length ?? 0)];
  });
  const width = Math.max(0, ...run.steps.map((s) => s.length));
  const summaries = run.steps.flatMap((step) => {
    const summary = run.records[step]?.summary;
    return summary === undefined ? [] : [`  ${step.padEnd(width)}  ${summary}`];
  });
  return `run ${run.run} (started ${run.created_at}, updated ${run.updated_at})\n${textTable(RUN_HEADER, rows)}${summaries.length === 0 ? "" : `${summaries.join("\n")}\n`}`;
}
