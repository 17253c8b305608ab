"""Vectorised numpy/scipy peer of bench/hedge.bench.ts: the hedging kernel's arithmetic (docs/kernels.md, "Hedging
kernel") for a book whose legs all live through the paths, entered at step 0 at their marks.

Per step, over every path at once: Black-Scholes-Merton price, delta, gamma, vega and theta of every leg (textbook
formulas with scipy's ndtr, as bench/peers/bsm_numpy.py), the carry (cash at e^{r dt} - 1, dividends on the shares,
borrow on short shares), the mark-to-market explained by the previous step's Greeks, the half-spread and bps cost
of the entry, the every-step or band hedge with its stock cost, and the 14 step columns the kernel returns.

Inputs are the benchmark's own files (raw little-endian float64): spot (paths x steps), time (steps), vol (legs x
paths x steps); the book and the parameters come as one JSON argument. Prints one JSON line: the best process CPU
time of REPEATS runs in ms, and writes the per-path total PnL to OUT for the benchmark's cross-check.
Usage: python hedge_numpy.py DIR JSON REPEATS OUT
"""
import json
import sys
import time

import numpy as np
from scipy.special import ndtr

INV_SQRT_2PI = 0.3989422804014327


def bsm(S, K, T, r, q, v, sign):
    sq = np.sqrt(T)
    s = v * sq
    df = np.exp(-r * T)
    a = np.exp(-q * T)
    d1 = (np.log(S / K) + (r - q) * T) / s + 0.5 * s
    d2 = d1 - s
    n1 = np.exp(-0.5 * d1 * d1) * INV_SQRT_2PI
    c1 = ndtr(sign * d1)
    c2 = ndtr(sign * d2)
    price = sign * (S * a * c1 - K * df * c2)
    delta = sign * a * c1
    gamma = a * n1 / (S * s)
    vega = S * a * n1 * sq
    theta = -S * a * n1 * v / (2 * sq) - sign * r * K * df * c2 + sign * q * S * a * c1
    return price, delta, gamma, vega, theta


def hedge(spot, times, vol, book, p):
    paths, steps = spot.shape
    K = np.array(book["strike"])[:, None]
    T = np.array(book["expiry"])[:, None]
    sign = np.where(np.array(book["isCall"]) != 0, 1.0, -1.0)[:, None]
    qty = np.array(book["quantity"])[:, None]
    r, q, borrow_bps, half_spread = p["rate"], p["div"], p["borrowBps"], p["halfSpread"]
    stock_bps, per_share, option_bps = p["stock_cost_bps"], p["stock_cost_per_share"], p["option_cost_bps"]
    mode, band = p["mode"], p["band"]
    out = {name: np.empty((paths, steps)) for name in (
        "pnl", "delta", "gamma", "vega", "theta", "financing", "borrow", "stockCost", "optionCost", "residual",
        "hedge", "cash", "bookValue", "bookDelta")}
    h = np.zeros(paths)
    cash = np.zeros(paths)
    zero = np.zeros(paths)
    prev = None
    for k in range(steps):
        S = spot[:, k]
        t = times[k]
        v = vol[:, :, k]
        price, delta, gamma, vega, theta = bsm(S[None, :], K, T - t, r, q, v, sign)
        if prev is None:
            financing = borrow = stock_mtm = option_mtm = delta_pnl = gamma_pnl = vega_pnl = theta_pnl = zero
            cash = cash - (qty * price).sum(axis=0)
            option_cost = -(np.abs(qty) * (half_spread + option_bps * 1e-4 * price)).sum(axis=0)
        else:
            dt = t - times[k - 1]
            s_prev = spot[:, k - 1]
            dS = S - s_prev
            financing = cash * np.expm1(r * dt) + h * s_prev * np.expm1(q * dt)
            borrow = np.where(h < 0, h * s_prev * (borrow_bps * 1e-4) * dt, 0.0)
            stock_mtm = h * dS
            cash = cash + financing + borrow
            p_price, p_delta, p_gamma, p_vega, p_theta, p_vol = prev
            option_mtm = (qty * (price - p_price)).sum(axis=0)
            delta_pnl = ((qty * p_delta).sum(axis=0) + h) * dS
            gamma_pnl = 0.5 * (qty * p_gamma).sum(axis=0) * dS * dS
            vega_pnl = (qty * p_vega * (v - p_vol)).sum(axis=0)
            theta_pnl = (qty * p_theta).sum(axis=0) * dt
            option_cost = zero
        cash = cash + option_cost
        book_value = (qty * price).sum(axis=0)
        book_delta = (qty * delta).sum(axis=0)
        if mode == "every_step":
            target = -book_delta
        else:
            net = book_delta + h
            target = np.where(np.abs(net) > band, -book_delta, h)
        trade = target - h
        shares = np.abs(trade)
        stock_cost = -(shares * S * (stock_bps * 1e-4) + shares * per_share)
        cash = cash - trade * S + stock_cost
        h = target
        mtm = option_mtm + stock_mtm
        out["delta"][:, k] = delta_pnl
        out["gamma"][:, k] = gamma_pnl
        out["vega"][:, k] = vega_pnl
        out["theta"][:, k] = theta_pnl
        out["residual"][:, k] = mtm - (delta_pnl + gamma_pnl + vega_pnl + theta_pnl)
        out["pnl"][:, k] = mtm + financing + borrow + stock_cost + option_cost
        out["financing"][:, k] = financing
        out["borrow"][:, k] = borrow
        out["stockCost"][:, k] = stock_cost
        out["optionCost"][:, k] = option_cost
        out["hedge"][:, k] = h
        out["cash"][:, k] = cash
        out["bookValue"][:, k] = book_value
        out["bookDelta"][:, k] = book_delta
        prev = (price, delta, gamma, vega, theta, v)
    return out


def main():
    folder, spec_json, reps, out_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    spec = json.loads(spec_json)
    paths, steps, legs = spec["paths"], spec["steps"], len(spec["book"]["strike"])
    spot = np.fromfile(f"{folder}/hedge-spot.bin", dtype="<f8").reshape(paths, steps)
    times = np.fromfile(f"{folder}/hedge-time.bin", dtype="<f8")
    vol = np.fromfile(f"{folder}/hedge-vol.bin", dtype="<f8").reshape(legs, paths, steps)
    best = float("inf")
    out = None
    for _ in range(reps):
        t0 = time.process_time()
        out = hedge(spot, times, vol, spec["book"], spec["params"])
        best = min(best, time.process_time() - t0)
    out["pnl"].sum(axis=1).astype("<f8").tofile(out_file)
    print(json.dumps({"ms": best * 1e3}))


if __name__ == "__main__":
    main()
