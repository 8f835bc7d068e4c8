"""LightGBM (lightgbm_family.py): random models, exported, walked with the
plain walker of test_walker.py, against Booster.predict bit for bit; the
forms export.py reads; and every refusal.

Skipped where lightgbm is not installed (Debian's python has none): run
with the venv's, build/venv/bin/python -m pytest model-export/tests.
"""

import json
import math
import pickle

import numpy as np
import pytest
from sklearn.feature_extraction import DictVectorizer
from sklearn.pipeline import make_pipeline

import export
from rule import ZERO_THRESHOLD
from test_walker import assert_exact, walk

lgb = pytest.importorskip("lightgbm")

ZEROS = [0.0, -0.0, ZERO_THRESHOLD, -ZERO_THRESHOLD, math.nextafter(ZERO_THRESHOLD, 1), 1e-40, -5e-324, 5e-324]


def rides(rng, n, nan_share, absent_share):
    """Ride dicts over a few categories, with zeros, NaNs and absent keys."""
    cats = [f"{rng.integers(1, 6)}_{rng.integers(1, 4)}" for _ in range(n)]
    dist = np.round(rng.exponential(3.0, n), int(rng.integers(1, 4)))
    dist[rng.random(n) < 0.1] = 0.0
    dist[rng.random(n) < nan_share] = np.nan
    out = []
    for c, d in zip(cats, dist):
        row = {}
        if rng.random() > absent_share:
            row["PU_DO"] = c
        if rng.random() > absent_share:
            row["trip_distance"] = float(d)
        out.append(row)
    return out


def target(rows, rng):
    d = np.array([r.get("trip_distance", 0.0) for r in rows])
    d = np.where(np.isnan(d), 7.0, d)
    c = np.array([hash(r.get("PU_DO", "")) % 5 for r in rows])
    return 2.0 * d + c + rng.normal(0, 1, len(rows))


def probes(forest, rng):
    """Inputs that break a wrong walker: every threshold and its neighbours,
    zeros around LightGBM's zero band, NaN, infinities, absent keys, and
    categories seen, split on and unseen."""
    ts = sorted({t for tree in forest["trees"] for t, f in zip(tree["threshold"], tree["feature"]) if f >= 0})
    ds = [v for t in ts for v in (t, math.nextafter(t, -math.inf), math.nextafter(t, math.inf))]
    ds += ZEROS + [math.nan, math.inf, -math.inf, 1e300, -1.0, None] + list(rng.exponential(3.0, 50))
    cats = [None, "9_9"] + [n.split("=", 1)[1] for n in forest["vectorizer"]["feature_names"] if "=" in n]
    return [(c, d) for c in cats for d in ds]


def as_dict(c, d):
    return ({} if c is None else {"PU_DO": c}) | ({} if d is None else {"trip_distance": d})


def fit(seed, params, categorical):
    rng = np.random.default_rng(seed)
    rows = rides(rng, 600, nan_share=[0.0, 0.2][seed % 2], absent_share=0.05)
    dv = DictVectorizer()
    X = dv.fit_transform(rows)
    cats = [i for i, n in enumerate(dv.feature_names_) if "=" in n] if categorical else "auto"
    est = lgb.LGBMRegressor(n_estimators=int(rng.integers(1, 15)), num_leaves=int(rng.integers(2, 16)),
                            min_child_samples=int(rng.integers(1, 20)), learning_rate=0.3, verbose=-1,
                            random_state=seed, n_jobs=1, **params)
    est.fit(X, target(rows, rng), categorical_feature=cats)
    return dv, est, rng


def export_pipeline(tmp_path, dv, est):
    path = tmp_path / "model.pkl"
    with open(path, "wb") as f:
        pickle.dump(make_pipeline(dv, est), f)
    out = tmp_path / "forest.json"
    assert export.main(["--model", str(path), "--out", str(out)]) == 0
    return str(path), json.loads(out.read_text())


KINDS = [
    ({}, False),                                              # missing types None and NaN
    ({"zero_as_missing": True}, False),                       # missing type Zero
    ({"use_missing": False}, False),
    ({"max_cat_to_onehot": 1, "cat_smooth": 1}, True),      # categorical one-hots, bitset splits
    ({"objective": "huber", "alpha": 2.0}, True),
    ({"objective": "quantile", "alpha": 0.3, "zero_as_missing": True}, False),
    ({"objective": "regression_l1", "boost_from_average": False}, False),
]


