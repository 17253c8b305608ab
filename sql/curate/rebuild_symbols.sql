-- Symbols whose whole adjusted history is (re)written this pass: new symbols, symbols whose effective corporate
-- actions changed (their hash differs from the bookmark's), and symbols with a new bar inside their curated
-- history (a backfill). Every other symbol with new bars only gets its new sessions appended.
-- Inputs: symbol_last_dates, new_bar_spans (plan_symbols.sql), prior_symbols, action_hashes.
-- Output: factor_symbols(symbol).
CREATE OR REPLACE TEMP TABLE factor_symbols AS
SELECT d.symbol
FROM symbol_last_dates d
LEFT JOIN prior_symbols p USING (symbol)
LEFT JOIN action_hashes h USING (symbol)
LEFT JOIN new_bar_spans n USING (symbol)
WHERE p.symbol IS NULL
   OR p.ca_hash IS DISTINCT FROM h.ca_hash
   OR n.first_new <= p.last_date;
