"""Trains a model on Jan 2022 and logs it to an MLflow tracking server, as
the course's training notebooks do: the train and log steps of the
workflow that make refresh MODEL=<URI> ends (docs/local.md, "With MLflow").

    MLFLOW_TRACKING_URI=... PYTHON model-export/log_mlflow.py --train JAN.csv --form FORM \
        [--rows N] [--params JSON] [--experiment NAME] [--register NAME] [--layout log_model|run] \
        [--serialization skops|cloudpickle] [--vectorizer-out PATH]

FORM is train_family.py's rf, gb, hgb or xgb-pipe (a Pipeline, logged with
mlflow.sklearn.log_model), xgb-mlflow (an xgboost Booster, logged with
mlflow.xgboost.log_model, the DictVectorizer pickled apart to
--vectorizer-out, as the MLOps Zoomcamp's week 2 does), or lgb (a LightGBM
Booster, mlflow.lightgbm.log_model, its vectorizer likewise).

--layout log_model (the default) logs as MLflow 3 does: the model's files
go to <artifact root>/<experiment>/models/<model id>/artifacts, and
runs:/<run id>/model still finds them. --layout run writes them into the
run's own artifacts, s3://<bucket>/<experiment>/<run id>/artifacts/model,
as MLflow 2 did for the original's model (save_model, then log_artifacts).
--serialization is mlflow.sklearn's format (MLflow 3's default, skops,
trusting the types skops reports untrusted in this model, sklearn's Tree
for a forest). --register adds the
model to the registry under NAME. Prints one JSON object: run_id, the
runs:/ URI, the artifact store's URI (s3://...), and models:/NAME/VERSION
when registered.
"""

import argparse
import json
import os
import pickle
import tempfile
import warnings

import mlflow

from rides import prepare_dictionaries, read_dataframe
from train_family import DEFAULTS, train

LGB_DEFAULTS = dict(objective="regression", num_leaves=15, learning_rate=0.3, seed=0, num_threads=1, verbose=-1,
                    num_boost_round=10)


def fit(form, dicts, y, params):
    """(model, vectorizer or None): a Pipeline, or a Booster and its DictVectorizer."""
    if form != "lgb":
        return train(form, dicts, y, DEFAULTS[form] | params)
    import lightgbm
    from sklearn.feature_extraction import DictVectorizer
    params = LGB_DEFAULTS | params
    rounds = params.pop("num_boost_round")
    dv = DictVectorizer()
    X = dv.fit_transform(dicts).astype("float64")
    return lightgbm.train(params, lightgbm.Dataset(X, label=y), num_boost_round=rounds), dv


def flavor(form):
    if form == "xgb-mlflow":
        import mlflow.xgboost
        return mlflow.xgboost
    if form == "lgb":
        import mlflow.lightgbm
        return mlflow.lightgbm
    import mlflow.sklearn
    return mlflow.sklearn


def sklearn_kwargs(form, model, serialization):
    if flavor(form) is not mlflow.sklearn:
        return {}
    if serialization == "skops":
        # The types skops does not trust by default (sklearn's Tree, for
        # the forests): this model was trained here, so they are trusted.
        import skops.io
        trusted = skops.io.get_untrusted_types(data=skops.io.dumps(model))
        return {"serialization_format": "skops", "skops_trusted_types": trusted}
    return {"serialization_format": serialization}


def log(form, model, layout, kwargs):
    """Logs model in the active run; returns (runs:/ URI, artifact store URI)."""
    run = mlflow.active_run()
    if layout == "run":
        from mlflow.models import Model
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model")
            flavor(form).save_model(model, path, mlflow_model=Model(artifact_path="model", run_id=run.info.run_id), **kwargs)
            mlflow.log_artifacts(path, artifact_path="model")
        return f"runs:/{run.info.run_id}/model", run.info.artifact_uri + "/model"
    info = flavor(form).log_model(model, name="model", **kwargs)
    return f"runs:/{run.info.run_id}/model", mlflow.get_logged_model(info.model_id).artifact_location


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--form", required=True, choices=["rf", "gb", "hgb", "xgb-pipe", "xgb-mlflow", "lgb"])
    ap.add_argument("--rows", type=int, default=0)
    ap.add_argument("--params", default="{}", help="JSON object of keyword arguments")
    ap.add_argument("--experiment", default="nyc-taxi-experiment")
    ap.add_argument("--register", help="register the model under this name")
    ap.add_argument("--layout", choices=["log_model", "run"], default="log_model")
    ap.add_argument("--serialization", choices=["skops", "cloudpickle"], default="skops")
    ap.add_argument("--vectorizer-out", help="where the DictVectorizer of a Booster goes (preprocessor.b)")
    args = ap.parse_args()
    df = read_dataframe(args.train)
    if args.rows:
        df = df.iloc[:args.rows]
    model, dv = fit(args.form, prepare_dictionaries(df), df.duration.values, json.loads(args.params))
    if dv is not None:
        if not args.vectorizer_out:
            ap.error(f"--form {args.form} saves the model without its vectorizer: give --vectorizer-out")
        with open(args.vectorizer_out, "wb") as f:
            pickle.dump(dv, f)
    mlflow.set_experiment(args.experiment)
    with warnings.catch_warnings(), mlflow.start_run() as run:
        warnings.simplefilter("ignore")
        mlflow.log_params({"form": args.form, "rows": len(df)} | json.loads(args.params))
        runs_uri, store_uri = log(args.form, model, args.layout, sklearn_kwargs(args.form, model, args.serialization))
    out = {"run_id": run.info.run_id, "runs_uri": runs_uri, "store_uri": store_uri}
    if args.register:
        version = mlflow.register_model(runs_uri, args.register)
        out["models_uri"] = f"models:/{version.name}/{version.version}"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
