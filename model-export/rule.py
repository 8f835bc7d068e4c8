"""How forest JSON predicts: its "prediction" object as code (FORMAT.md).

The Python side's one statement of the rule, used by golden.py to find the
paths to thresholds and by the walker test to predict without the library.
Format version 1 files have no "prediction": they are forests.
"""

import numpy as np

# A version 1 file's rule: sklearn's forests.
FOREST = {"combine": "mean", "start": 0.0, "accumulator": "float64", "input": "float32",
          "compare": "<=", "absent": "zero", "nan": "refused", "infinity": "refused"}

DTYPES = {"float32": np.float32, "float64": np.float64}


class Rule:
    def __init__(self, forest):
        self.p = forest.get("prediction", FOREST)
        self.cast = DTYPES[self.p["input"]]
        self.acc = DTYPES[self.p["accumulator"]]
        self.less = np.less if self.p["compare"] == "<" else np.less_equal

    def absent(self):
        """An absent feature's value: 0, or missing."""
        return 0.0 if self.p["absent"] == "zero" else None

    def left(self, x, threshold, default_left):
        """Whether a split sends x (None: missing, or absent when absent is missing) left."""
        if x is None:
            x = self.absent()
        if x is None:
            return bool(default_left)
        return bool(self.less(np.float64(self.cast(x)), threshold))

    def leaf(self, tree, values):
        """A tree's leaf values as they are added: scaled in float64, then in the accumulator's type."""
        values = np.asarray(values, dtype=np.float64)
        if "scale" in tree:
            values = np.float64(tree["scale"]) * values
        return values.astype(self.acc)

    def finish(self, total, n_trees):
        total = total.astype(np.float64)
        return total / n_trees if self.p["combine"] == "mean" else total
