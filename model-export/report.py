"""Writes the refresh report: the model shipped before against the new one.

    /usr/bin/python3 model-export/report.py --old build/refresh/old --new model-export/artifacts \
        --val build/model/2022-02.csv --build build/refresh/build.json \
        --md model-export/artifacts/refresh.md --png model-export/artifacts/refresh.png

--old and --new are artifact directories (forest.json, provenance.json,
golden/rides.jsonl.gz, reference.json). The report ends with the new
model's reference, which PredictionDrift is measured against. --build holds what tools/model/refresh measured (gen and
compile seconds, bootstrap size, the parity tests' outcome). The Markdown
is printed too.
"""

import argparse
import gzip
import hashlib
import json
import math
import os

import numpy as np

import environment
import reference
import twomodels
from export import max_depth
from rides import read_dataframe


def summary(art):
    """What the report shows of one artifact directory."""
    path = os.path.join(art, "forest.json")
    with open(path, "rb") as f:
        raw = f.read()
    forest = json.loads(raw)
    m = forest["metadata"]
    prov = {}
    if os.path.exists(os.path.join(art, "provenance.json")):
        with open(os.path.join(art, "provenance.json")) as f:
            prov = json.load(f)
    with gzip.open(os.path.join(art, "golden", "rides.jsonl.gz"), "rt") as f:
        preds = {}
        for line in f:
            r = json.loads(line)
            if "prediction" in r:  # not a ride the model's prepare_features raised on
                preds[(r["month"], r["row"])] = r["prediction"]
    rule = forest.get("prediction", {"start": 0.0})
    python, libraries = environment.describe(prov)
    return {
        "python": python,
        "libraries": libraries,
        "origin": prov.get("origin", "unknown"),
        "model": prov.get("model"),
        "vectorizer": prov.get("vectorizer"),
        "estimator": m["estimator"],
        "library": f"{m.get('library', 'sklearn')} {m.get('library_version', m['sklearn_version'])}",
        "objective": m.get("objective") or m.get("params", {}).get("criterion", "?"),
        "trees": m["n_trees"],
        "nodes": m["n_nodes"],
        "max_depth": max(max_depth(t) for t in forest["trees"]),
        "learning_rate": m.get("learning_rate"),
        "base_score": rule.get("start", 0.0),
        "combine": rule.get("combine", "mean"),
        "run_id": m["run_id"],
        "sklearn": m["sklearn_version"],
        "sha256": hashlib.sha256(raw).hexdigest(),
        "params": m.get("params", {}),
        "preds": preds,
        "features": forest.get("features"),
        "inputs": {i["key"]: i["kind"] for i in forest["vectorizer"]["inputs"]},
    }


def feature_table(s):
    """The model's features: each key its prepare_features writes, with its
    kind in the vectorizer and the Python line that writes it."""
    p = s["features"]
    if p is None:
        return ["The forest JSON (format version 1 or 2) holds no feature program: the seed's features.", ""]
    lines = [f"Features: `{p['function']}` of `{p['source']}` (sha256 `{p['sha256'][:16]}…`), compiled into "
             f"`generated/features.go`; it reads the ride fields {', '.join(f'`{f}`' for f in p['fields'])}.", "",
             "| feature | kind | line | Python |", "|---|---|---|---|"]
    for step in p["steps"]:
        if "key" in step:
            kind = s["inputs"].get(step["key"], "not in the vectorizer (ignored)")
            text = step["text"].splitlines()[0].replace("|", "\\|")
            lines.append(f"| `{step['key']}` | {kind} | {step['line']} | `{text}` |")
    return lines + [""]


def rmse(preds, val):
    """RMSE on Feb 2022's rides with 1 <= duration <= 60 (the seed's filter)."""
    df = read_dataframe(val)
    keys = [("2022-02", int(i)) for i in df.index]
    p = np.array([preds[k] for k in keys])
    return math.sqrt(float(np.mean((p - df["duration"].to_numpy()) ** 2))), len(keys)


def origin(s):
    if s["origin"] == "trained":
        return "trained here (`make model`)"
    if s["origin"] == "imported" and s.get("vectorizer"):
        return f"imported from `{s['model']}` with `{s['vectorizer']}`"
    if s["origin"] == "imported":
        return f"imported from `{s['model']}`"
    return "unknown"


def learning_rate(s):
    """A boosted model's learning rate; forests have none, and xgboost's model files do not keep it."""
    if s["learning_rate"] is not None:
        return s["learning_rate"]
    return "none (a forest)" if s["combine"] == "mean" else "not stored in the model file"


# Lambda's limits for a function deployed as a zip (the bootstrap is the
# only file): 50 MB zipped, 250 MB unzipped; a container image allows 10 GB.
ZIP_MB, UNZIPPED_MB = 50, 250


def zip_limits(build):
    """A warning when the bootstrap passes Lambda's zip limits."""
    over = []
    if build.get("zip_mb", 0) > ZIP_MB:
        over.append(f"function.zip is {build['zip_mb']:.1f} MB, over Lambda's {ZIP_MB} MB zip limit")
    if build["bootstrap_mb"] > UNZIPPED_MB:
        over.append(f"bootstrap is {build['bootstrap_mb']:.1f} MB, over Lambda's {UNZIPPED_MB} MB unzipped limit")
    if not over:
        return [f"The zip fits Lambda's limits ({ZIP_MB} MB zipped, {UNZIPPED_MB} MB unzipped).", ""]
    return [f"**This model does not fit a zip deployment:** {'; '.join(over)}. Deploy it as a container "
            "image instead (`template-image.yaml`, DEPLOY.md), which allows 10 GB.", ""]


