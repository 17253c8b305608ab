-- Counts raw bars per (symbol, session) for the sessions being re-audited.
-- Inputs:  raw_norm(symbol VARCHAR, bar_date DATE, bar_ms BIGINT)  one row per raw bar; daily data sets bar_date,
--            minute data sets bar_ms (UTC epoch milliseconds of the minute's start)
--          audit_sessions(session DATE, day_number INTEGER, open_ms BIGINT, close_ms BIGINT, minutes INTEGER, kind VARCHAR)
--          dirty(session DATE, partition_fp VARCHAR)              the sessions to re-read and their part fingerprint
-- Variables: granularity ('daily' | 'minute')
-- Output:  fresh_counts(symbol, session, raw_rows, rows, partition_fp)
-- A minute bar belongs to a session when open <= t < close (NYSE regular hours from the calendar); extended-hours
-- bars are not counted. `rows` counts distinct bar times, so a bar delivered twice counts once and shows up as
-- raw_rows - rows duplicates.
CREATE OR REPLACE TEMP TABLE fresh_counts AS
WITH placed AS (
  SELECT r.symbol, s.session, coalesce(r.bar_ms, epoch_ms(r.bar_date::TIMESTAMP)) AS bar_key
  FROM raw_norm r
  JOIN audit_sessions s
    ON CASE WHEN getvariable('granularity') = 'daily'
            THEN s.session = r.bar_date
            ELSE s.day_number = floor(r.bar_ms / 86400000) AND r.bar_ms >= s.open_ms AND r.bar_ms < s.close_ms
       END
  WHERE r.symbol IS NOT NULL
)
SELECT p.symbol, p.session, count(*)::INTEGER AS raw_rows, count(DISTINCT p.bar_key)::INTEGER AS rows, d.partition_fp
FROM placed p
JOIN dirty d USING (session)
GROUP BY p.symbol, p.session, d.partition_fp;
