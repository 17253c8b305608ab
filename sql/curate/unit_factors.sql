-- Appended sessions of symbols that are not rebuilt: no effective ex-date can lie after the newest bar, so every
-- factor is 1 — empty factor tables give exactly that in equities_ohlcv_adj.sql.
-- Outputs: adjustment_factors, factor_steps (empty, with their columns).
CREATE OR REPLACE TEMP TABLE adjustment_factors (
  symbol VARCHAR, ex_date DATE, split_ratio DOUBLE, split_factor DOUBLE, dividend DOUBLE, prev_close DOUBLE,
  prev_date DATE, dividend_factor DOUBLE, flags VARCHAR);
CREATE OR REPLACE TEMP TABLE factor_steps (symbol VARCHAR, ex_date DATE, split_cum DOUBLE, dividend_cum DOUBLE);
