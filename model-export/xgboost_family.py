"""xgboost's gbtree regressors as forest JSON (FORMAT.md): float32 from
base_score, x < split_condition, a missing one-hot its default way, and
categorical splits on one-hot columns (categorical.py).

A module of its own, as lightgbm_family.py is: families.family() imports it
when the estimator is xgboost's, so that xgboost is imported only then.
"""

import json
import math

import numpy as np
from sklearn.pipeline import make_pipeline

from families import ExportError, Family

XGB_OBJECTIVES = ("reg:squarederror", "reg:linear")


class XGBoost(Family):
    """An xgboost gbtree regressor: float32 from base_score, x < split, missing defaults."""

    library = "xgboost"

    def __init__(self, estimator):
        super().__init__(estimator)
        import xgboost
        self.xgb = xgboost
        self.booster = estimator if type(estimator).__name__ == "Booster" else self.sklearn_booster(estimator)
        self.model = json.loads(bytes(self.booster.save_raw("json")))

    def sklearn_booster(self, est):
        try:
            booster = est.get_booster()
        except Exception:
            raise ExportError("the XGBRegressor is not fitted")
        if not (isinstance(est.missing, float) and math.isnan(est.missing)):
            raise ExportError(f"the XGBRegressor treats {est.missing!r} as missing; only NaN is supported")
        # XGBRegressor.predict stops at best_iteration after early stopping:
        # export the trees it uses.
        begin, end = est._get_iteration_range(None)
        return booster[begin:end] if end else booster

    def check(self, vectorizer):
        learner = self.model["learner"]
        booster = learner["gradient_booster"]["name"]
        objective = learner["objective"]["name"]
        if booster != "gbtree":
            raise ExportError(f"the xgboost booster is {booster}; only gbtree is compiled, "
                              "as dart scales trees at predict time and gblinear has no trees")
        if objective not in XGB_OBJECTIVES:
            raise ExportError(f"the xgboost objective is {objective}; only reg:squarederror (and its old name reg:linear) "
                              "is compiled, as other objectives may transform the raw score and none was checked bit for bit")
        lm = learner["learner_model_param"]
        if int(lm.get("num_target", "1")) != 1 or int(lm.get("num_class", "0")) != 0:
            raise ExportError(f"the xgboost {self.library_version()} model has several outputs "
                              f"(num_target {lm.get('num_target', '1')}, num_class {lm.get('num_class', '0')}); only one is supported")
        import categorical  # its own module; it imports this one
        self.categories = [categorical.xgboost_categories(t, vectorizer, f"xgboost {self.library_version()} tree {i} "
                                                          "(enable_categorical)") for i, t in enumerate(self.trees_json())]

    def trees_json(self):
        return self.model["learner"]["gradient_booster"]["model"]["trees"]

    def library_version(self):
        return self.xgb.__version__

    def n_features(self):
        return int(self.model["learner"]["learner_model_param"]["num_feature"])

    def base_score(self):
        # xgboost < 3.1 writes base_score as one number ("5E-1"); 3.1 and
        # later as a vector, one intercept per target ("[5E-1]"), and a model
        # with several targets is refused by check.
        text = self.model["learner"]["learner_model_param"]["base_score"]
        scores = text.strip("[]").split(",")
        if len(scores) != 1:
            raise ExportError(f"the xgboost model has {len(scores)} intercepts (base_score {text}); only one output is supported")
        return float(np.float32(float(scores[0])))

    def metadata(self):
        # An xgboost model file keeps no training parameters: the learning
        # rate is known only from an XGBRegressor (its effect is in the leaves).
        est = self.estimator
        lr = None if type(est).__name__ == "Booster" else float(est.learning_rate or 0.3)
        return {"learning_rate": lr, "objective": self.model["learner"]["objective"]["name"],
                "base_score": self.base_score()}

    def prediction(self, vectorizer):
        # Booster.predict's DMatrix refuses infinities (and values beyond
        # float32); XGBRegressor.predict's inplace_predict compares them.
        inf = "refused" if type(self.estimator).__name__ == "Booster" else "allowed"
        return {"combine": "sum", "start": self.base_score(), "accumulator": "float32",
                "input": "float32", "compare": "<",
                "absent": "missing" if vectorizer.sparse else "zero", "nan": "missing", "infinity": inf}

    def trees(self):
        out = []
        for t, cats in zip(self.trees_json(), self.categories):
            left = t["left_children"]
            leaf = [c == -1 for c in left]
            cond = [float(np.float32(c)) for c in t["split_conditions"]]
            tree = {
                "children_left": left,
                "children_right": t["right_children"],
                "feature": [-2 if lf else f for f, lf in zip(t["split_indices"], leaf)],
                # A categorical node's split_condition is unused (NaN in 1.7).
                "threshold": [-2.0 if lf else 0.0 if cat is not None else c for c, lf, cat in zip(cond, leaf, cats)],
                "value": [c if lf else float(np.float32(w)) for c, w, lf in zip(cond, t["base_weights"], leaf)],
                "n_node_samples": [float(h) for h in t["sum_hessian"]],
                "default_left": [bool(d) and not lf for d, lf in zip(t["default_left"], leaf)],
            }
            if any(c is not None for c in cats):
                tree["categories"] = cats
            out.append(tree)
        return out

    def predictor(self, vectorizer):
        est = self.estimator
        if type(est).__name__ == "Booster":
            est.set_param({"nthread": 1})
            return lambda rows: est.predict(self.xgb.DMatrix(vectorizer.transform(rows)))
        est.set_params(n_jobs=1)
        return make_pipeline(vectorizer, est).predict
