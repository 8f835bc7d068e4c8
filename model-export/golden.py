"""Writes sklearn's own answers for the golden parity tests.

    /usr/bin/python3 model-export/golden.py --model build/model.pkl [--vectorizer VEC] \
        --forest model-export/artifacts/forest.json \
        --rides 2022-01=JAN.csv 2022-02=FEB.csv --out model-export/artifacts/golden \
        --reference model-export/artifacts/reference.json

Two gzip'd JSON-lines files (format in FORMAT.md):
  rides.jsonl.gz  every ride of the given months whose three inputs are
                  present, with sklearn's prediction;
  edges.jsonl.gz  inputs chosen to break a wrong implementation: every
                  trip_distance threshold of the forest and the float32 and
                  float64 values around it, reached through its own path;
                  every category split on, every category seen but never
                  split on, categories never seen, missing keys, zeros,
                  subnormals, huge values, and NaN, infinities and values beyond
                  float32, which the library predicts or refuses.
and, with --reference, the model's reference (reference.py): the
distribution of its predictions on the Feb 2022 rides, which gen compiles
in for the function's PredictionDrift metric.
Predictions use one thread, so trees are summed in estimator order.
"""

import argparse
import gzip
import json
import math
import os
import re

import numpy as np

import export
import features as feature_code
import runner
import reference
from rule import ZERO_THRESHOLD, Rule

UNSEEN = ["0_0", "", "abc", "130_205x", "-1_5", "130.0_205.0", " 130_205", "1_", "_1", "9999_9999"]
SPECIAL = [
    0.0, -0.0, 5e-324, 1e-45, 1.401298464324817e-45, 1e-40, 0.01, 1.0, 3.66,
    100.0, 1000.0, 1e6, 1e30, -1.0, -1e30,
    3.4028234663852886e38,  # float32's largest value
    3.4028235677973362e38,  # the largest float64 that rounds to it
    -3.4028235677973362e38,
]
ZERO_BAND = [z for t in (ZERO_THRESHOLD, -ZERO_THRESHOLD)
             for z in (t, math.nextafter(t, 0), math.nextafter(t, math.inf), math.nextafter(t, -math.inf))] + [-1e-40, -5e-324]
F32_ROUNDS_TO_MAX = 3.4028235677973362e38  # beyond it, the float32 cast is infinite
# Values some library refuses (sklearn's forests all; xgboost the infinite
# ones after its float32 cast); others predict them. Either way the row
# records what the library did.
EXTREME = [math.nan, math.inf, -math.inf, 3.4028235677973366e38, 1e39, 1e300, -1e300]


def f32_down(t):
    """The largest float32 that is <= t."""
    f = np.float32(t)
    return f if float(f) <= t else np.nextafter(f, np.float32(-np.inf))


def around(t):
    """t, and the float32 and float64 values next to it."""
    lo = f32_down(t)
    hi = np.nextafter(lo, np.float32(np.inf))
    below = np.nextafter(lo, np.float32(-np.inf))
    mid = (float(lo) + float(hi)) / 2  # a float32 rounding tie
    values = {t, math.nextafter(t, -math.inf), math.nextafter(t, math.inf),
              float(lo), float(hi), float(below), mid,
              math.nextafter(mid, -math.inf), math.nextafter(mid, math.inf)}
    return sorted(values)


def threshold_paths(forest):
    """One (category or None, threshold) per distinct distance threshold.

    The category is one that leads to the split node, so the values around
    the threshold really are compared with it; None means "no category",
    which takes every categorical split the way an absent one-hot goes.
    """
    names = forest["vectorizer"]["feature_names"]
    sep = forest["vectorizer"]["separator"]
    rule = Rule(forest)
    out = {}
    for tree in forest["trees"]:
        stack = [(0, None)]
        while stack:
            node, cat = stack.pop()
            f = tree["feature"][node]
            if f < 0:
                continue
            left, right = tree["children_left"][node], tree["children_right"][node]
            if sep in names[f]:
                k = names[f].split(sep, 1)[1]
                matched = left if rule.split_left(tree, node, 1.0) else right
                unmatched = left if rule.split_left(tree, node, None) else right
                if cat is None:
                    stack += [(unmatched, None), (matched, k)]
                else:
                    stack.append((matched if cat == k else unmatched, cat))
            else:
                out.setdefault(tree["threshold"][node], cat)
                stack += [(left, cat), (right, cat)]
    return sorted(out.items())


