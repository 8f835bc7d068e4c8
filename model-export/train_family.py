"""Trains a model of one tree family on Jan 2022 and saves it in one of the
forms make refresh reads, for the refresh round-trip tests and
make bench-families.

    PYTHON model-export/train_family.py --train JAN.csv --form FORM --out PATH \
        [--rows N] [--params '{"max_depth": 6}']

FORM is one of:
  rf          pickled Pipeline(DictVectorizer, RandomForestRegressor)
  rf-dense    pickled Pipeline(DictVectorizer(sparse=False), RandomForestRegressor):
              sklearn >= 1.4 predicts a NaN distance on it (missing_go_to_left),
              and trains on one ride in 10 with its distance NaN (older
              versions refuse that: they train on the rides as they are)
  gb          pickled Pipeline(DictVectorizer, GradientBoostingRegressor)
  gb-zero     the same with init='zero'
  hgb         pickled Pipeline(DictVectorizer(sparse=False), HistGradientBoostingRegressor)
  hgb-cat     the same with the 30 most frequent one-hot columns categorical features
              (categorical_features; all ~1,000 would make sklearn >= 1.4's
              per-column OrdinalEncoder take minutes over the golden rides)
  xgb-pipe    pickled Pipeline(DictVectorizer, XGBRegressor)
  xgb-cat     the same with every one-hot column a categorical feature (enable_categorical,
              feature_types "c"; max_cat_to_onehot=1, partition splits)
  xgb-mlflow  an MLflow xgboost directory (MLmodel, model.xgb) from xgb.train,
              with the vectorizer pickled apart as PATH/preprocessor.b, as the
              MLOps Zoomcamp's week 2 saves it
  xgb-file    a bare xgboost model file (PATH ending .json or .ubj) from
              xgb.train, and the vectorizer as PATH.preprocessor.b

  lgbm-pipe   pickled Pipeline(DictVectorizer, LGBMRegressor)
  lgbm-file   a bare LightGBM text model file (PATH, model.txt) from
              lightgbm.train, and the vectorizer as PATH.preprocessor.b
  lgbm-mlflow an MLflow lightgbm directory of that Booster, written by
              mlflow.lightgbm.save_model, the vectorizer as PATH/preprocessor.b

The lgbm forms need lightgbm (and lgbm-mlflow mlflow): run them with the
venv's python. For them, --params may also hold "categorical": "onehot",
which makes every one-hot column a LightGBM categorical feature.

PYTHON is the environment to train in (Debian's /usr/bin/python3, or
build/venv/bin/python for the current pip releases); the refresh tests
ship each model with the same one (make refresh PYTHON=).

--params are the estimator's (or xgb.train's) keyword arguments; --rows
takes the first N rides (all by default).
"""

import argparse
import json
import os
import pickle

import numpy as np
from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.feature_extraction import DictVectorizer
from sklearn.pipeline import make_pipeline

from rides import prepare_dictionaries, read_dataframe

DEFAULTS = {
    "rf": dict(n_estimators=10, max_depth=10, min_samples_leaf=10, random_state=0, n_jobs=1),
    "rf-dense": dict(n_estimators=10, max_depth=10, min_samples_leaf=10, random_state=0, n_jobs=1),
    "gb": dict(n_estimators=50, max_depth=5, learning_rate=0.1, random_state=0),
    "gb-zero": dict(n_estimators=50, max_depth=5, learning_rate=0.1, random_state=0, init="zero"),
    "hgb": dict(max_iter=50, learning_rate=0.1, random_state=0),
    "hgb-cat": dict(max_iter=20, learning_rate=0.3, random_state=0),
    "xgb-pipe": dict(n_estimators=50, max_depth=6, learning_rate=0.3, random_state=0, n_jobs=1),
    "xgb-cat": dict(n_estimators=20, max_depth=6, learning_rate=0.3, random_state=0, n_jobs=1, tree_method="hist",
                    enable_categorical=True, max_cat_to_onehot=1),
    # The Zoomcamp's best parameters, but fewer rounds (make bench-families takes 1,000).
    "xgb-mlflow": dict(learning_rate=0.0958, max_depth=30, min_child_weight=1.06, objective="reg:squarederror",
                       reg_alpha=0.0181, reg_lambda=0.0117, seed=42, nthread=1, num_boost_round=50),
    "lgbm-pipe": dict(n_estimators=50, num_leaves=31, learning_rate=0.1, random_state=0, n_jobs=1, verbose=-1),
    "lgbm-file": dict(objective="regression", num_leaves=31, learning_rate=0.1, seed=0, num_threads=1, verbose=-1,
                      num_boost_round=50),
    "lgbm-mlflow": dict(objective="regression", num_leaves=31, learning_rate=0.1, seed=0, num_threads=1, verbose=-1,
                        num_boost_round=50),
    "xgb-file": dict(max_depth=6, learning_rate=0.3, objective="reg:squarederror", seed=1, nthread=1,
                     base_score=3.5, num_boost_round=40),
}

MLMODEL = """artifact_path: models_mlflow
flavors:
  python_function:
    data: model.xgb
    env: conda.yaml
    loader_module: mlflow.xgboost
    python_version: 3.11.2
  xgboost:
    code: null
    data: model.xgb
    model_class: xgboost.core.Booster
    model_format: xgb
    xgb_version: {version}
run_id: {run_id}
"""


