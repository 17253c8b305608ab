/** Vendor connectors and the one rate governor (public surface, re-exported by src/index.ts). */
export { RateGovernor, spacingOf, USAGE_COUNTERS, type VendorPolicy, type RateRule, type UsageCounters, type VendorStatus } from "./governor.ts";
export { systemClock, type GovernorClock, type QuotaClock } from "./clock.ts";
export { memoryQuota, type VendorQuota, type MemoryQuota, type BudgetClaim, type BudgetGrant, type PaceClaim, type PaceBlock } from "./quota.ts";
export { lakeQuota, dailyBudgetKey, paceKey, type LakeQuota, type DailyBudgetState, type PaceState } from "./lake-quota.ts";
export { policiesFromLimits, policyFromLimits, policyFromConfig, type PolicyOptions } from "./policies.ts";
export { createAlpaca, ALPACA_DATA_URL, type AlpacaConnector, type AlpacaOptions } from "./alpaca.ts";
export { createPolygon, clampToWindow, POLYGON_URL, POLYGON_HISTORY_DAYS, type PolygonConnector, type PolygonOptions, type ClampedRange } from "./polygon.ts";
export { createFinnhub, FINNHUB_URL, type FinnhubConnector, type FinnhubOptions } from "./finnhub.ts";
export { createFred, FRED_URL, type FredConnector, type FredOptions } from "./fred.ts";
export { closeHttpPool, getJson } from "./http.ts";
export {
  RateLimitedError, VendorUnavailableError, MalformedResponseError, EntitlementError, VendorAuthError, VendorRequestError, BudgetExhaustedError,
} from "./errors.ts";
export type {
  EquityBarRow, CorporateActionRow, OptionQuoteRow, OptionContractRow, TickerRow, MacroObservationRow, RejectedRecord, RejectReason, FetchResult, Lineage,
} from "./rows.ts";
