-- options_vol: one row per (underlier, session) from the SVI surfaces (docs/training.md, "options_vol").
-- No look-ahead: every feature of date d is a function of d's surface (fitted on d's closing chain), of earlier
-- surfaces, and of adjusted closes up to d. Realised vol is a standard deviation of log returns of adjusted
-- closes, which later corporate actions leave unchanged (a ratio of two adjusted closes up to d). The label is the
-- next surface's ATM vol minus d's: known after the next session's close.
-- Only slices that passed QC (qc_status ok or repaired) enter; an underlier-day whose QC rate (the share of its
-- expiries that passed) is below min_qc_rate is left out, both as a row and as the next day of a label.
-- Inputs: ov_surfaces(underlying, date, expiry, t, a, b, rho, m, sigma, qc_status),
--         ov_qc(underlying, date, surface_qc_rate), ov_bars(symbol, date, close_adj);
--         variables tenor (years: the constant maturity) and min_qc_rate.
-- Output: ov_panel(date, underlying, <features...>, dvol, straddle_return, label_end_date).

-- Raw SVI total variance w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)) (Gatheral 2004) at three
-- log-moneyness points of every accepted slice.
CREATE OR REPLACE TEMP TABLE ov_slices AS
SELECT s.underlying, s.date, s.t,
       s.a + s.b * (s.rho * (-0.1 - s.m) + sqrt((-0.1 - s.m) ^ 2 + s.sigma ^ 2)) AS w_put,
       s.a + s.b * (s.rho * (0 - s.m) + sqrt((0 - s.m) ^ 2 + s.sigma ^ 2)) AS w_atm,
       s.a + s.b * (s.rho * (0.1 - s.m) + sqrt((0.1 - s.m) ^ 2 + s.sigma ^ 2)) AS w_call
FROM ov_surfaces s
JOIN ov_qc q ON q.underlying = s.underlying AND q.date = s.date
WHERE s.qc_status IN ('ok', 'repaired') AND q.surface_qc_rate >= getvariable('min_qc_rate')
  AND s.t > 0 AND s.a IS NOT NULL AND s.b IS NOT NULL AND s.rho IS NOT NULL AND s.m IS NOT NULL AND s.sigma IS NOT NULL;

-- Constant-maturity vols at T = tenor and 3 x tenor: total variance interpolated linearly in T between the two
-- accepted slices around it (the usual interpolation that keeps a calendar-arbitrage-free surface so), the vol
-- held flat outside the fitted range. vol = sqrt(w / T).
CREATE OR REPLACE TEMP TABLE ov_cm AS
WITH targets AS (
  SELECT DISTINCT underlying, date, target FROM ov_slices,
  (SELECT unnest([getvariable('tenor'), 3 * getvariable('tenor')]) AS target)
),
bracket AS (
  SELECT g.underlying, g.date, g.target,
    arg_max(struct_pack(t := s.t, put := s.w_put, atm := s.w_atm, call := s.w_call), s.t) FILTER (WHERE s.t <= g.target) AS lo,
    arg_min(struct_pack(t := s.t, put := s.w_put, atm := s.w_atm, call := s.w_call), s.t) FILTER (WHERE s.t >= g.target) AS hi
  FROM targets g JOIN ov_slices s ON s.underlying = g.underlying AND s.date = g.date
  GROUP BY g.underlying, g.date, g.target
),
interpolated AS (
  SELECT underlying, date, target,
    CASE WHEN lo IS NULL THEN hi.put / hi.t WHEN hi IS NULL OR hi.t = lo.t THEN lo.put / lo.t
         ELSE (lo.put + (hi.put - lo.put) * (target - lo.t) / (hi.t - lo.t)) / target END AS v_put,
    CASE WHEN lo IS NULL THEN hi.atm / hi.t WHEN hi IS NULL OR hi.t = lo.t THEN lo.atm / lo.t
         ELSE (lo.atm + (hi.atm - lo.atm) * (target - lo.t) / (hi.t - lo.t)) / target END AS v_atm,
    CASE WHEN lo IS NULL THEN hi.call / hi.t WHEN hi IS NULL OR hi.t = lo.t THEN lo.call / lo.t
         ELSE (lo.call + (hi.call - lo.call) * (target - lo.t) / (hi.t - lo.t)) / target END AS v_call
  FROM bracket
)
SELECT underlying, date,
  sqrt(max(v_atm) FILTER (WHERE target = getvariable('tenor'))) AS atm_vol,
  sqrt(max(v_put) FILTER (WHERE target = getvariable('tenor'))) - sqrt(max(v_call) FILTER (WHERE target = getvariable('tenor'))) AS skew,
  sqrt(max(v_atm) FILTER (WHERE target = 3 * getvariable('tenor'))) - sqrt(max(v_atm) FILTER (WHERE target = getvariable('tenor'))) AS term_slope
FROM interpolated
WHERE v_atm > 0 AND v_put > 0 AND v_call > 0
GROUP BY underlying, date;

-- Realised vol of the underlier's daily log returns over 20 sessions, annualised with 252.
CREATE OR REPLACE TEMP TABLE ov_rv AS
WITH r AS (
  SELECT symbol, date, row_number() OVER w AS n, ln(close_adj / lag(close_adj) OVER w) AS r1
  FROM ov_bars WHERE close_adj > 0
  WINDOW w AS (PARTITION BY symbol ORDER BY date)
)
SELECT symbol, date, CASE WHEN n > 20 THEN stddev_samp(r1) OVER (PARTITION BY symbol ORDER BY date ROWS 19 PRECEDING) * sqrt(252) END AS rv_20
FROM r;

CREATE OR REPLACE TEMP TABLE ov_panel AS
WITH seq AS (
  SELECT c.underlying, c.date, c.atm_vol, c.skew, c.term_slope, rv.rv_20,
    lag(c.atm_vol) OVER w AS atm_prev_1, lag(c.atm_vol, 5) OVER w AS atm_prev_5,
    lead(c.atm_vol) OVER w AS atm_next, lead(c.date) OVER w AS next_date
  FROM ov_cm c LEFT JOIN ov_rv rv ON rv.symbol = c.underlying AND rv.date = c.date
  WINDOW w AS (PARTITION BY c.underlying ORDER BY c.date)
)
SELECT date, underlying,
  -- Level, smile and term structure of the day's surface.
  atm_vol,
  skew,
  term_slope,
  -- The variance risk premium's observable half: implied minus realised (Carr & Wu 2009).
  atm_vol - rv_20 AS iv_minus_rv,
  rv_20,
  -- Recent changes of the ATM vol (vol is mean-reverting: a jump tends to be partly given back).
  atm_vol - atm_prev_1 AS atm_change_1,
  atm_vol - atm_prev_5 AS atm_change_5,
  -- Label: the next accepted surface's ATM vol minus today's (absolute, in vol units).
  atm_next - atm_vol AS dvol,
  -- What the backtester books: an ATM straddle's delta-hedged return over the day is about dvol / vol
  -- (its price and vega are both ~0.8 F sqrt(T) at the money: Brenner & Subrahmanyam 1988).
  (atm_next - atm_vol) / atm_vol AS straddle_return,
  next_date AS label_end_date
FROM seq;
