"""Draws the shadow report's chart (internal/shadowreport/chart.go).

    /usr/bin/python3 chart.py PAIRS.json OUT.png

PAIRS.json: {"serving": [...], "shadow": [...], "serving_version": "...",
"shadow_version": "...", "joined": N}: the predictions of a sample of the N rides
both models scored.
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "model-export"))
import twomodels  # noqa: E402


def main(pairs, out):
    with open(pairs) as f:
        p = json.load(f)
    a = np.array(p["serving"], dtype=float)
    b = np.array(p["shadow"], dtype=float)
    drawn = "" if len(a) == p["joined"] else f" ({len(a):,} drawn)"
    twomodels.chart(a, b, ("serving", "shadow"), ("How the shadow differs", "Serving against shadow"),
                    f"{p['joined']:,} live rides scored by both models{drawn}: serving {p['serving_version']}, shadow {p['shadow_version']}",
                    out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
