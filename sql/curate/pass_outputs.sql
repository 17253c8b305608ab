-- Tables every batch of a pass adds to: the rebuilt symbols' factors and rejected dividends, and the vendor
-- disagreements the merge found.
-- Outputs: new_factors, new_dividend_rejects, all_disagreements (empty).
CREATE OR REPLACE TEMP TABLE new_factors (
  symbol VARCHAR, ex_date DATE, split_ratio DOUBLE, split_factor DOUBLE, dividend DOUBLE, prev_close DOUBLE,
  prev_date DATE, dividend_factor DOUBLE, flags VARCHAR);
CREATE OR REPLACE TEMP TABLE new_dividend_rejects (
  symbol VARCHAR, ex_date DATE, action_type VARCHAR, ratio DOUBLE, amount DOUBLE, source VARCHAR, ingested_at TIMESTAMP,
  raw_file VARCHAR, reasons VARCHAR);
CREATE OR REPLACE TEMP TABLE all_disagreements (
  symbol VARCHAR, date DATE, bar_time TIMESTAMP, chosen_source VARCHAR, other_source VARCHAR, field VARCHAR, chosen DOUBLE,
  other DOUBLE, rel_diff DOUBLE, tolerance DOUBLE);
