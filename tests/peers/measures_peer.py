"""Independent Python computations of the validation measures (tests/validate/measures.test.ts).

- dsr: scipy.stats.norm on the formulas of Bailey & López de Prado (2014), written here from the paper;
- calibration: scikit-learn's brier_score_loss, log_loss(labels=[0, 1]) and calibration_curve(strategy="uniform");
- pbo: a direct numpy implementation of CSCV (Bailey et al. 2017) that concatenates the rows of each half, with
  scipy.stats.rankdata(method="average") for the OOS rank.
stdin: {"dsr": [...], "calibration": [...], "pbo": [...]}; stdout: the same keys with the answers.
"""
import itertools
import json
import math
import sys

import numpy as np
from scipy.stats import norm, rankdata
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss


def dsr(case):
    ppy = case["periods_per_year"]
    sr = case["sharpe"] / math.sqrt(ppy)
    var = case["trials_sharpe_var"] / ppy
    n = case["trials"]
    g = 0.5772156649015329
    sr0 = math.sqrt(var) * ((1 - g) * norm.ppf(1 - 1 / n) + g * norm.ppf(1 - 1 / (n * math.e)))
    denom = math.sqrt(1 - case["skew"] * sr + (case["kurtosis"] - 1) / 4 * sr * sr)
    z = (sr - sr0) * math.sqrt(case["periods"] - 1) / denom
    return {"dsr": float(norm.cdf(z)), "sr0": sr0, "psr0": float(norm.cdf(sr * math.sqrt(case["periods"] - 1) / denom))}


def calibration(case):
    y = np.array(case["y"], dtype=float)
    p = np.array(case["p"], dtype=float)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=case["bins"], strategy="uniform")
    edges = np.linspace(0.0, 1.0, case["bins"] + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], p), minlength=case["bins"])
    counts = counts[counts != 0]
    ece = float(np.sum(counts / len(p) * np.abs(prob_pred - prob_true)))
    return {
        "brier": float(brier_score_loss(y, p)),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "prob_true": prob_true.tolist(),
        "prob_pred": prob_pred.tolist(),
        "counts": counts.tolist(),
        "ece": ece,
    }


def sharpe(block):
    sd = block.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, block.mean(axis=0) / sd, -np.inf)


def pbo(case):
    m = np.array(case["values"], dtype=float).reshape(case["rows"], case["cols"])
    s = case["splits"]
    blocks = np.array_split(np.arange(case["rows"]), s)
    logits, is_best, oos_best = [], [], []
    for chosen in itertools.combinations(range(s), s // 2):
        rest = [b for b in range(s) if b not in chosen]
        is_rows = np.concatenate([blocks[b] for b in chosen])
        oos_rows = np.concatenate([blocks[b] for b in rest])
        r_is = sharpe(m[is_rows])
        r_oos = sharpe(m[oos_rows])
        n_star = int(np.argmax(r_is))
        rank = rankdata(r_oos, method="average")[n_star]
        omega = rank / (case["cols"] + 1)
        logits.append(math.log(omega / (1 - omega)))
        is_best.append(float(r_is[n_star]))
        oos_best.append(float(r_oos[n_star]))
    slope, intercept = np.polyfit(is_best, oos_best, 1)
    return {
        "pbo": float(np.mean(np.array(logits) <= 0)),
        "logits": logits,
        "prob_oos_loss": float(np.mean(np.array(oos_best) < 0)),
        "slope": float(slope),
        "intercept": float(intercept),
    }


request = json.load(sys.stdin)
json.dump({
    "dsr": [dsr(c) for c in request.get("dsr", [])],
    "calibration": [calibration(c) for c in request.get("calibration", [])],
    "pbo": [pbo(c) for c in request.get("pbo", [])],
}, sys.stdout)
