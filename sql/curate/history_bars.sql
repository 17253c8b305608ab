-- The curated history of the batch's rebuilt symbols, read from the adjusted parts that hold them.
-- Input: batch_symbols (batch_bars.sql). Variable: history_paths (local paths of those parts).
-- Output: history_bars (the columns merge_bars.sql takes as candidates).
CREATE OR REPLACE TEMP TABLE history_bars AS
SELECT symbol, date, bar_time, open, high, low, close, volume, source, ingested_at, raw_file
FROM read_parquet(getvariable('history_paths'), union_by_name = true, hive_partitioning = false)
WHERE symbol IN (SELECT symbol FROM batch_symbols);
