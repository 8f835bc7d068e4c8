"""Exports a trained sklearn tree model and its DictVectorizer as forest JSON.

    /usr/bin/python3 model-export/export.py --model PATH --out FOREST.json

PATH is one of:
  - a pickle of a sklearn Pipeline(DictVectorizer, estimator);
  - a pickle of a (DictVectorizer, estimator) tuple;
  - an MLflow model directory (an MLmodel file and the sklearn flavour's
    pickle), read without mlflow; its run_id is recorded.

The estimator is a DecisionTreeRegressor, RandomForestRegressor or
ExtraTreesRegressor with one output. The format is documented in
model-export/FORMAT.md. Anything else exits with status 1 and one sentence
naming the problem.
"""

import argparse
import hashlib
import json
import os
import pickle
import sys
import warnings

import sklearn
import yaml
from sklearn.base import is_classifier
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor
from sklearn.feature_extraction import DictVectorizer
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeRegressor

FORMAT_VERSION = 1
ESTIMATORS = (DecisionTreeRegressor, RandomForestRegressor, ExtraTreesRegressor)
ESTIMATOR_NAMES = ", ".join(e.__name__ for e in ESTIMATORS)


class ExportError(Exception):
    """A model that cannot be exported; the message is one sentence."""


def load(path):
    """Returns (vectorizer, estimator, run_id, source_file) for PATH."""
    run_id = None
    if os.path.isdir(path):
        source, run_id = read_mlmodel(path)
    elif os.path.exists(path):
        source = path
    else:
        raise ExportError(f"model path {path} does not exist")
    try:
        with open(source, "rb") as f, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = pickle.load(f)
    except Exception as e:  # pickle raises many kinds for corrupt input
        raise ExportError(f"{source} is not a readable pickle ({type(e).__name__}: {e})")
    vectorizer, estimator = split(obj, source)
    return vectorizer, estimator, run_id, source


def read_mlmodel(path):
    mlmodel = os.path.join(path, "MLmodel")
    if not os.path.exists(mlmodel):
        raise ExportError(f"directory {path} has no MLmodel file, so it is not an MLflow model")
    try:
        with open(mlmodel) as f:
            meta = yaml.safe_load(f)
        flavor = meta["flavors"]["sklearn"]
    except (yaml.YAMLError, KeyError, TypeError):
        raise ExportError(f"{mlmodel} has no sklearn flavour, so it cannot be read without mlflow")
    fmt = flavor.get("serialization_format", "cloudpickle")
    if fmt not in ("pickle", "cloudpickle"):
        raise ExportError(f"{mlmodel} uses serialization format {fmt}; only pickle and cloudpickle are read")
    source = os.path.join(path, flavor.get("pickled_model", "model.pkl"))
    if not os.path.exists(source):
        raise ExportError(f"MLflow model file {source} does not exist")
    return source, meta.get("run_id")


def split(obj, source):
    if isinstance(obj, Pipeline):
        steps = [s for _, s in obj.steps]
    elif isinstance(obj, tuple):
        steps = list(obj)
    else:
        raise ExportError(
            f"{source} holds a {type(obj).__name__}; expected a Pipeline(DictVectorizer, estimator) "
            "or a (DictVectorizer, estimator) tuple"
        )
    if len(steps) != 2:
        raise ExportError(f"{source} has {len(steps)} steps; expected exactly two, a DictVectorizer and an estimator")
    vectorizer, estimator = steps
    if not isinstance(vectorizer, DictVectorizer):
        raise ExportError(f"the vectorizer is a {type(vectorizer).__name__}; only DictVectorizer is supported")
    if is_classifier(estimator):
        raise ExportError(f"the estimator is a classifier ({type(estimator).__name__}); only regressors are supported")
    if type(estimator) not in ESTIMATORS:
        raise ExportError(f"the estimator is a {type(estimator).__name__}; supported are {ESTIMATOR_NAMES}")
    if not hasattr(vectorizer, "feature_names_"):
        raise ExportError("the DictVectorizer is not fitted")
    trees = estimator.estimators_ if hasattr(estimator, "estimators_") else [estimator]
    if not hasattr(trees[0], "tree_"):
        raise ExportError(f"the {type(estimator).__name__} is not fitted")
    if estimator.n_outputs_ != 1:
        raise ExportError(f"the estimator has {estimator.n_outputs_} outputs; only one is supported")
    if estimator.n_features_in_ != len(vectorizer.feature_names_):
        raise ExportError(
            f"the estimator expects {estimator.n_features_in_} features but the vectorizer makes "
            f"{len(vectorizer.feature_names_)}"
        )
    return vectorizer, estimator


