-- Curated delistings: one row per (symbol, delist_date) from the highest-priority vendor that reports the
-- symbol, with every vendor that agrees listed in `sources`. Rows without a symbol or date are quarantined.
-- Input: raw_delistings_input(symbol, delist_date, reason, source, ingested_at, raw_file), source_priority.
-- Outputs: delistings_checked (input plus `reasons`), delistings.
CREATE OR REPLACE TEMP TABLE delistings_checked AS
SELECT
  *,
  NULLIF(concat_ws('; ',
    CASE WHEN symbol IS NULL OR trim(symbol) = '' THEN 'missing symbol' END,
    CASE WHEN delist_date IS NULL THEN 'missing delist_date' END
  ), '') AS reasons
FROM raw_delistings_input;

CREATE OR REPLACE TEMP TABLE delistings AS
WITH valid AS (
  SELECT d.*, coalesce(p.priority, 2147483647) AS priority
  FROM delistings_checked d LEFT JOIN source_priority p USING (source)
  WHERE d.reasons IS NULL
),
best AS (
  SELECT symbol, arg_min(source, priority) AS source FROM valid GROUP BY symbol
)
SELECT
  v.symbol,
  v.delist_date,
  arg_max(v.reason, v.ingested_at) AS reason,
  b.source,
  (SELECT list(DISTINCT o.source ORDER BY o.source) FROM valid o
    WHERE o.symbol = v.symbol AND o.delist_date = v.delist_date) AS sources,
  max(v.ingested_at) AS ingested_at,
  max(v.raw_file) AS raw_file
FROM valid v
JOIN best b ON b.symbol = v.symbol AND b.source = v.source
GROUP BY v.symbol, v.delist_date, b.source;
