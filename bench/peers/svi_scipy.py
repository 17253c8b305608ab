"""Peer for bench/svi.bench.ts: a typical scipy SVI calibration, timed on the same slices.

A direct five-parameter bounded least squares (scipy.optimize.least_squares, trust-region reflective) on raw
SVI total variance, started from a data-driven guess and from a second, wider guess; the better fit is kept.
Reads {"slices": [{"k": [...], "w": [...], "t": ...}], "repeats": n} as JSON on stdin and prints JSON with
the mean seconds per slice and each slice's parameters and RMSE in implied vol.
Setup: python3 -m venv bench/.out/venv-svi && bench/.out/venv-svi/bin/pip install -r bench/peers/svi-requirements.txt
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import least_squares


def svi(p, k):
    a, b, rho, m, sigma = p
    x = k - m
    return a + b * (rho * x + np.sqrt(x * x + sigma * sigma))


def fit_slice(k, w):
    lower = [-np.max(w), 0.0, -0.9999, 2 * k.min() - k.max(), 1e-4]
    upper = [np.max(w), 4.0, 0.9999, 2 * k.max() - k.min(), 10.0]
    i = int(np.argmin(w))
    starts = [
        [w[i] * 0.5, 0.1, -0.5, k[i], 0.1],
        [w[i] * 0.9, 0.3, 0.0, k[i], 0.5],
    ]
    best = None
    for x0 in starts:
        x0 = np.clip(x0, np.array(lower) + 1e-9, np.array(upper) - 1e-9)
        res = least_squares(lambda p: svi(p, k) - w, x0, bounds=(lower, upper), method="trf",
                            xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
        if best is None or res.cost < best.cost:
            best = res
    return best.x


def main():
    data = json.load(sys.stdin)
    slices = [(np.array(s["k"], dtype=float), np.array(s["w"], dtype=float), float(s["t"])) for s in data["slices"]]
    repeats = int(data.get("repeats", 1))
    results = []
    start = time.perf_counter()
    for r in range(repeats):
        for k, w, t in slices:
            p = fit_slice(k, w)
            if r == 0:
                fitted = np.maximum(svi(p, k), 0.0)
                rmse_vol = float(np.sqrt(np.mean((np.sqrt(fitted / t) - np.sqrt(w / t)) ** 2)))
                results.append({"params": [float(v) for v in p], "rmseVol": rmse_vol})
    elapsed = time.perf_counter() - start
    json.dump({"secondsPerSlice": elapsed / (repeats * len(slices)), "slices": results,
               "scipy": __import__("scipy").__version__}, sys.stdout)


if __name__ == "__main__":
    main()
