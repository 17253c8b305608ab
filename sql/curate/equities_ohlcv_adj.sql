-- Adjusted bars: raw prices, split-adjusted prices, total-return-adjusted prices, split-adjusted volume and
-- the cash dividend on its ex-date (div_cash, per share as paid). Rows are the merged bars of the symbols
-- being (re)built; appended bars of unchanged symbols go through the same statement.
-- Inputs: merged_bars, factor_steps, adjustment_factors (adjustment_factors.sql), adj_symbols(symbol).
-- Output: adj_rows, a view: the curator streams it straight into Parquet instead of holding it in memory.
CREATE OR REPLACE TEMP VIEW adj_rows AS
WITH bars AS (
  SELECT b.* FROM merged_bars b SEMI JOIN adj_symbols s ON s.symbol = b.symbol
),
factored AS (
  SELECT
    b.*,
    coalesce(f.split_cum, 1.0) AS split_factor,
    coalesce(f.dividend_cum, 1.0) AS dividend_factor
  FROM bars b
  ASOF LEFT JOIN factor_steps f ON b.symbol = f.symbol AND b.date < f.ex_date
)
SELECT
  x.symbol,
  x.date,
  x.bar_time,
  x.open, x.high, x.low, x.close, x.volume,
  x.split_factor,
  x.dividend_factor,
  x.open * x.split_factor AS open_split,
  x.high * x.split_factor AS high_split,
  x.low * x.split_factor AS low_split,
  x.close * x.split_factor AS close_split,
  x.volume / x.split_factor AS volume_split,
  x.open * x.split_factor * x.dividend_factor AS open_adj,
  x.high * x.split_factor * x.dividend_factor AS high_adj,
  x.low * x.split_factor * x.dividend_factor AS low_adj,
  x.close * x.split_factor * x.dividend_factor AS close_adj,
  coalesce(a.dividend, 0.0) AS div_cash,
  a.split_ratio,
  x.source,
  x.n_sources,
  x.ingested_at,
  x.raw_file
FROM factored x
LEFT JOIN adjustment_factors a ON a.symbol = x.symbol AND a.ex_date = x.date;
