"""Categorical splits of HistGradientBoosting and xgboost (categorical.py):
random models whose one-hot columns are categorical features, exported and
walked with the plain walker of test_walker.py, against the library's own
predict bit for bit (one thread); and the refusal, naming the library
version, of a categorical split on a number.

Both run under Debian's sklearn 1.2.1 and xgboost 1.7.4 and under the
venv's 1.9.1 and 3.2.0 (make test-python runs both).
"""

import copy
import json
import math
import pickle

import numpy as np
import pytest
import sklearn
import xgboost
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.feature_extraction import DictVectorizer
from sklearn.pipeline import make_pipeline

import export
from test_walker import assert_exact, walk


def rides(rng, n, zone=False):
    """Ride dicts over a few categories, with NaN and absent keys, and with
    zone, a numeric input of integer codes."""
    out = []
    for _ in range(n):
        row = {}
        if rng.random() > 0.05:
            row["PU_DO"] = f"{rng.integers(1, 6)}_{rng.integers(1, 4)}"
        if rng.random() > 0.05:
            row["trip_distance"] = math.nan if rng.random() < 0.1 else float(np.round(rng.exponential(3.0), 2))
        if zone:
            row["zone"] = float(rng.integers(0, 5))
        out.append(row)
    return out


def target(rows, rng):
    d = np.array([r.get("trip_distance", 0.0) for r in rows])
    d = np.where(np.isnan(d), 7.0, d)
    # The category matters more than the distance, so that trees split on it.
    c = np.array([sum(map(ord, r.get("PU_DO", ""))) % 7 for r in rows])
    return d + 3.0 * c + rng.normal(0, 0.5, len(rows))


def vectorize(rows, sparse):
    dv = DictVectorizer(sparse=sparse)
    X = dv.fit_transform(rows)
    one_hot = np.array([dv.separator in n for n in dv.feature_names_])
    return dv, X, one_hot


def hist(seed):
    rng = np.random.default_rng(seed)
    rows = rides(rng, 500)
    dv, X, one_hot = vectorize(rows, sparse=False)
    est = HistGradientBoostingRegressor(max_iter=int(rng.integers(1, 10)), max_leaf_nodes=int(rng.integers(3, 16)),
                                        min_samples_leaf=int(rng.integers(1, 20)), learning_rate=0.5,
                                        categorical_features=one_hot, random_state=seed)
    return dv, est.fit(X, target(rows, rng)), rng