def edge_inputs(forest):
    names = forest["vectorizer"]["feature_names"]
    sep = forest["vectorizer"]["separator"]
    split = sorted({names[f] for t in forest["trees"] for f in t["feature"] if f >= 0 and sep in names[f]})
    split_cats = [n.split(sep, 1)[1] for n in split]
    seen = [n.split(sep, 1)[1] for n in names if sep in n]
    unsplit = sorted(set(seen) - set(split_cats))
    rows = []
    for t, cat in threshold_paths(forest):
        for d in around(t):
            # Around a threshold beyond float32's range (sklearn >= 1.3's
            # infinite one, exported as float64's largest) lie values the
            # library may refuse: they are tried one by one, as extremes.
            case = "threshold" if abs(d) <= F32_ROUNDS_TO_MAX else "extreme"
            rows.append(({} if cat is None else {"PU_DO": cat}) | {"trip_distance": d, "case": case})
    for cat in split_cats:
        for d in (0.0, 0.5, 2.0, 5.0, 15.0):
            rows.append({"PU_DO": cat, "trip_distance": d, "case": "split category"})
    for cat in unsplit:
        rows.append({"PU_DO": cat, "trip_distance": 3.0, "case": "unsplit category"})
    for cat in UNSEEN:
        assert cat not in seen
        for d in (0.0, 3.66, 12.0):
            rows.append({"PU_DO": cat, "trip_distance": d, "case": "unseen category"})
    for d in SPECIAL:
        rows.append({"PU_DO": "130_205", "trip_distance": d, "case": "special distance"})
        rows.append({"trip_distance": d, "case": "special distance, no category"})
    if forest.get("prediction", {}).get("nan") == "split":
        # LightGBM's zero band (|x| <= 1e-35f is missing where missing_type is zero).
        for d in ZERO_BAND:
            rows.append({"PU_DO": "130_205", "trip_distance": d, "case": "special distance"})
            rows.append({"trip_distance": d, "case": "special distance, no category"})
    rows.append({"PU_DO": "130_205", "case": "no distance"})
    rows.append({"case": "no inputs"})
    for d in EXTREME:
        rows.append({"PU_DO": "130_205", "trip_distance": d, "case": "extreme"})
    return rows


def features(row):
    return {k: row[k] for k in ("PU_DO", "trip_distance") if k in row}


# Each value a ride field is replaced by in the odd rides: every JSON kind,
# and edge numbers and strings.
ODD = ["0", "-0", "130", "1e2", "3.66", "-0.0", "1e-7", "1e400", "-1e400", "NaN", "Infinity", "-Infinity",
       "123456789012345678901234567890", "1" + "0" * 400, '"130"', '" 3.66 "', '"1_000"', '"abc"', '""', '"nan"',
       '"\\u00e9"', "true", "false", "null", "[]", '["a"]', "[1]", "{}", '{"a": 1}', None]


def read_rides(specs, fields):
    """The rides of MONTH=JSONL files (tools/model/extract -rides) whose fields the
    program reads are all there and not null: ({month, row, field...}, the whole ride)."""
    rows, objects = [], []
    for spec in specs:
        month, path = spec.split("=", 1)
        with open(path) as f:
            for i, line in enumerate(f):
                ride = json.loads(line)
                if all(ride.get(k) is not None for k in fields):
                    rows.append({"month": month, "row": i} | {k: ride[k] for k in fields})
                    objects.append(ride)
    return rows, objects


