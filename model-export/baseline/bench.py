"""Python-side figures for `make bench`, printed as one JSON object.

    bench.py cold RIDE_JSON        import the baseline (loads the model), predict one ride
    bench.py inprocess EVENT_JSON  time lambda_handler on a Kinesis event (in process)
    bench.py sklearn RIDES_JSONL   sklearn's own single-ride and batch timings
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


def sklearn_timings(path):
    import lambda_function

    model = lambda_function.model
    with open(path) as f:
        rides = [json.loads(line) for line in f]
    dicts = [lambda_function.prepare_features(r["ride"]) for r in rides]
    model.predict(dicts[:10])
    singles = []
    for d in dicts[:300]:
        start = time.perf_counter()
        model.predict([d])
        singles.append(time.perf_counter() - start)
    singles.sort()
    start = time.perf_counter()
    model.predict(dicts)
    batch = time.perf_counter() - start
    forest = model[-1]
    trees = getattr(forest, "estimators_", [forest])
    print(json.dumps({"single_ns": singles[len(singles) // 2] * 1e9, "batch_ns_per_ride": batch / len(dicts) * 1e9,
                      "batch_rides": len(dicts), "nodes": int(sum(t.tree_.node_count for t in trees)),
                      "max_depth": int(max(t.tree_.max_depth for t in trees))}))


if __name__ == "__main__":
    {"cold": cold, "inprocess": inprocess, "sklearn": sklearn_timings}[sys.argv[1]](sys.argv[2])
