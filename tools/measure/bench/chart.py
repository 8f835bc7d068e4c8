"""Draws the cold-start distributions from make bench's results (tools/measure/bench/results.json)."""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(report, out):
    with open(report) as f:
        samples = json.load(f)["cold_start_samples_ms"]
    names = sorted(samples)
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.boxplot([samples[n] for n in names], vert=False, labels=names, showfliers=True)
    for i, n in enumerate(names, start=1):
        ax.scatter(samples[n], [i] * len(samples[n]), s=8, alpha=0.5)
    ax.set_xscale("log")
    ax.set_xlabel("start to first prediction (ms, log scale)")
    ax.set_title("Cold starts: Go with the model compiled in vs the Python baseline")
    fig.tight_layout()
    fig.savefig(out, dpi=90, metadata={"Software": None})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
