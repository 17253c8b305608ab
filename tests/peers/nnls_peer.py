"""Independent NNLS for tests/train/stacker.test.ts: scipy.optimize.nnls (Lawson-Hanson on the design matrix,
not on the normal equations as src/train/stacker/nnls.ts does), with the weights applied as sqrt(w) row scaling.
stdin: [{"a": [[...row...], ...], "y": [...], "w": [...]}]; stdout: [{"x": [...], "rnorm": r}].
"""
import json
import sys

import numpy as np
from scipy.optimize import nnls


def solve(case):
    a = np.asarray(case["a"], dtype=float)
    y = np.asarray(case["y"], dtype=float)
    w = np.sqrt(np.asarray(case["w"], dtype=float))
    x, rnorm = nnls(a * w[:, None], y * w, maxiter=50 * a.shape[1])
    return {"x": x.tolist(), "rnorm": float(rnorm)}


print(json.dumps([solve(case) for case in json.load(sys.stdin)]))
