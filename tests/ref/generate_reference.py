"""High-precision reference vectors for trademl's normal-distribution, Black-Scholes-Merton and implied-vol kernels.

Run:  python tests/ref/generate_reference.py  (needs mpmath; writes tests/ref/kernels-reference.json)

Every input is a double chosen by a seeded generator; every expected value is computed from those exact doubles
with mpmath at 50 significant digits and rounded once to the nearest double (repr() round-trips). Each BSM row
also carries the relative condition number kappa = sum_i |z_i dG/dz_i| / |G| of each output G over the six
inputs z (S, K, T, r, q, sigma), so tests can separate the kernel's own error from the error that any double
precision evaluation inherits from rounding its inputs. Each implied-vol row carries kappa_sigma, the relative
condition number of sigma over (P, S, K, T, r, q) with the price held: the amplification of relative input errors
(the price's rounding, and the roundings of S/K or F - K any double evaluation makes) into a relative vol error.
"""
import json
import os
import random

import mpmath as mp

mp.mp.dps = 50
rng = random.Random(20261127)
HOUR = 1.0 / 8760.0


def bsm(S, K, T, r, q, v, call):
    S, K, T, r, q, v = (mp.mpf(z) for z in (S, K, T, r, q, v))
    th = 1 if call else -1
    sq = mp.sqrt(T)
    s = v * sq
    df, a = mp.exp(-r * T), mp.exp(-q * T)
    d1 = (mp.log(S / K) + (r - q) * T) / s + s / 2
    d2 = d1 - s
    n1 = mp.npdf(d1)
    c1, c2 = mp.ncdf(th * d1), mp.ncdf(th * d2)
    price = th * (S * a * c1 - K * df * c2)
    return {
        "price": price,
        "delta": th * a * c1,
        "gamma": a * n1 / (S * s),
        "vega": S * a * n1 * sq,
        "theta": -S * a * n1 * v / (2 * sq) - th * r * K * df * c2 + th * q * S * a * c1,
        "rho": th * K * T * df * c2,
        "vanna": -a * n1 * d2 / v,
        "volga": S * a * n1 * sq * d1 * d2 / v,
        "charm": th * q * a * c1 - a * n1 * (2 * (r - q) * T - d2 * s) / (2 * T * s),
    }


def kappa(fn, args, key):
    """Relative condition number of output `key` over the six inputs, by mpmath numerical differentiation."""
    base = fn(*args)[key]
    if base == 0:
        return 0.0
    total = mp.mpf(0)
    if not mp.isfinite(base):
        return None
    for i in range(6):
        z = mp.mpf(args[i])
        if z == 0:
            continue
        def g(u, i=i):
            a = list(args)
            a[i] = u
            return fn(*a)[key]
        total += abs(z * mp.diff(g, z) / base)
    return d(total)


def d(v):
    """The nearest double, or None (JSON null) where the value is not finite."""
    f = float(v)
    return f if f == f and abs(f) != float("inf") else None


def norm_inv(p):
    """Phi^-1(p) by root finding on mpmath's ncdf (erfinv(2p - 1) loses p below 1e-50 to the subtraction)."""
    p = mp.mpf(p)
    if p == 0.5:
        return mp.mpf(0)
    if p > 0.5:
        return -norm_inv(1 - p)
    # Solve log Phi(x) = log p: well scaled however small p is.
    return mp.findroot(lambda x: mp.log(mp.ncdf(x)) - mp.log(p), -mp.sqrt(-2 * mp.log(p)))


def normal_rows():
    rows = []
    xs = [-38.4, -37.0, -35.5, -30.0, -25.0, -20.0, -12.3, -8.5, -5.0, -3.3, -1.7677669529663688, -1.7, -1.0, -0.5,
          -1e-8, 0.0, 1e-300, 0.3, 0.84375, 1.0, 1.25, 2.0, 2.857, 3.0, 5.0, 8.0, 10.0]
    xs += [rng.uniform(-38.0, 9.0) for _ in range(300)]
    for x in xs:
        X = mp.mpf(x)
        rows.append({"x": x, "cdf": d(mp.ncdf(X)), "pdf": d(mp.npdf(X)), "erfc": d(mp.erfc(X)),
                     "erfcx": d(mp.exp(X * X) * mp.erfc(X)) if x > -26 else None})
    ps = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.02425, 0.075, 0.3, 0.5, 0.7, 0.925, 0.99, 1 - 1e-10]
    ps += [rng.uniform(0.0, 1.0) for _ in range(50)]
    inv = [{"p": p, "x": d(norm_inv(p))} for p in ps]
    return rows, inv


