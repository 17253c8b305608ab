/** A run as the table `trademl dag status` and `trademl dag run` print: step, state, duration, attempts, what it did. */
import type { RunRecord } from "./run-state.ts";

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "-";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 120 ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function runRows(run: RunRecord): string[][] {
  return run.steps.map((step) => {
    const r = run.records[step];
    return [step, r?.status ?? "pending", formatDuration(r?.duration_ms), String(r?.attempts.length ?? 0), r?.summary ?? ""];
  });
}

export const RUN_HEADER = ["step", "state", "duration", "attempts", "summary"] as const;
