"""Export round trip: a plain walker over forest.json gives the library's answers.

The walker knows nothing of sklearn or xgboost: it reads the exported JSON
and follows its "prediction" rule (rule.py, FORMAT.md): cast each input,
compare it with the threshold, send missing values the node's default way,
or, in LightGBM's trees, follow each split's own missing type and
categories (HistGradientBoosting's and xgboost's categorical splits: the
one-hot values that go left); add the (scaled) leaf values in tree order from the start value in the
accumulator's type, and divide by the tree count for a mean. It steps every
row down one level at a time with numpy so that all golden rows take
seconds, but each step is exactly the per-row rule.
"""

import gzip
import json
import math
import os

import numpy as np
import pytest
from scipy import sparse

import runner
from rule import DTYPES, ZERO_THRESHOLD, Rule

# ARTIFACTS checks other artifacts than the shipped ones (test_lightgbm.py's).
ART = os.environ.get("ARTIFACTS", os.path.join(os.path.dirname(__file__), "..", "artifacts"))


def load_jsonl(name):
    with gzip.open(os.path.join(ART, "golden", name), "rt") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def forest():
    with open(os.path.join(ART, "forest.json")) as f:
        return json.load(f)


def walk(forest, cats, dists, cast=None):
    """Predictions for rows given as (category or None, distance or None)."""
    rule = Rule(forest)
    cast = cast or rule.cast
    names = forest["vectorizer"]["feature_names"]
    sep = forest["vectorizer"]["separator"]
    index = {n: i for i, n in enumerate(names)}
    dist_feature = index["trip_distance"]
    cat_feature = np.array([index.get("PU_DO" + sep + c, -1) if c is not None else -1 for c in cats])
    absent = np.array([d is None for d in dists])
    with np.errstate(over="ignore"):  # beyond float32 is infinite, as in the library
        x = np.array([0.0 if d is None else d for d in dists], dtype=np.float64).astype(cast).astype(np.float64)
    absent_missing = rule.absent() is None
    dist_missing = np.isnan(x) | (absent & absent_missing)
    total = np.full(len(cats), rule.p["start"], dtype=rule.acc)
    for tree in forest["trees"]:
        left = np.array(tree["children_left"])
        right = np.array(tree["children_right"])
        feature = np.array(tree["feature"])
        threshold = np.array(tree["threshold"])
        default_left = np.array(tree.get("default_left", [False] * len(left)))
        value = rule.leaf(tree, tree["value"])
        node = np.zeros(len(cats), dtype=np.int64)
        while True:
            f = feature[node]
            inner = f >= 0
            if not inner.any():
                break
            is_dist, matched = f == dist_feature, f == cat_feature
            v = np.where(is_dist, x, np.where(matched, 1.0, 0.0))
            missing = np.where(is_dist, dist_missing, ~matched & absent_missing)
            if "missing_type" in tree:
                go_left = lightgbm_left(tree, node, v)
            else:
                with np.errstate(invalid="ignore"):
                    go_left = np.where(missing, default_left[node], rule.less(v, threshold[node]))
                category_left(tree, node, v, missing, go_left)
            node = np.where(inner, np.where(go_left, left[node], right[node]), node)
        total = (total + value[node]).astype(rule.acc)
    return rule.finish(total, len(forest["trees"]))


def category_left(tree, node, v, missing, go_left):
    """HistGradientBoosting's and xgboost's categorical splits (rule.category_left)
    for every row v at its node, written into go_left: missing takes
    default_left, a one-hot's 0 or 1 goes left when among the node's categories."""
    if "categories" not in tree:
        return
    categorical = np.array([c is not None for c in tree["categories"]])[node]
    for n in np.unique(node[categorical]):
        rows = categorical & (node == n)
        assert np.all(missing[rows] | (v[rows] == 0) | (v[rows] == 1)), "a categorical split on a value not 0 or 1"
        go_left[rows] = np.where(missing[rows], tree["default_left"][n], np.isin(v[rows], tree["categories"][n]))


def lightgbm_left(tree, node, v):
    """LightGBM's split rule (rule.lightgbm_left) for every row v at its node."""
    missing_type = np.array(tree["missing_type"])[node]
    default_left = np.array(tree["default_left"])[node]
    v = np.where(np.isnan(v) & (missing_type != "nan"), 0.0, v)
    missing = (missing_type == "zero") & (np.abs(v) <= ZERO_THRESHOLD) | (missing_type == "nan") & np.isnan(v)
    left = np.where(missing, default_left, v <= np.array(tree["threshold"])[node])
    categorical = np.array([c is not None for c in tree["categories"]])[node]
    with np.errstate(invalid="ignore"):
        whole = np.where((v > -2.0**31) & (v < 2.0**31), np.trunc(v), -1)  # NaN, out of int range: -1
    for n in np.unique(node[categorical]):
        rows = categorical & (node == n)
        left[rows] = (whole[rows] >= 0) & np.isin(whole[rows], tree["categories"][n])
    return left


def assert_exact(want, got):
    want = np.asarray(want, dtype=np.float64)
    bad = np.flatnonzero(want.view(np.int64) != got.view(np.int64))
    assert bad.size == 0, f"{bad.size} of {want.size} differ; first at row {bad[0]}: want {want[bad[0]]!r} got {got[bad[0]]!r}"


