"""reference.py: the drift reference's rule, and that the artifacts' reference.json is the golden answers'."""

import gzip
import json
import os

import numpy as np
import pytest

import reference

ART = os.path.join(os.path.dirname(__file__), "..", "artifacts")


def test_edges_are_numpy_inverted_cdf():
    rng = np.random.default_rng(0)
    for n in (1, 7, 20, 21, 999, 1000):
        preds = np.round(rng.gamma(2.0, 6.0, n), 1)  # rounded: ties
        ref = reference.distribution(preds)
        want = np.quantile(preds, ref["levels"], method="inverted_cdf")
        assert ref["edges"] == [float(x) for x in want]
        assert ref["cdf"] == [float(np.mean(preds <= e)) for e in ref["edges"]]
        assert all(c >= lv for c, lv in zip(ref["cdf"], ref["levels"]))
        assert ref["rides"] == n and ref["min"] == preds.min() and ref["max"] == preds.max()
        assert ref["mean"] == pytest.approx(preds.mean()) and ref["std"] == pytest.approx(preds.std())
        assert reference.shift(ref, preds) == 0


def test_shift():
    ref = {"edges": [2.0, 5.0, 9.0], "cdf": [0.3, 0.5, 0.8]}
    assert reference.shift(ref, [1, 1, 2, 4, 4, 7, 8, 9, 12, 13]) == 0
    assert reference.shift(ref, [0, 1]) == pytest.approx(0.7)
    assert reference.shift(ref, [10, 11]) == pytest.approx(0.8)
    assert reference.shift(ref, [3]) == pytest.approx(0.5)


def test_no_predictions():
    with pytest.raises(ValueError):
        reference.distribution([])


def test_artifacts_reference_is_the_golden_answers():
    """For any shipped model, trained here or imported: reference.json is its Feb 2022 answers'."""
    with gzip.open(os.path.join(ART, "golden", "rides.jsonl.gz"), "rt") as f:
        rides = [json.loads(line) for line in f]
    want = reference.of_rides(rides, reference.sha256(os.path.join(ART, "forest.json")))
    assert reference.load(ART) == want
