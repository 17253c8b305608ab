-- Point-in-time universe and index-membership approximations from curated daily bars.
-- On the first session of each month (the rebalance date) every listed symbol is ranked by its median daily
-- dollar volume (raw close x raw volume, which splits leave unchanged) over the `adv_window` market sessions
-- strictly before the rebalance date, so nothing after the rebalance date is used (no look-ahead).
-- The top `large_count` form a large-cap proxy (in the spirit of the S&P 500 / Russell 1000 top), the next
-- `small_count` a small-cap proxy (in the spirit of the Russell 2000). These are APPROXIMATIONS by liquidity,
-- not the official constituents; see docs/querying.md.
-- Delisted names stay in every month they were eligible for, with their delist date (no survivorship bias);
-- a symbol delisted on or before a rebalance date is not ranked for it.
-- Inputs: ref_bars(symbol, date, open, close, volume), ref_delistings(symbol, delist_date);
--         variables adv_window, min_sessions, large_count, small_count.
-- Outputs: universe, index_membership.
CREATE OR REPLACE TEMP TABLE ref_sessions AS
SELECT date, row_number() OVER (ORDER BY date) AS i FROM (SELECT DISTINCT date FROM ref_bars);

CREATE OR REPLACE TEMP TABLE ref_rebalances AS
SELECT r.rebalance_date, s.i AS ri,
       lead(r.rebalance_date) OVER (ORDER BY r.rebalance_date) - INTERVAL 1 DAY AS next_minus_one
FROM (SELECT min(date) AS rebalance_date FROM ref_sessions GROUP BY date_trunc('month', date)) r
JOIN ref_sessions s ON s.date = r.rebalance_date;

CREATE OR REPLACE TEMP TABLE universe AS
WITH last_delisting AS (
  SELECT symbol, max(delist_date) AS delist_date FROM ref_delistings GROUP BY symbol
),
windowed AS (
  SELECT r.rebalance_date, b.symbol, b.close * b.volume AS dollar_volume
  FROM ref_bars b
  JOIN ref_sessions s USING (date)
  JOIN ref_rebalances r ON s.i >= r.ri - getvariable('adv_window') AND s.i < r.ri
),
adv AS (
  SELECT rebalance_date, symbol, median(dollar_volume) AS adv_median, count(*) AS sessions_observed
  FROM windowed
  GROUP BY rebalance_date, symbol
  HAVING count(*) >= getvariable('min_sessions')
),
eligible AS (
  SELECT a.*, d.delist_date
  FROM adv a LEFT JOIN last_delisting d USING (symbol)
  WHERE d.delist_date IS NULL OR d.delist_date > a.rebalance_date
),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY rebalance_date ORDER BY adv_median DESC, symbol) AS adv_rank
  FROM eligible
)
SELECT
  x.rebalance_date,
  CAST(r.next_minus_one AS DATE) AS effective_to,
  x.symbol,
  x.adv_median,
  x.sessions_observed,
  x.adv_rank,
  CASE
    WHEN x.adv_rank <= getvariable('large_count') THEN 'large_cap_proxy'
    WHEN x.adv_rank <= getvariable('large_count') + getvariable('small_count') THEN 'small_cap_proxy'
  END AS index_proxy,
  x.delist_date
FROM ranked x
JOIN ref_rebalances r USING (rebalance_date);

CREATE OR REPLACE TEMP TABLE index_membership AS
SELECT index_proxy AS index_name, symbol, rebalance_date AS effective_from, effective_to, adv_rank, adv_median, delist_date
FROM universe
WHERE index_proxy IS NOT NULL;
