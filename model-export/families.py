"""The tree families export.py reads, each as forest JSON (FORMAT.md).

Every family states how its library predicts, in forest JSON's
"prediction" object, so that one generator reproduces them all bit for bit:

  family       input    compare  absent feature   NaN      start          accumulate
  forest       float32  <=       0                refused* 0.0            float64, mean
  gradient     float32  <=       0                refused  init constant  float64, lr*leaf
  hist         float64  <=       0 (dense input)  missing  baseline       float64
  xgboost      float32  <        missing (CSR)    missing  base_score     float32
  lightgbm     float64  <=       0                by split 0.0 (folded)  float64

HistGradientBoosting's and xgboost's categorical splits: categorical.py.

* sklearn >= 1.3's trees (RandomForest from 1.4, ExtraTrees from 1.6)
  predict NaN on dense input, sending it the way each split's
  missing_go_to_left says: exported as "missing" with default_left. Whether
  the library refuses NaN is asked of the estimator itself (accepts_nan),
  not guessed from its version.

Each family also knows how its library predicts for golden.py: the way the
user's pipeline calls it (Pipeline.predict, or Booster.predict on a DMatrix
of the vectorizer's output), with one thread.
"""

import math

import numpy as np
import sklearn
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import (ExtraTreesRegressor, GradientBoostingRegressor,
                              HistGradientBoostingRegressor, RandomForestRegressor)
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeRegressor

from missing import MAX_FLOAT64, accepts_nan


class ExportError(Exception):
    """A model that cannot be exported; the message is one sentence."""


FORESTS = (DecisionTreeRegressor, RandomForestRegressor, ExtraTreesRegressor)
SKLEARN = FORESTS + (GradientBoostingRegressor, HistGradientBoostingRegressor)
SUPPORTED = ", ".join(e.__name__ for e in SKLEARN) + ", XGBRegressor and xgboost Boosters, LGBMRegressor and LightGBM Boosters"

GB_LOSSES = ("squared_error", "absolute_error", "huber", "quantile")
HGB_LOSSES = ("squared_error", "absolute_error", "quantile")


def jsonable(v):
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    return v if v is None or isinstance(v, (bool, int, float, str)) else repr(v)


def params(estimator):
    return {k: jsonable(v) for k, v in sorted(estimator.get_params().items())}


def input_cast(vectorizer, estimator_cast):
    """The type every input value is cast to before it meets a threshold."""
    if np.dtype(vectorizer.dtype) == np.float32:
        return "float32"
    if np.dtype(vectorizer.dtype) != np.float64:
        raise ExportError(f"the DictVectorizer's dtype is {np.dtype(vectorizer.dtype)}; float64 and float32 are supported")
    return estimator_cast


def family(estimator):
    """The Family that exports estimator, or an ExportError naming why not."""
    if type(estimator) in FORESTS:
        return Forest(estimator)
    if type(estimator) is GradientBoostingRegressor:
        return Gradient(estimator)
    if type(estimator) is HistGradientBoostingRegressor:
        return Hist(estimator)
    if is_xgboost(estimator):
        import xgboost_family  # its own module; it imports this one
        return xgboost_family.XGBoost(estimator)
    import lightgbm_family  # its own module; it imports this one
    if lightgbm_family.is_lightgbm(estimator):
        return lightgbm_family.LightGBM(estimator)
    raise ExportError(f"the estimator is a {type(estimator).__name__}; supported are {SUPPORTED}")


def is_xgboost(estimator):
    return type(estimator).__module__.startswith("xgboost") and type(estimator).__name__ in ("XGBRegressor", "Booster")


class Family:
    """One estimator, exported: metadata, prediction rule and trees."""

    library = "sklearn"

    def __init__(self, estimator):
        self.estimator = estimator

    def check(self, vectorizer):
        """Refuses what the generator cannot reproduce exactly."""

    def library_version(self):
        return getattr(self.estimator, "_sklearn_version", sklearn.__version__)

    def n_features(self):
        return self.estimator.n_features_in_

    def predictor(self, vectorizer):
        """rows (a list of dicts) -> the library's predictions, one thread."""
        est = self.estimator
        if "n_jobs" in est.get_params():
            est.set_params(n_jobs=1)
        return make_pipeline(vectorizer, est).predict


def sklearn_tree(tree, scale=None, missing=False):
    t = tree.tree_
    leaf = t.children_left == -1
    out = {
        "children_left": t.children_left.tolist(),
        "children_right": t.children_right.tolist(),
        "feature": t.feature.tolist(),
        "threshold": np.where(np.isposinf(t.threshold), MAX_FLOAT64, t.threshold).tolist(),
        "value": t.value[:, 0, 0].tolist(),
        "n_node_samples": t.n_node_samples.tolist(),
    }
    if missing:
        out["default_left"] = [bool(x) and not lf for x, lf in zip(t.missing_go_to_left, leaf)]
    if scale is not None:
        out["scale"] = scale
    return out


def fitted_trees(estimator):
    trees = estimator.estimators_ if hasattr(estimator, "estimators_") else [estimator]
    if not hasattr(trees[0], "tree_"):
        raise ExportError(f"the {type(estimator).__name__} is not fitted")
    return trees


