/**
 * The normalised rows every connector produces, whatever the vendor's wire shape. Each carries lineage:
 * which vendor, which endpoint (URL without query), and when we ingested it.
 */

export interface Lineage {
  source_name: string;
  /** Endpoint URL without its query string (queries may carry keys). */
  source_uri: string;
  /** ISO 8601 instant the response was received. */
  ingested_at: string;
}

export type BarTimeframe = "1d" | "1m";

export interface EquityBarRow extends Lineage {
  symbol: string;
  timeframe: BarTimeframe;
  /** Session date (New York). */
  date: string;
  /** Bar start, Unix milliseconds UTC. */
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  trades: number | null;
}

export interface CorporateActionRow extends Lineage {
  symbol: string;
  action: "split" | "cash_dividend";
  ex_date: string;
  /** Split: new shares per old share. */
  ratio: number | null;
  /** Cash dividend per share. */
  cash: number | null;
  record_date: string | null;
  pay_date: string | null;
}

export interface OptionQuoteRow extends Lineage {
  underlying: string;
  /** OCC symbol without a vendor prefix. */
  contract: string;
  quote_date: string;
  expiry: string;
  strike: number;
  right: "C" | "P";
  bid: number | null;
  ask: number | null;
  last: number | null;
  /** Vendor's implied vol as a decimal, when it sends one. */
  iv: number | null;
  delta: number | null;
  open_interest: number | null;
  volume: number | null;
  /** The vendor's timestamp of this quote (ISO), when it sends one; `quote_date` is the snapshot's session. */
  quote_time: string | null;
}

export interface OptionContractRow extends Lineage {
  underlying: string;
  contract: string;
  expiry: string;
  strike: number;
  right: "C" | "P";
  exercise_style: string;
  shares_per_contract: number;
  as_of: string;
}

export interface TickerRow extends Lineage {
  symbol: string;
  name: string;
  exchange: string | null;
  type: string | null;
  active: boolean;
  cik: string | null;
}

export interface MacroObservationRow extends Lineage {
  series_id: string;
  date: string;
  /** Null where FRED sends "." (no observation). */
  value: number | null;
  realtime_start: string;
  realtime_end: string;
}

/** A row (or a whole response) we refused, with the reason, kept for the quarantine. */
export interface RejectedRecord {
  reason: RejectReason;
  detail: string;
  source_name: string;
  source_uri: string;
  raw: unknown;
}

export type RejectReason =
  | "schema"
  | "negative_price"
  | "inconsistent_ohlc"
  | "non_finite"
  | "duplicate"
  | "out_of_range"
  | "malformed_response"
  /** A symbol (or option underlier, contract, series id) the lake cannot use in a key. */
  | "bad_symbol";

export interface FetchResult<T> {
  rows: T[];
  rejected: RejectedRecord[];
  /** Pages fetched (every page is one request against the vendor's limits). */
  pages: number;
}

/** Parses an OCC symbol (optionally "O:"-prefixed) into its parts. */
export function parseOcc(symbol: string): { root: string; expiry: string; right: "C" | "P"; strike: number } | undefined {
  const m = /^(?:O:)?([A-Z.]{1,6})(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/.exec(symbol);
  if (!m) return undefined;
  const [, root = "", yy = "", mm = "", dd = "", right = "C", strike = "0"] = m;
  return { root, expiry: `20${yy}-${mm}-${dd}`, right: right === "C" ? "C" : "P", strike: Number(strike) / 1000 };
}