def train(form, X_dicts, y, params):
    if form.startswith("lgbm"):
        return train_lightgbm(form, X_dicts, y, dict(params))
    if form.endswith("-cat"):
        return train_categorical(form, X_dicts, y, params), None
    if form in ("rf", "rf-dense", "gb", "gb-zero", "hgb", "xgb-pipe"):
        est = {"rf": RandomForestRegressor, "rf-dense": RandomForestRegressor, "gb": GradientBoostingRegressor, "gb-zero": GradientBoostingRegressor,
               "hgb": HistGradientBoostingRegressor}.get(form)
        if form == "xgb-pipe":
            import xgboost
            est = xgboost.XGBRegressor
        dv = DictVectorizer(sparse=form not in ("hgb", "rf-dense"))
        pipe = make_pipeline(dv, est(**params))
        if form == "rf-dense":
            try:  # learnt missing-value directions, and splits with an infinite threshold
                return pipe.fit(with_nan(X_dicts), y), None
            except ValueError:
                pass
        pipe.fit(X_dicts, y)
        return pipe, None
    import xgboost
    dv = DictVectorizer()
    X = dv.fit_transform(X_dicts)
    params = dict(params)
    rounds = params.pop("num_boost_round")
    booster = xgboost.train(params, xgboost.DMatrix(X, label=y), num_boost_round=rounds)
    return booster, dv


def train_categorical(form, X_dicts, y, params):
    """A Pipeline whose estimator takes every one-hot column as a categorical feature."""
    dv = DictVectorizer(sparse=form == "xgb-cat")
    counts = np.asarray(dv.fit_transform(X_dicts).sum(axis=0)).ravel()
    one_hot = np.array([dv.separator in n for n in dv.feature_names_])
    if form == "hgb-cat":
        frequent = np.zeros_like(one_hot)
        frequent[np.argsort(-np.where(one_hot, counts, -1), kind="stable")[:30]] = True
        est = HistGradientBoostingRegressor(categorical_features=frequent & one_hot, **params)
    else:
        import xgboost
        est = xgboost.XGBRegressor(feature_types=["c" if h else "q" for h in one_hot], **params)
    return make_pipeline(dv, est).fit(X_dicts, y)


def train_lightgbm(form, X_dicts, y, params):
    import lightgbm
    onehot = params.pop("categorical", None) == "onehot"
    dv = DictVectorizer()
    X = dv.fit_transform(X_dicts)
    cats = [i for i, n in enumerate(dv.feature_names_) if dv.separator in n] if onehot else "auto"
    if form == "lgbm-pipe":
        pipe = make_pipeline(dv, lightgbm.LGBMRegressor(**params))
        pipe.fit(X_dicts, y, lgbmregressor__categorical_feature=cats)
        return pipe, None
    rounds = params.pop("num_boost_round")
    return lightgbm.train(params, lightgbm.Dataset(X, label=y, categorical_feature=cats), num_boost_round=rounds), dv


def with_nan(rows):
    """rows with every tenth ride's distance NaN."""
    return [r | {"trip_distance": float("nan")} if i % 10 == 0 else r for i, r in enumerate(rows)]


def save(form, model, dv, out):
    """Writes the trained model at out: a pipeline pickled; a model trained
    apart from its vectorizer as its library's file, or as an MLflow model
    directory for the *-mlflow forms, with the vectorizer pickled beside it
    (out.preprocessor.b) or in the directory (preprocessor.b)."""
    if dv is None:
        with open(out, "wb") as f:
            pickle.dump(model, f)
        return
    if form.endswith("-mlflow"):
        save_mlflow(form, model, out)
        vec = os.path.join(out, "preprocessor.b")
    else:
        model.save_model(out)
        vec = out + ".preprocessor.b"
    with open(vec, "wb") as f:
        pickle.dump(dv, f)


def save_mlflow(form, model, out):
    """An MLflow model directory at out: mlflow's own for LightGBM; for an
    xgboost Booster, the files of mlflow's xgboost flavour (MLMODEL),
    written without mlflow."""
    if form.startswith("lgbm"):
        import mlflow.lightgbm
        mlflow.lightgbm.save_model(model, out)
        return
    import xgboost
    os.makedirs(out, exist_ok=True)
    model.save_model(os.path.join(out, "model.xgb"))
    with open(os.path.join(out, "MLmodel"), "w") as f:
        f.write(MLMODEL.format(version=xgboost.__version__, run_id="0" * 24 + form.replace("-", "")[:8]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--form", required=True, choices=sorted(DEFAULTS))
    ap.add_argument("--out", required=True)
    ap.add_argument("--rows", type=int, default=0)
    ap.add_argument("--params", default="{}", help="JSON object of keyword arguments")
    args = ap.parse_args()
    df = read_dataframe(args.train)
    if args.rows:
        df = df.iloc[:args.rows]
    params = DEFAULTS[args.form] | json.loads(args.params)
    model, dv = train(args.form, prepare_dictionaries(df), df.duration.values, params)
    save(args.form, model, dv, args.out)
    print(f"train_family: {args.form} on {len(df)} rides -> {args.out}")


if __name__ == "__main__":
    main()