def bsm_rows(n):
    rows = []
    for i in range(n):
        T = float(mp.exp(rng.uniform(float(mp.log(HOUR)), float(mp.log(30.0)))))
        s = float(mp.exp(rng.uniform(float(mp.log(1e-4)), float(mp.log(5.0)))))
        v = s / float(mp.sqrt(T))
        S = rng.choice([1.0, 42.5, 100.0, 3150.25, rng.uniform(0.5, 2000.0)])
        r = rng.choice([0.0, 0.03, rng.uniform(-0.01, 0.1)])
        q = rng.choice([0.0, 0.01, rng.uniform(0.0, 0.05)])
        lnKF = rng.uniform(-5.0, 5.0)
        F = S * float(mp.exp((mp.mpf(r) - q) * T))
        K = float(F * mp.exp(lnKF))
        call = i % 2 == 0
        args = (S, K, T, r, q, v, call)
        out = bsm(*args)
        row = {"S": S, "K": K, "T": T, "r": r, "q": q, "vol": v, "call": call}
        for key, val in out.items():
            row[key] = d(val)
        row["kappa"] = {key: kappa(lambda *a: bsm(*a, call), args[:6], key) for key in ("price", "delta", "gamma", "vega", "theta", "rho")}
        rows.append(row)
    return rows


def iv_condition(S, K, T, r, q, v, call, out):
    """Relative condition number of sigma(P, S, K, T, r, q): with P held, d sigma/dz = -(dP/dz)/vega, so
    kappa = (|P| + |S dP/dS| + |K dP/dK| + |T dP/dT| + |r dP/dr| + |q dP/dq|) / (sigma vega)."""
    S, K, T, r, q, v = (mp.mpf(z) for z in (S, K, T, r, q, v))
    th = 1 if call else -1
    s = v * mp.sqrt(T)
    d1 = (mp.log(S / K) + (r - q) * T) / s + s / 2
    d2 = d1 - s
    dP_dK = -th * mp.exp(-r * T) * mp.ncdf(th * d2)
    dP_dq = -th * T * S * mp.exp(-q * T) * mp.ncdf(th * d1)
    total = (abs(out["price"]) + abs(S * out["delta"]) + abs(K * dP_dK) + abs(T * out["theta"]) + abs(r * out["rho"])
             + abs(q * dP_dq))
    return total / (v * out["vega"])


def iv_rows(n):
    rows = []
    for i in range(n):
        # Every other row inside the core domain (|ln(K/F)| <= 3, s in [0.01, 3]), the rest anywhere.
        core = i % 2 == 0
        T = float(mp.exp(rng.uniform(float(mp.log(HOUR)), float(mp.log(30.0)))))
        s_lo, s_hi = (0.01, 3.0) if core else (1e-4, 5.0)
        s = float(mp.exp(rng.uniform(float(mp.log(s_lo)), float(mp.log(s_hi)))))
        v = s / float(mp.sqrt(T))
        S = rng.choice([1.0, 100.0, rng.uniform(0.5, 2000.0)])
        r = rng.choice([0.0, 0.03, rng.uniform(-0.01, 0.1)])
        q = rng.choice([0.0, 0.01, rng.uniform(0.0, 0.05)])
        lnKF = rng.uniform(-3.0, 3.0) if core else rng.uniform(-5.0, 5.0)
        F = S * float(mp.exp((mp.mpf(r) - q) * T))
        K = float(F * mp.exp(lnKF))
        call = rng.random() < 0.5
        out = bsm(S, K, T, r, q, v, call)
        P = out["price"]
        Sm, Km, Tm, rm, qm = (mp.mpf(z) for z in (S, K, T, r, q))
        xm = mp.log(Sm / Km) + (rm - qm) * Tm
        scale = mp.exp(-rm * Tm) * Km * mp.exp(xm / 2)
        th = 1 if call else -1
        intrinsic = max(th * (mp.exp(xm / 2) - mp.exp(-xm / 2)), 0)
        tv = P / scale - intrinsic
        rows.append({"price": d(P), "S": S, "K": K, "T": T, "r": r, "q": q, "call": call, "vol": v,
                     "x": d(xm), "s": d(mp.mpf(v) * mp.sqrt(Tm)),
                     "timeValueNormalised": d(tv),
                     "kappaSigma": d(iv_condition(S, K, T, r, q, v, call, out)) if out["vega"] != 0 else None})
    return rows


