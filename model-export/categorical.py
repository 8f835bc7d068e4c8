"""Categorical splits of HistGradientBoosting and xgboost, as forest JSON's
per-node "categories" (FORMAT.md, "Categorical splits").

Both libraries' categorical splits are compiled where LightGBM's are: on
the vectorizer's one-hot columns, whose values are 1 (the ride's category)
and 0 (any other; an absent one-hot, where the library reads it as
present). Each split's library rule decides, here, where 0 and 1 go, and
the node's "categories" lists those of the two that go left; a missing
value (xgboost's absent one-hot in sparse rows) takes default_left. What
each library does with any value, from its own source:

  sklearn >= 1.4 (an OrdinalEncoder before the trees, _preprocessor):
      NaN, and a value not among the encoder's categories_ (exact float64
      equality: 0.5 or -1 unless seen in training), go default_left; a
      known category goes left when its ordinal code is in the node's
      raw_left_cat_bitsets, else right. The categorical columns come first
      in the trees' feature_idx.
  sklearn < 1.4 (1.2.1): NaN and negative values go default_left; the
      value cast to uint8 (truncated; 258 wraps to 2 on x86-64) goes left when in the node's
      raw_left_cat_bitsets, right when among the feature's known
      categories, else default_left.
  xgboost (src/common/categorical.h, Decision): NaN goes default_left; a
      float32 value below 0 or at least 2**24 goes left; else its int
      truncation goes right when in the node's categories, left otherwise.

A categorical split on a numeric input (trip_distance, or a user's integer
codes) is refused: gen compiles a number into ranks among cuts, and a set of
categories is no single cut.
"""

import numpy as np

from families import ExportError

ONE_HOT_VALUES = (0, 1)
XGB_MAX_CAT = 2**24  # xgboost's OutOfRangeCat(): at or above it (or below 0) a value is an invalid category


def one_hot(vectorizer, feature):
    """Whether the vectorizer's column feature is a one-hot column (key=value)."""
    return vectorizer.separator in vectorizer.feature_names_[feature]


def refuse_numeric(vectorizer, feature, construct):
    if not one_hot(vectorizer, feature):
        raise ExportError(f"{construct} splits {vectorizer.feature_names_[feature]!r} as a categorical feature, "
                          "which is not compiled; only the vectorizer's one-hot columns may be categorical")


def in_bitset(bitset, value):
    """sklearn's _bitset.in_bitset: bit value of eight uint32 words."""
    return bool((int(bitset[value // 32]) >> (value % 32)) & 1)


class HistCategories:
    """A fitted HistGradientBoostingRegressor's categorical features."""

    def __init__(self, est, vectorizer, construct):
        self.est = est
        self.known, self.known_index = est._bin_mapper.make_known_categories_bitsets()
        pre = getattr(est, "_preprocessor", None)
        self.order = feature_order(pre, est.n_features_in_)
        self.encoder = pre.named_transformers_["encoder"] if pre is not None else None
        for f in np.flatnonzero(est.is_categorical_):
            refuse_numeric(vectorizer, int(f), construct)

    def feature(self, idx):
        """The vectorizer's column of the trees' feature_idx."""
        return int(self.order[idx])

    def code(self, idx, value):
        """value's category code in feature idx (the trees' index), or None when it goes default_left."""
        if self.encoder is None:
            return None if value < 0 else int(np.uint8(value))
        # The encoder's columns are the first of the trees' features, in order.
        found = np.flatnonzero(self.encoder.categories_[idx] == value)
        return int(found[0]) if found.size else None

    def left(self, idx, left_bits, value, default_left):
        code = self.code(idx, value)
        if code is None:
            return default_left
        if in_bitset(left_bits, code):
            return True
        return default_left if not in_bitset(self.known[self.known_index[idx]], code) else False

    def apply(self, tree, predictor):
        """Puts the vectorizer's columns in tree (forest JSON's arrays of
        predictor), and each node's categories; a categorical node's
        threshold is unused, so 0.0."""
        leaf = [f == -2 for f in tree["feature"]]
        tree["feature"] = [-2 if lf else self.feature(f) for f, lf in zip(predictor.nodes["feature_idx"], leaf)]
        tree["categories"] = self.categories(predictor)
        tree["threshold"] = [0.0 if c is not None else t for c, t in zip(tree["categories"], tree["threshold"])]

    def categories(self, predictor):
        """Per node of predictor: None, or the one-hot values its categorical split sends left."""
        out = []
        for node in predictor.nodes:
            if node["is_leaf"] or not node["is_categorical"]:
                out.append(None)
                continue
            bits = predictor.raw_left_cat_bitsets[node["bitset_idx"]]
            idx, default_left = int(node["feature_idx"]), bool(node["missing_go_to_left"])
            out.append([v for v in ONE_HOT_VALUES if self.left(idx, bits, float(v), default_left)])
        return out


def feature_order(pre, n_features):
    """The vectorizer's column of each of the trees' features: sklearn >= 1.4
    puts the categorical columns first (a ColumnTransformer, "encoder" then
    "numerical"); before it, the trees read the columns as given."""
    if pre is None:
        return np.arange(n_features)
    order = np.empty(n_features, dtype=np.int64)
    for name, _, columns in pre.transformers_:
        if name in ("encoder", "numerical"):
            cols = np.arange(n_features)[columns]
            order[np.arange(n_features)[pre.output_indices_[name]]] = cols
    return order


def xgboost_categories(tree, vectorizer, construct):
    """Per node of an xgboost JSON tree: None, or the one-hot values its
    categorical split sends left (those not among its categories)."""
    out = [None] * len(tree["left_children"])
    segments = zip(tree.get("categories_nodes", []), tree.get("categories_segments", []), tree.get("categories_sizes", []))
    for node, begin, size in segments:
        refuse_numeric(vectorizer, tree["split_indices"][node], construct)
        right = set(tree["categories"][begin:begin + size])
        out[node] = [v for v in ONE_HOT_VALUES if not (0 <= v < XGB_MAX_CAT and v in right)]
    split_type = tree.get("split_type", [])
    if any(bool(s) != (c is not None) for s, c in zip(split_type, out)):
        raise ExportError(f"{construct} has categorical splits whose categories it does not list")
    return out
