"""export.py: the accepted layouts, determinism, and every refusal."""

import json
import os
import pickle

import numpy as np
import pytest
from sklearn.ensemble import ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.feature_extraction import DictVectorizer, FeatureHasher
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeRegressor

import export

DICTS = [{"PU_DO": f"{i % 7}_{i % 5}", "trip_distance": float(i % 13) / 3} for i in range(200)]
Y = np.array([float(i % 17) for i in range(200)])


def fitted(estimator, y=Y):
    dv = DictVectorizer()
    estimator.fit(dv.fit_transform(DICTS), y)
    return dv, estimator


def dump(tmp_path, obj, name="model.pkl"):
    path = tmp_path / name
    with open(path, "wb") as f:
        pickle.dump(obj, f)
    return str(path)


def run(tmp_path, model):
    out = tmp_path / "forest.json"
    code = export.main(["--model", model, "--out", str(out)])
    return code, (json.loads(out.read_text()) if code == 0 else None)


@pytest.mark.parametrize("estimator", [
    DecisionTreeRegressor(max_depth=4, random_state=0),
    RandomForestRegressor(n_estimators=3, max_depth=4, random_state=0),
    ExtraTreesRegressor(n_estimators=3, max_depth=4, random_state=0),
])
def test_layouts(tmp_path, estimator):
    dv, est = fitted(estimator)
    n_trees = len(getattr(est, "estimators_", [est]))
    pipe = dump(tmp_path, make_pipeline(dv, est), "pipe.pkl")
    tup = dump(tmp_path, (dv, est), "tuple.pkl")
    for model in (pipe, tup):
        code, forest = run(tmp_path, model)
        assert code == 0
        assert forest["format_version"] == 1
        assert forest["metadata"]["estimator"] == type(est).__name__
        assert forest["metadata"]["run_id"] is None
        assert len(forest["trees"]) == forest["metadata"]["n_trees"] == n_trees
        assert forest["vectorizer"]["inputs"] == [
            {"key": "PU_DO", "kind": "categorical"}, {"key": "trip_distance", "kind": "numeric"}]
        assert forest["vectorizer"]["feature_names"] == dv.feature_names_


def test_mlflow_directory(tmp_path):
    dv, est = fitted(RandomForestRegressor(n_estimators=2, max_depth=3, random_state=0))
    d = tmp_path / "model"
    d.mkdir()
    dump(d, make_pipeline(dv, est))
    (d / "MLmodel").write_text(
        "artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
        "  sklearn:\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\n"
        "    sklearn_version: 1.2.1\nrun_id: def558fd38f44d8e9c4fc632668d3a47\n")
    code, forest = run(tmp_path, str(d))
    assert code == 0
    assert forest["metadata"]["run_id"] == "def558fd38f44d8e9c4fc632668d3a47"


def test_deterministic(tmp_path):
    dv, est = fitted(RandomForestRegressor(n_estimators=3, max_depth=5, random_state=0))
    model = dump(tmp_path, (dv, est))
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert export.main(["--model", model, "--out", str(a)]) == 0
    assert export.main(["--model", model, "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_floats_round_trip(tmp_path):
    dv, est = fitted(RandomForestRegressor(n_estimators=2, max_depth=6, random_state=0))
    code, forest = run(tmp_path, dump(tmp_path, (dv, est)))
    assert code == 0
    for exported, tree in zip(forest["trees"], est.estimators_):
        assert np.array_equal(np.array(exported["threshold"]), tree.tree_.threshold)
        assert np.array_equal(np.array(exported["value"]), tree.tree_.value[:, 0, 0])


def refusal(tmp_path, capsys, model):
    code, _ = run(tmp_path, model)
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.count("\n") == 0, err
    return err


def test_refuses_other_estimator(tmp_path, capsys):
    dv, est = fitted(LinearRegression())
    err = refusal(tmp_path, capsys, dump(tmp_path, make_pipeline(dv, est)))
    assert "LinearRegression" in err and "RandomForestRegressor" in err


def test_refuses_classifier(tmp_path, capsys):
    dv, est = fitted(RandomForestClassifier(n_estimators=2, random_state=0), Y > 8)
    err = refusal(tmp_path, capsys, dump(tmp_path, (dv, est)))
    assert "classifier" in err and "RandomForestClassifier" in err


def test_refuses_other_vectorizer(tmp_path, capsys):
    _, est = fitted(DecisionTreeRegressor(max_depth=2))
    err = refusal(tmp_path, capsys, dump(tmp_path, (FeatureHasher(n_features=8), est)))
    assert "FeatureHasher" in err and "DictVectorizer" in err


def test_refuses_missing_file(tmp_path, capsys):
    err = refusal(tmp_path, capsys, str(tmp_path / "nope.pkl"))
    assert "nope.pkl" in err and "does not exist" in err


def test_refuses_corrupt_pickle(tmp_path, capsys):
    path = tmp_path / "bad.pkl"
    path.write_bytes(b"\x80\x04this is not a pickle")
    err = refusal(tmp_path, capsys, str(path))
    assert "bad.pkl" in err and "not a readable pickle" in err


def test_refuses_directory_without_mlmodel(tmp_path, capsys):
    d = tmp_path / "empty"
    d.mkdir()
    err = refusal(tmp_path, capsys, str(d))
    assert "no MLmodel file" in err


def test_refuses_other_objects(tmp_path, capsys):
    err = refusal(tmp_path, capsys, dump(tmp_path, {"model": 1}))
    assert "dict" in err


def test_refuses_unfitted(tmp_path, capsys):
    dv, _ = fitted(DecisionTreeRegressor(max_depth=2))
    err = refusal(tmp_path, capsys, dump(tmp_path, (dv, RandomForestRegressor())))
    assert "not fitted" in err
