"""Export round trip: a plain walker over forest.json gives sklearn's answers.

The walker knows nothing of sklearn: it reads the exported JSON, casts each
input to float32, compares it with the float64 threshold (<= goes left), adds
leaf values in tree order from 0.0 and divides by the tree count. It steps
every row down one level at a time with numpy so that all golden rows take
seconds, but each step is exactly the per-row rule above.
"""

import gzip
import json
import os

import numpy as np
import pytest

ART = os.path.join(os.path.dirname(__file__), "..", "artifacts")


def load_jsonl(name):
    with gzip.open(os.path.join(ART, "golden", name), "rt") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def forest():
    with open(os.path.join(ART, "forest.json")) as f:
        return json.load(f)


def walk(forest, cats, dists, cast=np.float32):
    """Predictions for rows given as (category or None, distance)."""
    names = forest["vectorizer"]["feature_names"]
    sep = forest["vectorizer"]["separator"]
    index = {n: i for i, n in enumerate(names)}
    dist_feature = index["trip_distance"]
    cat_feature = np.array([index.get("PU_DO" + sep + c, -1) if c is not None else -1 for c in cats])
    x32 = np.asarray(dists, dtype=np.float64).astype(cast).astype(np.float64)
    total = np.zeros(len(cats))
    for tree in forest["trees"]:
        left = np.array(tree["children_left"])
        right = np.array(tree["children_right"])
        feature = np.array(tree["feature"])
        threshold = np.array(tree["threshold"])
        value = np.array(tree["value"])
        node = np.zeros(len(cats), dtype=np.int64)
        while True:
            f = feature[node]
            inner = f >= 0
            if not inner.any():
                break
            x = np.where(f == dist_feature, x32, np.where(f == cat_feature, 1.0, 0.0))
            step = np.where(x <= threshold[node], left[node], right[node])
            node = np.where(inner, step, node)
        total = total + value[node]
    return total / len(forest["trees"])


def assert_exact(want, got):
    want = np.asarray(want, dtype=np.float64)
    bad = np.flatnonzero(want.view(np.int64) != got.view(np.int64))
    assert bad.size == 0, f"{bad.size} of {want.size} differ; first at row {bad[0]}: want {want[bad[0]]!r} got {got[bad[0]]!r}"


def test_rides(forest):
    rows = load_jsonl("rides.jsonl.gz")
    assert len(rows) > 130_000
    cats = ["%d_%d" % (r["PULocationID"], r["DOLocationID"]) for r in rows]
    got = walk(forest, cats, [r["trip_distance"] for r in rows])
    assert_exact([r["prediction"] for r in rows], got)


def test_edges(forest):
    rows = [r for r in load_jsonl("edges.jsonl.gz") if "prediction" in r]
    assert len(rows) > 20_000
    got = walk(forest, [r.get("PU_DO") for r in rows], [r.get("trip_distance", 0.0) for r in rows])
    assert_exact([r["prediction"] for r in rows], got)


def test_edges_catch_a_walker_without_float32(forest):
    """The edge set must tell sklearn's float32 cast from plain float64 compares."""
    rows = [r for r in load_jsonl("edges.jsonl.gz") if r["case"] == "threshold"]
    got = walk(forest, [r.get("PU_DO") for r in rows], [r["trip_distance"] for r in rows], cast=np.float64)
    want = np.array([r["prediction"] for r in rows])
    assert np.count_nonzero(want != got) > 100
