/**
 * `trademl demo`: the node's collection against the built-in vendor simulator, into a local lake marked
 * simulated. It starts the simulator on 127.0.0.1, collects a small universe with the production connectors,
 * governor and collector (limits scaled ×1/60 so a minute's allowance takes a second) — the demo's stand-in for
 * the DAG's `collect` step, which calls the real vendors — replays the option chains of `optionDays` past sessions
 * (vendors serve only the latest chain, so the simulator's clock is moved back one session at a time, as if the
 * node had collected each evening), then runs the node's nightly DAG from `audit` on (`steps`: audit, backfill
 * (skipped without keys), curation with its options pass, reference data) with the in-process runner, and
 * reports: the run's table (also `trademl dag status`) and the audit ledger's coverage.
 */
import type { TrademlConfig } from "../config/index.ts";
import { packageConfigDir } from "../config/package-config-dir.ts";
import type { Logger } from "../domain/logger.ts";
import { silentLogger } from "../domain/logger.ts";
import type { DagRunResult } from "../dag/runner.ts";
import type { StepProgress } from "../dag/run-step.ts";
import type { DagStep } from "../dag/types.ts";
import { LocalStore } from "../lake/local-store.ts";
import type { ObjectStore } from "../lake/types.ts";
import { startSimulator } from "../sim/server.ts";
import { RateGovernor } from "../vendors/governor.ts";
import { closeHttpPool } from "../vendors/http.ts";
import { policiesFromLimits } from "../vendors/policies.ts";
import { defaultVendorLimits } from "../config/schemas/node.ts";
import { runCollection, type CollectionReport } from "../ingest/collector.ts";
import { addDays } from "../domain/calendar/dates.ts";
import { sessions as nyseSessions } from "../domain/calendar/index.ts";
import { formatCollection, formatTableSummaries, summarizeRawTables, type TableSummary } from "../ingest/report.ts";
import { simConnectors } from "../ingest/sim-connectors.ts";

/**
 * The configs/ folder shipped with the package (next to src/ and dist/), for a demo run from a folder without its
 * own ./configs. Both src/demo/run-demo.ts and dist/demo/run-demo.js sit two levels below the package root.
 */
export const DEFAULT_DEMO_SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "SPY"] as const;

export interface DemoOptions {
  /** Absolute path of the demo lake (the CLI resolves ./lake-demo). */
  readonly lakeDir: string;
  readonly symbols?: readonly string[];
  /** Calendar days of daily history. */
  readonly days?: number;
  readonly minuteDays?: number;
  /** Past sessions of option chains, the last collected one included (default DEFAULT_OPTION_DAYS). */
  readonly optionDays?: number;
  readonly seed?: number;
  /** The simulator's today (default: the real UTC date). */
  readonly today?: string;
  readonly workers?: number;
  /** The DAG steps to run after collection (the CLI: the nightly DAG from `audit`); none: collection only. */
  readonly steps?: readonly DagStep[];
  /** Configuration for the steps (default: the package's configs/, loaded with an empty environment). */
  readonly config?: TrademlConfig;
  /**
   * The configuration folder when it is not ./configs of the folder the user runs commands from: the suggested
   * `trademl sql` command lines then carry TRADEML_CONFIG_DIR, since every command loads its configuration.
   */
  readonly queryConfigDir?: string;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  /** Progress of the DAG's steps (the CLI's spinner or log lines). */
  readonly onProgress?: (event: StepProgress) => void;
}

/** Enough sessions for a next-day evaluation of every day but the last and a short backtest. */
export const DEFAULT_OPTION_DAYS = 10;

