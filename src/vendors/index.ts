/** Vendor connectors and the one rate governor (public surface, re-exported by src/index.ts). */
export { RateGovernor, memoryBudgetStore, spacingOf, USAGE_COUNTERS, type VendorPolicy, type RateRule, type BudgetStore, type UsageCounters, type GovernorClock, type VendorStatus } from "./governor.ts";
export { FREE_TIER_LIMITS, policiesFromLimits, policyFromLimits, type VendorLimitSpec } from "./policies.ts";
export { createAlpaca, ALPACA_DATA_URL, type AlpacaConnector, type AlpacaOptions } from "./alpaca.ts";
export { createPolygon, clampToWindow, POLYGON_URL, POLYGON_HISTORY_DAYS, type PolygonConnector, type PolygonOptions, type ClampedRange } from "./polygon.ts";
export { createFinnhub, FINNHUB_URL, type FinnhubConnector, type FinnhubOptions } from "./finnhub.ts";
export { createFred, FRED_URL, TREASURY_CURVE_SERIES, type FredConnector, type FredOptions } from "./fred.ts";
export { closeHttpPool, getJson } from "./http.ts";
export {
  RateLimitedError, VendorUnavailableError, MalformedResponseError, EntitlementError, VendorAuthError, VendorRequestError, BudgetExhaustedError,
} from "./errors.ts";
export type {
  EquityBarRow, CorporateActionRow, OptionQuoteRow, OptionContractRow, TickerRow, MacroObservationRow, RejectedRecord, RejectReason, FetchResult, Lineage,
} from "./rows.ts";