class Forest(Family):
    """DecisionTreeRegressor, RandomForestRegressor, ExtraTreesRegressor."""

    def check(self, vectorizer):
        fitted_trees(self.estimator)
        if self.estimator.n_outputs_ != 1:
            raise ExportError(f"the sklearn {self.library_version()} {type(self.estimator).__name__} has "
                              f"{self.estimator.n_outputs_} outputs; only one is supported")
        self.missing = accepts_nan(self.estimator, vectorizer)

    def metadata(self):
        return {"learning_rate": None, "objective": self.estimator.criterion}

    def prediction(self, vectorizer):
        return {"combine": "mean", "start": 0.0, "accumulator": "float64",
                "input": input_cast(vectorizer, "float32"), "compare": "<=",
                "absent": "zero", "nan": "missing" if self.missing else "refused", "infinity": "refused"}

    def trees(self):
        return [sklearn_tree(t, missing=self.missing) for t in fitted_trees(self.estimator)]


class Gradient(Family):
    """GradientBoostingRegressor: init constant, then lr*leaf per stage in order."""

    def check(self, vectorizer):
        est = self.estimator
        if not hasattr(est, "estimators_"):
            raise ExportError("the GradientBoostingRegressor is not fitted")
        if est.loss not in GB_LOSSES:
            raise ExportError(f"the GradientBoostingRegressor's loss is {est.loss!r}; supported are {', '.join(GB_LOSSES)}")
        if not (isinstance(est.init_, str) and est.init_ == "zero") and type(est.init_) is not DummyRegressor:
            raise ExportError(f"the GradientBoostingRegressor's init is a {type(est.init_).__name__}; "
                              "only a DummyRegressor or 'zero' is compiled, as other init models are not trees")
        self.missing = accepts_nan(est, vectorizer)

    def start(self):
        init = self.estimator.init_
        if isinstance(init, str):
            return 0.0
        return float(np.asarray(init.constant_, dtype=np.float64).ravel()[0])

    def metadata(self):
        return {"learning_rate": float(self.estimator.learning_rate), "objective": self.estimator.loss,
                "base_score": self.start()}

    def prediction(self, vectorizer):
        return {"combine": "sum", "start": self.start(), "accumulator": "float64",
                "input": input_cast(vectorizer, "float32"), "compare": "<=",
                "absent": "zero", "nan": "missing" if self.missing else "refused", "infinity": "refused"}

    def trees(self):
        lr = float(self.estimator.learning_rate)
        return [sklearn_tree(t, scale=lr, missing=self.missing) for t in self.estimator.estimators_[:, 0]]


class Hist(Family):
    """HistGradientBoostingRegressor: baseline, then each tree's leaf, in float64."""

    def check(self, vectorizer):
        est = self.estimator
        if not hasattr(est, "_predictors"):
            raise ExportError("the HistGradientBoostingRegressor is not fitted")
        if est.loss not in HGB_LOSSES or type(est._loss.link).__name__ != "IdentityLink":
            raise ExportError(f"the HistGradientBoostingRegressor's loss is {est.loss!r}; supported are {', '.join(HGB_LOSSES)}")
        self.cats = None
        if est.is_categorical_ is not None and np.any(est.is_categorical_):
            import categorical  # its own module; it imports this one
            self.cats = categorical.HistCategories(
                est, vectorizer, f"the sklearn {self.library_version()} HistGradientBoostingRegressor (categorical_features)")
        if est.n_trees_per_iteration_ != 1:
            raise ExportError(f"the sklearn {self.library_version()} HistGradientBoostingRegressor has "
                              f"{est.n_trees_per_iteration_} trees per iteration; only one is supported")
        if vectorizer.sparse:
            raise ExportError("a HistGradientBoostingRegressor needs dense input, so the vectorizer must be DictVectorizer(sparse=False)")

    def start(self):
        return float(np.ravel(self.estimator._baseline_prediction)[0])

    def metadata(self):
        return {"learning_rate": float(self.estimator.learning_rate), "objective": self.estimator.loss,
                "base_score": self.start()}

    def prediction(self, vectorizer):
        return {"combine": "sum", "start": self.start(), "accumulator": "float64",
                "input": input_cast(vectorizer, "float64"), "compare": "<=",
                "absent": "zero", "nan": "missing", "infinity": "allowed"}

    def trees(self):
        out = []
        for (predictor,) in self.estimator._predictors:
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            tree = {
                "children_left": np.where(leaf, -1, nodes["left"].astype(np.int64)).tolist(),
                "children_right": np.where(leaf, -1, nodes["right"].astype(np.int64)).tolist(),
                "feature": np.where(leaf, -2, nodes["feature_idx"].astype(np.int64)).tolist(),
                "threshold": np.where(leaf, -2.0, nodes["num_threshold"]).tolist(),
                "value": nodes["value"].tolist(),
                "n_node_samples": nodes["count"].astype(np.int64).tolist(),
                "default_left": [bool(x) and not lf for x, lf in zip(nodes["missing_go_to_left"], leaf)],
            }
            if self.cats is not None:
                self.cats.apply(tree, predictor)
            out.append(tree)
        return out