def haug_rows():
    # Published values (price, S, K, T, r, b or q, sigma) with their source and the tolerance their rounding allows.
    return [
        {"source": "Haug 2007, 2nd ed., section 1.1.1 example (Black-Scholes call)", "call": True, "S": 60.0,
         "K": 65.0, "T": 0.25, "r": 0.08, "q": 0.0, "vol": 0.30, "field": "price", "value": 2.1334, "tol": 5e-5},
        {"source": "Haug 2007, 2nd ed., section 1.1.6 example (Merton, put on index)", "call": False, "S": 100.0,
         "K": 95.0, "T": 0.5, "r": 0.10, "q": 0.05, "vol": 0.20, "field": "price", "value": 2.4648, "tol": 5e-5},
        {"source": "Hull 2018, 10th ed., Example 15.6 (call, S=42, K=40, r=10%, sigma=20%, T=0.5)", "call": True,
         "S": 42.0, "K": 40.0, "T": 0.5, "r": 0.10, "q": 0.0, "vol": 0.20, "field": "price", "value": 4.76, "tol": 5e-3},
        {"source": "Hull 2018, 10th ed., Example 15.6 (put)", "call": False, "S": 42.0, "K": 40.0, "T": 0.5,
         "r": 0.10, "q": 0.0, "vol": 0.20, "field": "price", "value": 0.81, "tol": 5e-3},
        {"source": "Hull 2018, 10th ed., section 19.4/19.6 example (S=49, K=50, r=5%, sigma=20%, T=0.3846): delta",
         "call": True, "S": 49.0, "K": 50.0, "T": 0.3846, "r": 0.05, "q": 0.0, "vol": 0.20, "field": "delta",
         "value": 0.522, "tol": 5e-4},
        {"source": "Hull 2018, 10th ed., section 19.6: gamma of the same option", "call": True, "S": 49.0, "K": 50.0,
         "T": 0.3846, "r": 0.05, "q": 0.0, "vol": 0.20, "field": "gamma", "value": 0.066, "tol": 5e-4},
        {"source": "Hull 2018, 10th ed., section 19.5: theta of the same option, per year", "call": True, "S": 49.0,
         "K": 50.0, "T": 0.3846, "r": 0.05, "q": 0.0, "vol": 0.20, "field": "theta", "value": -4.31, "tol": 5e-3},
        {"source": "Hull 2018, 10th ed., section 19.8: vega of the same option, per 1.00 vol", "call": True,
         "S": 49.0, "K": 50.0, "T": 0.3846, "r": 0.05, "q": 0.0, "vol": 0.20, "field": "vega", "value": 12.1,
         "tol": 5e-2},
        {"source": "Hull 2018, 10th ed., section 19.9: rho of the same option, per 1.00 rate", "call": True,
         "S": 49.0, "K": 50.0, "T": 0.3846, "r": 0.05, "q": 0.0, "vol": 0.20, "field": "rho", "value": 8.91,
         "tol": 5e-3},
    ]


def main():
    normal, inverse = normal_rows()
    out = {
        "generator": "tests/ref/generate_reference.py",
        "mpmath": mp.__version__,
        "dps": mp.mp.dps,
        "normal": normal,
        "normInv": inverse,
        "bsm": bsm_rows(400),
        "iv": iv_rows(1500),
        "golden": haug_rows(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels-reference.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=None, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
