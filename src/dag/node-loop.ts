/**
 * The loop of `trademl node up`: intraday collection passes every interval, and the nightly DAG once per session,
 * due `after_close_minutes` after the close (nightly-schedule.ts). A night's run is started once: a node restarted
 * while it runs resumes it (same run id), and a run that ended with a failed step is not retried until the next
 * session — its steps already retried with backoff, and a failing run every interval all night would only spend
 * vendor budget. I/O comes in as functions, so a test drives the loop with its own clock.
 */
import { nextNightly, dueNightly, nightlyRunId } from "./nightly-schedule.ts";

export interface NodeLoopOptions {
  readonly intervalMs: number;
  /** node.yml `schedule.nightly`; undefined when the nightly DAG is off. */
  readonly nightly: { readonly afterCloseMinutes: number } | undefined;
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly signal: AbortSignal;
  /** One collection pass; false stops the loop (nothing can be collected). */
  collectPass(): Promise<boolean>;
  /** Whether the run has ended (every step finished one way or another). */
  nightlyEnded(runId: string): Promise<boolean>;
  runNightly(session: string, runId: string): Promise<void>;
}

export async function runNodeLoop(options: NodeLoopOptions): Promise<void> {
  const { signal } = options;
  let nextPassAt = Number.NEGATIVE_INFINITY;
  while (!signal.aborted) {
    if (options.nightly !== undefined) {
      const due = dueNightly(options.now(), options.nightly.afterCloseMinutes);
      const runId = nightlyRunId(due.session);
      if (!(await options.nightlyEnded(runId))) await options.runNightly(due.session, runId);
    }
    if (signal.aborted) return;
    if (options.now() >= nextPassAt) {
      if (!(await options.collectPass())) return;
      nextPassAt = options.now() + options.intervalMs;
    }
    const wake = options.nightly === undefined ? nextPassAt : Math.min(nextPassAt, nextNightly(options.now(), options.nightly.afterCloseMinutes).atMs);
    try {
      await options.sleep(Math.max(0, wake - options.now()), signal);
    } catch {
      return;
    }
  }
}
