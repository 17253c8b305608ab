/**
 * What a person sees while DAG steps run. On a terminal: one ora spinner for the running step, ended by a ✔/✖/ℹ/⚠
 * line with its duration and what it did; ora clears and redraws itself around log lines written to the same
 * stream, so the logger's text lines land above the spinner. Without a terminal (a pipe, the systemd journal, tests):
 * no spinner, one log line per event in the chosen format (JSON by default), which is what machines read.
 */
import type { StepProgress } from "../dag/run-step.ts";
import { formatDuration } from "../dag/format-run.ts";
import type { CliContext } from "./context.ts";

export interface DagProgress {
  readonly onProgress: (event: StepProgress) => void;
  /** Ends a spinner left running (an interrupted run). */
  stop(): void;
}

function logLines(ctx: CliContext): DagProgress {
  return {
    onProgress: (event) => {
      if (event.kind === "attempt") ctx.logger.info("DAG step started", { step: event.step, attempt: event.attempt, of: event.of });
      else if (event.kind === "retry") ctx.logger.warn("DAG step retrying", { step: event.step, attempt: event.attempt, error: event.error, wait_ms: event.waitMs });
      else ctx.logger.info("DAG step finished", { step: event.step, status: event.record.status, duration_ms: event.record.duration_ms, summary: event.record.summary });
    },
    stop: () => undefined,
  };
}

export async function dagProgress(ctx: CliContext): Promise<DagProgress> {
  const terminal = ctx.terminal;
  // A pseudo-terminal without a size (`script` without a terminal, some CI runners) reports 0 columns, and a spinner
  // cannot know how many lines to redraw there: plain lines instead.
  if (terminal === undefined || !(terminal.columns > 0) || ctx.globals.logFormat === "json" || ctx.globals.logLevel === "silent") return logLines(ctx);
  const { default: ora } = await import("ora");
  const spinner = ora({ stream: terminal, discardStdin: false });
  return {
    onProgress: (event) => {
      if (event.kind === "attempt") {
        spinner.start(event.of > 1 && event.attempt > 1 ? `${event.step} (attempt ${event.attempt} of ${event.of})` : event.step);
        return;
      }
      if (event.kind === "retry") {
        spinner.warn(`${event.step}: ${event.error}; retrying in ${formatDuration(event.waitMs)}`);
        return;
      }
      const r = event.record;
      const text = `${event.step}  ${r.status}${r.duration_ms === undefined ? "" : `  ${formatDuration(r.duration_ms)}`}${r.summary === undefined ? "" : `  ${r.summary}`}`;
      if (r.status === "succeeded") spinner.succeed(text);
      else if (r.status === "failed") spinner.fail(text);
      else if (r.status === "blocked") spinner.warn(text);
      else spinner.info(text);
    },
    stop: () => {
      if (spinner.isSpinning) spinner.stop();
    },
  };
}
