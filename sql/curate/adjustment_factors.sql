-- Adjustment factors per (symbol, ex_date), as CRSP and Yahoo define them:
--   split factor    = 1 / ratio                       (ratio = new shares per old share)
--   dividend factor = 1 - D / C_prev                  (C_prev = raw close of the previous session)
-- The factor for a bar is the product of the factors of every ex-date strictly after it; the split and
-- dividend products are kept apart so split-only and total-return prices can both be derived.
-- References: CRSP "Data Descriptions Guide", cumulative factor to adjust price (CFACPR) and the
-- distribution-based total return; Yahoo Finance "Adj Close" (split and dividend multipliers).
-- Conventions chosen here (documented in docs/querying.md):
--   * several dividends on one ex-date are summed; several splits on one ex-date multiply;
--   * when a split and a dividend share an ex-date, the dividend is per post-split share, so it is compared
--     with C_prev in post-split terms (C_prev / ratio); on any other day this is exactly 1 - D / C_prev;
--   * C_prev is the symbol's latest curated close before the ex-date (the previous session it traded);
--   * a dividend with no earlier bar (first day of history) gets factor 1 and the flag 'no_prev_close';
--   * dividends that add up to C_prev or more are rejected (quarantined), the split on that day still applies;
--   * actions after the symbol's latest bar are pending and adjust nothing yet.
-- Inputs: action_candidates, merged_bars (complete history of the symbols in batch_symbols),
--         batch_symbols(symbol) (symbols being rebuilt in this batch), symbol_last_dates(symbol, last_date).
-- Outputs: action_days, dividend_rejects, adjustment_factors (factor_steps.sql builds the cumulative products).
CREATE OR REPLACE TEMP TABLE action_days AS
WITH effective AS (
  SELECT c.*
  FROM action_candidates c
  JOIN batch_symbols USING (symbol)
  JOIN symbol_last_dates d USING (symbol)
  WHERE c.ex_date <= d.last_date
),
days AS (
  SELECT
    symbol, ex_date,
    product(ratio) FILTER (WHERE action_type = 'split') AS split_ratio,
    sum(amount) FILTER (WHERE action_type = 'dividend') AS dividend,
    count(*) FILTER (WHERE action_type = 'dividend') AS n_dividends
  FROM effective
  GROUP BY symbol, ex_date
),
closes AS (
  SELECT symbol, date, close FROM merged_bars
  -- one close per session: minute tables are not used here, daily bars have one row per date
)
SELECT
  d.*,
  b.close AS prev_close,
  b.date AS prev_date,
  1.0 / coalesce(d.split_ratio, 1.0) AS split_factor,
  b.close / coalesce(d.split_ratio, 1.0) AS dividend_base
FROM days d
ASOF LEFT JOIN closes b ON d.symbol = b.symbol AND d.ex_date > b.date;

CREATE OR REPLACE TEMP TABLE dividend_rejects AS
SELECT
  c.symbol, c.ex_date, c.action_type, c.ratio, c.amount, c.source, c.ingested_at, c.raw_file,
  format('dividend >= previous close (dividends {} vs C_prev {} on {})', d.dividend, d.dividend_base, d.prev_date)
    AS reasons
FROM action_candidates c
JOIN action_days d USING (symbol, ex_date)
WHERE c.action_type = 'dividend' AND d.dividend IS NOT NULL AND d.dividend_base IS NOT NULL
  AND d.dividend >= d.dividend_base;

CREATE OR REPLACE TEMP TABLE adjustment_factors AS
SELECT
  symbol,
  ex_date,
  split_ratio,
  split_factor,
  CASE WHEN dividend >= dividend_base THEN NULL ELSE dividend END AS dividend,
  prev_close,
  prev_date,
  CASE
    WHEN dividend IS NULL OR dividend_base IS NULL OR dividend >= dividend_base THEN 1.0
    ELSE 1.0 - dividend / dividend_base
  END AS dividend_factor,
  concat_ws(',',
    CASE WHEN dividend IS NOT NULL AND prev_close IS NULL THEN 'no_prev_close' END,
    CASE WHEN dividend >= dividend_base THEN 'dividend_rejected' END,
    CASE WHEN split_ratio IS NOT NULL AND dividend IS NOT NULL THEN 'split_and_dividend_same_day' END,
    CASE WHEN n_dividends > 1 THEN 'several_dividends' END
  ) AS flags
FROM action_days;