def run_program(fn, predict, ride):
    """{"prediction"} of the user's function and the model on one ride, or
    {"error": the function's exception} or {"refused": the library's}."""
    try:
        row = fn(ride)
    except Exception as e:
        return {"error": type(e).__name__}
    try:
        return {"prediction": float(predict([row])[0])}
    except Exception as e:  # sklearn's ValueError, xgboost's XGBoostError, DictVectorizer's TypeError
        return {"refused": f"{type(e).__name__}: " + re.sub(r"^\[[0-9:]+\] ", "", str(e).splitlines()[0] if str(e) else "")}


def odd_rides(fn, predict, base, fields):
    """Each field the program reads replaced by each ODD value (None: absent),
    the others as in base; as JSON text, since NaN and 1e400 do not survive json.dumps."""
    out = []
    for f in fields:
        for v in ODD:
            members = [(k, json.dumps(base[k]) if k != f else v) for k in fields if k != f or v is not None]
            text = "{" + ", ".join(f"{json.dumps(k)}: {t}" for k, t in members) + "}"
            out.append({"field": f, "ride": text} | run_program(fn, predict, json.loads(text)))
    return out


def write_jsonl_gz(path, rows):
    # mtime=0 and no file name in the header: the same rows give the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        for r in rows:
            gz.write((json.dumps(r, allow_nan=False) + "\n").encode())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--vectorizer", help="pickled DictVectorizer, for a model saved without one")
    ap.add_argument("--forest", required=True)
    ap.add_argument("--rides", nargs="+", required=True, help="MONTH=JSONL, ride objects (tools/model/extract -rides)")
    ap.add_argument("--features", default=feature_code.SEED, help="FILE[:NAME] holding prepare_features (default: the seed's)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--reference", help="where to write the reference (reference.json)")
    args = ap.parse_args()

    # Anything export.py reads, predicted the way the user's pipeline
    # predicts: Pipeline.predict, or Booster.predict on (xgboost: a DMatrix
    # of) the vectorizer's output, with one thread.
    predict = export.load(args.model, args.vectorizer).predictor()
    with open(args.forest) as f:
        forest = json.load(f)
    os.makedirs(args.out, exist_ok=True)

    path, name = feature_code.parse_spec(args.features)
    with open(path) as f:
        fn = runner.load_function(f.read(), name, path)
    fields = forest["features"]["fields"] if "features" in forest else ["PULocationID", "DOLocationID", "trip_distance"]
    rides, objects = read_rides(args.rides, fields)
    try:
        preds = predict([fn(o) for o in objects])
    except Exception:  # some ride raises: each on its own
        preds = [run_program(fn, predict, o).get("prediction") for o in objects]
    for r, p in zip(rides, preds):
        if p is None:
            r["error"] = True
        else:
            r["prediction"] = float(p)
    write_jsonl_gz(os.path.join(args.out, "rides.jsonl.gz"), rides)
    if args.reference:
        reference.write(args.reference, reference.of_rides(rides, reference.sha256(args.forest)))

    edges = edge_inputs(forest)
    ok = [r for r in edges if r["case"] != "extreme"]
    for r, p in zip(ok, predict([features(r) for r in ok])):
        r["prediction"] = float(p)
    for r in edges:
        if r["case"] == "extreme":
            try:
                r["prediction"] = float(predict([features(r)])[0])
            except ValueError as e:  # xgboost's XGBoostError is one too
                # xgboost's messages start with the time: drop it, so that
                # the same model gives the same bytes.
                r["case"], r["refused"] = "refused", re.sub(r"^\[[0-9:]+\] ", "", str(e).splitlines()[0])
            # JSON has no NaN or infinity: these values travel as Python's repr.
            r["trip_distance_repr"] = repr(r.pop("trip_distance"))
    write_jsonl_gz(os.path.join(args.out, "edges.jsonl.gz"), edges)
    odd = odd_rides(fn, predict, rides[0], fields) if rides else []
    write_jsonl_gz(os.path.join(args.out, "odd.jsonl.gz"), odd)
    print(f"golden: {len(rides)} rides, {len(edges)} edge cases, {len(odd)} odd rides")


if __name__ == "__main__":
    main()
