"""LightGBM peer of the trademl GBDT (tests/learn/gbdt-peer.test.ts, bench/learn.bench.ts): a test and benchmark
oracle only. Reads a panel written by tests/learn/lightgbm-peer.ts from DIR, trains LightGBM single-threaded with
the same settings, predicts the test rows, and prints one JSON line with CPU and wall times.

DIR holds: x.f64 (p columns of n float64, column-major, little-endian), y.f64, optional w.f64, train.i32,
valid.i32 (may be empty), test.i32, and params.json (trademl's GBDT parameter names). Writes DIR/pred.f64.

Usage: python gbdt_lightgbm.py DIR [REPEATS]
"""
import json
import os
import sys
import time

import lightgbm as lgb
import numpy as np


def lightgbm_params(p):
    """trademl's parameter names -> LightGBM's (https://lightgbm.readthedocs.io/en/latest/Parameters.html)."""
    return {
        "objective": "regression",  # L2
        "metric": "l2",
        "num_threads": 1,
        "deterministic": True,
        "force_row_wise": True,  # trademl builds histograms row-wise too; this also skips LightGBM's timing probe
        "verbosity": -1,
        "learning_rate": p["learning_rate"],
        "num_leaves": p["num_leaves"],
        "max_depth": p["max_depth"],
        "min_data_in_leaf": p["min_data_in_leaf"],
        "min_sum_hessian_in_leaf": p["min_sum_hessian"],
        "lambda_l2": p["lambda_l2"],
        "min_gain_to_split": p["min_gain_to_split"],
        "feature_fraction": p["feature_fraction"],
        "bagging_fraction": p["bagging_fraction"],
        "bagging_freq": p["bagging_freq"],
        "seed": p["seed"],
        "max_bin": p["max_bins"],
        "bin_construct_sample_cnt": p["bin_sample_count"],
        "boost_from_average": True,
    }


def main():
    folder = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    read = lambda name, dtype: np.fromfile(os.path.join(folder, name), dtype=dtype)
    with open(os.path.join(folder, "params.json")) as fh:
        params = json.load(fh)
    y = read("y.f64", "<f8")
    n = y.shape[0]
    x = read("x.f64", "<f8").reshape(-1, n).T  # column-major on disk -> rows x features
    w = read("w.f64", "<f8") if os.path.exists(os.path.join(folder, "w.f64")) else None
    train, valid, test = (read(f"{k}.i32", "<i4") for k in ("train", "valid", "test"))
    xt = np.ascontiguousarray(x[train])
    xv = np.ascontiguousarray(x[valid])
    xs = np.ascontiguousarray(x[test])
    best = None
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        dtrain = lgb.Dataset(xt, label=y[train], weight=None if w is None else w[train], free_raw_data=False)
        valid_sets, callbacks = [], []
        if valid.size > 0:
            valid_sets = [lgb.Dataset(xv, label=y[valid], weight=None if w is None else w[valid], reference=dtrain)]
            if params["early_stopping_rounds"] > 0:
                callbacks = [lgb.early_stopping(params["early_stopping_rounds"], verbose=False)]
        booster = lgb.train(lightgbm_params(params), dtrain, num_boost_round=params["num_iterations"],
                            valid_sets=valid_sets, callbacks=callbacks)
        fit_cpu, fit_wall = time.process_time() - c0, time.perf_counter() - t0
        c1, t1 = time.process_time(), time.perf_counter()
        pred = booster.predict(xs, num_iteration=booster.best_iteration if booster.best_iteration > 0 else None, num_threads=1)
        predict_cpu, predict_wall = time.process_time() - c1, time.perf_counter() - t1
        run = {"fit_cpu_s": fit_cpu, "fit_wall_s": fit_wall, "predict_cpu_s": predict_cpu, "predict_wall_s": predict_wall,
               "trees": booster.num_trees(), "best_iteration": booster.best_iteration}
        if best is None or run["fit_cpu_s"] < best["fit_cpu_s"]:
            best = run
    np.asarray(pred, dtype="<f8").tofile(os.path.join(folder, "pred.f64"))
    best["lightgbm"] = lgb.__version__
    print(json.dumps(best))


if __name__ == "__main__":
    main()