def inputs(vectorizer):
    """Each input key and its kind, in order of first appearance."""
    sep = vectorizer.separator
    numeric = [n for n in vectorizer.feature_names_ if sep not in n]
    kinds = {}
    for name in vectorizer.feature_names_:
        key, is_cat = (name.split(sep, 1)[0], True) if sep in name else (name, False)
        kind = "categorical" if is_cat else "numeric"
        if kinds.setdefault(key, kind) != kind or (is_cat and key in numeric):
            raise ExportError(f"input key {key!r} is both numeric and categorical in the vectorizer")
    return [{"key": k, "kind": v} for k, v in kinds.items()]


def jsonable(v):
    return v if v is None or isinstance(v, (bool, int, float, str)) else repr(v)


def tree_json(tree):
    t = tree.tree_
    return {
        "children_left": t.children_left.tolist(),
        "children_right": t.children_right.tolist(),
        "feature": t.feature.tolist(),
        "threshold": t.threshold.tolist(),
        "value": t.value[:, 0, 0].tolist(),
        "n_node_samples": t.n_node_samples.tolist(),
    }


def export(path):
    vectorizer, estimator, run_id, source = load(path)
    with open(source, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    trees = estimator.estimators_ if hasattr(estimator, "estimators_") else [estimator]
    return {
        "format_version": FORMAT_VERSION,
        "metadata": {
            "sklearn_version": getattr(estimator, "_sklearn_version", sklearn.__version__),
            "estimator": type(estimator).__name__,
            "params": {k: jsonable(v) for k, v in sorted(estimator.get_params().items())},
            "run_id": run_id,
            "source_sha256": digest,
            "n_features": len(vectorizer.feature_names_),
            "n_trees": len(trees),
            "n_nodes": int(sum(t.tree_.node_count for t in trees)),
        },
        "vectorizer": {
            "separator": vectorizer.separator,
            "inputs": inputs(vectorizer),
            "feature_names": list(vectorizer.feature_names_),
        },
        "trees": [tree_json(t) for t in trees],
    }


def provenance(forest, origin, model):
    """Where the shipped model came from (FORMAT.md, provenance.json)."""
    m = forest["metadata"]
    return {
        "origin": origin,
        "model": model,
        "run_id": m["run_id"],
        "source_sha256": m["source_sha256"],
        "estimator": m["estimator"],
        "sklearn_version": m["sklearn_version"],
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="pickle or MLflow model directory")
    ap.add_argument("--out", required=True, help="forest JSON to write")
    ap.add_argument("--provenance", help="also write provenance JSON here")
    ap.add_argument("--origin", choices=("trained", "imported"), default="imported",
                    help="trained: by train.py from the committed data; imported: from --model")
    args = ap.parse_args(argv)
    try:
        forest = export(args.model)
        text = json.dumps(forest, separators=(",", ":"), allow_nan=False)
    except ExportError as e:
        print(f"export: {e}", file=sys.stderr)
        return 1
    except ValueError as e:  # NaN or infinite float: JSON cannot hold it
        print(f"export: the model holds a value JSON cannot represent ({e})", file=sys.stderr)
        return 1
    with open(args.out, "w") as f:
        f.write(text + "\n")
    if args.provenance:
        with open(args.provenance, "w") as f:
            json.dump(provenance(forest, args.origin, args.model), f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
