-- What this pass's new bars add per symbol, and each symbol's last date once they are in.
-- Inputs: bars_checked_input (quarantine_bars.sql), prior_symbols(symbol, last_date, ca_hash) from the bookmark.
-- Outputs: new_bar_spans(symbol, first_new, last_new): the valid new bars' date span per symbol;
--          symbol_last_dates(symbol, last_date): the latest bar date per symbol, known or new.
CREATE OR REPLACE TEMP TABLE new_bar_spans AS
SELECT symbol, min(date) AS first_new, max(date) AS last_new
FROM bars_checked_input
WHERE reasons IS NULL
GROUP BY symbol;

CREATE OR REPLACE TEMP TABLE symbol_last_dates AS
SELECT symbol, greatest(max(last_date), max(last_new)) AS last_date
FROM (
  SELECT symbol, last_date, NULL::DATE AS last_new FROM prior_symbols
  UNION ALL
  SELECT symbol, NULL, last_new FROM new_bar_spans
)
GROUP BY symbol;
