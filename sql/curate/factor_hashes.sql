-- Minute bars are adjusted with the daily table's factors, so a symbol's minute history is rebuilt when its
-- effective factor rows change (a late split, a corrected dividend, a new ex-date reached by the minute data).
-- Inputs: adjustment_factors (read from curated/adjustment_factors), symbol_last_dates(symbol, last_date).
-- Output: action_hashes(symbol, ca_hash, n_actions), the same shape action_hashes.sql gives daily bars.
CREATE OR REPLACE TEMP TABLE action_hashes AS
SELECT
  f.symbol,
  md5(string_agg(
    f.ex_date::VARCHAR || ':' || f.split_factor::VARCHAR || ':' || f.dividend_factor::VARCHAR,
    '|' ORDER BY f.ex_date
  )) AS ca_hash,
  count(*) AS n_actions
FROM adjustment_factors f
JOIN symbol_last_dates d ON d.symbol = f.symbol AND f.ex_date <= d.last_date
GROUP BY f.symbol;
