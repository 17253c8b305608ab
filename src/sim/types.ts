/** Shared shapes of the vendor simulator: requests as the route handlers see them, responses, fault plans. */
import type { SyntheticMarket } from "./market.ts";

export const SIM_VENDORS = ["alpaca", "polygon", "finnhub", "fred"] as const;
export type SimVendor = (typeof SIM_VENDORS)[number];

export interface SimRequest {
  readonly vendor: SimVendor;
  /** Path below the vendor prefix, e.g. "/v2/stocks/bars". */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Absolute URL of this vendor's root on the simulator, for next_url links. */
  readonly vendorBase: string;
  readonly market: SyntheticMarket;
  /** The simulator's "today": data exists for sessions strictly before it. */
  readonly today: string;
}

export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type SimHandler = (req: SimRequest) => SimResponse;

/** Misbehaviour for one vendor. Shares are probabilities per request, decided by a keyed PRNG (reproducible). */
export interface FaultPlan {
  /** Share of requests answered 429 with Retry-After while the plan is active (a "storm"). */
  rate429?: number;
  /** Retry-After seconds sent with storm 429s (default 1). */
  retryAfterSeconds?: number;
  /** Share of requests answered with a 5xx. */
  rate5xx?: number;
  /** Share of requests delayed by `slowMs` before answering. */
  slowShare?: number;
  slowMs?: number;
  /** Share of 200 responses cut off mid-body (truncated, unparseable JSON). */
  malformedShare?: number;
  /** Share of 200 responses whose rows drift from the schema (renamed fields, numbers as strings). */
  driftShare?: number;
  /** Inject bad rows into bar responses: a negative price, a duplicate bar, a timestamp out of range. */
  badRows?: boolean;
  /** Scale every bar's prices by this many basis points (a vendor that disagrees with the others). */
  skewBps?: number;
  /** Drop this many bars from every bar response (a vendor with gaps). */
  dropRows?: number;
  /**
   * Serve `from`'s rows under the name `to` (object keys and string values equal to `from` are renamed): a vendor
   * sending a symbol our lake cannot key, e.g. "BRK:B".
   */
  renameSymbol?: { readonly from: string; readonly to: string };
  /**
   * Refuse every request that continues a listing from a `cursor` with a 400, as a vendor answers a cursor that
   * has expired (use the active window to expire only the cursors sent at a given point).
   */
  expireCursors?: boolean;
  /** Active window in milliseconds since the simulator started (default: always). */
  fromMs?: number;
  untilMs?: number;
  /**
   * Active window in this vendor's requests, counted from 1 (default: always): a fault that hits the same requests
   * however fast or slowly a loaded machine gets to them.
   */
  fromRequest?: number;
  untilRequest?: number;
}

export interface RateLimitRule {
  /** Requests allowed in any sliding window of `windowMs`. */
  limit: number;
  windowMs: number;
}

export interface RequestLogEntry {
  seq: number;
  /** Milliseconds since the simulator started (monotonic clock) when the simulator handled the request. */
  atMs: number;
  /**
   * The earliest the request can have arrived: the simulator's event loop was last seen free then. When the
   * simulator itself stalls (a loaded machine), requests that arrived during the stall are handled together at its
   * end; the true arrival lies in [earliestMs, atMs].
   */
  earliestMs: number;
  vendor: SimVendor;
  path: string;
  status: number;
  bytes: number;
  /** What the simulator did on purpose: "storm", "limit", "5xx", "slow", "malformed", "drift", "bad_rows". */
  fault?: string;
}
