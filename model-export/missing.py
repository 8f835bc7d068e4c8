"""Missing values in sklearn's own trees, which changed between the versions
make test runs: sklearn >= 1.3's trees (RandomForest from 1.4, ExtraTrees
from 1.6) predict NaN on dense input, sending it the way each split's
tree_.missing_go_to_left says; older versions, and sparse input, refuse it.
families.py exports the rule the running version follows.
"""

import math

import numpy as np


def accepts_nan(estimator, vectorizer):
    """Whether the library predicts a NaN the vectorizer can produce (a numeric input's), rather than refusing it.

    sklearn >= 1.3 answers yes for its trees on dense input (predict
    follows tree_.missing_go_to_left), and no on sparse input (checked up to
    1.9.1); older versions refuse NaN. The estimator is asked, with the
    input the user's pipeline would give it.
    """
    numeric = [i["key"] for i in inputs(vectorizer) if i["kind"] == "numeric"]
    if not numeric:
        return False
    X = vectorizer.transform([{k: math.nan for k in numeric}])
    try:
        estimator.predict(X)
    except ValueError:
        return False
    return True


def inputs(vectorizer):
    """Each input key and its kind (export.inputs, without its checks)."""
    sep, kinds = vectorizer.separator, {}
    for name in vectorizer.feature_names_:
        kinds.setdefault(name.split(sep, 1)[0], "categorical" if sep in name else "numeric")
    return [{"key": k, "kind": v} for k, v in kinds.items()]


# The largest float64: what x <= inf means for every value a float32 input
# can hold once infinities are refused. sklearn >= 1.3 writes an infinite
# threshold for a split that sends the missing values one way and all
# others the other; JSON cannot hold infinity.
MAX_FLOAT64 = float(np.finfo(np.float64).max)
