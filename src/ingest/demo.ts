/**
 * `trademl demo`: the node's collection against the built-in vendor simulator, into a local lake marked
 * simulated. It starts the simulator on 127.0.0.1, collects a small universe with the production connectors,
 * governor and collector (limits scaled ×1/60 so a minute's allowance takes a second), runs any
 * post-collection steps (audit, curation — added by their owners to `DEMO_STEPS`), and reports.
 */
import type { Logger } from "../domain/logger.ts";
import { silentLogger } from "../domain/logger.ts";
import { LocalStore } from "../lake/local-store.ts";
import type { ObjectStore } from "../lake/types.ts";
import { startSimulator } from "../sim/server.ts";
import { RateGovernor } from "../vendors/governor.ts";
import { closeHttpPool } from "../vendors/http.ts";
import { policiesFromLimits, FREE_TIER_LIMITS } from "../vendors/policies.ts";
import { runCollection, type CollectionReport } from "./collector.ts";
import { formatCollection, formatTableSummaries, summarizeRawTables, type TableSummary } from "./report.ts";
import { simConnectors } from "./sim-connectors.ts";

/** Something the demo runs after collection; returns lines for the report. */
export interface DemoStep {
  readonly name: string;
  run(context: DemoStepContext): Promise<string | void>;
}

export interface DemoStepContext {
  readonly store: ObjectStore;
  readonly lakeDir: string;
  readonly symbols: readonly string[];
  /** Last session collected. */
  readonly through: string;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

export const DEFAULT_DEMO_SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "SPY"] as const;

export interface DemoOptions {
  /** Absolute path of the demo lake (the CLI resolves ./lake-demo). */
  readonly lakeDir: string;
  readonly symbols?: readonly string[];
  /** Calendar days of daily history. */
  readonly days?: number;
  readonly minuteDays?: number;
  readonly seed?: number;
  /** The simulator's today (default: the real UTC date). */
  readonly today?: string;
  readonly workers?: number;
  readonly steps?: readonly DemoStep[];
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

export interface DemoResult {
  readonly report: CollectionReport;
  readonly tables: readonly TableSummary[];
  readonly stepOutput: readonly { name: string; text: string }[];
  readonly text: string;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const logger = options.logger ?? silentLogger;
  const symbols = [...(options.symbols ?? DEFAULT_DEMO_SYMBOLS)];
  const store = new LocalStore({ root: options.lakeDir });
  const sim = await startSimulator({
    seed: options.seed ?? 7, universe: symbols,
    ...(options.today ? { today: options.today } : {}),
    // The simulator enforces the same (scaled) limits the governor keeps to: a 429 in the demo is a bug.
    limits: { alpaca: [{ limit: 200, windowMs: 1000 }], polygon: [{ limit: 5, windowMs: 1000 }], finnhub: [{ limit: 60, windowMs: 1000 }, { limit: 30, windowMs: 1000 / 60 }], fred: [{ limit: 120, windowMs: 1000 }] },
  });
  try {
    const governor = new RateGovernor({ policies: policiesFromLimits(FREE_TIER_LIMITS, 1 / 60), logger });
    const report = await runCollection({
      store, origin: "simulated", connectors: simConnectors(sim, governor, { logger }), governor, universe: symbols,
      today: sim.today, historyDays: options.days ?? 30, minuteDays: options.minuteDays ?? 2, workers: options.workers ?? 4,
      holder: `demo-${process.pid}`, logger, ...(options.signal ? { signal: options.signal } : {}),
    });
    const stepOutput: { name: string; text: string }[] = [];
    for (const step of options.steps ?? []) {
      if (options.signal?.aborted) break;
      const text = await step.run({ store, lakeDir: options.lakeDir, symbols, through: report.through, logger, ...(options.signal ? { signal: options.signal } : {}) });
      stepOutput.push({ name: step.name, text: text ?? "done" });
    }
    const tables = await summarizeRawTables(store);
    const text = [
      `trademl demo: simulated vendors on ${sim.url} → ${options.lakeDir} (marked simulated)`,
      formatCollection(report),
      "",
      formatTableSummaries(tables),
      ...stepOutput.map((s) => `\n${s.name}:\n${s.text}`),
      "",
      "Try a query (raw vendor tables are plain Parquet under raw/; curated views appear once curation has run):",
      `  trademl sql -c "SELECT symbol, count(*) AS bars, min(date) AS first, max(date) AS last, round(avg(close), 2) AS avg_close FROM read_parquet('${options.lakeDir}/raw/alpaca/equities_bars/*/*/*', hive_partitioning = false) GROUP BY symbol ORDER BY symbol"`,
    ].join("\n");
    return { report, tables, stepOutput, text };
  } finally {
    await sim.close();
    await closeHttpPool();
  }
}
