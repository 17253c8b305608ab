-- curated/corporate_actions: every valid action, `pending` while its ex-date lies after the symbol's latest bar
-- and `effective` once reached; dividends rejected against the previous close are left out (they are in the
-- action quarantine).
-- Inputs: action_candidates (corporate_actions.sql), symbol_last_dates, all_action_quarantine.
-- Output: curated_actions.
CREATE OR REPLACE TEMP TABLE curated_actions AS
SELECT c.symbol, c.ex_date, c.action_type, c.ratio, c.amount, c.source, c.sources, c.conflicting_sources,
       CASE WHEN d.last_date IS NULL OR c.ex_date > d.last_date THEN 'pending' ELSE 'effective' END AS status,
       c.ingested_at, c.raw_file
FROM action_candidates c
LEFT JOIN symbol_last_dates d USING (symbol)
WHERE NOT EXISTS (
  SELECT 1 FROM all_action_quarantine q
  WHERE q.symbol = c.symbol AND q.ex_date = c.ex_date AND q.action_type = c.action_type AND c.action_type = 'dividend'
    AND q.reasons LIKE 'dividend >= previous close%');
