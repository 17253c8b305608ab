-- Option quotes of the sessions being curated, checked and merged to one row per (underlier, contract, session).
-- A row's reasons (comma-separated, NULL when clean): expired (expiry on or before the session: T <= 0 at its
-- close), no_quote (bid or ask missing), negative_price, crossed (bid > ask), locked (bid = ask), zero_bid,
-- stale (the vendor's quote time is older than max_quote_age_minutes before the session's close; vendors that
-- send no quote time are never stale). Among the vendors quoting a contract on a session, a clean row beats a
-- quarantined one, then the vendor listed first in option_priority wins, then the latest ingested row.
-- Inputs: raw_chains (the raw parts, with vendor and raw_file), option_priority(vendor, priority),
--         session_close(date, close_ts), variable max_quote_age_minutes.
-- Output: quotes_merged (every chosen row, reasons included).
CREATE OR REPLACE TEMP TABLE quotes_merged AS
WITH flagged AS (
  SELECT r.*, p.priority,
         nullif(concat_ws(',',
           CASE WHEN r.expiry <= r.quote_date THEN 'expired' END,
           CASE WHEN r.bid IS NULL OR r.ask IS NULL THEN 'no_quote' END,
           CASE WHEN r.bid < 0 OR r.ask < 0 THEN 'negative_price' END,
           CASE WHEN r.bid > r.ask THEN 'crossed' WHEN r.bid = r.ask THEN 'locked' END,
           CASE WHEN r.bid = 0 THEN 'zero_bid' END,
           CASE WHEN r.quote_time < c.close_ts - to_minutes(getvariable('max_quote_age_minutes')::BIGINT) THEN 'stale' END
         ), '') AS reasons
  FROM raw_chains r
  JOIN option_priority p USING (vendor)
  LEFT JOIN session_close c ON c.date = r.quote_date
),
ranked AS (
  SELECT *, row_number() OVER (
    PARTITION BY underlying, contract, quote_date ORDER BY reasons IS NULL DESC, priority, ingested_at DESC, raw_file
  ) AS rn
  FROM flagged
)
SELECT underlying, contract, quote_date, expiry, strike, "right", bid, ask,
       CASE WHEN bid IS NOT NULL AND ask IS NOT NULL THEN (bid + ask) / 2 END AS mid,
       last, volume, open_interest, quote_time, iv AS vendor_iv, vendor AS source, source_uri, ingested_at, raw_file, reasons
FROM ranked
WHERE rn = 1;
