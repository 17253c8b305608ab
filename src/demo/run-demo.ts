/**
 * `trademl demo`: the node's collection against the built-in vendor simulator, into a local lake marked
 * simulated. It starts the simulator on 127.0.0.1, collects a small universe with the production connectors,
 * governor and collector (limits scaled ×1/60 so a minute's allowance takes a second), replays the option chains
 * of `optionDays` past sessions (vendors serve only the latest chain, so the simulator's clock is moved back one
 * session at a time, as if the node had collected each evening), runs any post-collection steps (`DEMO_STEPS`:
 * audit, curation with its options pass, reference data), and reports.
 */
import type { TrademlConfig } from "../config/index.ts";
import { packageConfigDir } from "../config/package-config-dir.ts";
import type { Logger } from "../domain/logger.ts";
import { silentLogger } from "../domain/logger.ts";
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
  /** The configuration the stages run with (curator.yml, backfill.yml qc, node.yml duckdb and reference). */
  readonly config: TrademlConfig;
}

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
  readonly steps?: readonly DemoStep[];
  /** Configuration for the steps (default: the package's configs/, loaded with an empty environment). */
  readonly config?: TrademlConfig;
  /**
   * The configuration folder when it is not ./configs of the folder the user runs commands from: the suggested
   * `trademl sql` command lines then carry TRADEML_CONFIG_DIR, since every command loads its configuration.
   */
  readonly queryConfigDir?: string;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/** Enough sessions for a next-day evaluation of every day but the last and a short backtest. */
export const DEFAULT_OPTION_DAYS = 10;

export interface DemoResult {
  readonly report: CollectionReport;
  readonly tables: readonly TableSummary[];
  readonly stepOutput: readonly { name: string; text: string }[];
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
    const stepOutput: { name: string; text: string }[] = [];
    const steps = options.steps ?? [];
    const config = options.config ?? (steps.length === 0 ? undefined : await loadPackageConfig());
    for (const step of steps) {
      if (config === undefined) break;
      if (options.signal?.aborted) break;
      const text = await step.run({ store, lakeDir: options.lakeDir, symbols, through: report.through, logger, config, ...(options.signal ? { signal: options.signal } : {}) });
      stepOutput.push({ name: step.name, text: text ?? "done" });
    }
    const tables = await summarizeRawTables(store);
    const text = [
      `trademl demo: simulated vendors on ${sim.url} → ${options.lakeDir} (marked simulated)`,
      formatCollection(report),
      `option chains: the ${optionSessions} session(s) before ${report.through} replayed (a session already in the lake plans no request)`,
      "",
      formatTableSummaries(tables),
      ...stepOutput.map((s) => `\n${s.name}:\n${s.text}`),
      "",
      ...closingText(options.lakeDir, stepOutput.length > 0, options.queryConfigDir),
    ].join("\n");
    return { report, tables, stepOutput, text };
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
  ];
}
