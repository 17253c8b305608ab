/**
 * Every governor's policy comes from node.yml's vendor limits (the schema holds the free-tier defaults: Alpaca
 * Basic 200 requests/min, Polygon Basic 5/min, Finnhub free 60/min and 30/s, FRED 120/min), the in-flight cap
 * (NODE_MAX_INFLIGHT_<VENDOR> over node.yml), the cool-down, and the consumer's share of the daily budget.
 * `timeScale` < 1 shrinks every window, pause and allowance (×1/60: per-minute limits become per-second) so tests,
 * the demo and benchmarks run the same policy in compressed time: the jitter allowance is a time like the others,
 * and left at 200 ms it would cost a 5-second window 4 % of its rate where a real minute loses 1.3 %.
 */
import { consumerBudget, maxInflight } from "../config/effective.ts";
import type { TrademlConfig } from "../config/load.ts";
import type { Vendor } from "../config/schemas/common.ts";
import { defaultVendorLimits, type NodeConfig, type VendorLimits } from "../config/schemas/node.ts";
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, JITTER_ALLOWANCE_MS, type RateRule, type VendorPolicy } from "./governor.ts";

export interface PolicyOptions {
  readonly timeScale?: number;
  /** In-flight cap (default: node.yml `max_inflight`). */
  readonly maxInflight?: number;
  /** The consumer's share of the vendor's daily budget (default: the whole budget). */
  readonly consumerBudget?: number;
}

/** One vendor's policy from its node.yml limits. */
export function policyFromLimits(limits: VendorLimits, options: PolicyOptions = {}): VendorPolicy {
  const scale = options.timeScale ?? 1;
  const rules: RateRule[] = [{ limit: limits.requests_per_minute, windowMs: 60_000 * scale }];
  if (limits.requests_per_second !== undefined) rules.push({ limit: limits.requests_per_second, windowMs: 1_000 * scale });
  return {
    rules,
    dailyBudget: limits.daily_budget,
    ...(options.consumerBudget === undefined ? {} : { consumerBudget: options.consumerBudget }),
    maxInflight: options.maxInflight ?? limits.max_inflight,
    cooldownMs: limits.cooldown.pause_seconds * 1000 * scale,
    errorRateThreshold: limits.cooldown.error_rate,
    errorWindowMs: limits.cooldown.window_seconds * 1000 * scale,
    errorMinSamples: limits.cooldown.min_requests,
    backoffBaseMs: BACKOFF_BASE_MS * scale,
    backoffCapMs: BACKOFF_CAP_MS * scale,
    jitterAllowanceMs: JITTER_ALLOWANCE_MS * scale,
  };
}

/** The policy of a configured process: node.yml limits, NODE_MAX_INFLIGHT_<VENDOR>, and `consumer`'s budget share. */
export function policyFromConfig(config: Pick<TrademlConfig, "env" | "node" | "edge" | "backfill">, vendor: Vendor, consumer: string, timeScale = 1): VendorPolicy {
  return policyFromLimits(config.node.vendors[vendor], {
    timeScale, maxInflight: maxInflight(config, vendor), consumerBudget: consumerBudget(config, vendor, consumer),
  });
}

/** Policies for every vendor of node.yml's `vendors` section (default: the schema's free-tier limits). */
export function policiesFromLimits(vendors: NodeConfig["vendors"] = defaultVendorLimits(), timeScale = 1): Record<Vendor, VendorPolicy> {
  return {
    alpaca: policyFromLimits(vendors.alpaca, { timeScale }),
    polygon: policyFromLimits(vendors.polygon, { timeScale }),
    finnhub: policyFromLimits(vendors.finnhub, { timeScale }),
    fred: policyFromLimits(vendors.fred, { timeScale }),
  };
}
