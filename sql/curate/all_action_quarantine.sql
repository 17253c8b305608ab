-- quarantine/corporate_actions after this pass: actions that cannot be used (actions_checked), dividends the
-- rebuilt symbols rejected (at or above the previous close), and the kept rejections of symbols not rebuilt.
-- Inputs: actions_checked (corporate_actions.sql), new_dividend_rejects, prior_action_quarantine, factor_symbols.
-- Output: all_action_quarantine.
CREATE OR REPLACE TEMP TABLE all_action_quarantine AS
SELECT symbol, ex_date, action_type, ratio, amount, source, ingested_at, raw_file, reasons
FROM actions_checked
WHERE reasons IS NOT NULL
UNION ALL
SELECT symbol, ex_date, action_type, ratio, amount, source, ingested_at, raw_file, reasons
FROM new_dividend_rejects
UNION ALL
SELECT symbol, ex_date, action_type, ratio, amount, source, ingested_at, raw_file, reasons
FROM prior_action_quarantine
WHERE reasons LIKE 'dividend >= previous close%' AND symbol NOT IN (SELECT symbol FROM factor_symbols);