def xgb(seed):
    rng = np.random.default_rng(seed)
    rows = rides(rng, 500)
    dv, X, one_hot = vectorize(rows, sparse=bool(seed % 2))
    est = xgboost.XGBRegressor(n_estimators=int(rng.integers(1, 10)), max_depth=int(rng.integers(1, 6)),
                               learning_rate=0.5, tree_method="hist", enable_categorical=True,
                               feature_types=["c" if h else "q" for h in one_hot],
                               max_cat_to_onehot=[1, 64][seed // 2 % 2], n_jobs=1, random_state=seed)
    return dv, est.fit(X, target(rows, rng)), rng


def export_pipeline(tmp_path, dv, est):
    path = tmp_path / "model.pkl"
    with open(path, "wb") as f:
        pickle.dump(make_pipeline(dv, est), f)
    out = tmp_path / "forest.json"
    assert export.main(["--model", str(path), "--out", str(out)]) == 0
    return str(path), json.loads(out.read_text())


def probes(forest, rng):
    """Every category seen (each split one a member somewhere, a non-member
    elsewhere), an unseen one and none (absent: 0, or missing in xgboost's
    sparse rows), each with distances around the thresholds, NaN, absent."""
    ts = sorted({t for tree in forest["trees"] for t, f in zip(tree["threshold"], tree["feature"]) if f >= 0})
    ds = [v for t in ts[:20] for v in (t, math.nextafter(t, -math.inf), math.nextafter(t, math.inf))]
    ds += [0.0, -0.0, math.nan, 1e300, -1.0, None] + list(rng.exponential(3.0, 10))
    cats = [None, "9_9"] + [n.split("=", 1)[1] for n in forest["vectorizer"]["feature_names"] if "=" in n]
    return [(c, d) for c in cats for d in ds]


def as_dict(c, d):
    return ({} if c is None else {"PU_DO": c}) | ({} if d is None else {"trip_distance": d})


def walk_probes(forest, rows):
    return walk(forest, [c for c, _ in rows], [d for _, d in rows])


def categorical_nodes(forest):
    return sum(c is not None for t in forest["trees"] for c in t.get("categories", []))


@pytest.mark.parametrize("make,seed", [(hist, s) for s in range(8)] + [(xgb, s) for s in range(8)])
def test_random_models_walk_as_the_library_predicts(tmp_path, make, seed):
    dv, est, rng = make(seed)
    path, forest = export_pipeline(tmp_path, dv, est)
    rows = probes(forest, rng)
    want = export.load(path).predictor()([as_dict(c, d) for c, d in rows])
    assert_exact(want, walk_probes(forest, rows))


def test_the_models_have_categorical_splits(tmp_path):
    """The random models do split on categories, in both libraries, and
    xgboost's one-hot (max_cat_to_onehot) and partition forms alike."""
    for make, seeds in ((hist, range(8)), (xgb, range(8))):
        counts = [categorical_nodes(export_pipeline(tmp_path, *make(s)[:2])[1]) for s in seeds]
        assert sum(c > 0 for c in counts) >= 6, (make.__name__, counts)


@pytest.mark.parametrize("make", [hist, xgb])
def test_probes_catch_a_walker_that_ignores_categories(tmp_path, make):
    """Each categorical split's set matters: flipping it (members right,
    others left) must change some prediction."""
    dv, est, rng = make(2)
    path, forest = export_pipeline(tmp_path, dv, est)
    rows = probes(forest, rng)
    want = np.asarray(export.load(path).predictor()([as_dict(c, d) for c, d in rows]))
    flipped = copy.deepcopy(forest)
    for t in flipped["trees"]:
        t["categories"] = [None if c is None else [v for v in (0, 1) if v not in c] for c in t.get("categories", [])]
        if not t["categories"]:
            del t["categories"]
    assert np.count_nonzero(want != walk_probes(flipped, rows)) > 0


def test_xgboost_booster_file_with_vectorizer(tmp_path):
    """A Booster saved to a file, exported with its vectorizer, predicts as
    Booster.predict(DMatrix(vectorizer.transform(rows))) does."""
    dv, est, rng = xgb(3)
    model = tmp_path / "model.json"
    est.get_booster().save_model(str(model))
    vec = tmp_path / "preprocessor.b"
    with open(vec, "wb") as f:
        pickle.dump(dv, f)
    out = tmp_path / "forest.json"
    assert export.main(["--model", str(model), "--vectorizer", str(vec), "--out", str(out)]) == 0
    forest = json.loads(out.read_text())
    assert categorical_nodes(forest) > 0
    rows = [(c, d) for c, d in probes(forest, rng) if d is None or not abs(d) > 3e38]  # a DMatrix refuses inf
    want = export.load(str(model), str(vec)).predictor()([as_dict(c, d) for c, d in rows])
    assert_exact(want, walk_probes(forest, rows))


def refusal(tmp_path, capsys, dv, est):
    path = tmp_path / "model.pkl"
    with open(path, "wb") as f:
        pickle.dump(make_pipeline(dv, est), f)
    assert export.main(["--model", str(path), "--out", str(tmp_path / "f.json")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    return err


def test_hist_refuses_a_categorical_number(tmp_path, capsys):
    rng = np.random.default_rng(1)
    rows = rides(rng, 300, zone=True)
    dv, X, _ = vectorize(rows, sparse=False)
    zone = dv.feature_names_.index("zone")
    est = HistGradientBoostingRegressor(max_iter=3, categorical_features=[zone]).fit(X, target(rows, rng) + X[:, zone])
    err = refusal(tmp_path, capsys, dv, est)
    assert f"sklearn {sklearn.__version__} HistGradientBoostingRegressor" in err and "'zone' as a categorical" in err, err


def test_xgboost_refuses_a_categorical_number(tmp_path, capsys):
    rng = np.random.default_rng(1)
    rows = rides(rng, 300, zone=True)
    dv, X, _ = vectorize(rows, sparse=False)
    zone = dv.feature_names_.index("zone")
    y = np.where(X[:, zone] % 2 == 1, 10.0, 0.0)  # the zone decides
    est = xgboost.XGBRegressor(n_estimators=2, max_depth=2, tree_method="hist", enable_categorical=True, n_jobs=1,
                               feature_types=["c" if i == zone else "q" for i in range(X.shape[1])]).fit(X, y)
    err = refusal(tmp_path, capsys, dv, est)
    assert f"xgboost {xgboost.__version__} tree 0" in err and "'zone' as a categorical" in err, err


@pytest.mark.parametrize("make", [hist, xgb])
def test_golden_edges_reach_every_categorical_split(tmp_path, make):
    """golden.py's edge rows hold, for each categorical split, a member (its
    category), non-members (other and unseen categories), rides without the
    key (absent: 0, or missing) and NaN distances, and the walker agrees
    with the library on all of them."""
    import golden
    dv, est, _ = make(4)
    path, forest = export_pipeline(tmp_path, dv, est)
    rows = golden.edge_inputs(forest)
    names = forest["vectorizer"]["feature_names"]
    split = {names[f].split("=", 1)[1] for t in forest["trees"]
             for f, c in zip(t["feature"], t.get("categories", [])) if c is not None}
    assert split, "no categorical split"
    members = {r["PU_DO"] for r in rows if r["case"] == "split category"}
    assert split <= members, split - members
    assert any(r["case"] == "unseen category" for r in rows) and any("PU_DO" not in r for r in rows)
    assert any(isinstance(r.get("trip_distance"), float) and math.isnan(r["trip_distance"]) for r in rows)
    finite = [r for r in rows if r["case"] != "extreme"]
    want = export.load(path).predictor()([golden.features(r) for r in finite])
    assert_exact(want, walk(forest, [r.get("PU_DO") for r in finite], [r.get("trip_distance") for r in finite]))
