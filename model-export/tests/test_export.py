"""export.py: the accepted layouts, determinism, and every refusal."""

import json
import os
import pickle

import numpy as np
import pytest
import xgboost
from sklearn.ensemble import (ExtraTreesRegressor, GradientBoostingRegressor, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
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
        assert forest["format_version"] == 3
        assert forest["features"]["fields"] == ["PULocationID", "DOLocationID", "trip_distance"]  # the seed's, by default
        assert forest["prediction"]["combine"] == "mean"
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
    assert "LinearRegression" in err and "RandomForestRegressor" in err and "XGBRegressor" in err


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


# The boosted families (families.py): what each writes, and what each refuses.

def dense():
    dv = DictVectorizer(sparse=False)
    return dv, dv.fit_transform(DICTS)


def booster(tmp_path, params, rounds=3, name="model.json"):
    dv = DictVectorizer()
    X = dv.fit_transform(DICTS)
    b = xgboost.train({"nthread": 1, "max_depth": 3} | params, xgboost.DMatrix(X, label=Y), rounds)
    path = str(tmp_path / name)
    b.save_model(path)
    return path, dump(tmp_path, dv, "preprocessor.b")


def run_vec(tmp_path, model, vec):
    out = tmp_path / "forest.json"
    code = export.main(["--model", model, "--vectorizer", vec, "--out", str(out)])
    return code, (json.loads(out.read_text()) if code == 0 else None)


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "huber", "quantile"])
def test_gradient_boosting(tmp_path, loss):
    dv, est = fitted(GradientBoostingRegressor(n_estimators=4, max_depth=2, learning_rate=0.3, loss=loss, random_state=0))
    code, forest = run(tmp_path, dump(tmp_path, make_pipeline(dv, est)))
    assert code == 0
    p = forest["prediction"]
    assert (p["combine"], p["accumulator"], p["compare"], p["absent"]) == ("sum", "float64", "<=", "zero")
    assert p["start"] == float(est.init_.constant_.ravel()[0])
    assert [t["scale"] for t in forest["trees"]] == [0.3] * 4


def test_gradient_boosting_zero_init(tmp_path):
    dv, est = fitted(GradientBoostingRegressor(n_estimators=2, max_depth=2, init="zero", random_state=0))
    code, forest = run(tmp_path, dump(tmp_path, (dv, est)))
    assert code == 0 and forest["prediction"]["start"] == 0.0


def test_refuses_gradient_boosting_with_a_model_init(tmp_path, capsys):
    dv, est = fitted(GradientBoostingRegressor(n_estimators=2, init=LinearRegression(), random_state=0))
    err = refusal(tmp_path, capsys, dump(tmp_path, (dv, est)))
    assert "init" in err and "LinearRegression" in err


def test_hist_gradient_boosting(tmp_path):
    dv, X = dense()
    est = HistGradientBoostingRegressor(max_iter=3, random_state=0).fit(X, Y)
    code, forest = run(tmp_path, dump(tmp_path, (dv, est)))
    assert code == 0
    p = forest["prediction"]
    assert (p["input"], p["nan"], p["infinity"]) == ("float64", "missing", "allowed")
    assert all(len(t["default_left"]) == len(t["children_left"]) for t in forest["trees"])


def test_refuses_hist_gradient_boosting_on_sparse_input(tmp_path, capsys):
    dv, X = dense()
    est = HistGradientBoostingRegressor(max_iter=2).fit(X, Y)
    err = refusal(tmp_path, capsys, dump(tmp_path, (DictVectorizer().fit(DICTS), est)))
    assert "sparse=False" in err


@pytest.mark.parametrize("name", ["model.json", "model.ubj", "model.xgb"])
def test_xgboost_file_with_vectorizer(tmp_path, name):
    model, vec = booster(tmp_path, {"base_score": 2.5}, name=name)
    code, forest = run_vec(tmp_path, model, vec)
    assert code == 0
    p = forest["prediction"]
    assert (p["accumulator"], p["compare"], p["absent"], p["start"]) == ("float32", "<", "missing", 2.5)
    assert forest["metadata"]["library"] == "xgboost" and forest["metadata"]["estimator"] == "Booster"


def test_xgboost_mlflow_directory(tmp_path):
    d = tmp_path / "models_mlflow"
    d.mkdir()
    model, vec = booster(d, {}, name="model.xgb")
    (d / "MLmodel").write_text("flavors:\n  xgboost:\n    data: model.xgb\n    model_class: xgboost.core.Booster\nrun_id: abc\n")
    code, forest = run_vec(tmp_path, str(d), vec)
    assert code == 0 and forest["metadata"]["run_id"] == "abc"


def test_xgbregressor_stopped_early_ships_its_best_iteration(tmp_path):
    dv = DictVectorizer()
    X = dv.fit_transform(DICTS)
    est = xgboost.XGBRegressor(n_estimators=50, max_depth=3, early_stopping_rounds=2, n_jobs=1)
    est.fit(X, Y, eval_set=[(X[:50], Y[:50] * 0)], verbose=False)
    code, forest = run(tmp_path, dump(tmp_path, make_pipeline(dv, est)))
    assert code == 0
    assert forest["metadata"]["n_trees"] == est.best_iteration + 1 < 50


@pytest.mark.parametrize("params,words", [
    ({"booster": "dart"}, ["dart"]),
    ({"booster": "gblinear"}, ["gblinear"]),
    ({"objective": "reg:pseudohubererror"}, ["reg:pseudohubererror"]),
    ({"objective": "count:poisson"}, ["count:poisson"]),
])
def test_refuses_xgboost_it_cannot_reproduce(tmp_path, capsys, params, words):
    model, vec = booster(tmp_path, params)
    code, _ = run_vec(tmp_path, model, vec)
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.count("\n") == 0, err
    assert all(w in err for w in words), err


def test_refuses_vectorizer_beside_a_pipeline(tmp_path, capsys):
    dv, est = fitted(DecisionTreeRegressor(max_depth=2))
    code, _ = run_vec(tmp_path, dump(tmp_path, make_pipeline(dv, est)), dump(tmp_path, dv, "vec.b"))
    assert code == 1 and "carries its own vectorizer" in capsys.readouterr().err


def test_refuses_booster_without_vectorizer(tmp_path, capsys):
    model, _ = booster(tmp_path, {})
    err = refusal(tmp_path, capsys, model)
    assert "VECTORIZER=" in err


def test_features_refused_before_writing(tmp_path, capsys):
    """A prepare_features outside the subset, or one that leaves a vectorizer
    key unwritten, is refused naming the line or the key; nothing is written."""
    dv, est = fitted(DecisionTreeRegressor(max_depth=2, random_state=0))
    model = dump(tmp_path, make_pipeline(dv, est), "pipe.pkl")
    cases = {
        "from datetime import datetime\n\ndef prepare_features(ride):\n    return {'PU_DO': datetime.fromisoformat(ride['x']), 'trip_distance': 1.0}\n":
            "lambda_function.py:4: datetime.fromisoformat(...) is not supported",
        "def prepare_features(ride):\n    return {'PU_DO': str(ride['PULocationID'])}\n":
            "never writes the vectorizer's key 'trip_distance'",
    }
    for text, want in cases.items():
        (tmp_path / "lambda_function.py").write_text(text)
        out = tmp_path / "forest.json"
        code = export.main(["--model", model, "--out", str(out), "--features", str(tmp_path / "lambda_function.py")])
        assert code == 1 and not out.exists()
        assert want in capsys.readouterr().err
