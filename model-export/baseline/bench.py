"""Python-side figures for `make bench`, printed as one JSON object.

    bench.py cold RIDE_JSON        import the baseline (loads the model), predict one ride
    bench.py inprocess EVENT_JSON  time lambda_handler on a Kinesis event (in process)
    bench.py sklearn RIDES_JSONL   the library's own single-ride and batch timings
                                   (sklearn's or xgboost's; VECTORIZER_PATH for a
                                   model saved without its vectorizer)
    bench.py lleaves RIDES_JSONL GO_PREDICTIONS
                                   a LightGBM model compiled by lleaves: its
                                   timings, and how many of its predictions and
                                   of Go's (tools/model/predict's output) differ from
                                   Booster.predict's
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def cold(path):
    import lambda_function

    with open(path) as f:
        ride = json.load(f)["ride"]
    print(json.dumps({"prediction": lambda_function.predict(lambda_function.prepare_features(ride))}))


def inprocess(path):
    os.environ["TEST_RUN"] = "True"
    import lambda_function

    with open(path) as f:
        event = json.load(f)
    lambda_function.lambda_handler({"Records": event["Records"][:20]}, None)  # warm up
    start = time.perf_counter()
    out = lambda_function.lambda_handler(event, None)
    elapsed = time.perf_counter() - start
    n = len(out["predictions"])
    print(json.dumps({"records": n, "seconds": elapsed, "rides_per_second": n / elapsed}))


def library_timings(path):
    """The library's own predict, one thread, called as the user's pipeline
    calls it (export.py's families): one ride at a time, and all at once.
    The model is MODEL_PATH (and VECTORIZER_PATH, for one saved without)."""
    export, model, dicts = model_and_rides(path)
    single_s, batch_s, _ = time_predict(model.predictor(), dicts)
    trees = model.family.trees()
    print(json.dumps({"single_ns": single_s * 1e9, "batch_ns_per_ride": batch_s / len(dicts) * 1e9,
                      "batch_rides": len(dicts), "nodes": sum(len(t["children_left"]) for t in trees),
                      "max_depth": max(export.max_depth(t) for t in trees)}))


def model_and_rides(path):
    """export.py (imported from model-export), the model at MODEL_PATH (and
    VECTORIZER_PATH, for one saved without) and the rides at path as the
    original's prepare_features makes them. lambda_function itself is not
    imported, as it unpickles MODEL_PATH, which may be an xgboost model."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import export

    model = export.load(os.environ["MODEL_PATH"], os.environ.get("VECTORIZER_PATH") or None)
    with open(path) as f:
        rides = [json.loads(line) for line in f]
    dicts = [{"PU_DO": "%s_%s" % (r["ride"]["PULocationID"], r["ride"]["DOLocationID"]),
              "trip_distance": r["ride"]["trip_distance"]} for r in rides]
    return export, model, dicts


def time_predict(predict, dicts):
    """Times predict after a warm-up: the median seconds of one ride (the
    first 300, one at a time), and the seconds and predictions of all of
    dicts at once."""
    predict(dicts[:10])
    singles = []
    for d in dicts[:300]:
        start = time.perf_counter()
        predict([d])
        singles.append(time.perf_counter() - start)
    singles.sort()
    start = time.perf_counter()
    out = predict(dicts)
    return singles[len(singles) // 2], time.perf_counter() - start, out


def lleaves_timings(path, go_predictions):
    """lleaves (LLVM-compiled LightGBM) on the rides: compile time, one ride
    and batch timings with one thread (the vectorizer's rows made dense, as
    lleaves reads only dense input), and the rides where lleaves and Go
    differ from the library's own predict, bit for bit."""
    import tempfile

    import lleaves
    import numpy as np

    _, model, dicts = model_and_rides(path)
    vec, want = model.vectorizer, model.predictor()
    with tempfile.TemporaryDirectory() as tmp:
        text = os.path.join(tmp, "model.txt")
        model.family.booster.save_model(text)  # best_iteration's trees, as predict's
        compiled = lleaves.Model(model_file=text)
        start = time.perf_counter()
        compiled.compile(cache=os.path.join(tmp, "lleaves.so"))
        compile_s = time.perf_counter() - start

    def predict(rows):
        x = vec.transform(rows)
        return np.concatenate([compiled.predict(x[i:i + 2000].toarray(), n_jobs=1) for i in range(0, x.shape[0], 2000)])

    single_s, batch, got = time_predict(predict, dicts)
    lib = np.asarray(want(dicts), dtype=np.float64)
    with open(go_predictions) as f:
        go = np.array([json.loads(line).get("prediction", np.nan) for line in f], dtype=np.float64)
    print(json.dumps({"single_ns": single_s * 1e9, "batch_ns_per_ride": batch / len(dicts) * 1e9,
                      "compile_s": compile_s, "rides": len(dicts),
                      "lleaves_mismatches": int(np.count_nonzero(got.view(np.int64) != lib.view(np.int64))),
                      "lleaves_max_abs_diff": float(np.max(np.abs(got - lib))),
                      "go_mismatches": int(np.count_nonzero(go.view(np.int64) != lib.view(np.int64))) if len(go) == len(lib) else len(lib)}))


if __name__ == "__main__":
    modes = {"cold": cold, "inprocess": inprocess, "sklearn": library_timings, "library": library_timings, "lleaves": lleaves_timings}
    modes[sys.argv[1]](*sys.argv[2:])
