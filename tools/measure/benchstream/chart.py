"""Draws make bench-stream's chart from its report (tools/measure/benchstream/stream.json)."""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import NullFormatter, ScalarFormatter  # noqa: E402


def lanes(results):
    """The results by (shards, PF), each sorted by batch size."""
    out = {}
    for r in results:
        out.setdefault((r["shards"], r["parallelization_factor"]), []).append(r)
    return {k: sorted(v, key=lambda r: r["batch_size"]) for k, v in sorted(out.items())}


def main(report, out):
    with open(report) as f:
        rep = json.load(f)
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    (thr, lat), (cpu, mem) = axes
    for (shards, pf), rows in lanes(rep["results"]).items():
        label = f"{shards} shard{'s' if shards > 1 else ''}, PF {pf}"
        batches = [r["batch_size"] for r in rows]
        line = thr.plot(batches, [r["rides_per_s"] for r in rows], "o-", label=label)[0]
        lat.plot(batches, [r["p99_ms"] for r in rows], "o-", color=line.get_color(), label=label + ", p99")
        lat.plot(batches, [r["p50_ms"] for r in rows], "x:", color=line.get_color())
        cpu.plot(batches, [r["function_cpu_us_per_ride"] for r in rows], "o-", color=line.get_color(), label=label)
    thr.set_title("end to end (drain of a full stream)")
    thr.set_ylabel("rides/s")
    lat.set_title(f"put to prediction at {rep['settings']['latency_rate']:.0f} rides/s (p99 solid, p50 dotted)")
    lat.set_ylabel("ms")
    cpu.set_title("function CPU per ride (its process)")
    cpu.set_ylabel("µs")
    lat.set_ylim(bottom=0)
    for ax in (thr, lat, cpu):
        ax.set_xscale("log")
        ax.set_xlabel("batch size")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    quota = [q for q in rep.get("quota") or [] if q["runtime"] == "go"]
    for batch in sorted({q["batch"] for q in quota}):
        rows = sorted((q for q in quota if q["batch"] == batch), key=lambda q: q["memory_mb"])
        mem.plot([q["memory_mb"] for q in rows], [q["wall_ms"] for q in rows], "o-", label=f"batch {batch}")
    py = sorted((q for q in rep.get("quota") or [] if q["runtime"] == "python"), key=lambda q: q["memory_mb"])
    if py:
        mem.plot([q["memory_mb"] for q in py], [q["wall_ms"] for q in py], "s--", color="k",
                 label=f"original (Python), batch {py[0]['batch']}")
    mem.set_title("one batch under the CPU share of a memory size")
    mem.set_xlabel("Lambda memory (MB)")
    mem.set_ylabel("ms per batch")
    mem.set_xscale("log")
    mem.set_yscale("log")
    mem.yaxis.set_major_formatter(ScalarFormatter())
    memories = sorted({q["memory_mb"] for q in quota})
    mem.set_xticks(memories, [str(m) for m in memories])
    mem.xaxis.set_minor_formatter(NullFormatter())
    mem.grid(True, which="both", alpha=0.3)
    if quota or py:
        mem.legend(fontsize=7)
    else:
        mem.set_axis_off()
    fig.suptitle("The local stack and the function (make bench-stream)")
    fig.tight_layout()
    fig.savefig(out, dpi=80, metadata={"Software": None})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
