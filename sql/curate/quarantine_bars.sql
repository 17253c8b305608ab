-- Checks every incoming raw bar and records why a bar is unusable; a bad bar is quarantined, never silently
-- dropped, and the rest of the batch proceeds (DESIGN.md "Bad input").
-- Input: raw_bars_input(symbol, date, bar_time, open, high, low, close, volume, source, ingested_at, raw_file).
-- Output: bars_checked_input = the input plus `reasons` (NULL when the bar is fine); the curator stages it
-- once to a Parquet file sorted by symbol (`bars_checked`) so each batch of symbols reads only its row groups.
-- isfinite() is needed because DuckDB orders NaN above every number, so `NaN > 0` is true.
CREATE OR REPLACE TEMP VIEW bars_checked_input AS
SELECT
  *,
  NULLIF(concat_ws('; ',
    CASE WHEN symbol IS NULL OR trim(symbol) = '' THEN 'missing symbol' END,
    CASE WHEN date IS NULL OR bar_time IS NULL THEN 'missing session date/time' END,
    CASE WHEN NOT coalesce(isfinite(open) AND isfinite(high) AND isfinite(low) AND isfinite(close)
                           AND open > 0 AND high > 0 AND low > 0 AND close > 0, false)
         THEN 'missing, non-finite or non-positive price' END,
    CASE WHEN high < low THEN 'high < low' END,
    CASE WHEN volume < 0 THEN 'negative volume' END,
    CASE WHEN volume IS NULL OR NOT isfinite(volume) THEN 'missing or non-finite volume' END
  ), '') AS reasons
FROM raw_bars_input;