export interface DemoResult {
  readonly report: CollectionReport;
  readonly tables: readonly TableSummary[];
  /** The DAG run after collection, when steps were given. */
  readonly dag: DagRunResult | undefined;
  readonly text: string;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const logger = options.logger ?? silentLogger;
  const symbols = [...(options.symbols ?? DEFAULT_DEMO_SYMBOLS)];
  const store = new LocalStore({ root: options.lakeDir, ...(options.signal ? { signal: options.signal } : {}) });
  // node.yml's vendor limits, a minute's allowance in a second.
  const policies = policiesFromLimits(options.config?.node.vendors ?? defaultVendorLimits(), 1 / 60);
  const sim = await startSimulator({
    seed: options.seed ?? 7, universe: symbols,
    ...(options.today ? { today: options.today } : {}),
    // The simulator enforces the same (scaled) limits the governor keeps to: a 429 in the demo is a bug.
    limits: { alpaca: policies.alpaca.rules, polygon: policies.polygon.rules, finnhub: policies.finnhub.rules, fred: policies.fred.rules },
  });
  try {
    const governor = new RateGovernor({ policies, logger });
    const collect = (today: string, datasets?: readonly { vendor: string; dataset: string }[]): Promise<CollectionReport> => runCollection({
      store, origin: "simulated", connectors: simConnectors(sim, governor, { logger }), governor, universe: symbols,
      today, historyDays: options.days ?? 60, minuteDays: options.minuteDays ?? 2, workers: options.workers ?? 4,
      holder: `demo-${process.pid}`, logger, ...(datasets === undefined ? {} : { datasets }), ...(options.signal ? { signal: options.signal } : {}),
    });
    const today = sim.today;
    const report = await collect(today);
    const optionSessions = await replayOptionDays(report.through, options.optionDays ?? DEFAULT_OPTION_DAYS, async (session) => {
      sim.setToday(addDays(session, 1));
      try {
        await collect(addDays(session, 1), OPTION_CHAIN_DATASETS);
      } finally {
        sim.setToday(today);
      }
    }, options.signal);
    const steps = options.steps ?? [];
    const config = options.config ?? (steps.length === 0 ? undefined : await loadPackageConfig());
    let dag: DagRunResult | undefined;
    let dagText: string[] = [];
    if (config !== undefined && steps.length > 0 && !(options.signal?.aborted ?? false)) {
      const { runDag } = await import("../dag/runner.ts");
      // The last session the simulator served, not the session before the real today: the steps cover what was collected.
      dag = await runDag({
        store, config, steps, through: report.through, logger,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      dagText = await formatDag(store, dag, options.lakeDir);
    }
    const tables = await summarizeRawTables(store);
    const text = [
      `trademl demo: simulated vendors on ${sim.url} → ${options.lakeDir} (marked simulated)`,
      formatCollection(report),
      `option chains: the ${optionSessions} session(s) before ${report.through} replayed (a session already in the lake plans no request)`,
      "",
      formatTableSummaries(tables),
      ...dagText,
      "",
      ...closingText(options.lakeDir, dag !== undefined, options.queryConfigDir),
    ].join("\n");
    return { report, tables, dag, text };
  } finally {
    await sim.close();
    await closeHttpPool();
  }
}

const OPTION_CHAIN_DATASETS = [{ vendor: "alpaca", dataset: "options_chains" }, { vendor: "finnhub", dataset: "options_chains" }] as const;

/**
 * Collects the option chains of the `days − 1` sessions before `through` (the main collection took `through`'s),
 * oldest first; a session already in the lake plans no request, so a second demo replays nothing. Returns how many.
 */
async function replayOptionDays(through: string, days: number, collectSession: (session: string) => Promise<void>, signal: AbortSignal | undefined): Promise<number> {
  const past = nyseSessions(addDays(through, -Math.max(7, 2 * days)), through).map((s) => s.date).filter((d) => d < through).slice(-(days - 1));
  if (days <= 1) return 0;
  for (const session of past) {
    if (signal?.aborted) break;
    await collectSession(session);
  }
  return past.length;
}

/** The run's table (as `trademl dag status` prints it) and the audit ledger's coverage per vendor and table. */
async function formatDag(store: ObjectStore, dag: DagRunResult, lakeDir: string): Promise<string[]> {
  const { formatRun } = await import("../dag/format-run.ts");
  const { coverageSummary } = await import("../quality/audit/index.ts");
  const coverage = await coverageSummary(store, {});
  const width = Math.max(0, ...coverage.map((c) => `${c.source}/${c.table}`.length));
  return [
    "",
    `the node's nightly DAG (LAKE_ROOT=${shellPath(lakeDir)} trademl dag status ${dag.runId}):`,
    formatRun(dag.run).trimEnd(),
    "",
    "audit ledger (qc/partition_status):",
    ...(coverage.length === 0
      ? ["  the ledger is empty (no raw bars collected)"]
      : coverage.map((c) => `  ${`${c.source}/${c.table}`.padEnd(width)}  GREEN ${c.green}  AMBER ${c.amber}  RED ${c.red}  (${c.symbols} symbols, ${c.firstSession ?? "-"}..${c.lastSession ?? "-"})`)),
  ];
}

async function loadPackageConfig(): Promise<TrademlConfig> {
  const { loadConfig } = await import("../config/index.ts");
  return loadConfig({ configDir: packageConfigDir(), env: {}, envFile: false });
}

/** Single-quotes a path for a POSIX shell when it needs it. */
function shellPath(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

/** Queries for the closing text: curated and reference views through `trademl sql` (docs/querying.md). */
export const DEMO_QUERIES: readonly { readonly what: string; readonly sql: string }[] = [
  {
    what: "adjusted daily bars per symbol",
    sql: "select symbol, count(*) as sessions, min(date) as first, max(date) as last, round(avg(close_adj), 2) as avg_close_adj from equities_ohlcv_adj group by symbol order by symbol",
  },
  {
    what: "the audit ledger: partitions by vendor, table and status",
    sql: "select source, table_name, status, count(*) as partitions from qc_partition_status group by all order by all",
  },
  { what: "latest closes with dividends on their ex-dates", sql: "select symbol, date, close, close_adj, div_cash from equities_ohlcv_adj order by date desc, symbol limit 10" },
  {
    what: "option surfaces: SVI slices and their QC per underlier and session",
    sql: "select underlying, date, expiry, round(t * 365) as days, round(rmse_vol_points, 2) as rmse_vp, n_quotes, qc_status, reject_reason from options_surfaces order by date desc, underlying, expiry limit 12",
  },
  {
    what: "option strategies: next-day delta-hedged PnL explained by gamma, vega, theta and residual",
    sql: "select underlying, date, strategy, tenor_days, round(pnl, 4) as pnl, round(gamma_pnl, 4) as gamma, round(vega_pnl, 4) as vega, round(theta_pnl, 4) as theta, round(residual, 4) as residual from options_strategy_pnl order by date desc, underlying, strategy, tenor_days limit 12",
  },
  { what: "implied vols of the latest session's out-of-the-money quotes", sql: "select underlying, expiry, strike, \"right\", round(k, 4) as k, round(iv_mid, 4) as iv_mid, status from options_iv where otm and date = (select max(date) from options_iv) order by underlying, expiry, strike limit 12" },
  { what: "the large-cap proxy's members", sql: "select symbol, adv_rank, effective_from, effective_to from index_membership where index_name = 'large_cap_proxy' order by effective_from desc, adv_rank limit 10" },
];

function closingText(lakeDir: string, curated: boolean, configDir: string | undefined): string[] {
  const env = `${configDir === undefined ? "" : `TRADEML_CONFIG_DIR=${shellPath(configDir)} `}LAKE_ROOT=${shellPath(lakeDir)}`;
  if (!curated) {
    return ["", `No post-collection steps ran, so the lake holds raw vendor parts only; curate them with: ${env} trademl curate`];
  }
  return [
    "",
    "Query the curated lake (views over the curated, reference and qc manifests; see docs/querying.md):",
    ...DEMO_QUERIES.flatMap((q) => [`  # ${q.what}`, `  ${env} trademl sql -c "${q.sql}"`]),
    `  ${env} trademl sql        # interactive; .tables lists the views`,
    "Backtest an option strategy marked on the surfaces (configs/backtest/options.yml; docs/options.md, section 5):",
    `  ${env} trademl backtest options`,
  ];
}
