"""The model's reference: the distribution of its predictions on the committed Feb 2022 rides.

golden.py writes it (artifacts/reference.json, format in FORMAT.md) from the
library's own answers when a model is made (make model) or shipped (make
refresh); gen compiles it into generated/ beside the model, the function
measures each batch's PredictionDrift against it, and report.py prints it.

    /usr/bin/python3 model-export/reference.py [model-export/artifacts]

prints an artifact directory's reference as the refresh report does.

The distribution is kept as its 5%, 10%, ..., 95% quantiles (BINS = 20
bins of equal reference mass), each with the exact fraction of the
reference's predictions at or below it, plus the count, mean, standard
deviation, minimum and maximum. A quantile is the smallest prediction p
with at least that fraction of predictions <= p ("inverted CDF", numpy's
method of that name): always one of the predictions, so that Python and
Go, reading the same golden answers, find the same float64, and the
fractions are integer counts over the ride count, computed alike.
"""

import hashlib
import json
import math
import os
import sys

BINS = 20
MONTH = "2022-02"


def distribution(preds, bins=BINS):
    """The reference of these predictions (a non-empty sequence of floats)."""
    s = sorted(float(p) for p in preds)
    n = len(s)
    if n == 0:
        raise ValueError("no predictions to make a reference of")
    levels, edges, cdf = [], [], []
    for k in range(1, bins):
        # The smallest p with count(<= p) >= k*n/bins, in integers.
        edge = s[-(-k * n // bins) - 1]
        below = _count_le(s, edge)
        levels.append(k / bins)
        edges.append(edge)
        cdf.append(below / n)
    mean = math.fsum(s) / n
    std = math.sqrt(math.fsum((p - mean) ** 2 for p in s) / n)
    return {"rides": n, "mean": mean, "std": std, "min": s[0], "max": s[-1],
            "levels": levels, "edges": edges, "cdf": cdf}


def _count_le(s, x):
    """How many of the sorted s are <= x."""
    lo, hi = 0, len(s)
    while lo < hi:
        mid = (lo + hi) // 2
        if s[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def of_rides(rides, forest_sha256):
    """The reference of golden rides (dicts with month and prediction): Feb 2022's, for this forest."""
    ref = {"month": MONTH, "forest_sha256": forest_sha256}
    ref.update(distribution(r["prediction"] for r in rides if r["month"] == MONTH))
    return ref


def shift(ref, preds):
    """PredictionDrift, as the function computes it: the largest difference, at the
    reference's edges, between the fraction of preds and of the reference at or below it."""
    s = sorted(preds)
    return max(abs(_count_le(s, e) / len(s) - c) for e, c in zip(ref["edges"], ref["cdf"]))


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write(path, ref):
    with open(path, "w") as f:
        json.dump(ref, f, indent=1, allow_nan=False)
        f.write("\n")


def load(art):
    """artifacts/reference.json, or None for artifacts made before it existed."""
    path = os.path.join(art, "reference.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def markdown(ref):
    """The reference as the refresh report prints it."""
    lines = [
        f"Reference for `PredictionDrift`, compiled into `generated/` with the model: its predictions on the "
        f"{ref['rides']:,} committed {ref['month']} rides, mean {ref['mean']:.3f} min, std {ref['std']:.3f}, "
        f"min {ref['min']:.3f}, max {ref['max']:.3f}, and their quantiles:",
        "",
        "| quantile | prediction | rides at or below it |",
        "|---|---|---|",
    ]
    lines += [f"| {lv:.0%} | {e:.3f} min | {c:.2%} |" for lv, e, c in zip(ref["levels"], ref["edges"], ref["cdf"])]
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    art = argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)), "artifacts")
    ref = load(art)
    if ref is None:
        print(f"{art} has no reference.json", file=sys.stderr)
        return 1
    print(markdown(ref))
    return 0


if __name__ == "__main__":
    sys.exit(main())
