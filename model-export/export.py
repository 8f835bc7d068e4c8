"""Exports a trained tree model and its DictVectorizer as forest JSON.

    /usr/bin/python3 model-export/export.py --model PATH [--vectorizer VEC] --out FOREST.json

PATH is one of:
  - a pickle of a sklearn Pipeline(DictVectorizer, estimator), or of a
    (DictVectorizer, estimator) tuple;
  - an MLflow model directory (an MLmodel file and the sklearn flavour's
    pickle or skops file, or the xgboost or lightgbm flavour's model file),
    read without mlflow; its run_id is recorded (fetch.py downloads one from
    an MLflow URI, and --source records that URI);
  - an xgboost model file (.json, .ubj, or the binary .xgb/.model/.bin);
  - a LightGBM text model file (model.txt, or MLflow's model.lgb), known
    by its first line, "tree".

VEC is a pickled DictVectorizer (the Zoomcamp's preprocessor.b), for a
model saved without its vectorizer: an xgboost or LightGBM Booster, an
MLflow xgboost or lightgbm directory, or a pickle of the bare estimator.

The estimator is one of the families in families.py: sklearn's
DecisionTree, RandomForest, ExtraTrees, GradientBoosting and
HistGradientBoosting regressors, or an xgboost gbtree regressor
(XGBRegressor or Booster) with reg:squarederror, or a LightGBM gbdt
regressor (LGBMRegressor or Booster, lightgbm_family.py). The format is documented
in model-export/FORMAT.md. Anything else exits with status 1 and one
sentence naming the problem.
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
from sklearn.feature_extraction import DictVectorizer
from sklearn.pipeline import Pipeline

import environment
import families
import features
import lightgbm_family
from families import ExportError

FORMAT_VERSION = 3
XGB_SUFFIXES = (".json", ".ubj", ".xgb", ".model", ".bin", ".deprecated")


class Model:
    """A loaded model: its vectorizer, estimator and family, and where it came from."""

    def __init__(self, vectorizer, estimator, run_id, source):
        self.vectorizer, self.estimator, self.run_id, self.source = vectorizer, estimator, run_id, source
        self.family = families.family(estimator)

    def predictor(self):
        """rows -> the library's own predictions, called as the user's pipeline calls it."""
        return self.family.predictor(self.vectorizer)


def load(path, vectorizer_path=None):
    """Returns the Model at PATH (with the vectorizer at vectorizer_path, if given)."""
    run_id = None
    if os.path.isdir(path):
        source, run_id, read = read_mlmodel(path)
    elif os.path.exists(path):
        source, read = path, read_xgboost if path.endswith(XGB_SUFFIXES) else read_pickle
        if lightgbm_family.is_model_file(path):
            read = lightgbm_family.load_model_file
    else:
        raise ExportError(f"model path {path} does not exist")
    obj = read(source)
    given = read_vectorizer(vectorizer_path) if vectorizer_path else None
    vectorizer, estimator = split(obj, source, given)
    check(vectorizer, estimator)
    model = Model(vectorizer, estimator, run_id, source)
    model.family.check(vectorizer)
    n = model.family.n_features()
    if n != len(vectorizer.feature_names_):
        raise ExportError(f"the estimator expects {n} features but the vectorizer makes {len(vectorizer.feature_names_)}")
    return model


def read_pickle(source):
    try:
        with open(source, "rb") as f, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pickle.load(f)
    except Exception as e:  # pickle raises many kinds for corrupt input
        raise ExportError(f"{source} is not a readable pickle ({type(e).__name__}: {e})")


def read_skops(source, trusted):
    """A model mlflow.sklearn saved in its skops format (MLflow 3's default),
    trusting the types its MLmodel lists, as mlflow.sklearn.load_model does."""
    try:
        import skops.io
    except ImportError:
        raise ExportError(f"{source} is saved in the skops format, and skops is not installed (pip install skops)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return skops.io.load(source, trusted=trusted)
    except Exception as e:  # skops raises many kinds for corrupt or untrusted input
        raise ExportError(f"{source} is not a readable skops file ({type(e).__name__}: {str(e).splitlines()[0]})")


def read_xgboost(source):
    try:
        import xgboost
    except ImportError:
        raise ExportError(f"{source} is an xgboost model, and xgboost is not installed (make deps installs it)")
    try:
        booster = xgboost.Booster()
        booster.load_model(source)
    except xgboost.core.XGBoostError as e:
        raise ExportError(f"{source} is not a readable xgboost model ({str(e).splitlines()[0]})")
    return booster


def read_vectorizer(path):
    if not os.path.exists(path):
        raise ExportError(f"vectorizer path {path} does not exist")
    v = read_pickle(path)
    if isinstance(v, tuple) and v and isinstance(v[0], DictVectorizer):
        v = v[0]  # some save (vectorizer, model) under this name
    if not isinstance(v, DictVectorizer):
        raise ExportError(f"{path} holds a {type(v).__name__}; the vectorizer must be a pickled DictVectorizer")
    return v


def read_mlmodel(path):
    """(model file, run id, the function that reads the file) of an MLflow model directory."""
    mlmodel = os.path.join(path, "MLmodel")
    if not os.path.exists(mlmodel):
        raise ExportError(f"directory {path} has no MLmodel file, so it is not an MLflow model")
    try:
        with open(mlmodel) as f:
            meta = yaml.safe_load(f)
        flavors = meta["flavors"]
    except (yaml.YAMLError, KeyError, TypeError):
        flavors = None
    if isinstance(flavors, dict) and "sklearn" in flavors:
        flavor = flavors["sklearn"]
        fmt = flavor.get("serialization_format", "cloudpickle")
        if fmt not in ("pickle", "cloudpickle", "skops"):
            raise ExportError(f"{mlmodel} uses serialization format {fmt}; only pickle, cloudpickle and skops are read")
        trusted = flavor.get("skops_trusted_types") or []
        read = read_pickle if fmt != "skops" else lambda source: read_skops(source, trusted)
        source = os.path.join(path, flavor.get("pickled_model", "model.pkl"))
    elif isinstance(flavors, dict) and "xgboost" in flavors:
        flavor = flavors["xgboost"]
        source, read = os.path.join(path, flavor.get("data", "model.xgb")), read_xgboost
    elif isinstance(flavors, dict) and "lightgbm" in flavors:
        # mlflow.lightgbm saves a Booster as model.lgb, an LGBMRegressor pickled.
        flavor = flavors["lightgbm"]
        booster = flavor.get("model_class", "lightgbm.basic.Booster") == "lightgbm.basic.Booster"
        fmt = flavor.get("serialization_format", "cloudpickle")
        if not booster and fmt not in ("pickle", "cloudpickle"):
            raise ExportError(f"{mlmodel} uses serialization format {fmt}; only pickle and cloudpickle are read")
        source, read = os.path.join(path, flavor.get("data", "model.lgb")), lightgbm_family.load_model_file if booster else read_pickle
    else:
        names = ", ".join(sorted(f for f in flavors if f != "python_function")) if isinstance(flavors, dict) else "none"
        raise ExportError(f"{mlmodel} has flavours {names or 'none'}; only the sklearn, xgboost and lightgbm flavours are read")
    if not os.path.exists(source):
        raise ExportError(f"MLflow model file {source} does not exist")
    return source, meta.get("run_id"), read


def split(obj, source, given):
    """(vectorizer, estimator) of a loaded object; given is a --vectorizer's."""
    if isinstance(obj, Pipeline):
        steps = [s for _, s in obj.steps]
    elif isinstance(obj, tuple):
        steps = list(obj)
    elif given is not None:
        steps = [obj]
    else:
        raise ExportError(
            f"{source} holds a {type(obj).__name__}; expected a Pipeline(DictVectorizer, estimator) "
            "or a (DictVectorizer, estimator) tuple, or a model with VECTORIZER= (a pickled DictVectorizer)"
        )
    if given is not None:
        if len(steps) != 1:
            raise ExportError(f"{source} carries its own vectorizer; VECTORIZER= is only for a model saved without one")
        return given, steps[0]
    if len(steps) != 2:
        raise ExportError(f"{source} has {len(steps)} steps; expected exactly two, a DictVectorizer and an estimator")
    return steps[0], steps[1]


def check(vectorizer, estimator):
    if not isinstance(vectorizer, DictVectorizer):
        raise ExportError(f"the vectorizer is a {type(vectorizer).__name__}; only DictVectorizer is supported")
    # sklearn >= 1.6's is_classifier asks for __sklearn_tags__, which an
    # xgboost or LightGBM Booster lacks; a Booster's objective is checked by
    # its family.
    if type(estimator).__name__ != "Booster" and is_classifier(estimator):
        raise ExportError(f"the estimator is a classifier ({type(estimator).__name__}); only regressors are supported")
    if not hasattr(vectorizer, "feature_names_"):
        raise ExportError("the DictVectorizer is not fitted")


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


def max_depth(tree):
    """The deepest leaf's depth (root = 0)."""
    left, right = tree["children_left"], tree["children_right"]
    depth, deepest, stack = {0: 0}, 0, [0]
    while stack:
        n = stack.pop()
        if left[n] != -1:
            for c in (left[n], right[n]):
                depth[c] = depth[n] + 1
                stack.append(c)
        else:
            deepest = max(deepest, depth[n])
    return deepest


def feature_program(spec, inputs_):
    """The feature program of FILE[:NAME] (features.py), checked against the vectorizer's inputs."""
    try:
        program = features.compile_file(spec)
        unknown = features.check_keys(program, inputs_)
    except features.FeaturesError as e:
        raise ExportError(str(e))
    for key in unknown:
        print(f"export: {program['function']} writes {key!r}, which the vectorizer does not know (DictVectorizer ignores it)", file=sys.stderr)
    return program


def export(path, vectorizer_path=None, features_spec=features.SEED):
    model = load(path, vectorizer_path)
    fam, vectorizer = model.family, model.vectorizer
    with open(model.source, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    trees = fam.trees()
    est = model.estimator
    return {
        "format_version": FORMAT_VERSION,
        "metadata": {
            "sklearn_version": getattr(vectorizer, "_sklearn_version", sklearn.__version__),
            "library": fam.library,
            "library_version": fam.library_version(),
            "estimator": type(est).__name__,
            "params": families.params(est) if hasattr(est, "get_params") else {},
            "run_id": model.run_id,
            "source_sha256": digest,
            "n_features": len(vectorizer.feature_names_),
            "n_trees": len(trees),
            "n_nodes": sum(len(t["children_left"]) for t in trees),
            "max_depth": max((max_depth(t) for t in trees), default=0),
        } | fam.metadata(),
        "prediction": fam.prediction(vectorizer),
        "vectorizer": {
            "separator": vectorizer.separator,
            "inputs": inputs(vectorizer),
            "feature_names": list(vectorizer.feature_names_),
        },
        "features": feature_program(features_spec, inputs(vectorizer)),
        "trees": trees,
    }


def provenance(forest, origin, model, vectorizer=None):
    """Where the shipped model came from (FORMAT.md, provenance.json)."""
    m = forest["metadata"]
    return {
        "origin": origin,
        "model": model,
        "run_id": m["run_id"],
        "source_sha256": m["source_sha256"],
        "estimator": m["estimator"],
        "library": m.get("library", "sklearn"),
        "library_version": m.get("library_version", m["sklearn_version"]),
        "sklearn_version": m["sklearn_version"],
        "vectorizer": vectorizer,
        "python": environment.python(),
        "libraries": environment.libraries(),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="pickle or MLflow model directory")
    ap.add_argument("--vectorizer", help="pickled DictVectorizer, for a model saved without one")
    ap.add_argument("--out", required=True, help="forest JSON to write")
    ap.add_argument("--provenance", help="also write provenance JSON here")
    ap.add_argument("--source", help="where --model came from, for provenance, when it is a local copy (fetch.py's of an MLflow URI)")
    ap.add_argument("--features", default=features.SEED,
                    help="FILE[:NAME]: the Python file holding prepare_features(ride) (default: the seed's, baseline/lambda_function.py)")
    ap.add_argument("--origin", choices=("trained", "imported"), default="imported",
                    help="trained: by train.py from the committed data; imported: from --model")
    args = ap.parse_args(argv)
    try:
        forest = export(args.model, args.vectorizer, args.features)
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
            json.dump(provenance(forest, args.origin, args.source or args.model, args.vectorizer), f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
