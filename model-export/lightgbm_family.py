"""LightGBM's gbdt regressors as forest JSON (FORMAT.md, "LightGBM").

The trees are read from LightGBM's own dump (Booster.dump_model(), which
writes every threshold and leaf with 17 digits, so they parse back to the
same doubles). Booster.predict sums the leaves in double, tree by tree,
from 0.0: boost_from_average's start is already folded into the first
tree's leaves, so "start" is 0. Each split keeps LightGBM's own rule
(tree.h's NumericalDecision and CategoricalDecision), node by node:

  missing_type  "none": NaN becomes 0.0; "zero": NaN and |x| <= 1e-35f take
                default_left; "nan": NaN takes default_left. Then x <= threshold.
  categories    a categorical split (cat_threshold's bitset, decoded): NaN,
                and x whose int truncation is negative or not in the set, go
                right; the others left.

Input is the vectorizer's output cast to double: an absent key is 0.0
in both the dense array and the CSR rows LightGBM reads.
"""

from families import ExportError, Family, input_cast

# Objectives whose prediction is the raw score (LightGBM's ConvertOutput is
# the identity for these, unless reg_sqrt squares it).
OBJECTIVES = ("regression", "regression_l1", "huber", "fair", "quantile", "mape")
MISSING = {"None": "none", "Zero": "zero", "NaN": "nan"}


def is_lightgbm(estimator):
    return type(estimator).__module__.startswith("lightgbm") and type(estimator).__name__ in ("LGBMRegressor", "Booster")


class LightGBM(Family):
    """A LightGBM gbdt regressor (LGBMRegressor or Booster)."""

    library = "lightgbm"

    def __init__(self, estimator):
        super().__init__(estimator)
        import lightgbm
        self.lgb = lightgbm
        if type(estimator).__name__ == "Booster":
            self.booster = estimator
        elif not hasattr(estimator, "_Booster") or estimator._Booster is None:
            raise ExportError("the LGBMRegressor is not fitted")
        else:
            self.booster = estimator.booster_
        # dump_model's default num_iteration is best_iteration, as predict's is.
        self.model = self.booster.dump_model()

    def check(self, vectorizer):
        m, p = self.model, self.booster.params
        boosting = p.get("boosting", p.get("boosting_type", "gbdt"))
        if boosting != "gbdt" or m.get("average_output"):
            raise ExportError(f"the LightGBM boosting is {boosting}; only gbdt is compiled, as rf averages its trees "
                              "and dart and goss were not checked bit for bit")
        objective = m["objective"].split()[0]
        if objective not in OBJECTIVES or "sqrt" in m["objective"].split() or p.get("reg_sqrt"):
            raise ExportError(f"the LightGBM objective is {m['objective']!r}; only {', '.join(OBJECTIVES)} without reg_sqrt "
                              "are compiled, as the others transform the raw score")
        if m["num_tree_per_iteration"] != 1 or m["num_class"] != 1:
            raise ExportError("the LightGBM model has several outputs; only one is supported")
        if p.get("linear_tree") or any("leaf_coeff" in n for t in m["tree_info"] for n in nodes(t["tree_structure"])):
            raise ExportError("the LightGBM model has linear trees, whose leaves are linear models, not constants")
        names = vectorizer.feature_names_
        for i, t in enumerate(m["tree_info"]):
            for n in nodes(t["tree_structure"]):
                if n.get("decision_type") == "==" and vectorizer.separator not in names[n["split_feature"]]:
                    raise ExportError(f"LightGBM tree {i} splits {names[n['split_feature']]!r} as a categorical feature, "
                                      "which is not compiled; only the vectorizer's one-hot columns may be categorical")

    def library_version(self):
        return self.lgb.__version__

    def n_features(self):
        return self.booster.num_feature()

    def metadata(self):
        est = self.estimator
        lr = float(est.learning_rate) if type(est).__name__ == "LGBMRegressor" else self.booster.params.get("learning_rate")
        return {"learning_rate": lr, "objective": self.model["objective"], "base_score": 0.0}

    def prediction(self, vectorizer):
        return {"combine": "sum", "start": 0.0, "accumulator": "float64",
                "input": input_cast(vectorizer, "float64"), "compare": "<=",
                "absent": "zero", "nan": "split", "infinity": "allowed"}

    def trees(self):
        return [tree_arrays(t["tree_structure"]) for t in self.model["tree_info"]]

    def predictor(self, vectorizer):
        est = self.estimator
        if type(est).__name__ == "Booster":
            return lambda rows: est.predict(vectorizer.transform(rows), num_threads=1)
        est.set_params(n_jobs=1)
        from sklearn.pipeline import make_pipeline
        return make_pipeline(vectorizer, est).predict


def nodes(root):
    """Every node of a dumped tree, in pre-order."""
    stack = [root]
    while stack:
        n = stack.pop()
        yield n
        if "leaf_value" not in n:
            stack += [n["right_child"], n["left_child"]]


def tree_arrays(root):
    """A dumped tree as forest JSON's parallel arrays, nodes in pre-order."""
    out = {k: [] for k in ("children_left", "children_right", "feature", "threshold", "value", "n_node_samples",
                           "default_left", "missing_type", "categories")}
    index = {id(n): i for i, n in enumerate(nodes(root))}
    for n in nodes(root):
        if "leaf_value" in n:
            row = (-1, -1, -2, -2.0, float(n["leaf_value"]), n.get("leaf_count", 0), False, "none", None)
        else:
            cats = None
            threshold = n["threshold"]
            if n["decision_type"] == "==":
                cats, threshold = sorted(int(c) for c in str(threshold).split("||")), 0.0
            elif n["decision_type"] != "<=":
                raise ExportError(f"a LightGBM split has decision type {n['decision_type']!r}; only <= and == exist")
            row = (index[id(n["left_child"])], index[id(n["right_child"])], n["split_feature"], float(threshold),
                   float(n["internal_value"]), n["internal_count"], bool(n["default_left"]), MISSING[n["missing_type"]], cats)
        for k, v in zip(out, row):
            out[k].append(v)
    return out


def load_model_file(source):
    """A LightGBM text model file (model.txt, MLflow's model.lgb) as a Booster."""
    try:
        import lightgbm
    except ImportError:
        raise ExportError(f"{source} is a LightGBM model, and lightgbm is not installed here (run with PYTHON= an interpreter that has it)")
    try:
        return lightgbm.Booster(model_file=source)
    except lightgbm.basic.LightGBMError as e:
        raise ExportError(f"{source} is not a readable LightGBM model ({str(e).splitlines()[0]})")


def is_model_file(path):
    """LightGBM's text models start with the line "tree"."""
    with open(path, "rb") as f:
        return f.read(5) == b"tree\n"
