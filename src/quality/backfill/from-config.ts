/**
 * Maps the configuration onto the backfill's typed options: targets from configs/backfill.yml (priorities,
 * earliest, chunk_days, max_concurrency), a rate governor with configs/node.yml vendor limits that spends the
 * backfill's share of each vendor's one daily budget and paces with every other process on the lake.
 */
import { hasVendorKeys, type TrademlConfig } from "../../config/index.ts";
import { ConfigError, UsageError } from "../../domain/errors.ts";
import type { Logger } from "../../domain/logger.ts";
import { rawTable } from "../../lake/keys.ts";
import type { ObjectStore } from "../../lake/types.ts";
import { createAlpaca } from "../../vendors/alpaca.ts";
import { RateGovernor } from "../../vendors/governor.ts";
import { lakeQuota } from "../../vendors/lake-quota.ts";
import { policyFromConfig } from "../../vendors/policies.ts";
import { createPolygon } from "../../vendors/polygon.ts";
import { keySegmentProblem } from "../../lake/keys.ts";
import { AUDITED_TABLES, isAuditedTable, rawLakeTable, type AuditedTable } from "../audited-tables.ts";
import { alpacaActionsFetcher, alpacaBarsFetcher, polygonBarsFetcher } from "./fetchers.ts";
import type { IsoDate } from "../../domain/calendar/index.ts";
import { ledgerSymbols } from "../audit/coverage.ts";
import { qcFromConfig } from "../audit/qc-from-config.ts";
import { runBackfill } from "./backfill.ts";
import type { BackfillFetcher, BackfillReport, BackfillTarget, TaskReport } from "./types.ts";

/** Vendors the backfill can fetch bars from today. */
export const BACKFILL_VENDORS = ["alpaca", "polygon"] as const;
export type BackfillVendor = (typeof BACKFILL_VENDORS)[number];

/**
 * Tables the backfill can fill: the audited bar tables, corporate actions (events, no ledger), and option chains
 * (past sessions are marked unavailable, never fetched: chain-history.ts).
 */
export const BACKFILL_TABLES = ["corp_actions", ...(Object.keys(AUDITED_TABLES) as AuditedTable[]), "options_chains"] as const;

/**
 * Corporate actions have no entry in backfill.yml `targets`: they are wanted as far back as the daily bars they
 * adjust, a year per request (they are sparse).
 */
const ACTIONS_CHUNK_DAYS = 365;

export function backfillTargets(config: TrademlConfig, args: { vendor: BackfillVendor; tables: readonly string[]; symbols: readonly string[] }): BackfillTarget[] {
  // Symbols become lake key segments downstream (curated parts are keyed by symbol).
  const problems = args.symbols.map(keySegmentProblem).filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new UsageError("invalid_symbol", `cannot backfill symbols the lake cannot store: ${problems.join("; ")}`);
  // Alpaca's bars and corporate-actions endpoints take many symbols per request (one request where 50
  // single-symbol ones would be spent); Polygon's aggregates take one ticker, so batching there saves nothing.
  const batchSize = args.vendor === "alpaca" ? 50 : 1;
  return args.tables.map((table): BackfillTarget => {
    if (table === "corp_actions") {
      if (args.vendor !== "alpaca") throw new UsageError("unsupported_table", "corp_actions backfill fetches from alpaca only so far");
      return {
        source: args.vendor, table, lakeTable: rawTable(args.vendor, "corporate_actions"), granularity: "events",
        priority: config.backfill.priorities.corp_actions, earliest: config.backfill.targets.equities_eod.earliest,
        chunkDays: ACTIONS_CHUNK_DAYS, symbols: args.symbols, batchSize,
      };
    }
    if (table === "options_chains") {
      // The vendor's own chain table: Alpaca's on --source alpaca. Polygon serves no chains (its free tier lists
      // contracts), so on polygon the table is absent and nothing is planned.
      return {
        source: args.vendor, table, lakeTable: rawTable(args.vendor, "options_chains"), granularity: "chains",
        priority: config.backfill.priorities.options_chains, earliest: config.backfill.targets.options_chains.earliest,
        chunkDays: config.backfill.targets.options_chains.chunk_days, symbols: args.symbols,
      };
    }
    if (!isAuditedTable(table)) {
      throw new UsageError("unknown_table", `backfill can fill ${BACKFILL_TABLES.join(", ")}; "${table}" is not supported yet`);
    }
    const target = config.backfill.targets[table];
    return {
      source: args.vendor,
      table,
      lakeTable: rawLakeTable(args.vendor, table),
      granularity: AUDITED_TABLES[table].granularity,
      priority: config.backfill.priorities[table],
      earliest: target.earliest,
      chunkDays: target.chunk_days,
      symbols: args.symbols,
      batchSize,
    };
  });
}

