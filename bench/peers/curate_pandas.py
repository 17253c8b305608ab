"""pandas + pyarrow peer of trademl's full curation rebuild (bench/curate.bench.ts).

The same end-to-end job on the same raw Parquet parts: quarantine bad bars, merge vendors by priority (one row
per symbol and session / minute), de-duplicate corporate actions, CRSP/Yahoo adjustment factors (split 1/ratio,
dividend 1 - D/C_prev with C_prev the previous raw close, cumulative over later ex-dates), adjusted daily and
minute bars with split-adjusted volume and div_cash, written as one Parquet file per symbol plus the factor
and action tables. Prints one JSON line: wall time (ms), peak RSS (MB), row counts.

Usage: python curate_pandas.py spec.json   (spec: daily, minute, actions paths, vendor, priority, out)
"""
import json
import os
import resource
import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

PRICES = ["open", "high", "low", "close"]


def read_parts(paths, vendor):
    # partitioning=None: the `date=` folders of lake keys are not columns (the files carry their own dates).
    frames = [pq.read_table(p, partitioning=None).to_pandas(date_as_object=False) for p in paths]
    if not frames:
        return pd.DataFrame()
    df = pd.concat(frames, ignore_index=True)
    df["source"] = vendor
    return df


def quarantine_bars(df):
    finite = np.isfinite(df[PRICES]).all(axis=1) & (df[PRICES] > 0).all(axis=1)
    bad = ~finite | (df["high"] < df["low"]) | (df["volume"] < 0) | df["volume"].isna()
    return df[~bad], df[bad]


def merge_by_priority(df, key, priority):
    rank = {s: i for i, s in enumerate(priority)}
    df = df.assign(priority=df["source"].map(rank).fillna(len(rank)))
    df = df.sort_values([*key, "priority", "ingested_at"], ascending=[True] * len(key) + [True, False])
    n_sources = df.groupby(key, sort=False)["source"].transform("nunique")
    df = df.assign(n_sources=n_sources)
    return df.drop_duplicates(key, keep="first").drop(columns="priority")


def curate_actions(actions, priority):
    ok = actions["symbol"].notna() & actions["ex_date"].notna()
    split = actions["action_type"] == "split"
    div = actions["action_type"] == "dividend"
    ok &= (split & (actions["ratio"] > 0)) | (div & (actions["amount"] > 0))
    good = actions[ok].copy()
    good["value"] = np.where(good["action_type"] == "split", good["ratio"], good["amount"]).round(8)
    rank = {s: i for i, s in enumerate(priority)}
    good["priority"] = good["source"].map(rank).fillna(len(rank))
    good = good.drop_duplicates(["symbol", "ex_date", "action_type", "source", "value"])
    best = good.groupby(["symbol", "ex_date", "action_type"])["priority"].transform("min")
    return good[good["priority"] == best], actions[~ok]


def factors(actions, closes, last_dates):
    a = actions.merge(last_dates, on="symbol")
    a = a[a["ex_date"] <= a["last_date"]]
    splits = a[a["action_type"] == "split"].groupby(["symbol", "ex_date"])["value"].prod().rename("split_ratio")
    divs = a[a["action_type"] == "dividend"].groupby(["symbol", "ex_date"])["value"].sum().rename("dividend")
    days = pd.concat([splits, divs], axis=1).reset_index().sort_values("ex_date")
    prev = closes[["symbol", "date", "close"]].sort_values("date")
    days = pd.merge_asof(days, prev, left_on="ex_date", right_on="date", by="symbol", direction="backward", allow_exact_matches=False)
    days["split_factor"] = 1.0 / days["split_ratio"].fillna(1.0)
    base = days["close"] * days["split_factor"]
    rejected = days["dividend"].notna() & base.notna() & (days["dividend"] >= base)
    days["dividend_factor"] = np.where(days["dividend"].isna() | base.isna() | rejected, 1.0, 1.0 - days["dividend"] / base)
    days = days.sort_values(["symbol", "ex_date"], ascending=[True, False])
    days["split_cum"] = days.groupby("symbol")["split_factor"].cumprod()
    days["dividend_cum"] = days.groupby("symbol")["dividend_factor"].cumprod()
    return days.rename(columns={"close": "prev_close", "date": "prev_date"})


def adjust(bars, days, time_col):
    steps = days[["symbol", "ex_date", "split_cum", "dividend_cum"]].sort_values("ex_date")
    bars = bars.assign(_d=pd.to_datetime(bars["date"])).sort_values("_d")
    steps = steps.assign(_e=pd.to_datetime(steps["ex_date"]))
    out = pd.merge_asof(bars, steps.drop(columns="ex_date"), left_on="_d", right_on="_e", by="symbol", direction="forward", allow_exact_matches=False)
    sf = out["split_cum"].fillna(1.0)
    df = out["dividend_cum"].fillna(1.0)
    out["split_factor"], out["dividend_factor"] = sf, df
    for c in PRICES:
        out[f"{c}_split"] = out[c] * sf
        out[f"{c}_adj"] = out[c] * sf * df
    out["volume_split"] = out["volume"] / sf
    cash = days[["symbol", "ex_date", "dividend", "split_ratio"]].assign(_d=lambda x: pd.to_datetime(x["ex_date"])).drop(columns="ex_date")
    out = out.merge(cash, on=["symbol", "_d"], how="left")
    out["div_cash"] = out["dividend"].fillna(0.0)
    return out.drop(columns=["_d", "_e", "split_cum", "dividend_cum", "dividend"]).sort_values(["symbol", time_col])


def write_per_symbol(df, out_dir):
    for symbol, group in df.groupby("symbol", sort=False):
        folder = os.path.join(out_dir, f"symbol={symbol}")
        os.makedirs(folder, exist_ok=True)
        pq.write_table(pa.Table.from_pandas(group, preserve_index=False), os.path.join(folder, "part.parquet"), compression="zstd")


def main():
    spec = json.load(open(sys.argv[1]))
    started = time.perf_counter()
    vendor, priority, out = spec["vendor"], spec["priority"], spec["out"]

    daily = read_parts(spec["daily"], vendor)
    daily, daily_bad = quarantine_bars(daily)
    daily = merge_by_priority(daily, ["symbol", "date"], priority)
    actions, actions_bad = curate_actions(read_parts(spec["actions"], vendor), priority)
    last_dates = daily.groupby("symbol")["date"].max().rename("last_date").reset_index()
    days = factors(actions, daily, last_dates)
    adjusted = adjust(daily, days, "date")
    write_per_symbol(adjusted, os.path.join(out, "equities_ohlcv_adj"))
    os.makedirs(out, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(days, preserve_index=False), os.path.join(out, "adjustment_factors.parquet"))
    pq.write_table(pa.Table.from_pandas(actions, preserve_index=False), os.path.join(out, "corporate_actions.parquet"))
    daily_rows = len(daily) + len(daily_bad)
    del daily, adjusted

    minute = read_parts(spec["minute"], vendor)
    minute, minute_bad = quarantine_bars(minute)
    minute = merge_by_priority(minute, ["symbol", "ts"], priority)
    minute_adj = adjust(minute, days, "ts")
    write_per_symbol(minute_adj, os.path.join(out, "equities_minute_adj"))
    minute_rows = len(minute) + len(minute_bad)

    ms = (time.perf_counter() - started) * 1000
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"ms": ms, "maxRssMB": rss_mb, "dailyRows": daily_rows, "minuteRows": minute_rows}))


if __name__ == "__main__":
    main()
