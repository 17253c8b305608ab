-- Input: adjustment_factors(symbol, ex_date, split_factor, dividend_factor, ...) — computed by
-- adjustment_factors.sql for daily bars, or read from curated/adjustment_factors for minute bars, so minute
-- bars are adjusted with exactly the factors of the daily table.
-- Output: factor_steps(symbol, ex_date, split_cum, dividend_cum).
-- Cumulative products over the ex-dates at or after each ex-date, so a bar dated before ex-date E picks the
-- row of the first ex-date after it and gets the product of every later factor.
CREATE OR REPLACE TEMP TABLE factor_steps AS
SELECT
  symbol,
  ex_date,
  product(split_factor) OVER w AS split_cum,
  product(dividend_factor) OVER w AS dividend_cum
FROM adjustment_factors
WINDOW w AS (PARTITION BY symbol ORDER BY ex_date DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);
