package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/nyc-taxi/ridepred/internal/command"
	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// section is BENCHMARKS.md's section that markdown's tables fill
// (docsection: <!-- begin: bench-stream --> ... <!-- end -->).
const section = "bench-stream"

// markdown is the report as BENCHMARKS.md shows it, its tables and what
// they say; chart is the image's path relative to the repository's root
// (empty: none).
func markdown(r *Report, chart string) string {
	return tables(r, chart) + says(r)
}

// tables are the report's tables.
func tables(r *Report, chart string) string {
	var b strings.Builder
	st := r.Settings
	fmt.Fprintf(&b, "`make bench-stream` (`tools/measure/benchstream`), %s, %s, %.0f s; load average %.2f at the start and %.2f at the end "+
		"(1 minute; the machine's other work runs alongside). Each point drains %d rides put beforehand (%.0f bytes each), "+
		"then puts %.0f rides/s for %.0f s for the latency; the mapping polls every %.0f ms with a batching window of %.0f ms.\n\n",
		r.Date, r.Machine, r.Seconds, r.LoadStart[0], r.LoadEnd[0], st.Rides, st.RideBytes, st.LatencyRate, st.LatencySeconds, st.PollMs, st.WindowMs)
	b.WriteString("| shards | PF | batch size | rides/s | p50 ms | p99 ms | mean batch | function CPU µs/ride | function CPU ms/batch | " +
		"HandlerDuration ms | PredictTimePerRide µs | invoke ms/batch | in flight, most | lanes / readers busy | cores: kinesalite in / out | cores: emulators / function / mapping | machine busy | ceiling | load |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, x := range r.Results {
		c := x.Cores
		fmt.Fprintf(&b, "| %d | %d | %d | %.0f | %.0f | %.0f | %.0f | %.1f | %.2f | %.2f | %.2f | %.1f | %d | %.0f%% / %.0f%% | %.2f / %.2f | %.2f / %.2f / %.2f | %.0f%% | %s | %.1f |\n",
			x.Shards, x.PF, x.Batch, x.RidesPerSecond, x.P50Ms, x.P99Ms, x.MeanBatch, x.FunctionCPUPerRideUs, x.FunctionCPUPerBatchMs,
			x.HandlerMs, x.PredictUsPerRide, x.InvokeMs, x.MaxInFlight, 100*x.LanesBusy, 100*x.ReadsBusy, c[partKinesisIn], c[partKinesisOut], c[partEmulators], c[partFunctions], c[partMapping],
			100*x.MachineBusy, x.Ceiling, x.Load)
	}
	if chart != "" {
		fmt.Fprintf(&b, "\n![rides/s, latency and the function's CPU against batch size and memory](%s)\n", chart)
	}
	if r.QuotaSkipped != "" {
		fmt.Fprintf(&b, "\nThe function under CPU quotas was not measured: %s.\n", r.QuotaSkipped)
		return b.String()
	}
	if len(r.Quota) == 0 {
		return b.String()
	}
	b.WriteString("\nThe function under the CPU share Lambda gives each memory size (memory / 1,769 MB of a vCPU; a cgroup CPU quota " +
		"over 100 ms periods, GOMAXPROCS=1), invoked batch after batch through the emulator, writing to a stand-in Kinesis that " +
		"answers at once. Python is the original (`model-export/baseline`, which writes nothing):\n\n")
	b.WriteString("| runtime | memory MB | CPU share | batch | invocations | ms per batch | µs per ride | function CPU ms/batch | HandlerDuration ms | throttled ms/batch |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, q := range r.Quota {
		handler := "–"
		if q.HandlerMs > 0 {
			handler = fmt.Sprintf("%.2f", q.HandlerMs)
		}
		fmt.Fprintf(&b, "| %s | %d | %.3f | %d | %d | %.2f | %.1f | %.2f | %s | %.1f |\n", q.Runtime, q.MemoryMB, q.CPUShare, q.Batch,
			q.Invocations, q.WallMs, q.WallMs*1e3/float64(q.Batch), q.CPUMs, handler, q.ThrottledMs)
	}
	b.WriteString("\nCold start under the same shares (the function process's start, init and first 1-ride answer, the emulator already up), " +
		"and the function process's peak resident memory after all its batches:\n\n")
	b.WriteString("| runtime | memory MB | first answer ms | peak RSS MiB |\n|---|---|---|---|\n")
	for _, c := range r.Cold {
		fmt.Fprintf(&b, "| %s | %d | %.0f | %.1f |\n", c.Runtime, c.MemoryMB, c.Ms, c.PeakRSSMiB)
	}
	return b.String()
}

// drawChart draws the chart from the report at path with chart.py.
func drawChart(python, report, chart string) error {
	return command.Run(nil, python, filepath.Join(proc.Root(), "tools", "measure", "benchstream", "chart.py"), report, chart)
}