@pytest.mark.parametrize("seed", range(24))
def test_random_models_walk_as_lightgbm_predicts(tmp_path, seed):
    params, categorical = KINDS[seed % len(KINDS)]
    dv, est, rng = fit(seed, params, categorical)
    path, forest = export_pipeline(tmp_path, dv, est)
    predict = export.load(path).predictor()
    rows = probes(forest, rng)
    want = predict([as_dict(c, d) for c, d in rows])
    got = walk(forest, [c for c, _ in rows], [d for _, d in rows])
    assert_exact(want, got)


def test_the_kinds_make_what_they_claim(tmp_path):
    """The random models do reach every missing type and categorical splits."""
    seen = set()
    for seed in range(len(KINDS)):
        _, forest = export_pipeline(tmp_path, *fit(seed, *KINDS[seed])[:2])
        types = {}  # numeric feature -> missing types of its numeric splits
        for t in forest["trees"]:
            seen |= {m for m, f in zip(t["missing_type"], t["feature"]) if f >= 0}
            seen |= {"categorical" for c in t["categories"] if c is not None}
            for m, f, c in zip(t["missing_type"], t["feature"], t["categories"]):
                if f >= 0 and c is None:
                    types.setdefault(f, set()).add(m)
        # What gen's zero-band coding rests on (gen/lightgbm.go): a feature's
        # numeric splits share one missing type.
        assert all(len(m) == 1 for m in types.values()), types
    assert {"none", "zero", "nan", "categorical"} <= seen, seen


def test_walker_catches_a_wrong_zero_band(tmp_path):
    """The probes tell LightGBM's zero band from exact zero: a walker that
    takes only 0.0 as zero must fail on a zero_as_missing model."""
    dv, est, rng = fit(1, {"zero_as_missing": True}, False)
    path, forest = export_pipeline(tmp_path, dv, est)
    rows = [(None, d) for d in ZEROS]
    want = export.load(path).predictor()([as_dict(c, d) for c, d in rows])
    for t in forest["trees"]:
        t["missing_type"] = ["nan" if m == "zero" else m for m in t["missing_type"]]
    got = walk(forest, [c for c, _ in rows], [d for _, d in rows])
    assert np.count_nonzero(np.asarray(want) != got) > 0


def booster_file(tmp_path, params=None, rounds=5, categorical=False):
    rng = np.random.default_rng(3)
    rows = rides(rng, 300, 0.1, 0.0)
    dv = DictVectorizer()
    X = dv.fit_transform(rows)
    p = {"objective": "regression", "verbose": -1, "num_threads": 1} | (params or {})
    cats = [dv.feature_names_.index("trip_distance")] if categorical else "auto"
    y = np.abs(target(rows, rng)) + 0.1  # poisson wants positive labels
    booster = lgb.train(p, lgb.Dataset(X, label=y, categorical_feature=cats), num_boost_round=rounds)
    model = tmp_path / "model.txt"
    booster.save_model(str(model))
    vec = tmp_path / "preprocessor.b"
    with open(vec, "wb") as f:
        pickle.dump(dv, f)
    return str(model), str(vec)


def test_model_file_with_vectorizer(tmp_path):
    model, vec = booster_file(tmp_path)
    out = tmp_path / "forest.json"
    assert export.main(["--model", model, "--vectorizer", vec, "--out", str(out)]) == 0
    forest = json.loads(out.read_text())
    p, m = forest["prediction"], forest["metadata"]
    assert (p["start"], p["nan"], p["compare"], p["accumulator"]) == (0.0, "split", "<=", "float64")
    assert (m["library"], m["estimator"], m["n_trees"]) == ("lightgbm", "Booster", 5)


