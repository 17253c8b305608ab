/** Shared set-up for connector tests: a simulator with a pinned today and a fast, permissive governor. */
import { RateGovernor, type VendorPolicy } from "../../src/vendors/governor.ts";

export const TODAY = "2026-11-20";
export const FIXED_NOW = (): Date => new Date(`${TODAY}T12:00:00Z`);

export function fastGovernor(overrides: Partial<VendorPolicy> = {}): RateGovernor {
  const policy: VendorPolicy = { rules: [{ limit: 1000, windowMs: 1000 }], maxInflight: 8, backoffBaseMs: 5, backoffCapMs: 20, maxRetries: 3, ...overrides };
  return new RateGovernor({ policies: { alpaca: policy, polygon: policy, finnhub: policy, fred: policy }, random: () => 0.5 });
}
