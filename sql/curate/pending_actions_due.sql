-- Pending corporate actions whose ex-date the symbol's bars have now reached: such an action becomes effective,
-- changes its symbol's hash and so rebuilds it.
-- Inputs: the curated corporate_actions parts (variable `curated_action_paths`), symbol_last_dates.
SELECT count(*)::DOUBLE AS n
FROM read_parquet(getvariable('curated_action_paths')) a
JOIN symbol_last_dates d USING (symbol)
WHERE a.status = 'pending' AND a.ex_date <= d.last_date;
