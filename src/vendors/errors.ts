/**
 * What a vendor call can answer besides data. Each error says whether trying again can help: the governor
 * retries `retryable` ones (honouring `retryAfterMs`) and gives up at once on the rest.
 */
import { ConfigError, DataError, IoError, type AppErrorOptions } from "../domain/errors.ts";

export interface VendorErrorFacts {
  readonly vendor: string;
  /** Path without the query string: queries carry keys. */
  readonly path: string;
  readonly status?: number;
}

/** 429: the vendor asked us to slow down. */
export class RateLimitedError extends IoError {
  readonly retryable = true;
  readonly facts: VendorErrorFacts;
  readonly retryAfterMs: number | undefined;
  constructor(facts: VendorErrorFacts, retryAfterMs: number | undefined, options?: AppErrorOptions) {
    super("vendor_rate_limited", `${facts.vendor} answered 429 for ${facts.path}${retryAfterMs === undefined ? "" : ` (retry after ${Math.round(retryAfterMs)} ms)`}`, options);
    this.facts = facts;
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx or a dropped connection or a timeout: transient by nature. */
export class VendorUnavailableError extends IoError {
  readonly retryable = true;
  readonly retryAfterMs: number | undefined = undefined;
  readonly facts: VendorErrorFacts;
  constructor(facts: VendorErrorFacts, detail: string, options?: AppErrorOptions) {
    super("vendor_unavailable", `${facts.vendor} is unavailable for ${facts.path}: ${detail}`, options);
    this.facts = facts;
  }
}

/** A 200 whose body is not the JSON we expect (truncated, malformed, or the envelope drifted). */
export class MalformedResponseError extends DataError {
  readonly retryable = true;
  readonly retryAfterMs: number | undefined = undefined;
  readonly facts: VendorErrorFacts;
  readonly reason: string;
  readonly rawBody: string;
  constructor(facts: VendorErrorFacts, reason: string, rawBody: string, options?: AppErrorOptions) {
    super("vendor_malformed_response", `${facts.vendor} sent an unusable response for ${facts.path}: ${reason}`, options);
    this.facts = facts;
    this.reason = reason;
    this.rawBody = rawBody;
  }
}

/** 403: the plan does not include this data. Asking again will not change that (Finnhub "no access", Polygon windows). */
export class EntitlementError extends DataError {
  readonly retryable = false;
  readonly facts: VendorErrorFacts;
  constructor(facts: VendorErrorFacts, message: string) {
    super("vendor_not_entitled", `${facts.vendor} says this key has no access to ${facts.path}: ${message}`);
    this.facts = facts;
  }
}

/** 401: the key is missing or wrong; a configuration problem. */
export class VendorAuthError extends ConfigError {
  readonly retryable = false;
  readonly facts: VendorErrorFacts;
  constructor(facts: VendorErrorFacts, message: string) {
    super("vendor_auth_failed", `${facts.vendor} rejected the credentials for ${facts.path}: ${message}`);
    this.facts = facts;
  }
}

/** Another 4xx: our request is wrong; retrying the same request cannot succeed. */
export class VendorRequestError extends DataError {
  readonly retryable = false;
  readonly facts: VendorErrorFacts;
  constructor(facts: VendorErrorFacts, message: string) {
    super("vendor_bad_request", `${facts.vendor} refused ${facts.path} with ${facts.status ?? "?"}: ${message}`);
    this.facts = facts;
  }
}

/** The vendor's daily budget (persisted in the lake) is spent; it resets at 00:00 UTC. */
export class BudgetExhaustedError extends IoError {
  readonly retryable = false;
  readonly vendor: string;
  readonly day: string;
  /** The limit that was reached: the vendor's daily total, or the consumer's share of it. */
  readonly budget: number;
  readonly consumer: string | undefined;
  constructor(vendor: string, day: string, limit: { readonly budget: number; readonly consumer?: string; readonly total?: number }) {
    super(
      "vendor_budget_exhausted",
      limit.consumer === undefined
        ? `${vendor} has used its daily budget of ${limit.budget} requests for ${day}`
        : `the ${limit.consumer} share of ${vendor}'s daily budget is spent: ${limit.budget} of ${limit.total ?? limit.budget} requests for ${day}`,
    );
    this.vendor = vendor;
    this.day = day;
    this.budget = limit.budget;
    this.consumer = limit.consumer;
  }
}

export function isRetryable(error: unknown): error is { retryable: true; retryAfterMs: number | undefined } {
  return typeof error === "object" && error !== null && (error as { retryable?: unknown }).retryable === true;
}
