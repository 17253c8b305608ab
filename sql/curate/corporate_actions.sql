-- Curates corporate actions from every vendor into one row per action, keyed by (symbol, ex_date, action_type).
-- ratio is new shares per old share (a 4-for-1 split has ratio 4; a 1-for-10 reverse split has ratio 0.1);
-- amount is the cash dividend per share on the ex-date.
-- Input: raw_actions_input(symbol, ex_date, action_type, ratio, amount, source, ingested_at, raw_file),
--        source_priority(source, priority).
-- Outputs: actions_checked (input plus `reasons` for rows that cannot be used),
--          action_candidates (valid actions after collapsing duplicates across and within vendors).
CREATE OR REPLACE TEMP TABLE actions_checked AS
SELECT
  *,
  NULLIF(concat_ws('; ',
    CASE WHEN symbol IS NULL OR trim(symbol) = '' THEN 'missing symbol' END,
    CASE WHEN ex_date IS NULL THEN 'missing ex_date' END,
    CASE WHEN action_type IS NULL OR action_type NOT IN ('split', 'dividend') THEN 'unknown action type' END,
    CASE WHEN action_type = 'split' AND NOT coalesce(isfinite(ratio) AND ratio > 0, false)
         THEN 'split ratio <= 0 or missing' END,
    CASE WHEN action_type = 'dividend' AND NOT coalesce(isfinite(amount) AND amount > 0, false)
         THEN 'dividend amount <= 0 or missing' END
  ), '') AS reasons
FROM raw_actions_input;

-- Values are compared at 1e-8 so the same dividend sent by two vendors as 0.24 and 0.2400000001 is one action.
CREATE OR REPLACE TEMP TABLE action_candidates AS
WITH valid AS (
  SELECT
    a.symbol, a.ex_date, a.action_type, a.source, a.ingested_at, a.raw_file,
    round(CASE WHEN a.action_type = 'split' THEN a.ratio ELSE a.amount END, 8) AS value,
    coalesce(p.priority, 2147483647) AS priority
  FROM actions_checked a
  LEFT JOIN source_priority p USING (source)
  WHERE a.reasons IS NULL
),
-- A vendor sending the same action twice (re-delivery) counts once; its latest copy is the lineage.
per_source AS (
  SELECT symbol, ex_date, action_type, source, value, min(priority) AS priority,
         max(ingested_at) AS ingested_at, max(raw_file) AS raw_file
  FROM valid
  GROUP BY symbol, ex_date, action_type, source, value
),
-- The highest-priority vendor that reports an action on a (symbol, ex_date, type) is authoritative for it;
-- several distinct values from that vendor are separate actions (e.g. a regular and a special dividend).
ranked AS (
  SELECT *, dense_rank() OVER (PARTITION BY symbol, ex_date, action_type ORDER BY priority, source) AS source_rank
  FROM per_source
),
agreement AS (
  SELECT w.symbol, w.ex_date, w.action_type, w.value,
         list(DISTINCT o.source ORDER BY o.source) FILTER (WHERE o.value = w.value) AS sources,
         list(DISTINCT o.source ORDER BY o.source) FILTER (WHERE o.value <> w.value) AS conflicting_sources
  FROM ranked w
  JOIN per_source o USING (symbol, ex_date, action_type)
  WHERE w.source_rank = 1
  GROUP BY w.symbol, w.ex_date, w.action_type, w.value
)
SELECT
  r.symbol, r.ex_date, r.action_type,
  CASE WHEN r.action_type = 'split' THEN r.value END AS ratio,
  CASE WHEN r.action_type = 'dividend' THEN r.value END AS amount,
  r.source,
  a.sources,
  coalesce(a.conflicting_sources, []::VARCHAR[]) AS conflicting_sources,
  r.ingested_at,
  r.raw_file
FROM ranked r
JOIN agreement a USING (symbol, ex_date, action_type, value)
WHERE r.source_rank = 1;