def test_mlflow_lightgbm_directory(tmp_path):
    model, vec = booster_file(tmp_path)
    d = tmp_path / "model"
    d.mkdir()
    (d / "model.lgb").write_bytes(open(model, "rb").read())
    (d / "MLmodel").write_text("flavors:\n  lightgbm:\n    data: model.lgb\n    model_class: lightgbm.basic.Booster\n"
                               "    serialization_format: skops\nrun_id: r1\n")
    out = tmp_path / "forest.json"
    assert export.main(["--model", str(d), "--vectorizer", vec, "--out", str(out)]) == 0
    assert json.loads(out.read_text())["metadata"]["run_id"] == "r1"


def test_early_stopping_ships_the_best_iteration(tmp_path):
    rng = np.random.default_rng(5)
    rows = rides(rng, 400, 0.0, 0.0)
    dv = DictVectorizer()
    X = dv.fit_transform(rows)
    y = target(rows, rng)
    est = lgb.LGBMRegressor(n_estimators=60, verbose=-1, n_jobs=1)
    est.fit(X, y, eval_set=[(X[:50], -y[:50])], callbacks=[lgb.early_stopping(2, verbose=False)])
    _, forest = export_pipeline(tmp_path, dv, est)
    assert forest["metadata"]["n_trees"] == est.best_iteration_ < 60


@pytest.mark.parametrize("params,words", [
    ({"objective": "poisson"}, ["poisson"]),
    ({"reg_sqrt": True}, ["reg_sqrt"]),
    ({"boosting": "rf", "bagging_freq": 1, "bagging_fraction": 0.5}, ["rf"]),
    ({"boosting": "dart"}, ["dart"]),
    ({"linear_tree": True}, ["linear"]),
])
def test_refuses_what_it_cannot_reproduce(tmp_path, capsys, params, words):
    model, vec = booster_file(tmp_path, params)
    assert export.main(["--model", model, "--vectorizer", vec, "--out", str(tmp_path / "f.json")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and all(w in err for w in words), err


def test_refuses_a_categorical_number(tmp_path, capsys):
    model, vec = booster_file(tmp_path, {"min_data_per_group": 1, "cat_smooth": 1}, rounds=10, categorical=True)
    assert export.main(["--model", model, "--vectorizer", vec, "--out", str(tmp_path / "f.json")]) == 1
    err = capsys.readouterr().err.strip()
    assert "'trip_distance' as a categorical feature" in err and err.count("\n") == 0, err


@pytest.mark.parametrize("kind", ["booster", "lgbmregressor"])
def test_directories_mlflow_writes(tmp_path, kind):
    """mlflow.lightgbm.save_model's own directories: a Booster (model.lgb)
    and an LGBMRegressor (pickled), each with the vectorizer apart."""
    mlflow_lightgbm = pytest.importorskip("mlflow.lightgbm")
    model, vec = booster_file(tmp_path)
    obj = lgb.Booster(model_file=model)
    if kind == "lgbmregressor":
        dv, obj, _ = fit(2, {}, False)
        with open(vec, "wb") as f:
            pickle.dump(dv, f)
    d = tmp_path / "mlflow"
    mlflow_lightgbm.save_model(obj, str(d), serialization_format="cloudpickle")
    out = tmp_path / "forest.json"
    assert export.main(["--model", str(d), "--vectorizer", vec, "--out", str(out)]) == 0
    forest = json.loads(out.read_text())
    assert forest["metadata"]["estimator"] == {"booster": "Booster", "lgbmregressor": "LGBMRegressor"}[kind]
    want = export.load(str(d), vec).predictor()([{"PU_DO": "1_1", "trip_distance": 2.5}, {}])
    assert_exact(want, walk(forest, ["1_1", None], [2.5, None]))


def test_trees_of_one_leaf(tmp_path):
    """A target with nothing to learn gives trees that are one leaf."""
    rows = rides(np.random.default_rng(4), 100, 0.0, 0.0)
    dv = DictVectorizer()
    est = lgb.LGBMRegressor(n_estimators=3, verbose=-1, n_jobs=1).fit(dv.fit_transform(rows), np.full(100, 7.25))
    path, forest = export_pipeline(tmp_path, dv, est)
    assert [len(t["children_left"]) for t in forest["trees"]] == [1]
    want = export.load(path).predictor()([{"trip_distance": 3.0}])
    assert_exact(want, walk(forest, [None], [3.0]))
