"""What changed between the library versions make test runs (Debian's and build/venv's):
each construct is compiled exactly, as the running version predicts it, or
refused in one sentence naming the version and the construct."""

import math

import numpy as np
import pytest
import sklearn
import xgboost
from sklearn.ensemble import (ExtraTreesRegressor, GradientBoostingRegressor,
                              RandomForestRegressor)
from sklearn.feature_extraction import DictVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeRegressor

import environment
from test_export import DICTS, Y, dump, refusal, run, run_vec
from test_walker import assert_exact, walk

# Rows with NaN distances among numbers, absent distances and categories.
ROWS = [{"PU_DO": f"{i % 7}_{i % 5}", "trip_distance": math.nan if i % 4 == 0 else float(i % 13) / 3} for i in range(200)]


def fit_with_nan(estimator, dv):
    """Fits on ROWS (with NaN) where the library takes NaN in training, else on DICTS."""
    try:
        return make_pipeline(dv, estimator).fit(ROWS, Y)
    except ValueError:  # sklearn < 1.3, and the estimators without missing-value support
        return make_pipeline(dv, estimator).fit(DICTS, Y)


@pytest.mark.parametrize("sparse", [True, False])
@pytest.mark.parametrize("estimator", [
    DecisionTreeRegressor(max_depth=5, random_state=0),
    RandomForestRegressor(n_estimators=3, max_depth=5, random_state=0, n_jobs=1),
    ExtraTreesRegressor(n_estimators=3, max_depth=5, random_state=0, n_jobs=1),
    GradientBoostingRegressor(n_estimators=3, max_depth=3, random_state=0),
])
def test_sklearn_nan_as_the_library_predicts(tmp_path, estimator, sparse):
    """NaN is missing (each split's missing_go_to_left) where this sklearn predicts it, refused where it refuses it."""
    pipe = fit_with_nan(estimator, DictVectorizer(sparse=sparse))
    code, forest = run(tmp_path, dump(tmp_path, pipe))
    assert code == 0
    try:
        want = pipe.predict(ROWS)
    except ValueError:
        assert forest["prediction"]["nan"] == "refused"
        assert all("default_left" not in t for t in forest["trees"])
        return
    assert forest["prediction"]["nan"] == "missing"
    got = walk(forest, [r["PU_DO"] for r in ROWS], [r["trip_distance"] for r in ROWS])
    assert_exact(want, got)


def test_sklearn_nan_on_dense_input_is_compiled_from_1_3():
    """sklearn's own changelog: trees take missing values from 1.3 (RandomForest 1.4, ExtraTrees 1.6)."""
    pipe = make_pipeline(DictVectorizer(sparse=False), DecisionTreeRegressor(max_depth=3)).fit(DICTS, Y)
    takes_nan = True
    try:
        pipe.predict([{"trip_distance": math.nan}])
    except ValueError:
        takes_nan = False
    assert takes_nan == (tuple(int(x) for x in sklearn.__version__.split(".")[:2]) >= (1, 3))


def xgb_file(tmp_path, params, X, y, dv, rounds=3):
    b = xgboost.train({"nthread": 1, "max_depth": 3} | params, xgboost.DMatrix(X, label=y, enable_categorical=True), rounds)
    path = str(tmp_path / "model.json")
    b.save_model(path)
    return path, dump(tmp_path, dv, "preprocessor.b")


def test_xgboost_several_outputs_refusal_names_the_version(tmp_path, capsys):
    dv = DictVectorizer()
    X = dv.fit_transform(DICTS)
    model, vec = xgb_file(tmp_path, {"tree_method": "hist"}, X, np.stack([Y, -Y], axis=1), dv)
    code, _ = run_vec(tmp_path, model, vec)
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.count("\n") == 0, err
    assert f"xgboost {xgboost.__version__}" in err and "several outputs" in err, err


def test_xgboost_default_base_score_is_the_models(tmp_path):
    """xgboost >= 2.0 estimates base_score from the labels (3.1 writes it as a vector); < 2.0 starts at 0.5.
    Either way the export starts where the library does, bit for bit."""
    dv = DictVectorizer()
    X = dv.fit_transform(DICTS)
    b = xgboost.train({"nthread": 1, "max_depth": 3}, xgboost.DMatrix(X, label=Y), 5)
    path = str(tmp_path / "model.json")
    b.save_model(path)
    code, forest = run_vec(tmp_path, path, dump(tmp_path, dv, "preprocessor.b"))
    assert code == 0
    start = forest["prediction"]["start"]
    major = int(xgboost.__version__.split(".")[0])
    assert (start == 0.5) == (major < 2), start
    want = b.predict(xgboost.DMatrix(dv.transform(DICTS)))
    assert_exact(want, walk(forest, [d["PU_DO"] for d in DICTS], [d["trip_distance"] for d in DICTS]))


def test_provenance_names_the_interpreter_and_libraries(tmp_path):
    dv = DictVectorizer()
    est = DecisionTreeRegressor(max_depth=2).fit(dv.fit_transform(DICTS), Y)
    out, prov = tmp_path / "forest.json", tmp_path / "provenance.json"
    import export
    import json
    import sys
    assert export.main(["--model", dump(tmp_path, (dv, est)), "--out", str(out), "--provenance", str(prov)]) == 0
    p = json.loads(prov.read_text())
    assert p["python"]["executable"] == sys.executable
    assert p["libraries"]["sklearn"] == sklearn.__version__ and p["libraries"]["numpy"] == np.__version__
    assert p["libraries"]["xgboost"] == xgboost.__version__
    interp, libs = environment.describe(p)
    assert sys.executable in interp and f"sklearn {sklearn.__version__}" in libs
    assert environment.describe({}) == ("not recorded", "not recorded")
