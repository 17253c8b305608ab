-- Batches of symbols: rebuilt symbols fill buckets of exactly `batch_size` in symbol order (even batches keep
-- DuckDB's peak working set low); symbols that only get new sessions share bucket -1.
-- Inputs: factor_symbols (rebuild_symbols.sql), new_bar_spans. Variable: batch_size.
-- Output: symbol_buckets(symbol, bucket).
CREATE OR REPLACE TEMP TABLE symbol_buckets AS
SELECT symbol, ((row_number() OVER (ORDER BY symbol) - 1) // getvariable('batch_size'))::INTEGER AS bucket
FROM factor_symbols
UNION ALL
SELECT symbol, -1 FROM new_bar_spans WHERE symbol NOT IN (SELECT symbol FROM factor_symbols);
