"""skfolio 1.12.2's CombinatorialPurgedCV on a batch of configurations (tests/validate/cpcv-skfolio.test.ts).

stdin: [{"n": samples, "folds": .., "test_folds": .., "purge": .., "embargo": ..}, ...]
stdout: one answer per case: {"error": message} or {"splits": [{"train": [...], "test": [[...], ...]}],
        "path_ids": [[...], ...], "state": [[1|0|-1 per sample] per split]}
"""
import json
import sys

import numpy as np
from skfolio.model_selection import CombinatorialPurgedCV


def answer(case):
    try:
        cv = CombinatorialPurgedCV(
            n_folds=case["folds"], n_test_folds=case["test_folds"],
            purged_size=case["purge"], embargo_size=case["embargo"],
        )
        x = np.zeros((case["n"], 1))
        splits = [{"train": train.tolist(), "test": [t.tolist() for t in tests]} for train, tests in cv.split(x)]
        return {
            "splits": splits,
            "path_ids": cv.get_path_ids().tolist(),
            "state": cv.index_train_test_.T.tolist(),
        }
    except ValueError as error:
        return {"error": str(error)}


json.dump([answer(case) for case in json.load(sys.stdin)], sys.stdout)
