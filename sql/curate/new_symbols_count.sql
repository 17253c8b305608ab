-- How many symbols this pass sees for the first time (a new symbol needs the full corporate-action hashes).
-- Inputs: new_bar_spans (plan_symbols.sql), prior_symbols.
SELECT count(*)::DOUBLE AS n FROM new_bar_spans WHERE symbol NOT IN (SELECT symbol FROM prior_symbols);
