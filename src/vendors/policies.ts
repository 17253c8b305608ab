/**
 * Free-tier limits as the vendors publish them (and as configs/node.yml repeats them): Alpaca Basic 200
 * requests/min; Polygon Basic 5/min; Finnhub free 60/min and 30/s; FRED 120/min. `scalePolicies` shrinks the
 * windows (e.g. ×1/60: per-minute limits become per-second) so tests and benchmarks run the same code in seconds.
 */
import type { RateRule, VendorPolicy } from "./governor.ts";

export interface VendorLimitSpec {
  readonly requestsPerMinute: number;
  readonly requestsPerSecond?: number;
  readonly dailyBudget?: number;
  readonly maxInflight?: number;
  readonly cooldownMs?: number;
}

export const FREE_TIER_LIMITS: Readonly<Record<string, VendorLimitSpec>> = {
  alpaca: { requestsPerMinute: 200, maxInflight: 4 },
  polygon: { requestsPerMinute: 5, maxInflight: 1, dailyBudget: 5 * 60 * 24 },
  finnhub: { requestsPerMinute: 60, requestsPerSecond: 30, maxInflight: 2 },
  fred: { requestsPerMinute: 120, maxInflight: 2 },
};

export function policyFromLimits(spec: VendorLimitSpec, timeScale = 1): VendorPolicy {
  const rules: RateRule[] = [{ limit: spec.requestsPerMinute, windowMs: 60_000 * timeScale }];
  if (spec.requestsPerSecond !== undefined) rules.push({ limit: spec.requestsPerSecond, windowMs: 1_000 * timeScale });
  return {
    rules,
    maxInflight: spec.maxInflight ?? 2,
    ...(spec.dailyBudget === undefined ? {} : { dailyBudget: spec.dailyBudget }),
    cooldownMs: (spec.cooldownMs ?? 60_000) * timeScale,
    errorWindowMs: 60_000 * timeScale,
    backoffBaseMs: 250 * timeScale,
    backoffCapMs: 30_000 * timeScale,
  };
}

/** Policies for every vendor from limit specs; `timeScale` < 1 compresses every window and pause. */
export function policiesFromLimits(limits: Readonly<Record<string, VendorLimitSpec>> = FREE_TIER_LIMITS, timeScale = 1): Record<string, VendorPolicy> {
  return Object.fromEntries(Object.entries(limits).map(([vendor, spec]) => [vendor, policyFromLimits(spec, timeScale)]));
}
