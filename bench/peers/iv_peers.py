"""Implied-vol peers for bench/iv.bench.ts.

  numpy_newton: a vectorised Newton solver on the Black-Scholes price (start at the Brenner-Subrahmanyam /
                Manaster-Koehler style guess sigma0 = sqrt(2|ln(F/K)|/T) floored at 0.1, at most 50 steps,
                stop per row at |d sigma| < 1e-14 sigma), the usual numpy approach;
  lets_be_rational: py_lets_be_rational (Jaeckel's algorithm in Python/numba-free), one option per call.
Prints one JSON line with ns per option and the worst relative vol error of each on the same options.
Usage: python iv_peers.py N_NUMPY N_LBR
"""
import json
import sys
import time

import numpy as np
from scipy.special import ndtr


def workload(n, seed=12345):
    rng = np.random.default_rng(seed)
    K = 50 + 100 * rng.random(n)
    T = 7 / 365 + 2 * rng.random(n)
    v = 0.1 + 0.5 * rng.random(n)
    call = np.arange(n) % 2 == 1
    S, r, q = 100.0, 0.03, 0.01
    F = S * np.exp((r - q) * T)
    # Out-of-the-money side only, where the price carries the time value (both peers solve it well).
    call = K >= F
    theta = np.where(call, 1.0, -1.0)
    s = v * np.sqrt(T)
    d1 = np.log(F / K) / s + 0.5 * s
    d2 = d1 - s
    price = np.exp(-r * T) * theta * (F * ndtr(theta * d1) - K * ndtr(theta * d2))
    return S, K, T, r, q, v, theta, price, F


def newton(price, F, K, T, r, theta):
    df = np.exp(-r * T)
    sig = np.maximum(np.sqrt(2 * np.abs(np.log(F / K)) / T), 0.1)
    active = np.ones_like(sig, dtype=bool)
    for _ in range(50):
        sq = np.sqrt(T)
        s = sig * sq
        d1 = np.log(F / K) / s + 0.5 * s
        d2 = d1 - s
        model = df * theta * (F * ndtr(theta * d1) - K * ndtr(theta * d2))
        vega = df * F * np.exp(-0.5 * d1 * d1) * 0.3989422804014327 * sq
        step = np.where(active, (model - price) / np.maximum(vega, 1e-300), 0.0)
        sig = np.clip(sig - step, 1e-6, 10.0)
        active &= np.abs(step) > 1e-14 * sig
        if not active.any():
            break
    return sig


def main():
    n_np = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    n_lbr = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    out = {}
    S, K, T, r, q, v, theta, price, F = workload(n_np)
    t0 = time.process_time()
    sig = newton(price, F, K, T, r, theta)
    out["numpy_newton_ns"] = (time.process_time() - t0) * 1e9 / n_np
    ok = price > 1e-12 * F
    out["numpy_newton_worst_rel_err"] = float(np.max(np.abs(sig[ok] - v[ok]) / v[ok]))
    try:
        from py_lets_be_rational import implied_volatility_from_a_transformed_rational_guess as lbr
    except ImportError as exc:  # the package is optional
        out["lets_be_rational_error"] = str(exc)
    else:
        S, K, T, r, q, v, theta, price, F = workload(n_lbr)
        df = np.exp(-r * T)
        args = [(float(price[i] / df[i]), float(F[i]), float(K[i]), float(T[i]), float(theta[i])) for i in range(n_lbr)]
        t0 = time.process_time()
        res = [lbr(*a) for a in args]
        out["lets_be_rational_ns"] = (time.process_time() - t0) * 1e9 / n_lbr
        res = np.array(res)
        ok = price > 1e-12 * F
        out["lets_be_rational_worst_rel_err"] = float(np.max(np.abs(res[ok] - v[ok]) / v[ok]))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
