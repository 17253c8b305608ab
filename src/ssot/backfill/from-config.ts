/**
 * Maps the configuration onto the backfill's typed options: targets from configs/backfill.yml (priorities,
 * earliest, chunk_days), a rate governor per configs/node.yml vendor limits with the backfill's daily budget
 * share, persisted through the lake so restarts and other nodes see what was spent.
 */
import { dailyBudget, hasVendorKeys, maxInflight, type TrademlConfig, type Vendor } from "../../config/index.ts";
import { ConfigError, UsageError } from "../../domain/errors.ts";
import type { Logger } from "../../domain/logger.ts";
import type { ObjectStore } from "../../lake/types.ts";
import { createAlpaca } from "../../vendors/alpaca.ts";
import { RateGovernor, type RateRule, type VendorPolicy } from "../../vendors/governor.ts";
import { createPolygon } from "../../vendors/polygon.ts";
import { AUDITED_TABLES, isAuditedTable, rawLakeTable, type AuditedTable } from "../datasets.ts";
import { alpacaBarsFetcher, polygonBarsFetcher } from "./fetchers.ts";
import { lakeBudgetStore } from "./lake-budget-store.ts";
import type { BackfillFetcher, BackfillTarget } from "./types.ts";

/** Vendors the backfill can fetch bars from today. */
export const BACKFILL_VENDORS = ["alpaca", "polygon"] as const;
export type BackfillVendor = (typeof BACKFILL_VENDORS)[number];

export function backfillTargets(config: TrademlConfig, args: { vendor: BackfillVendor; tables: readonly string[]; symbols: readonly string[] }): BackfillTarget[] {
  return args.tables.map((table) => {
    if (!isAuditedTable(table)) {
      throw new UsageError("unknown_table", `backfill can fill ${Object.keys(AUDITED_TABLES).join(", ")}; "${table}" is not supported yet`);
    }
    const known: AuditedTable = table;
    const target = config.backfill.targets[known];
    return {
      source: args.vendor,
      table: known,
      lakeTable: rawLakeTable(args.vendor, known),
      granularity: AUDITED_TABLES[known].granularity,
      priority: config.backfill.priorities[known],
      earliest: target.earliest,
      chunkDays: target.chunk_days,
      symbols: args.symbols,
      // Alpaca's bars endpoint takes many symbols per request (one request where 50 single-symbol ones would be
      // spent); Polygon's aggregates take one ticker, so batching there saves nothing.
      batchSize: args.vendor === "alpaca" ? 50 : 1,
    };
  });
}

function policyFor(config: TrademlConfig, vendor: Vendor): VendorPolicy {
  const limits = config.node.vendors[vendor];
  const rules: RateRule[] = [{ limit: limits.requests_per_minute, windowMs: 60_000 }];
  if (limits.requests_per_second !== undefined) rules.push({ limit: limits.requests_per_second, windowMs: 1000 });
  return { rules, maxInflight: maxInflight(config, vendor), dailyBudget: dailyBudget(config, vendor, "backfill") };
}

/** The fetcher for the chosen vendor; `baseUrl` points at the simulator root in the demo and in tests. */
export function backfillFetcher(
  config: TrademlConfig,
  store: ObjectStore,
  args: { vendor: BackfillVendor; baseUrl?: string; logger?: Logger },
): BackfillFetcher {
  if (!hasVendorKeys(config.env, args.vendor)) {
    throw new ConfigError("missing_vendor_keys", `backfill from ${args.vendor} needs its API keys in the environment or .env (see \`trademl config check\`)`);
  }
  const governor = new RateGovernor({
    policies: { [args.vendor]: policyFor(config, args.vendor) },
    budgets: lakeBudgetStore(store, "backfill"),
    ...(args.logger === undefined ? {} : { logger: args.logger }),
  });
  const common = { governor, ...(args.logger === undefined ? {} : { logger: args.logger }) };
  if (args.vendor === "alpaca") {
    return alpacaBarsFetcher(
      createAlpaca({
        ...common,
        keyId: config.env.ALPACA_API_KEY_ID ?? "",
        secretKey: config.env.ALPACA_API_SECRET_KEY ?? "",
        ...(args.baseUrl === undefined ? {} : { baseUrl: `${args.baseUrl.replace(/\/$/, "")}/alpaca` }),
      }),
    );
  }
  return polygonBarsFetcher(
    createPolygon({
      ...common,
      apiKey: config.env.POLYGON_API_KEY ?? "",
      ...(config.node.vendors.polygon.history_window_days === undefined ? {} : { historyDays: config.node.vendors.polygon.history_window_days }),
      ...(args.baseUrl === undefined ? {} : { baseUrl: `${args.baseUrl.replace(/\/$/, "")}/polygon` }),
    }),
  );
}
