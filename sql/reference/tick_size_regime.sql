-- Tick-size regime per symbol and session from the versioned rules in config (node.yml reference.tick_size),
-- stored as intervals: one row per run of consecutive sessions with the same rule version and tick.
-- The price that selects the rule is the previous session's raw close (known before the session opens; the
-- symbol's first session uses its own open). Rule 612 of Regulation NMS (17 CFR 242.612) sets the minimum
-- increment by quoted price: $0.01 at or above $1.00, $0.0001 below. This is an APPROXIMATION until official
-- per-symbol tick lists are loaded (e.g. the 2024 amendment's half-penny tick depends on spreads, not price).
-- Sessions before the first rule version's effective date get no tick (NULL).
-- Run once per batch of symbols (the reference builder appends each batch), so the window functions never
-- hold more than a batch of bars.
-- Inputs: tick_bars(symbol, date, open, close) — the bars of one batch of symbols,
--         tick_versions(version_id, effective_from), tick_rules(version_id, min_price, tick).
-- Output: rows appended to tick_size_regime(symbol, valid_from, valid_to, sessions, version_id, tick).
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
islands AS (
  SELECT *,
    row_number() OVER (PARTITION BY symbol ORDER BY date)
      - row_number() OVER (PARTITION BY symbol, version_id, tick ORDER BY date) AS island
  FROM ruled
)
SELECT symbol, min(date) AS valid_from, max(date) AS valid_to, count(*) AS sessions, version_id, tick
FROM islands
GROUP BY symbol, version_id, tick, island;
