/**
 * One collection pass of the Pi node with the real vendors (`trademl node up --once`): the configured tasks
 * for every vendor whose keys are present, the universe from reference data (the point-in-time members of edge.yml's
 * `universe_indexes`; edge.yml's `universe` list only while the lake has none), windows from edge.yml, limits from
 * node.yml, the edge
 * collector's share of each vendor's one daily budget, workers and in-flight caps from the environment. Vendors
 * without keys are skipped with a sentence saying which variable to set.
 */
import { hostname } from "node:os";
import type { TrademlConfig } from "../config/load.ts";
import { hasVendorKeys, maxInflight } from "../config/effective.ts";
import type { Vendor } from "../config/schemas/common.ts";
import type { Logger } from "../domain/logger.ts";
import { silentLogger } from "../domain/logger.ts";
import { todayUtc } from "../domain/calendar/dates.ts";
import { lakeAccess } from "../lake/lake-access.ts";
import type { ObjectStore } from "../lake/types.ts";
import { readCollectionUniverse } from "../reference/collection-universe.ts";
import { createAlpaca } from "../vendors/alpaca.ts";
import { createFinnhub } from "../vendors/finnhub.ts";
import { createFred } from "../vendors/fred.ts";
import { RateGovernor } from "../vendors/governor.ts";
import { lakeQuota } from "../vendors/lake-quota.ts";
import { policyFromConfig } from "../vendors/policies.ts";
import { createPolygon } from "../vendors/polygon.ts";
import { runCollection, type CollectionReport } from "./collector.ts";
import type { Connectors } from "./fetch-unit.ts";
import { datasetsForTasks } from "./tasks.ts";

export const KEY_HINTS: Readonly<Record<Vendor, string>> = {
  alpaca: "ALPACA_API_KEY_ID and ALPACA_API_SECRET_KEY are not set",
  polygon: "POLYGON_API_KEY is not set",
  finnhub: "FINNHUB_API_KEY is not set",
  fred: "FRED_API_KEY is not set",
};

export interface NodePassOptions {
  readonly config: TrademlConfig;
  readonly store: ObjectStore;
  /** Symbols to collect (default: `passUniverse`, from reference data). */
  readonly universe?: readonly string[];
  /** The date whose index members are collected (default: today, UTC). */
  readonly asOf?: string;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  /** Test hook: vendor roots (default: the real services). */
  readonly baseUrls?: Partial<Record<Vendor, string>>;
}

export interface NodePassResult {
  /** Undefined when no vendor had keys: nothing was collected. */
  readonly report: CollectionReport | undefined;
  readonly skippedVendors: readonly { vendor: Vendor; reason: string }[];
  /** The symbols the pass collected and where they came from (undefined when no vendor had keys). */
  readonly universe: PassUniverse | undefined;
}

/** Where a pass's symbols came from: the caller's list, reference membership, or edge.yml's fallback list. */
export interface PassUniverse {
  readonly symbols: readonly string[];
  readonly source: "given" | "reference" | "fallback";
}

/**
 * The symbols a pass collects: the given list, else the reference members on `asOf` of edge.yml's
 * `universe_indexes`, else (no membership yet) edge.yml's `universe`, said in a log line so an operator sees why.
 */
export async function passUniverse(options: Pick<NodePassOptions, "config" | "store" | "universe" | "asOf" | "logger">): Promise<PassUniverse> {
  if (options.universe !== undefined) return { symbols: options.universe, source: "given" };
  const { config } = options;
  const logger = options.logger ?? silentLogger;
  const asOf = options.asOf ?? todayUtc();
  const indexes = config.edge.universe_indexes;
  const members = await readCollectionUniverse(lakeAccess(options.store), {
    indexes, asOf, duck: { memoryLimit: config.node.duckdb.memory_limit, threads: config.node.duckdb.threads },
  });
  if (members !== undefined) {
    logger.info("collection universe from reference data", { indexes, as_of: asOf, symbols: members.symbols.length, membership_seq: members.seq });
    return { symbols: members.symbols, source: "reference" };
  }
  logger.warn("no reference index membership yet: collecting edge.yml's fallback universe until `trademl reference` has built it", {
    indexes, as_of: asOf, symbols: config.edge.universe.length,
  });
  return { symbols: config.edge.universe, source: "fallback" };
}

export async function runNodePass(options: NodePassOptions): Promise<NodePassResult> {
  const { config } = options;
  const logger = options.logger ?? silentLogger;
  const vendors: Vendor[] = ["alpaca", "polygon", "finnhub", "fred"];
  const withKeys = vendors.filter((v) => hasVendorKeys(config.env, v));
  const skippedVendors = vendors.filter((v) => !withKeys.includes(v)).map((vendor) => ({ vendor, reason: `${KEY_HINTS[vendor]} (add them to .env to collect ${vendor})` }));
  if (withKeys.length === 0) return { report: undefined, skippedVendors, universe: undefined };
  const universe = await passUniverse({ ...options, logger });

  // Every process on the lake draws from one daily budget and one pace per vendor; the edge collector spends its
  // share (edge.yml daily_budget) of the vendor's budget (node.yml).
  const governor = new RateGovernor({
    policies: Object.fromEntries(withKeys.map((v) => [v, policyFromConfig(config, v, "edge")])),
    quota: lakeQuota(options.store), consumer: "edge", logger,
  });
  const env = config.env;
  const common = { governor, logger };
  const url = (v: Vendor): { baseUrl?: string } => (options.baseUrls?.[v] ? { baseUrl: options.baseUrls[v] } : {});
  const connectors: Connectors = {
    ...(withKeys.includes("alpaca") ? { alpaca: createAlpaca({ ...common, ...url("alpaca"), keyId: env.ALPACA_API_KEY_ID ?? "", secretKey: env.ALPACA_API_SECRET_KEY ?? "" }) } : {}),
    ...(withKeys.includes("polygon") ? { polygon: createPolygon({ ...common, ...url("polygon"), apiKey: env.POLYGON_API_KEY ?? "", historyDays: config.node.vendors.polygon.history_window_days }) } : {}),
    ...(withKeys.includes("finnhub") ? { finnhub: createFinnhub({ ...common, ...url("finnhub"), apiKey: env.FINNHUB_API_KEY ?? "" }) } : {}),
    ...(withKeys.includes("fred") ? { fred: createFred({ ...common, ...url("fred"), apiKey: env.FRED_API_KEY ?? "" }) } : {}),
  };
  const datasets = datasetsForTasks(config.edge.tasks).filter((d) => withKeys.includes(d.vendor));
  const vendorHistoryDays: Partial<Record<Vendor, number>> = {};
  for (const v of withKeys) {
    const days = config.node.vendors[v].history_window_days;
    if (days !== undefined) vendorHistoryDays[v] = days;
  }
  const report = await runCollection({
    store: options.store, origin: "real", connectors, governor, universe: universe.symbols, datasets,
    fredSeries: config.edge.fred_series, historyDays: config.edge.history_days, minuteDays: config.edge.minute_days, vendorHistoryDays,
    optionContractsPerDay: config.edge.option_contracts_per_day,
    leaseTtlMs: config.node.lake.lease_seconds * 1000,
    workers: env.NODE_WORKERS, maxInflight: Object.fromEntries(withKeys.map((v) => [v, maxInflight(config, v)])),
    // One node per host: a stable holder lets a restarted node take its own leases back at once (new epoch).
    holder: `node-${hostname()}`, logger, ...(options.signal ? { signal: options.signal } : {}),
  });
  return { report, skippedVendors, universe };
}
