-- Builds the next partition_status ledger for one (source, table) over the years being re-derived (the ledger is
-- kept one part per year; earlier years stand) from the previous ledger of those years, the fresh counts of
-- re-read sessions, the symbols alive when the first of those years starts, and the calendar.
-- Inputs:  previous_ledger (ledger schema, those years only, may be empty), fresh_counts (count_raw_partitions.sql),
--          dirty(session), audit_sessions (calendar, range_first .. through), symbol_end(symbol, last_session DATE),
--          alive_in(symbol): symbols whose span reaches into range_first from an earlier year
-- Variables: source, table_name, granularity, through (DATE), range_first (DATE), audited_at (TIMESTAMP), green_min_ratio,
--            rows_low_ratio, rows_high_ratio, half_days_allowed,
--            carry (BOOLEAN): the previous ledger was built with the same thresholds and no end dates, so its
--              rows outside the re-read sessions are kept verbatim and only new rows are derived and rated;
--            previous_last (DATE): the last session of the previous ledger (carry mode).
-- Output:  ledger_next (ledger schema)
--
-- Verdict (configs/backfill.yml qc): ratio = rows / expected;
--   RED   when the session is missing (no rows) or ratio < rows_low_ratio;
--   AMBER when rows_low_ratio <= ratio < green_min_ratio (short day), ratio > rows_high_ratio (excess rows),
--         or a bar was delivered more than once (duplicates; curation de-duplicates, but the source is suspect);
--   GREEN otherwise.
-- expected = 1 daily bar per session; for minute data the session's minutes from the calendar (210 on a 13:00
-- close) when half_days_allowed, else 390 so a shortened session can never pass.

-- Rows with data: the previous ones outside the re-read sessions, plus the fresh counts.
CREATE OR REPLACE TEMP TABLE present AS
SELECT symbol, session, rows, raw_rows, partition_fp, audited_at
FROM previous_ledger
WHERE rows > 0
  AND session <= getvariable('through')
  AND session NOT IN (SELECT session FROM dirty)
UNION ALL
SELECT symbol, session, rows, raw_rows, partition_fp, getvariable('audited_at')::TIMESTAMP AS audited_at
FROM fresh_counts;

-- A symbol is expected on every session from its first row to `through` (or its end date, when delisted); a symbol
-- alive before the range is expected from the range's first session.
CREATE OR REPLACE TEMP TABLE symbol_bounds AS
SELECT p.symbol, min(p.first_session) AS first_session,
       least(getvariable('through')::DATE, coalesce(any_value(e.last_session), getvariable('through')::DATE)) AS last_session
FROM (
  SELECT symbol, session AS first_session FROM present
  UNION ALL
  SELECT symbol, getvariable('range_first')::DATE FROM alive_in
) p
LEFT JOIN symbol_end e USING (symbol)
GROUP BY p.symbol;

CREATE OR REPLACE TEMP TABLE previous_first AS
SELECT symbol, min(session) AS first_session FROM previous_ledger GROUP BY symbol;

-- The (symbol, session) pairs whose verdict must be derived. Full mode: every session in each symbol's span.
-- Carry mode: only re-read sessions, sessions after the previous ledger's end, and sessions before a symbol's
-- previous first session (history that arrived since); everything else is kept from the previous ledger.
CREATE OR REPLACE TEMP TABLE candidates AS
SELECT b.symbol, s.session
FROM symbol_bounds b
JOIN audit_sessions s ON s.session BETWEEN b.first_session AND b.last_session
WHERE NOT getvariable('carry')
UNION ALL
SELECT b.symbol, s.session
FROM symbol_bounds b
JOIN (SELECT session FROM dirty UNION SELECT session FROM audit_sessions WHERE session > getvariable('previous_last')) d ON true
JOIN audit_sessions s ON s.session = d.session
WHERE getvariable('carry') AND s.session BETWEEN b.first_session AND b.last_session
UNION ALL
SELECT b.symbol, s.session
FROM symbol_bounds b
LEFT JOIN previous_first pf USING (symbol)
JOIN audit_sessions s ON s.session >= b.first_session AND s.session < coalesce(pf.first_session, DATE '9999-12-31')
WHERE getvariable('carry') AND s.session <= b.last_session AND s.session <= getvariable('previous_last')
  AND s.session NOT IN (SELECT session FROM dirty);

