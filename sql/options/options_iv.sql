-- Implied vols of every merged quote (clean or quarantined), on the forward of its expiry (forwards.sql), through
-- implied_vol_fwd / implied_vol_fwd_status: the same function a query calls, so
--   SELECT implied_vol_fwd(mid, forward, strike, t, df, is_call) FROM options_iv
-- gives iv_mid bit for bit. k = ln(K/F). `status` is the row's verdict: the quote's first quarantine reason,
-- else the mid's IV status; a NULL vol always has a status other than ok. `otm`: the side a surface is fitted on
-- (puts below the forward, calls at or above it). `vega` is Black's ∂V/∂σ at the mid's vol, discounted.
-- Inputs: quotes_merged, forwards. Output: options_iv_rows.
CREATE OR REPLACE TEMP TABLE options_iv_rows AS
WITH q AS (
  SELECT m.*, m."right" = 'C' AS is_call, (m.expiry - m.quote_date) / 365.0 AS t_days,
         f.t, f.df, f.rate, f.spot, f.forward, f.forward_source, f.pv_dividends
  FROM quotes_merged m
  LEFT JOIN forwards f USING (underlying, quote_date, expiry)
),
solved AS (
  SELECT *,
         implied_vol_fwd(bid, forward, strike, coalesce(t, t_days), df, is_call) AS iv_bid,
         implied_vol_fwd(ask, forward, strike, coalesce(t, t_days), df, is_call) AS iv_ask,
         implied_vol_fwd(mid, forward, strike, coalesce(t, t_days), df, is_call) AS iv_mid,
         implied_vol_fwd_status(bid, forward, strike, coalesce(t, t_days), df, is_call) AS status_bid,
         implied_vol_fwd_status(ask, forward, strike, coalesce(t, t_days), df, is_call) AS status_ask,
         implied_vol_fwd_status(mid, forward, strike, coalesce(t, t_days), df, is_call) AS status_mid
  FROM q
)
SELECT underlying, contract, quote_date AS date, expiry, strike, "right", is_call, bid, ask, mid,
       spot, forward, forward_source, pv_dividends, rate, df, coalesce(t, t_days) AS t, ln(strike / forward) AS k,
       iv_bid, iv_ask, iv_mid, status_bid, status_ask, status_mid,
       coalesce(split_part(reasons, ',', 1), status_mid) AS status,
       (NOT is_call AND strike < forward) OR (is_call AND strike >= forward) AS otm,
       df * bs_vega(forward, strike, coalesce(t, t_days), 0, 0, iv_mid, is_call) AS vega,
       vendor_iv, source, raw_file
FROM solved;
