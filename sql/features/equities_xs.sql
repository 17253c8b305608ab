-- equities_xs: the cross-sectional daily panel (docs/training.md, "Datasets"). One row per (date, symbol) for
-- the members of the configured indexes on that date, delisted names included while they were members.
-- No look-ahead: every feature of date d is a function of the symbol's bars up to and including d, and is built
-- from ratios of adjusted prices (or of split-adjusted volumes, or of raw dollar volumes), which corporate actions
-- after d leave unchanged: an adjusted price is the raw price times the product of the factors of later ex-dates,
-- and those products cancel in a ratio of two bars up to d.
-- Windows count the symbol's own bars ("k sessions back" = k bars back); a feature whose window reaches before
-- the symbol's first bar is NULL.
-- Inputs: xs_bars(symbol, date, open_adj, close_adj, close, volume, volume_split, dividend_factor),
--         xs_members(index_name, replaces, symbol, effective_from, effective_to),
--         xs_delistings(symbol, delist_date), xs_sessions(date, i) (NYSE sessions, createSessionTable);
--         variables horizon (sessions) and universe (list of index names).
-- Output: xs_panel(date, symbol, <features...>, fwd_return, label_end_date).
CREATE OR REPLACE TEMP TABLE xs_features AS
WITH b AS (
  SELECT
    symbol, date, close_adj, dividend_factor,
    row_number() OVER w AS n,
    ln(close_adj / lag(close_adj) OVER w) AS r1,
    ln(open_adj / lag(close_adj) OVER w) AS gap,
    close * volume AS dollar_volume,
    CASE WHEN volume_split > 0 THEN ln(volume_split) END AS log_volume
  FROM xs_bars
  WINDOW w AS (PARTITION BY symbol ORDER BY date)
)
SELECT
  symbol,
  date,
  -- Short-term reversal: the last session's and the last week's log return.
  r1 AS ret_1,
  ln(close_adj / lag(close_adj, 5) OVER w) AS ret_5,
  ln(close_adj / lag(close_adj, 20) OVER w) AS ret_20,
  -- Momentum, skipping the most recent sessions (Jegadeesh & Titman 1993; 12-1 as in Carhart 1997).
  ln(lag(close_adj, 5) OVER w / lag(close_adj, 60) OVER w) AS mom_60_5,
  ln(lag(close_adj, 5) OVER w / lag(close_adj, 120) OVER w) AS mom_120_5,
  ln(lag(close_adj, 21) OVER w / lag(close_adj, 252) OVER w) AS mom_252_21,
  -- Realised volatility of daily log returns, annualised with 252 sessions.
  CASE WHEN n > 20 THEN stddev_samp(r1) OVER (w ROWS 19 PRECEDING) * sqrt(252) END AS vol_20,
  CASE WHEN n > 60 THEN stddev_samp(r1) OVER (w ROWS 59 PRECEDING) * sqrt(252) END AS vol_60,
  -- Liquidity: log of the mean raw dollar volume (raw close x raw volume: splits leave it unchanged).
  CASE WHEN n >= 20 THEN ln(avg(dollar_volume) OVER (w ROWS 19 PRECEDING)) END AS log_adv_20,
  -- Abnormal volume: recent log volume against its own trailing mean (differences of logs of split-adjusted
  -- volume, so a later split cancels).
  CASE WHEN n > 20 THEN log_volume - avg(log_volume) OVER (w ROWS BETWEEN 20 PRECEDING AND 1 PRECEDING) END AS volume_surprise_1,
  CASE WHEN n >= 60 THEN avg(log_volume) OVER (w ROWS 4 PRECEDING) - avg(log_volume) OVER (w ROWS 59 PRECEDING) END AS volume_surprise_5,
  -- Overnight gaps: today's open against the previous close, and the mean absolute gap.
  gap AS gap_1,
  CASE WHEN n > 20 THEN avg(abs(gap)) OVER (w ROWS 19 PRECEDING) END AS gap_abs_20,
  -- Trailing dividend yield: dividend_factor(d-252) / dividend_factor(d) is the product of (1 - D / C_prev) over
  -- the ex-dates in (d-252, d], so one minus it is the dividends paid over the last 252 sessions per unit of price.
  CASE WHEN n > 252 THEN 1 - lag(dividend_factor, 252) OVER w / dividend_factor END AS div_yield_252
FROM b
WINDOW w AS (PARTITION BY symbol ORDER BY date);

-- The cross-section of each date: bars of members of the configured indexes (an official list that replaces a
-- proxy index counts as that index).
CREATE OR REPLACE TEMP TABLE xs_universe AS
SELECT DISTINCT b.symbol, b.date
FROM xs_bars b
JOIN xs_members m
  ON m.symbol = b.symbol AND b.date >= m.effective_from AND b.date <= coalesce(m.effective_to, DATE '9999-12-31')
WHERE list_contains(getvariable('universe'), m.index_name) OR list_contains(getvariable('universe'), m.replaces);

-- Labels: the total return from d's close to the close `horizon` sessions later (ratio of adjusted closes). A name
-- delisted inside the window is held to its last close before the delisting (no delisting proceeds are
-- modelled); a name merely missing a bar at the exit has no label. The window must end inside the lake.
CREATE OR REPLACE TEMP TABLE xs_labels AS
WITH exits AS (
  SELECT u.symbol, u.date, e.date AS exit_date
  FROM xs_universe u
  JOIN xs_sessions s ON s.date = u.date
  JOIN xs_sessions e ON e.i = s.i + getvariable('horizon')
  WHERE e.date <= (SELECT max(date) FROM xs_bars)
),
next_delisting AS (
  SELECT x.symbol, x.date, min(d.delist_date) AS delist_date
  FROM exits x JOIN xs_delistings d ON d.symbol = x.symbol AND d.delist_date >= x.date
  GROUP BY x.symbol, x.date
),
exit_bars AS (
  SELECT x.*, eb.date AS exit_bar_date, eb.close_adj AS exit_close_adj
  FROM exits x ASOF LEFT JOIN xs_bars eb ON x.symbol = eb.symbol AND x.exit_date >= eb.date
)
SELECT
  x.symbol,
  x.date,
  x.exit_date AS label_end_date,
  CASE
    WHEN x.exit_bar_date = x.exit_date OR (nd.delist_date IS NOT NULL AND nd.delist_date <= x.exit_date)
      THEN x.exit_close_adj / b0.close_adj - 1
  END AS fwd_return
FROM exit_bars x
JOIN xs_bars b0 ON b0.symbol = x.symbol AND b0.date = x.date
LEFT JOIN next_delisting nd ON nd.symbol = x.symbol AND nd.date = x.date;

CREATE OR REPLACE TEMP TABLE xs_panel AS
SELECT
  f.* EXCLUDE (symbol, date, log_adv_20),
  f.log_adv_20,
  -- Dollar-volume rank within the date's cross-section, 0 (least liquid) to 1.
  CASE WHEN f.log_adv_20 IS NOT NULL
    THEN percent_rank() OVER (PARTITION BY u.date, f.log_adv_20 IS NULL ORDER BY f.log_adv_20) END AS adv_rank,
  u.date,
  u.symbol,
  l.fwd_return,
  l.label_end_date
FROM xs_universe u
JOIN xs_features f ON f.symbol = u.symbol AND f.date = u.date
LEFT JOIN xs_labels l ON l.symbol = u.symbol AND l.date = u.date;