CREATE OR REPLACE TEMP TABLE missing AS
SELECT c.symbol, c.session, 0 AS rows, 0 AS raw_rows, NULL::VARCHAR AS partition_fp,
       coalesce(prev.audited_at, getvariable('audited_at')::TIMESTAMP) AS audited_at
FROM (SELECT DISTINCT symbol, session FROM candidates) c
LEFT JOIN present p ON p.symbol = c.symbol AND p.session = c.session
LEFT JOIN previous_ledger prev ON prev.symbol = c.symbol AND prev.session = c.session AND prev.rows = 0
WHERE p.symbol IS NULL;

-- Rows rated this run: in full mode everything; in carry mode the fresh counts and the derived missing rows.
CREATE OR REPLACE TEMP TABLE to_rate AS
SELECT * FROM present WHERE NOT getvariable('carry')
UNION ALL
SELECT symbol, session, rows, raw_rows, partition_fp, getvariable('audited_at')::TIMESTAMP FROM fresh_counts WHERE getvariable('carry')
UNION ALL
SELECT * FROM missing;

CREATE OR REPLACE TEMP TABLE rated_rows AS
WITH measured AS (
  SELECT
    r.*,
    r.raw_rows - r.rows AS duplicates,
    s.kind,
    CASE
      WHEN getvariable('granularity') = 'daily' THEN 1
      WHEN getvariable('half_days_allowed') THEN s.minutes
      ELSE 390
    END AS expected
  FROM to_rate r
  JOIN audit_sessions s USING (session)
),
rated AS (
  SELECT *, rows / expected::DOUBLE AS ratio FROM measured
)
SELECT
  getvariable('source')::VARCHAR AS source,
  getvariable('table_name')::VARCHAR AS table_name,
  symbol,
  session,
  rows::INTEGER AS rows,
  raw_rows::INTEGER AS raw_rows,
  duplicates::INTEGER AS duplicates,
  expected::INTEGER AS expected,
  ratio,
  CASE
    WHEN rows = 0 OR ratio < getvariable('rows_low_ratio') THEN 'RED'
    WHEN ratio < getvariable('green_min_ratio') OR ratio > getvariable('rows_high_ratio') OR duplicates > 0 THEN 'AMBER'
    ELSE 'GREEN'
  END AS status,
  list_filter([
    CASE WHEN rows = 0 THEN 'missing_session' END,
    CASE WHEN rows > 0 AND ratio < getvariable('green_min_ratio') THEN 'short_day' END,
    CASE WHEN ratio > getvariable('rows_high_ratio') THEN 'excess_rows' END,
    CASE WHEN duplicates > 0 THEN 'duplicates' END,
    CASE WHEN getvariable('granularity') = 'minute' AND kind IN ('early_close', 'late_open_early_close')
         THEN CASE WHEN getvariable('half_days_allowed') THEN 'early_close' ELSE 'half_day_not_allowed' END END,
    CASE WHEN getvariable('granularity') = 'minute' AND kind IN ('late_open', 'late_open_early_close') THEN 'late_open' END
  ], x -> x IS NOT NULL) AS reasons,
  partition_fp,
  audited_at
FROM rated;

-- Carry mode keeps the previous verdicts of every other session inside the symbol's (possibly moved) span.
CREATE OR REPLACE TEMP TABLE ledger_next AS
SELECT * FROM (
  SELECT k.*
  FROM previous_ledger k
  JOIN symbol_bounds b ON b.symbol = k.symbol AND k.session BETWEEN b.first_session AND b.last_session
  WHERE getvariable('carry') AND k.session NOT IN (SELECT session FROM dirty)
  UNION ALL
  SELECT * FROM rated_rows
)
ORDER BY symbol, session;
