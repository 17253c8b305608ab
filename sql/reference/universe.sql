-- Point-in-time universe and index-membership approximations from curated daily bars.
-- On the first session of each month (the rebalance date) every listed symbol is ranked by its median daily
-- dollar volume (raw close x raw volume, which splits leave unchanged) over the `adv_window` market sessions
-- strictly before the rebalance date, so nothing after the rebalance date is used (no look-ahead).
-- The top `large_count` form a large-cap proxy (in the spirit of the S&P 500 / Russell 1000 top), the next
-- `small_count` a small-cap proxy (in the spirit of the Russell 2000). These are APPROXIMATIONS by liquidity,
-- not the official constituents until a user imports them (index_membership below; docs/querying.md).
-- Delisted names stay in every month they were eligible for, with their delist date (no survivorship bias);
-- a symbol delisted on or before a rebalance date is not ranked for it.
-- Inputs: ref_bars(symbol, date, open, close, volume), ref_delistings(symbol, delist_date),
--         ref_official_index(index_name, replaces, symbol, effective_from, effective_to, source_file, source_sha256,
--         loaded_at) (reference/index_constituents, empty without an import);
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

-- Index membership: the proxies, and the official lists a user imported (`trademl reference import --kind index`,
-- ref_official_index). An official list that `replaces` a proxy takes its place over the dates the list covers
-- (its first effective_from to its last effective_to, open-ended when a row is): a proxy month starting inside that
-- span is dropped, so a training config's universe naming the proxy reads the official members there.
CREATE OR REPLACE TEMP TABLE index_membership AS
WITH official_cover AS (
  SELECT replaces, min(effective_from) AS cover_from, max(coalesce(effective_to, DATE '9999-12-31')) AS cover_to
  FROM ref_official_index
  WHERE replaces IS NOT NULL
  GROUP BY replaces
)
SELECT
  u.index_proxy AS index_name, CAST(NULL AS VARCHAR) AS replaces, u.symbol, u.rebalance_date AS effective_from, u.effective_to,
  u.adv_rank, u.adv_median, u.delist_date,
  CAST(NULL AS VARCHAR) AS source_file, CAST(NULL AS VARCHAR) AS source_sha256, CAST(NULL AS TIMESTAMP) AS loaded_at
FROM universe u
WHERE u.index_proxy IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM official_cover c WHERE c.replaces = u.index_proxy AND u.rebalance_date BETWEEN c.cover_from AND c.cover_to
  )
UNION ALL
SELECT
  o.index_name, o.replaces, o.symbol, o.effective_from, o.effective_to,
  CAST(NULL AS BIGINT), CAST(NULL AS DOUBLE), d.delist_date,
  o.source_file, o.source_sha256, o.loaded_at
FROM ref_official_index o
LEFT JOIN (SELECT symbol, max(delist_date) AS delist_date FROM ref_delistings GROUP BY symbol) d USING (symbol);
