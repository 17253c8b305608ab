-- Tick-size regime per symbol and session from the versioned rules in config (node.yml reference.tick_size),
-- stored as intervals: one row per run of consecutive sessions with the same rule version and tick.
-- The price that selects the rule is the previous session's raw close (known before the session opens; the
-- symbol's first session uses its own open). Rule 612 of Regulation NMS (17 CFR 242.612) sets the minimum
-- increment by quoted price: $0.01 at or above $1.00, $0.0001 below. This is an APPROXIMATION until official
-- per-symbol tick lists are loaded (e.g. the 2024 amendment's half-penny tick depends on spreads, not price).
-- The Tick Size Pilot (2016-10-03 to 2018-09-28) is per symbol, so price rules cannot know it: a user's list of its
-- groups (`trademl reference import --kind tick-pilot`, ref_tick_pilot) flags each symbol's sessions in its group
-- (tick_pilot_group: C, G1, G2, G3, NULL outside the list), and the test groups G1-G3 quote in $0.05 increments
-- (the Plan's quoting rule; G2 and G3 also trade in $0.05, with exceptions this table does not carry).
-- Sessions before the first rule version's effective date get no tick (NULL).
-- Run once per batch of symbols (the reference builder appends each batch), so the window functions never
-- hold more than a batch of bars.
-- Inputs: tick_bars(symbol, date, open, close) — the bars of one batch of symbols,
--         tick_versions(version_id, effective_from), tick_rules(version_id, min_price, tick),
--         ref_tick_pilot(symbol, pilot_group, valid_from, valid_to) (reference/tick_pilot, empty without an import).
-- Output: rows appended to tick_size_regime(symbol, valid_from, valid_to, sessions, version_id, tick, tick_pilot_group).
INSERT INTO tick_size_regime
WITH priced AS (
  SELECT symbol, date, coalesce(lag(close) OVER (PARTITION BY symbol ORDER BY date), open) AS reference_price
  FROM tick_bars
),
versioned AS (
  SELECT p.*, v.version_id
  FROM priced p ASOF LEFT JOIN tick_versions v ON p.date >= v.effective_from
),
ruled AS (
  SELECT x.symbol, x.date, x.version_id, r.tick
  FROM versioned x ASOF LEFT JOIN tick_rules r ON x.version_id = r.version_id AND x.reference_price >= r.min_price
),
piloted AS (
  SELECT x.symbol, x.date, x.version_id, p.pilot_group AS tick_pilot_group,
    CASE WHEN p.pilot_group IN ('G1', 'G2', 'G3') THEN 0.05 ELSE x.tick END AS tick
  FROM ruled x
  LEFT JOIN ref_tick_pilot p ON p.symbol = x.symbol AND x.date >= p.valid_from AND x.date <= coalesce(p.valid_to, DATE '9999-12-31')
),
islands AS (
  SELECT *,
    row_number() OVER (PARTITION BY symbol ORDER BY date)
      - row_number() OVER (PARTITION BY symbol, version_id, tick, tick_pilot_group ORDER BY date) AS island
  FROM piloted
)
SELECT symbol, min(date) AS valid_from, max(date) AS valid_to, count(*) AS sessions, version_id, tick, tick_pilot_group
FROM islands
GROUP BY symbol, version_id, tick, tick_pilot_group, island;
