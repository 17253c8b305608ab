"""Vectorised numpy/scipy peer for bench/bsm.bench.ts: BSM price + delta, gamma, vega, theta, rho for N options.

Same workload shape as the TS bench (spot 100, strikes 50..150, T one week..2 years, vol 10..60%, r 3%, q 1%,
calls and puts alternating). Prints one JSON line: {"ns_per_option": best of REPEATS, "n": N}.
Usage: python bsm_numpy.py N REPEATS
"""
import json
import sys
import time

import numpy as np
from scipy.special import ndtr


def bsm(S, K, T, r, q, v, theta):
    sq = np.sqrt(T)
    s = v * sq
    df = np.exp(-r * T)
    a = np.exp(-q * T)
    d1 = (np.log(S / K) + (r - q) * T) / s + 0.5 * s
    d2 = d1 - s
    n1 = np.exp(-0.5 * d1 * d1) * 0.3989422804014327
    c1 = ndtr(theta * d1)
    c2 = ndtr(theta * d2)
    price = theta * (S * a * c1 - K * df * c2)
    delta = theta * a * c1
    gamma = a * n1 / (S * s)
    vega = S * a * n1 * sq
    thet = -S * a * n1 * v / (2 * sq) - theta * r * K * df * c2 + theta * q * S * a * c1
    rho = theta * K * T * df * c2
    return price, delta, gamma, vega, thet, rho


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rng = np.random.default_rng(12345)
    S = np.full(n, 100.0)
    K = 50 + 100 * rng.random(n)
    T = 7 / 365 + 2 * rng.random(n)
    v = 0.1 + 0.5 * rng.random(n)
    r = np.full(n, 0.03)
    q = np.full(n, 0.01)
    theta = np.where(np.arange(n) % 2 == 1, 1.0, -1.0)
    best = float("inf")
    for _ in range(reps):
        t0 = time.process_time()
        bsm(S, K, T, r, q, v, theta)
        best = min(best, time.process_time() - t0)
    print(json.dumps({"ns_per_option": best * 1e9 / n, "n": n}))


if __name__ == "__main__":
    main()