def edge_distance(r):
    """An edge row's distance: absent (None), a number, or a repr for NaN and infinities."""
    return float(r["trip_distance_repr"]) if "trip_distance_repr" in r else r.get("trip_distance")


def walk_dicts(forest, dicts):
    """Predictions for rows given as DictVectorizer input dicts (any keys):
    a str sets the one-hot key=value, a number the feature key (None: NaN),
    as FORMAT.md says; absent features are 0 or missing as the rule says."""
    rule = Rule(forest)
    names = forest["vectorizer"]["feature_names"]
    sep = forest["vectorizer"]["separator"]
    index = {n: i for i, n in enumerate(names)}
    rows, cols, vals = [], [], []
    for i, d in enumerate(dicts):
        for k, v in d.items():
            name, x = (k + sep + v, 1.0) if isinstance(v, str) else (k, math.nan if v is None else float(v))
            if name in index:
                rows.append(i), cols.append(index[name]), vals.append(x)
    n = len(dicts)
    x_all = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(names)))
    present = sparse.csr_matrix((np.ones(len(vals)), (rows, cols)), shape=(n, len(names)))
    absent_missing = rule.absent() is None
    total = np.full(n, rule.p["start"], dtype=rule.acc)
    every = np.arange(n)
    for tree in forest["trees"]:
        left, right = np.array(tree["children_left"]), np.array(tree["children_right"])
        feature, threshold = np.array(tree["feature"]), np.array(tree["threshold"])
        default_left = np.array(tree.get("default_left", [False] * len(left)))
        value = rule.leaf(tree, tree["value"])
        node = np.zeros(n, dtype=np.int64)
        while True:
            f = feature[node]
            inner = f >= 0
            if not inner.any():
                break
            fi = np.where(inner, f, 0)
            with np.errstate(over="ignore"):
                v = np.asarray(x_all[every, fi]).ravel().astype(rule.cast).astype(np.float64)
            missing = np.isnan(v) | ((np.asarray(present[every, fi]).ravel() == 0) & absent_missing)
            if "missing_type" in tree:  # LightGBM: each split's own rule
                go_left = lightgbm_left(tree, node, v)
            else:
                with np.errstate(invalid="ignore"):
                    go_left = np.where(missing, default_left[node], rule.less(v, threshold[node]))
                category_left(tree, node, v, missing, go_left)
            node = np.where(inner, np.where(go_left, left[node], right[node]), node)
        total = (total + value[node]).astype(rule.acc)
    return rule.finish(total, len(forest["trees"]))


# GOLDEN_MIN_RIDES: a test that ships models on fewer rides (the family
# test's one in 4, Go's workcopy.ThinRides) lowers the floor to match.
MIN_RIDES = int(os.environ.get("GOLDEN_MIN_RIDES", 130_000))


def test_rides(forest):
    rows = [r for r in load_jsonl("rides.jsonl.gz") if "prediction" in r]
    assert len(rows) > MIN_RIDES
    program = forest.get("features")
    if program is None or [i["key"] for i in forest["vectorizer"]["inputs"]] == ["PU_DO", "trip_distance"] and \
            program["fields"] == ["PULocationID", "DOLocationID", "trip_distance"]:
        # The seed's features (its program, checked by TestParityRides in
        # Go): the fast walker.
        cats = ["%d_%d" % (r["PULocationID"], r["DOLocationID"]) for r in rows]
        got = walk(forest, cats, [r["trip_distance"] for r in rows])
    else:  # any other prepare_features, run from the forest's own program
        got = walk_dicts(forest, [runner.evaluate(program, r) for r in rows])
    assert_exact([r["prediction"] for r in rows], got)


def test_edges(forest):
    rows = [r for r in load_jsonl("edges.jsonl.gz") if "prediction" in r]
    cases = {r["case"] for r in rows}
    assert {"threshold", "split category", "special distance", "no inputs"} <= cases, cases
    got = walk(forest, [r.get("PU_DO") for r in rows], [edge_distance(r) for r in rows])
    assert_exact([r["prediction"] for r in rows], got)


def test_edges_catch_a_walker_with_the_wrong_cast(forest):
    """The edge set must tell the library's input cast (float32 or float64) from the other."""
    rows = [r for r in load_jsonl("edges.jsonl.gz") if r["case"] == "threshold"]
    wrong = DTYPES["float64"] if Rule(forest).cast == np.float32 else DTYPES["float32"]
    got = walk(forest, [r.get("PU_DO") for r in rows], [r["trip_distance"] for r in rows], cast=wrong)
    want = np.array([r["prediction"] for r in rows])
    assert np.count_nonzero(want != got) > 0


def test_walk_dicts_on_the_programs_dicts(forest):
    """The general walker, on the forest's own feature program run on the
    first golden rides, gives the library's answers (for the seed too)."""
    rows = [r for r in load_jsonl("rides.jsonl.gz") if "prediction" in r][:3000]
    program = forest.get("features") or {"steps": []}
    got = walk_dicts(forest, [runner.evaluate(program, r) for r in rows])
    assert_exact([r["prediction"] for r in rows], got)
