"""Python peers of bench/validate.bench.ts: fold scoring of a CPCV run in numpy, two ways.

  numpy    the same arithmetic as assembly/validate/fold-scoring.ts, vectorised over blocks of CHUNK rows (argsort
           for the ranks, tie groups by running max/min, outcome ranks computed once per date like the kernel);
           blocks that fit the cache are faster than one pass over the whole 22,500 × 500 panel (measured: about
           1.5x), so the baseline is the faster of the two;
  skfolio  skfolio's own path: CombinatorialPurgedCV(10, 2).split() and get_path_ids() give the rows, each test
           fold is scored with the numpy functions above, and each path is recombined as a MultiPeriodPortfolio of
           one Portfolio per test fold, whose annualized_sharpe_ratio is the path Sharpe.

Usage: validate_numpy.py <panel dir> <numpy|skfolio> <repeats>
Reads meta.json, pred.f64, outcome.f64, row_date.i32, row_path.i32 from the panel dir (written by the bench), writes
the outputs of the last run next to them (<mode>-*.f64) and prints {"seconds": best CPU seconds, ...} on stdout.
"""
import json
import os
import sys
import time

import numpy as np


def average_ranks(x, valid):
    """Average 1-based ranks along axis 1 among the valid entries (NaN elsewhere)."""
    rows, n = x.shape
    keyed = np.where(valid, x, np.inf)
    order = np.argsort(keyed, axis=1, kind="stable")
    s = np.take_along_axis(keyed, order, axis=1)
    pos = np.broadcast_to(np.arange(n), (rows, n))
    starts = np.ones((rows, n), dtype=bool)
    starts[:, 1:] = s[:, 1:] != s[:, :-1]
    ends = np.ones((rows, n), dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    first = np.maximum.accumulate(np.where(starts, pos, 0), axis=1)
    last = np.minimum.accumulate(np.where(ends, pos, n)[:, ::-1], axis=1)[:, ::-1]
    ranks = np.empty_like(x)
    np.put_along_axis(ranks, order, (first + last) * 0.5 + 1.0, axis=1)
    ranks[~valid] = np.nan
    return ranks


def correlation(x, y, valid, mx, my):
    dx = np.where(valid, x - mx[:, None], 0.0)
    dy = np.where(valid, y - my[:, None], 0.0)
    sxx = np.einsum("ij,ij->i", dx, dx)
    syy = np.einsum("ij,ij->i", dy, dy)
    sxy = np.einsum("ij,ij->i", dx, dy)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((sxx > 0) & (syy > 0), sxy / np.sqrt(sxx * syy), np.nan)


def score_rows(pred, out_rows, out_ranks_rows, out_count_rows, quantiles):
    """Per-row IC, rank IC, long-short and hit rate (see the kernel's header for the definitions)."""
    valid = np.isfinite(pred) & np.isfinite(out_rows)
    n = valid.sum(axis=1)
    nf = np.maximum(n, 1).astype(float)
    p0 = np.where(valid, pred, 0.0)
    o0 = np.where(valid, out_rows, 0.0)
    ic = correlation(pred, out_rows, valid, p0.sum(axis=1) / nf, o0.sum(axis=1) / nf)
    xr = average_ranks(pred, valid)
    # Outcome ranks of the date where the row uses all its finite outcomes, else ranked on the row's own names.
    yr = out_ranks_rows.copy()
    own = n != out_count_rows
    if own.any():
        yr[own] = average_ranks(out_rows[own], valid[own])
    mean_rank = (nf + 1.0) * 0.5
    rank_ic = correlation(xr, yr, valid, mean_rank, mean_rank)
    twice = np.where(valid, np.trunc(xr * 2.0) - 2.0, -1.0)
    bucket = np.floor(twice * quantiles / (2.0 * nf[:, None]))
    top = valid & (bucket >= quantiles - 1)
    bottom = valid & (bucket == 0)
    top_n = top.sum(axis=1)
    bottom_n = bottom.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ls = np.where((top_n > 0) & (bottom_n > 0),
                      np.where(top, o0, 0.0).sum(axis=1) / top_n - np.where(bottom, o0, 0.0).sum(axis=1) / bottom_n, np.nan)
        signed = valid & (pred != 0) & (out_rows != 0)
        hits = (signed & ((pred > 0) == (out_rows > 0))).sum(axis=1)
        hit = np.where(signed.sum(axis=1) > 0, hits / signed.sum(axis=1), np.nan)
    small = n < 2
    ic[small] = rank_ic[small] = ls[small] = np.nan
    return ic, rank_ic, ls, hit


def path_sharpe(ls, row_path, paths, periods_per_year):
    ok = np.isfinite(ls)
    count = np.bincount(row_path[ok], minlength=paths)
    total = np.bincount(row_path[ok], weights=ls[ok], minlength=paths)
    mean = total / np.maximum(count, 1)
    dev = ls[ok] - mean[row_path[ok]]
    ss = np.bincount(row_path[ok], weights=dev * dev, minlength=paths)
    sd = np.sqrt(ss / np.maximum(count - 1, 1))
    return mean / sd * np.sqrt(periods_per_year)


def load(folder):
    meta = json.load(open(os.path.join(folder, "meta.json")))
    names, dates = meta["names"], meta["dates"]
    pred = np.fromfile(os.path.join(folder, "pred.f64"), dtype="<f8").reshape(-1, names)
    outcome = np.fromfile(os.path.join(folder, "outcome.f64"), dtype="<f8").reshape(dates, names)
    row_date = np.fromfile(os.path.join(folder, "row_date.i32"), dtype="<i4")
    row_path = np.fromfile(os.path.join(folder, "row_path.i32"), dtype="<i4")
    return meta, pred, outcome, row_date, row_path


CHUNK = int(os.environ.get("TRADEML_BENCH_CHUNK", "256"))


def run_numpy(meta, pred, outcome, row_date, row_path):
    out_valid = np.isfinite(outcome)
    out_ranks = average_ranks(outcome, out_valid)
    out_count = out_valid.sum(axis=1)
    parts = []
    for start in range(0, len(row_date), CHUNK):
        rows = row_date[start:start + CHUNK]
        parts.append(score_rows(pred[start:start + CHUNK], outcome[rows], out_ranks[rows], out_count[rows], meta["quantiles"]))
    ic, rank_ic, ls, hit = (np.concatenate([p[k] for p in parts]) for k in range(4))
    return ic, rank_ic, ls, hit, path_sharpe(ls, row_path, meta["paths"], meta["periods_per_year"])


def run_skfolio(meta, pred, outcome, row_date, row_path):
    from skfolio import Portfolio
    from skfolio.model_selection import CombinatorialPurgedCV
    from skfolio.portfolio import MultiPeriodPortfolio

    cv = CombinatorialPurgedCV(n_folds=meta["folds"], n_test_folds=meta["test_folds"])
    path_ids = cv.get_path_ids()
    out_valid = np.isfinite(outcome)
    out_ranks = average_ranks(outcome, out_valid)
    out_count = out_valid.sum(axis=1)
    parts = [[] for _ in range(meta["paths"])]
    scored = []
    row = 0
    for split, (_, tests) in enumerate(cv.split(outcome)):
        for j, dates in enumerate(tests):
            block = pred[row:row + len(dates)]
            ic, rank_ic, ls, hit = score_rows(block, outcome[dates], out_ranks[dates], out_count[dates], meta["quantiles"])
            scored.append((ic, rank_ic, ls, hit))
            portfolio = Portfolio(X=ls[:, None], weights=np.array([1.0]), annualization_factor=meta["periods_per_year"])
            parts[path_ids[split, j]].append((dates[0], portfolio))
            row += len(dates)
    sharpe = np.array([
        MultiPeriodPortfolio(portfolios=[p for _, p in sorted(path, key=lambda item: item[0])],
                             annualization_factor=meta["periods_per_year"]).annualized_sharpe_ratio
        for path in parts
    ])
    ic, rank_ic, ls, hit = (np.concatenate([s[k] for s in scored]) for k in range(4))
    return ic, rank_ic, ls, hit, sharpe


def main():
    folder, mode, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    meta, pred, outcome, row_date, row_path = load(folder)
    run = run_numpy if mode == "numpy" else run_skfolio
    best = float("inf")
    result = None
    for _ in range(repeats):
        started = time.process_time()
        result = run(meta, pred, outcome, row_date, row_path)
        best = min(best, time.process_time() - started)
    for name, values in zip(["ic", "rank_ic", "long_short", "hit_rate", "path_sharpe"], result):
        np.asarray(values, dtype="<f8").tofile(os.path.join(folder, f"{mode}-{name}.f64"))
    print(json.dumps({"seconds": best, "numpy": np.__version__}))


main()
