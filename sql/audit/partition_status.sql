-- Builds the next partition_status ledger for one (source, table) from the previous ledger, the fresh counts of
-- re-read sessions, and the calendar.
-- Inputs:  previous_ledger (ledger schema, may be empty), fresh_counts (count_raw_partitions.sql), dirty(session),
--          audit_sessions (calendar, first needed session .. through), symbol_end(symbol, last_session DATE)
-- Variables: source, table_name, granularity, through (DATE), audited_at (TIMESTAMP), green_min_ratio,
--            rows_low_ratio, rows_high_ratio, half_days_allowed
-- Output:  ledger_next (ledger schema)
--
-- Verdict (configs/backfill.yml qc): ratio = rows / expected;
--   RED   when the session is missing (no rows) or ratio < rows_low_ratio;
--   AMBER when rows_low_ratio <= ratio < green_min_ratio (short day), ratio > rows_high_ratio (excess rows),
--         or a bar was delivered more than once (duplicates; curation de-duplicates, but the source is suspect);
--   GREEN otherwise.
-- expected = 1 daily bar per session; for minute data the session's minutes from the calendar (210 on a 13:00
-- close) when half_days_allowed, else 390 so a shortened session can never pass.
CREATE OR REPLACE TEMP TABLE present AS
SELECT symbol, session, rows, raw_rows, partition_fp, audited_at
FROM previous_ledger
WHERE rows > 0
  AND session <= getvariable('through')
  AND session NOT IN (SELECT session FROM dirty)
UNION ALL
SELECT symbol, session, rows, raw_rows, partition_fp, getvariable('audited_at')::TIMESTAMP AS audited_at
FROM fresh_counts;

-- A symbol is expected on every session from its first row to `through` (or its end date, when delisted).
CREATE OR REPLACE TEMP TABLE symbol_bounds AS
SELECT p.symbol, min(p.session) AS first_session,
       least(getvariable('through')::DATE, coalesce(any_value(e.last_session), getvariable('through')::DATE)) AS last_session
FROM present p
LEFT JOIN symbol_end e USING (symbol)
GROUP BY p.symbol;

CREATE OR REPLACE TEMP TABLE missing AS
SELECT b.symbol, s.session, 0 AS rows, 0 AS raw_rows, NULL::VARCHAR AS partition_fp,
       coalesce(prev.audited_at, getvariable('audited_at')::TIMESTAMP) AS audited_at
FROM symbol_bounds b
JOIN audit_sessions s ON s.session BETWEEN b.first_session AND b.last_session
LEFT JOIN present p ON p.symbol = b.symbol AND p.session = s.session
LEFT JOIN previous_ledger prev ON prev.symbol = b.symbol AND prev.session = s.session AND prev.rows = 0
WHERE p.symbol IS NULL;

CREATE OR REPLACE TEMP TABLE ledger_next AS
WITH rowset AS (
  SELECT * FROM present
  UNION ALL
  SELECT * FROM missing
),
measured AS (
  SELECT
    r.*,
    r.raw_rows - r.rows AS duplicates,
    s.kind,
    CASE
      WHEN getvariable('granularity') = 'daily' THEN 1
      WHEN getvariable('half_days_allowed') THEN s.minutes
      ELSE 390
    END AS expected
  FROM rowset r
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
FROM rated
ORDER BY symbol, session;
