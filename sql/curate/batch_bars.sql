-- The current batch: its symbols and their valid new bars. The bucket filter prunes the staged files by their
-- hive partition (DuckDB folds the variables into constants, so only the batch's own folder is read); the
-- symbol list is exact.
-- Input: bars_checked (the checked new bars, staged once partitioned by bucket).
-- Variables: batch_symbols (VARCHAR[]), batch_bucket (INTEGER).
-- Outputs: batch_symbols(symbol), batch_bars (a view; the columns of bars_checked without the bucket).
CREATE OR REPLACE TEMP TABLE batch_symbols AS
SELECT unnest(getvariable('batch_symbols')) AS symbol;

CREATE OR REPLACE TEMP VIEW batch_bars AS
SELECT * EXCLUDE (bucket)
FROM bars_checked
WHERE reasons IS NULL
  AND bucket = getvariable('batch_bucket')
  AND list_contains(getvariable('batch_symbols'), symbol);

-- equities_ohlcv_adj.sql adjusts the rows of these symbols.
CREATE OR REPLACE TEMP TABLE adj_symbols AS
SELECT symbol FROM batch_symbols;
