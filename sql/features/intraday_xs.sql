-- intraday_xs: the cross-sectional intraday panel (docs/training.md, "intraday_xs"). One row per (date, symbol) for
-- the members of the configured indexes on that date that traded through the morning. The features are known at
-- the cutoff (the open plus `morning_minutes`): the morning's minute bars of that session, and daily bars of the
-- sessions before it. The label is the return from the cutoff to the session's close (the afternoon), known at
-- that day's close.
-- No look-ahead: morning features use only minute bars that start before the cutoff; daily context is the last
-- daily bar strictly before the session (an ASOF join), so neither the day's close nor its volume is read.
-- Every feature is a ratio that later corporate actions leave unchanged: within one session every minute bar
-- carries the same adjustment factor (so raw minute prices are used), the gap is an adjusted open over an
-- adjusted close, and volumes are split-adjusted volumes over split-adjusted volumes.
-- Minutes count from the session's open (the NYSE calendar's instants, early closes included); a bar starting at
-- minute k covers [k, k+1), so the last morning bar's close is the price at the cutoff. Bars outside regular
-- hours are ignored.
-- Inputs: ix_minutes(symbol, date, bar_time, open, high, low, close, open_adj, volume_split),
--         ix_bars(symbol, date, open_adj, close_adj, close, volume, volume_split, dividend_factor),
--         ix_members(index_name, replaces, symbol, effective_from, effective_to),
--         ix_sessions(date, i, open_ms, close_ms, minutes) (createSessionTable);
--         variables morning_minutes, universe (list of index names), edge_minutes (how close to the cutoff and to
--         the close the last bar must start for its close to stand for the price there).
-- Output: ix_panel(date, symbol, <features...>, fwd_return, label_end_date).
CREATE OR REPLACE TEMP TABLE ix_minute_bars AS
SELECT
  m.symbol, m.date, m.bar_time, m.open, m.high, m.low, m.close, m.open_adj, m.volume_split,
  ((epoch_ms(m.bar_time) - s.open_ms) // 60000)::INTEGER AS minute,
  s.minutes AS session_minutes
FROM ix_minutes m
JOIN ix_sessions s ON s.date = m.date
WHERE epoch_ms(m.bar_time) >= s.open_ms AND epoch_ms(m.bar_time) < s.close_ms;

-- The morning of each (symbol, session): bars starting before the cutoff.
CREATE OR REPLACE TEMP TABLE ix_morning AS
WITH m AS (
  SELECT *, ln(close / lag(close) OVER (PARTITION BY symbol, date ORDER BY bar_time)) AS r
  FROM ix_minute_bars
  WHERE minute < getvariable('morning_minutes') AND session_minutes > getvariable('morning_minutes')
)
SELECT
  symbol,
  date,
  count(*) AS bars,
  max(minute) AS last_minute,
  arg_min(open, bar_time) AS first_open,
  arg_min(open_adj, bar_time) AS first_open_adj,
  arg_max(close, bar_time) AS cutoff_close,
  -- The price half an hour before the cutoff: the close of the last bar starting before it.
  arg_max(close, bar_time) FILTER (WHERE minute < getvariable('morning_minutes') - 30) AS close_30_before,
  max(high) AS high,
  min(low) AS low,
  sum(volume_split) AS volume_split,
  stddev_samp(r) AS minute_vol
FROM m
GROUP BY symbol, date;

-- The session's last bar (the label's exit).
CREATE OR REPLACE TEMP TABLE ix_close AS
SELECT symbol, date, arg_max(close, bar_time) AS close, max(minute) AS last_minute, any_value(session_minutes) AS session_minutes
FROM ix_minute_bars
GROUP BY symbol, date;

-- Daily context as of each daily bar's close; the panel joins the last one strictly before its session.
CREATE OR REPLACE TEMP TABLE ix_daily AS
WITH b AS (
  SELECT
    symbol, date, close_adj, volume_split,
    row_number() OVER w AS n,
    ln(close_adj / lag(close_adj) OVER w) AS r1,
    close * volume AS dollar_volume
  FROM ix_bars
  WINDOW w AS (PARTITION BY symbol ORDER BY date)
)
SELECT
  symbol,
  date,
  close_adj,
  r1 AS ret_1d,
  ln(close_adj / lag(close_adj, 5) OVER w) AS ret_5d,
  CASE WHEN n > 20 THEN stddev_samp(r1) OVER (w ROWS 19 PRECEDING) * sqrt(252) END AS vol_20d,
  -- Raw close x raw volume: splits leave it unchanged.
  CASE WHEN n >= 20 THEN ln(avg(dollar_volume) OVER (w ROWS 19 PRECEDING)) END AS log_adv_20,
  CASE WHEN n >= 20 THEN avg(volume_split) OVER (w ROWS 19 PRECEDING) END AS mean_volume_split_20
FROM b
WINDOW w AS (PARTITION BY symbol ORDER BY date);

-- The cross-section: members of the configured indexes on the session (an official list that replaces a proxy
-- index counts as that index) whose morning reaches the cutoff.
CREATE OR REPLACE TEMP TABLE ix_universe AS
SELECT mo.*
FROM ix_morning mo
WHERE mo.last_minute >= getvariable('morning_minutes') - 1 - getvariable('edge_minutes')
  AND EXISTS (
    SELECT 1 FROM ix_members x
    WHERE x.symbol = mo.symbol AND mo.date >= x.effective_from AND mo.date <= coalesce(x.effective_to, DATE '9999-12-31')
      AND (list_contains(getvariable('universe'), x.index_name) OR list_contains(getvariable('universe'), x.replaces))
  );

CREATE OR REPLACE TEMP TABLE ix_panel AS
WITH joined AS (
  SELECT u.*, d.close_adj AS prev_close_adj, d.ret_1d, d.ret_5d, d.vol_20d, d.log_adv_20, d.mean_volume_split_20
  FROM ix_universe u
  ASOF LEFT JOIN ix_daily d ON d.symbol = u.symbol AND u.date > d.date
)
SELECT
  -- The morning: its return from the open, the last half hour's, its realised vol (minute log returns, scaled to
  -- the morning), its high-low range, and its volume against a full day's (20-session mean).
  ln(j.cutoff_close / j.first_open) AS morning_return,
  ln(j.cutoff_close / j.close_30_before) AS morning_return_30,
  j.minute_vol * sqrt(j.bars) AS morning_vol,
  ln(j.high / j.low) AS morning_range,
  CASE WHEN j.volume_split > 0 AND j.mean_volume_split_20 > 0 THEN ln(j.volume_split / j.mean_volume_split_20) END AS morning_volume_ratio,
  -- The overnight gap: the session's adjusted open against the previous session's adjusted close.
  ln(j.first_open_adj / j.prev_close_adj) AS gap_1,
  -- Daily context up to the previous close: its return, the last week's, realised vol, liquidity.
  j.ret_1d,
  j.ret_5d,
  j.vol_20d,
  j.log_adv_20,
  CASE WHEN j.log_adv_20 IS NOT NULL
    THEN percent_rank() OVER (PARTITION BY j.date, j.log_adv_20 IS NULL ORDER BY j.log_adv_20) END AS adv_rank,
  j.date,
  j.symbol,
  CASE WHEN c.last_minute >= c.session_minutes - 1 - getvariable('edge_minutes') THEN c.close / j.cutoff_close - 1 END AS fwd_return,
  CASE WHEN c.last_minute >= c.session_minutes - 1 - getvariable('edge_minutes') THEN j.date END AS label_end_date
FROM joined j
JOIN ix_close c ON c.symbol = j.symbol AND c.date = j.date;