/** Fetchers for the chosen vendor, per target; `baseUrl` points at the simulator root in the demo and in tests. */
export function backfillFetchers(
  config: TrademlConfig,
  store: ObjectStore,
  args: { vendor: BackfillVendor; baseUrl?: string; logger?: Logger },
): (target: BackfillTarget) => BackfillFetcher {
  if (!hasVendorKeys(config.env, args.vendor)) {
    throw new ConfigError("missing_vendor_keys", `backfill from ${args.vendor} needs its API keys in the environment or .env (see \`trademl config check\`)`);
  }
  const governor = new RateGovernor({
    policies: { [args.vendor]: policyFromConfig(config, args.vendor, "backfill") },
    quota: lakeQuota(store), consumer: "backfill",
    ...(args.logger === undefined ? {} : { logger: args.logger }),
  });
  const common = { governor, ...(args.logger === undefined ? {} : { logger: args.logger }) };
  const root = args.baseUrl?.replace(/\/$/, "");
  if (args.vendor === "alpaca") {
    const alpaca = createAlpaca({
      ...common,
      keyId: config.env.ALPACA_API_KEY_ID ?? "",
      secretKey: config.env.ALPACA_API_SECRET_KEY ?? "",
      ...(root === undefined ? {} : { baseUrl: `${root}/alpaca` }),
    });
    const bars = alpacaBarsFetcher(alpaca);
    const actions = alpacaActionsFetcher(alpaca);
    return (target) => (target.granularity === "events" ? actions : bars);
  }
  const bars = polygonBarsFetcher(
    createPolygon({
      ...common,
      apiKey: config.env.POLYGON_API_KEY ?? "",
      historyDays: config.node.vendors.polygon.history_window_days,
      ...(root === undefined ? {} : { baseUrl: `${root}/polygon` }),
    }),
  );
  return () => bars;
}

export interface ConfiguredBackfillOptions {
  readonly vendor: BackfillVendor;
  /** Default: corp_actions, equities_eod, equities_minute, options_chains. */
  readonly tables?: readonly string[];
  /** Default: every symbol the ledger holds. */
  readonly symbols?: readonly string[];
  readonly through?: IsoDate;
  readonly holder: string;
  readonly maxTasks?: number;
  /** Vendor root URL (the simulator's in the demo and tests). */
  readonly baseUrl?: string;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  readonly onTask?: (report: TaskReport) => void;
}

/** The backfill step of the nightly DAG and of `trademl backfill`, from the loaded configuration. */
export async function backfillFromConfig(config: TrademlConfig, store: ObjectStore, options: ConfiguredBackfillOptions): Promise<BackfillReport> {
  const symbols = options.symbols ?? (await ledgerSymbols(store, undefined, options.signal));
  if (symbols.length === 0) {
    throw new UsageError("no_symbols", "the ledger holds no symbols yet; pass the symbols to backfill (the reference universe is not wired to backfill yet)");
  }
  const targets = backfillTargets(config, { vendor: options.vendor, tables: options.tables ?? DEFAULT_BACKFILL_TABLES, symbols });
  const fetcherFor = backfillFetchers(config, store, {
    vendor: options.vendor,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
  });
  return runBackfill(store, {
    targets,
    fetcherFor,
    holder: options.holder,
    qc: qcFromConfig(config),
    concurrency: config.backfill.max_concurrency,
    leaseTtlMs: config.node.lake.lease_seconds * 1000,
    duckdb: { memoryLimit: config.node.duckdb.memory_limit, threads: config.node.duckdb.threads },
    ...(options.through === undefined ? {} : { through: options.through }),
    ...(options.maxTasks === undefined ? {} : { maxTasks: options.maxTasks }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onTask === undefined ? {} : { onTask: options.onTask }),
  });
}

export const DEFAULT_BACKFILL_TABLES = ["corp_actions", "equities_eod", "equities_minute", "options_chains"] as const;
