"""Draws the dashboard's widgets as tools/operate/dashboard computed them (JSON on
stdin): each widget in its place on CloudWatch's 24-column grid, the
function's metrics over the run, thresholds as dashed lines, and what only
AWS measures named in its panel."""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    spec = json.load(sys.stdin)
    panels = spec["panels"]
    rows = max(p["y"] + p["height"] for p in panels)
    fig = plt.figure(figsize=(16, 16 * rows / 24 * 0.75))
    grid = fig.add_gridspec(rows, 24, hspace=12, wspace=4)
    for p in panels:
        ax = fig.add_subplot(grid[p["y"]:p["y"] + p["height"], p["x"]:p["x"] + p["width"]])
        ax.set_title(p["title"], fontsize=10, loc="left")
        for s in p["series"] or []:
            xs = [pt[0] for pt in s["points"] or []]
            ys = [pt[1] for pt in s["points"] or []]
            ax.plot(xs, ys, marker=".", label=s["label"])
        for t in p["thresholds"] or []:
            ax.axhline(t["value"], linestyle="--", color="red", linewidth=1, label=t["label"])
        if p["aws_only"]:
            ax.text(0.02, 0.02, "on AWS only:\n" + "\n".join(p["aws_only"]), transform=ax.transAxes,
                    fontsize=7, color="gray", va="bottom")
        if p["series"] or p["thresholds"]:
            ax.legend(fontsize=7, loc="upper right")
        ax.tick_params(labelsize=7)
        ax.set_xlabel("s into the run", fontsize=7)
    fig.suptitle("ride-duration-prediction dashboard (template.yaml), from a local run's metrics: "
                 f"{spec['documents']} EMF documents, {spec['bucket_seconds']:g} s buckets", fontsize=11)
    fig.savefig(spec["out"], dpi=80, bbox_inches="tight")


if __name__ == "__main__":
    main()
