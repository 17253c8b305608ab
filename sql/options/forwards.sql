-- Discount factor and forward per (underlier, session, expiry), T in ACT/365 from the session's close to the
-- expiry's (whole calendar days / 365).
-- Rates: the Treasury constant-maturity curve (FRED DGS*) of the latest day before the session (FRED publishes a
-- day's yields the next business day, so this is the curve known at the session's close: point in time), each yield
-- (percent, semi-annual bond-equivalent) as a continuous rate r = 2·ln(1 + y/200), linear in T between tenors
-- and flat beyond the first and last; DF = exp(−r·T).
-- Forward: put-call parity where both sides trade cleanly, F = K + (C − P)/DF, the median over the
-- parity_strikes strikes with the smallest |C − P| (nearest the money); otherwise carry,
-- F = (S − PV(dividends))/DF with S the underlier's close on the session (curated, unadjusted) and the
-- dividends projected to expiry: announced ones (ex-date after the session), else the trailing year's moved one
-- year on, each discounted at the expiry's rate.
-- Inputs: quotes_merged, treasury(series_id, date, value), dividends(symbol, ex_date, amount),
--         spots(symbol, date, close), variable parity_strikes.
-- Output: forwards.
CREATE OR REPLACE TEMP TABLE forwards AS
WITH expiries AS (
  SELECT DISTINCT underlying, quote_date, expiry, (expiry - quote_date) / 365.0 AS t
  FROM quotes_merged
  WHERE expiry > quote_date
),
tenors(series_id, tenor) AS (
  VALUES ('DGS1MO', 1 / 12), ('DGS3MO', 0.25), ('DGS6MO', 0.5), ('DGS1', 1.0), ('DGS2', 2.0), ('DGS5', 5.0), ('DGS10', 10.0), ('DGS30', 30.0)
),
sessions AS (SELECT DISTINCT quote_date FROM expiries),
curve AS (
  SELECT s.quote_date, n.tenor, 2 * ln(1 + arg_max(y.value, y.date) / 200) AS r
  FROM sessions s
  CROSS JOIN tenors n
  JOIN treasury y ON y.series_id = n.series_id AND y.date < s.quote_date AND y.value IS NOT NULL
  GROUP BY ALL
),
rated AS (
  SELECT e.*,
         (SELECT arg_max(c.r, c.tenor) FROM curve c WHERE c.quote_date = e.quote_date AND c.tenor <= e.t) AS r_lo,
         (SELECT max(c.tenor) FROM curve c WHERE c.quote_date = e.quote_date AND c.tenor <= e.t) AS t_lo,
         (SELECT arg_min(c.r, c.tenor) FROM curve c WHERE c.quote_date = e.quote_date AND c.tenor >= e.t) AS r_hi,
         (SELECT min(c.tenor) FROM curve c WHERE c.quote_date = e.quote_date AND c.tenor >= e.t) AS t_hi
  FROM expiries e
),
discount AS (
  SELECT underlying, quote_date, expiry, t,
         CASE
           WHEN r_lo IS NULL THEN r_hi
           WHEN r_hi IS NULL OR t_hi = t_lo THEN r_lo
           ELSE r_lo + (r_hi - r_lo) * (t - t_lo) / (t_hi - t_lo)
         END AS rate
  FROM rated
),
announced AS (
  SELECT d.underlying, d.quote_date, d.expiry, v.ex_date, v.amount
  FROM discount d JOIN dividends v ON v.symbol = d.underlying AND v.ex_date > d.quote_date
),
last_announced AS (
  SELECT underlying, quote_date, expiry, max(ex_date) AS last_ex FROM announced GROUP BY ALL
),
projected AS (
  SELECT underlying, quote_date, expiry, ex_date, amount FROM announced
  UNION ALL
  SELECT d.underlying, d.quote_date, d.expiry, (v.ex_date + INTERVAL 365 DAY)::DATE AS ex_date, v.amount
  FROM discount d
  JOIN dividends v ON v.symbol = d.underlying AND v.ex_date > d.quote_date - INTERVAL 365 DAY AND v.ex_date <= d.quote_date
  LEFT JOIN last_announced l USING (underlying, quote_date, expiry)
  WHERE l.last_ex IS NULL OR (v.ex_date + INTERVAL 365 DAY)::DATE > l.last_ex
),
pv AS (
  SELECT d.underlying, d.quote_date, d.expiry,
         coalesce(sum(p.amount * exp(-d.rate * (p.ex_date - d.quote_date) / 365.0)) FILTER (WHERE p.ex_date <= d.expiry), 0) AS pv_dividends
  FROM discount d
  LEFT JOIN projected p USING (underlying, quote_date, expiry)
  GROUP BY ALL
),
pairs AS (
  SELECT c.underlying, c.quote_date, c.expiry, c.strike, c.mid - p.mid AS c_minus_p
  FROM quotes_merged c
  JOIN quotes_merged p ON p.underlying = c.underlying AND p.quote_date = c.quote_date AND p.expiry = c.expiry
   AND p.strike = c.strike AND p."right" = 'P' AND p.reasons IS NULL
  WHERE c."right" = 'C' AND c.reasons IS NULL
),
near AS (
  SELECT *, row_number() OVER (PARTITION BY underlying, quote_date, expiry ORDER BY abs(c_minus_p), strike) AS nearness
  FROM pairs
),
parity AS (
  SELECT n.underlying, n.quote_date, n.expiry, median(n.strike + n.c_minus_p / exp(-d.rate * d.t)) AS forward, count(*) AS strikes
  FROM near n JOIN discount d USING (underlying, quote_date, expiry)
  WHERE n.nearness <= getvariable('parity_strikes')::BIGINT
  GROUP BY ALL
)
SELECT d.underlying, d.quote_date, d.expiry, d.t, d.rate, exp(-d.rate * d.t) AS df, s.close AS spot, v.pv_dividends,
       (s.close - v.pv_dividends) / exp(-d.rate * d.t) AS carry_forward,
       coalesce(p.forward, (s.close - v.pv_dividends) / exp(-d.rate * d.t)) AS forward,
       CASE WHEN p.forward IS NOT NULL THEN 'parity' WHEN s.close IS NOT NULL AND d.rate IS NOT NULL THEN 'carry' END AS forward_source
FROM discount d
JOIN pv v USING (underlying, quote_date, expiry)
LEFT JOIN spots s ON s.symbol = d.underlying AND s.date = d.quote_date
LEFT JOIN parity p USING (underlying, quote_date, expiry);
