-- One hash per symbol over its effective corporate actions (ex-date on or before the symbol's latest bar).
-- When the hash differs from the one kept from the previous run (a late-announced split, a corrected dividend,
-- an action that just became effective) only that symbol's adjusted history is rebuilt.
-- Inputs: action_candidates (corporate_actions.sql), symbol_last_dates(symbol, last_date).
-- Output: action_hashes(symbol, ca_hash, n_actions).
CREATE OR REPLACE TEMP TABLE action_hashes AS
SELECT
  c.symbol,
  md5(string_agg(
    c.ex_date::VARCHAR || ':' || c.action_type || ':' || coalesce(c.ratio, c.amount)::VARCHAR,
    '|' ORDER BY c.ex_date, c.action_type, coalesce(c.ratio, c.amount)
  )) AS ca_hash,
  count(*) AS n_actions
FROM action_candidates c
JOIN symbol_last_dates d ON d.symbol = c.symbol AND c.ex_date <= d.last_date
GROUP BY c.symbol;
