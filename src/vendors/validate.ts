/**
 * Row-level checks shared by every bar connector. "Corrupt data is worse than no data": a bar that fails is
 * not repaired, it is rejected with its reason (and quarantined by the collector); the rest proceeds.
 */
import type { EquityBarRow, RejectedRecord } from "./rows.ts";

export interface BarCheckOptions {
  /** Inclusive session-date range the request asked for; bars outside it are rejected. */
  readonly start: string;
  readonly end: string;
}

export function checkBars(rows: readonly EquityBarRow[], options: BarCheckOptions): { good: EquityBarRow[]; rejected: RejectedRecord[] } {
  const good: EquityBarRow[] = [];
  const rejected: RejectedRecord[] = [];
  const seen = new Set<string>();
  const reject = (row: EquityBarRow, reason: RejectedRecord["reason"], detail: string): void => {
    rejected.push({ reason, detail, source_name: row.source_name, source_uri: row.source_uri, raw: row });
  };
  for (const row of rows) {
    const prices = [row.open, row.high, row.low, row.close];
    if (![...prices, row.volume, row.ts].every(Number.isFinite)) reject(row, "non_finite", "a price, volume or timestamp is not a finite number");
    else if (prices.some((p) => p <= 0) || row.volume < 0) reject(row, "negative_price", `prices must be > 0 and volume ≥ 0 (o=${row.open} h=${row.high} l=${row.low} c=${row.close} v=${row.volume})`);
    else if (row.high < Math.max(row.open, row.close, row.low) || row.low > Math.min(row.open, row.close)) reject(row, "inconsistent_ohlc", `high ${row.high} / low ${row.low} do not bound open ${row.open} and close ${row.close}`);
    else if (row.date < options.start || row.date > options.end) reject(row, "out_of_range", `bar date ${row.date} is outside the requested ${options.start}..${options.end}`);
    else {
      const key = `${row.symbol}|${row.timeframe}|${row.ts}`;
      if (seen.has(key)) reject(row, "duplicate", `a second bar for ${row.symbol} at ${new Date(row.ts).toISOString()}`);
      else {
        seen.add(key);
        good.push(row);
      }
    }
  }
  return { good, rejected };
}