def drift(old, new, old_art, new_art):
    """The new model's reference, and how far its Feb 2022 predictions lie from the old one's."""
    new_ref = reference.load(new_art)
    if new_ref is None:
        return ["**No reference.json**: the function will emit no `PredictionDrift` for this model.", ""]
    month = new_ref["month"]
    # Artifacts from before reference.json existed: the old reference from its golden answers.
    old_ref = reference.load(old_art) or reference.distribution(p for (m, _), p in old["preds"].items() if m == month)
    moved = reference.shift(old_ref, [p for (m, _), p in new["preds"].items() if m == month])
    return [
        reference.markdown(new_ref),
        "",
        f"Against the reference shipped before, the new model's {month} predictions would read "
        f"`PredictionDrift` {moved:.3f}; against its own, 0.",
        "",
    ]


def chart(old, new, keys, path):
    o = np.array([old["preds"][k] for k in keys])
    n = np.array([new["preds"][k] for k in keys])
    twomodels.chart(o, n, ("old", "new"), ("How predictions move", "Old against new"),
                    f"{len(keys):,} reference rides (Jan and Feb 2022)", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--val", required=True, help="Feb 2022 CSV from tools/model/extract")
    ap.add_argument("--build", required=True, help="JSON of what tools/model/refresh measured")
    ap.add_argument("--md", required=True)
    ap.add_argument("--png", required=True)
    ap.add_argument("--title", default="Model refresh report", help="make shadow's: Shadow model report")
    ap.add_argument("--columns", default="shipped before,new", help="the two models' names: make shadow's are serving,shadow")
    args = ap.parse_args()

    old, new = summary(args.old), summary(args.new)
    with open(args.build) as f:
        build = json.load(f)
    (old_rmse, n_val), (new_rmse, _) = rmse(old["preds"], args.val), rmse(new["preds"], args.val)
    keys = sorted(set(old["preds"]) & set(new["preds"]))
    delta = np.abs(np.array([new["preds"][k] - old["preds"][k] for k in keys]))

    rows = [
        ("origin", origin(old), origin(new)),
        ("estimator", old["estimator"], new["estimator"]),
        ("library", old["library"], new["library"]),
        ("objective", old["objective"], new["objective"]),
        ("trees (boosting rounds)", f"{old['trees']:,}", f"{new['trees']:,}"),
        ("nodes", f"{old['nodes']:,}", f"{new['nodes']:,}"),
        ("max depth", old["max_depth"], new["max_depth"]),
        ("combine", old["combine"], new["combine"]),
        ("learning rate", learning_rate(old), learning_rate(new)),
        ("start (base score)", repr(old["base_score"]), repr(new["base_score"])),
        ("run id", old["run_id"] or "none", new["run_id"] or "none"),
        ("sklearn version", old["sklearn"], new["sklearn"]),
        ("Python (export)", old["python"], new["python"]),
        ("library versions (export)", old["libraries"], new["libraries"]),
        ("forest sha256", f"`{old['sha256'][:16]}…`", f"`{new['sha256'][:16]}…`"),
        (f"RMSE, Feb 2022, 1 ≤ duration ≤ 60 ({n_val:,} rides)", f"{old_rmse:.4f} min", f"{new_rmse:.4f} min"),
    ]
    changed = {k for k in set(old["params"]) | set(new["params"]) if old["params"].get(k) != new["params"].get(k)}
    for k in sorted(changed):
        rows.append((f"param `{k}`", old["params"].get(k), new["params"].get(k)))

    old_name, new_name = args.columns.split(",")
    lines = [f"# {args.title}", "", f"| | {old_name} | {new_name} |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += [
        "",
        f"**RMSE moves by {new_rmse - old_rmse:+.4f} min** ({'better' if new_rmse < old_rmse else 'worse' if new_rmse > old_rmse else 'unchanged'}).",
        "",
        f"Predictions on the {len(keys):,} reference rides (every committed Jan and Feb 2022 ride): "
        f"mean absolute change {delta.mean():.3f} min, max {delta.max():.3f} min; "
        f"{np.mean(delta > 1):.1%} of rides move by more than 1 minute.",
        "",
        "| build | |",
        "|---|---|",
        f"| gen (`go generate ./generated`) | {build['gen_s']:.1f} s |",
        f"| compile `generated/` (`go build`, this machine's cache) | {build['compile_s']:.1f} s |",
        f"| build `build/function.zip` (`make package`) | {build['build_s']:.1f} s |",
        f"| `build/bootstrap` | {build['bootstrap_mb']:.1f} MB |",
        f"| `build/function.zip` | {build['zip_mb']:.1f} MB |",
        f"| parity tests (`go test ./generated`, the library's answers bit for bit) | {build['parity']} |",
        "",
    ]
    lines += feature_table(new)
    lines += zip_limits(build)
    lines += [
        f"![how predictions move]({os.path.basename(args.png)})",
        "",
    ]
    lines += drift(old, new, args.old, args.new)
    md = "\n".join(lines)
    with open(args.md, "w") as f:
        f.write(md)
    chart(old, new, keys, args.png)
    print(md)


if __name__ == "__main__":
    main()
