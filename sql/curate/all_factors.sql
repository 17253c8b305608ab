-- curated/adjustment_factors after this pass: the kept factors of symbols not rebuilt, plus the rebuilt ones'.
-- Inputs: prior_factors (the table as committed), factor_symbols, new_factors (this pass's rebuilt symbols).
-- Output: all_factors.
CREATE OR REPLACE TEMP TABLE all_factors AS
SELECT symbol, ex_date, split_ratio, split_factor, dividend, prev_close, prev_date, dividend_factor, flags
FROM prior_factors
WHERE symbol NOT IN (SELECT symbol FROM factor_symbols)
UNION ALL
SELECT symbol, ex_date, split_ratio, split_factor, dividend, prev_close, prev_date, dividend_factor, flags
FROM new_factors;
