"""Draws the shadow report's chart (internal/shadowreport/chart.go).

    /usr/bin/python3 chart.py PAIRS.json OUT.png

PAIRS.json: {"serving": [...], "shadow": [...], "serving_version": "...",
"shadow_version": "...", "joined": N}: the predictions of a sample of the N rides
both models scored.
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main(pairs, out):
    with open(pairs) as f:
        p = json.load(f)
    a = np.array(p["serving"], dtype=float)
    b = np.array(p["shadow"], dtype=float)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax1.hist(b - a, bins=120)
    ax1.set_yscale("log")
    ax1.set_xlabel("shadow - serving prediction (min)")
    ax1.set_ylabel("rides")
    ax1.set_title("How the shadow differs")
    ax2.scatter(a, b, s=1, alpha=0.15)
    hi = max(a.max(), b.max())
    ax2.plot([0, hi], [0, hi], color="black", linewidth=0.8)
    ax2.set_xlabel("serving prediction (min)")
    ax2.set_ylabel("shadow prediction (min)")
    ax2.set_title("Serving against shadow")
    drawn = "" if len(a) == p["joined"] else f" ({len(a):,} drawn)"
    fig.suptitle(f"{p['joined']:,} live rides scored by both models{drawn}: serving {p['serving_version']}, shadow {p['shadow_version']}")
    fig.tight_layout()
    fig.savefig(out, dpi=90, metadata={"Software": None})
    plt.close(fig)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
