"""The chart of two models' predictions on the same rides, side by side:
how the second's differ from the first's (a histogram of the differences)
and one against the other (a scatter). The refresh report (report.py) and
the shadow report (tools/internal/shadowreport/chart.py) draw it."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def chart(a, b, names, titles, suptitle, path):
    """Draws a and b (numpy arrays, a ride's two predictions at the same
    index) into the PNG at path. names are the models' ("old", "new"),
    titles the two panels'. No timestamps or software versions in the
    file: the same predictions give the same bytes."""
    first, second = names
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax1.hist(b - a, bins=120)
    ax1.set_yscale("log")
    ax1.set_xlabel(f"{second} - {first} prediction (min)")
    ax1.set_ylabel("rides")
    ax1.set_title(titles[0])
    ax2.scatter(a, b, s=1, alpha=0.15)
    hi = max(a.max(), b.max())
    ax2.plot([0, hi], [0, hi], color="black", linewidth=0.8)
    ax2.set_xlabel(f"{first} prediction (min)")
    ax2.set_ylabel(f"{second} prediction (min)")
    ax2.set_title(titles[1])
    fig.suptitle(suptitle)
    fig.tight_layout()
    fig.savefig(path, dpi=90, metadata={"Software": None})
    plt.close(fig)
