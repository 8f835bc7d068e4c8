"""How forest JSON predicts: its "prediction" object as code (FORMAT.md).

The Python side's one statement of the rule, used by golden.py to find the
paths to thresholds and by the walker test to predict without the library.
Format version 1 files have no "prediction": they are forests. LightGBM's
trees carry each split's own missing rule and categories (lightgbm_left);
HistGradientBoosting's and xgboost's may carry categories (category_left).
"""

import math

import numpy as np

# A version 1 file's rule: sklearn's forests.
FOREST = {"combine": "mean", "start": 0.0, "accumulator": "float64", "input": "float32",
          "compare": "<=", "absent": "zero", "nan": "refused", "infinity": "refused"}

DTYPES = {"float32": np.float32, "float64": np.float64}

# LightGBM's kZeroThreshold (1e-35f, as a double): at a split whose
# missing_type is "zero", |x| <= it is missing.
ZERO_THRESHOLD = float(np.float32(1e-35))


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

    def split_left(self, tree, node, x):
        """Whether node of tree sends x (None: absent) left: the rule's, or,
        in a tree with missing_type (LightGBM), that split's own."""
        if "missing_type" not in tree:
            default_left = tree["default_left"][node] if "default_left" in tree else False
            cats = tree["categories"][node] if "categories" in tree else None
            if cats is not None:
                return category_left(None if x is None else self.cast(x), cats, default_left, self.absent())
            return self.left(x, tree["threshold"][node], default_left)
        x = float(self.cast(self.absent() if x is None else x))
        return lightgbm_left(x, tree["threshold"][node], tree["default_left"][node],
                             tree["missing_type"][node], tree["categories"][node])

    def leaf(self, tree, values):
        """A tree's leaf values as they are added: scaled in float64, then in the accumulator's type."""
        values = np.asarray(values, dtype=np.float64)
        if "scale" in tree:
            values = np.float64(tree["scale"]) * values
        return values.astype(self.acc)

    def finish(self, total, n_trees):
        total = total.astype(np.float64)
        return total / n_trees if self.p["combine"] == "mean" else total


def category_left(x, categories, default_left, absent=0.0):
    """HistGradientBoosting's and xgboost's categorical split on a one-hot
    value x (None: absent): missing (NaN, or absent where absent is missing)
    goes default_left; 0 and 1 go left when among categories (categorical.py
    decided them by the library's rule)."""
    x = absent if x is None else x
    if x is None or math.isnan(x):
        return bool(default_left)
    if x not in (0.0, 1.0):
        raise ValueError(f"a categorical split on {x!r}: only one-hot values 0 and 1 are compiled")
    return int(x) in categories


def lightgbm_left(x, threshold, default_left, missing_type, categories):
    """LightGBM's tree.h, NumericalDecision and CategoricalDecision, for a double x."""
    if categories is not None:
        # NaN, and an int truncation that is negative (or, for |x| >= 2**31,
        # INT_MIN on x86), go right; -1 < x < 1 is category 0.
        if math.isnan(x) or not -2.0**31 < x < 2.0**31 or math.trunc(x) < 0:
            return False
        return math.trunc(x) in categories
    if math.isnan(x) and missing_type != "nan":
        x = 0.0
    if missing_type == "zero" and -ZERO_THRESHOLD <= x <= ZERO_THRESHOLD or missing_type == "nan" and math.isnan(x):
        return bool(default_left)
    return x <= threshold
