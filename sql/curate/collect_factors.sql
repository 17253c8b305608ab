-- A rebuilt batch's factors and rejected dividends join the pass's (adjustment_factors.sql made them).
-- Inputs: adjustment_factors, dividend_rejects. Outputs: new_factors, new_dividend_rejects (appended to).
INSERT INTO new_factors
SELECT symbol, ex_date, split_ratio, split_factor, dividend, prev_close, prev_date, dividend_factor, flags FROM adjustment_factors;
INSERT INTO new_dividend_rejects
SELECT symbol, ex_date, action_type, ratio, amount, source, ingested_at, raw_file, reasons FROM dividend_rejects;
