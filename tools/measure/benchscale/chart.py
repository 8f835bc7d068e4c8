"""Draws make bench-scale's log-log chart: nodes vs compile time and vs peak memory."""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(report, out):
    with open(report) as f:
        rows = sorted(json.load(f), key=lambda r: r["nodes"])
    nodes = [r["nodes"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax1.plot(nodes, [r["compile_s"] for r in rows], "o-", label="compile generated/")
    ax1.plot(nodes, [r["gen_s"] for r in rows], "s-", label="gen")
    lo, hi = nodes[0], nodes[-1]
    ax1.plot([lo, hi], [30 * lo / 1e6, 30 * hi / 1e6], "k:", label="30 s per million nodes")
    ax1.set_ylabel("seconds")
    ax2.plot(nodes, [r["compile_peak_mb"] for r in rows], "o-", label="compile, largest process")
    ax2.plot(nodes, [r["gen_peak_mb"] for r in rows], "s-", label="gen")
    ax2.axhline(3 * 1024, color="k", linestyle=":", label="3 GB budget")
    ax2.set_ylabel("peak RSS (MB)")
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("nodes in the forest")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        for r in rows:
            ax.annotate(r["name"], (r["nodes"], ax.get_ylim()[0]), fontsize=7, rotation=90, va="bottom")
    fig.suptitle("Generated code's cost against forest size (make bench-scale)")
    fig.tight_layout()
    fig.savefig(out, dpi=90, metadata={"Software": None})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
