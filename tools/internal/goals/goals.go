// Package goals judges the project's performance goals by the stored
// results of make bench (tools/measure/bench/results.json) and the seed's
// row of make bench-scale (tools/measure/benchscale/scale.json), and
// writes BENCHMARKS.md's goals table (its section bench-goals): each goal,
// the figures it is judged by, and whether they meet it. Both tools call
// Update after they write their own tables, with or without -from, so the
// verdicts follow a new run; a test fails when the table differs.
package goals

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
	"github.com/nyc-taxi/ridepred/tools/internal/runinfo"
)

// Section is BENCHMARKS.md's section that holds the goals, what the
// stored runs measured of each, and whether they meet it.
const Section = "bench-goals"

// The stored results, relative to the repository's root: make bench's,
// and make bench-scale's, whose seed row measures the shipped forest's
// Predict, PredictBatch and compile on its own.
const (
	BenchFile = "tools/measure/bench/results.json"
	ScaleFile = "tools/measure/benchscale/scale.json"
)

// Report is what the goals read of make bench's results.
type Report struct {
	Run  runinfo.Run `json:"run"`
	Rows []Row       `json:"rows"`
}

// Row is a row of make bench's table: its Go figure and how many times
// better than the baseline it is.
type Row struct {
	Name  string  `json:"name"`
	Go    float64 `json:"go"`
	Ratio float64 `json:"ratio,omitempty"`
}

// scaleRow is what the goals read of a row of scaleFile.
type scaleRow struct {
	Name           string      `json:"name"`
	GenS           float64     `json:"gen_s"`
	CompileS       float64     `json:"compile_s"`
	CompilePeakMB  float64     `json:"compile_peak_mb"`
	PredictUS      float64     `json:"predict_us"`
	PredictBatchUS float64     `json:"predict_batch_us"`
	Run            runinfo.Run `json:"run"`
}

// goal is a requirement (a limit, not a measurement) and the figures of
// the stored runs that it is judged by.
type goal struct {
	text    string
	atMost  bool    // the figure must be ≤ limit; else ≥ limit
	limit   float64 // in the figures' unit
	unit    string
	figures func(bench *Report, seed scaleRow) []figure
}

// figure is one measured value and the table row it comes from.
type figure struct {
	value float64
	from  string
}

// goals are the goals of issues 1, 6 and 10, in the order of the table.
var goals = []goal{
	{"`Predict` ≤ 3 µs/ride", true, 3, "µs", func(b *Report, s scaleRow) []figure {
		return []figure{rowGo(b, "Predict, one ride"), {s.PredictUS, "bench-scale's seed row"}}
	}},
	{"`Predict` 0 allocations", true, 0, "allocs/ride", func(b *Report, s scaleRow) []figure {
		return []figure{rowGo(b, "Predict allocations")}
	}},
	{"`PredictBatch` ≤ 1.2 µs/ride (issue 10; ≤ 1.5 in issue 6)", true, 1.2, "µs", func(b *Report, s scaleRow) []figure {
		return []figure{rowGo(b, "PredictBatch"), {s.PredictBatchUS, "bench-scale's seed row"}}
	}},
	{"compile `generated/` ≤ 15 s", true, 15, "s", func(b *Report, s scaleRow) []figure {
		return []figure{{s.CompileS, "bench-scale's seed row"}}
	}},
	{"compile `generated/` ≤ 1.5 GB", true, 1500, "MB", func(b *Report, s scaleRow) []figure {
		return []figure{{s.CompilePeakMB, "bench-scale's seed row"}}
	}},
	{"`gen` ≤ 5 s", true, 5, "s", func(b *Report, s scaleRow) []figure {
		return []figure{rowGo(b, "gen on the shipped forest (median of 3)"), {s.GenS, "bench-scale's seed row"}}
	}},
	{"handler ≤ 5 µs/record for 1,000 records", true, 5, "µs", func(b *Report, s scaleRow) []figure {
		return []figure{rowGo(b, "handler CPU, no shadow")}
	}},
	{"`build/bootstrap` < 15 MB (14.3 MiB)", true, 15 / 1.048576, "MiB", func(b *Report, s scaleRow) []figure {
		return []figure{rowGo(b, "build/bootstrap")}
	}},
	{"cold start to first prediction ≥ 100x Python", false, 100, "x", func(b *Report, s scaleRow) []figure {
		return []figure{rowRatio(b, "cold start to first prediction (median)")}
	}},
	{"first invoke under the emulator ≤ 30 ms including its start", true, 30, "ms", func(b *Report, s scaleRow) []figure {
		return []figure{rowGo(b, "emulator start to first invoke response (median)")}
	}},
	{"in-process throughput ≥ 300x Python", false, 300, "x", func(b *Report, s scaleRow) []figure {
		return []figure{rowRatio(b, "Kinesis event, 1,000 rides, in process")}
	}},
}

// rowGo is the Go figure of the bench table's first row named name (a
// value of -1 when there is none, which no goal meets).
func rowGo(r *Report, name string) figure {
	for _, row := range r.Rows {
		if row.Name == name {
			return figure{row.Go, fmt.Sprintf("bench's %q row", name)}
		}
	}
	return figure{-1, fmt.Sprintf("bench has no %q row", name)}
}

// rowRatio is how many times better Go is on the row named name.
func rowRatio(r *Report, name string) figure {
	f := rowGo(r, name)
	for _, row := range r.Rows {
		if row.Name == name {
			f.value = row.Ratio
		}
	}
	return f
}

// meets: f satisfies g.
func (g goal) meets(f figure) bool {
	if f.value < 0 {
		return false
	}
	if g.atMost {
		return f.value <= g.limit
	}
	return f.value >= g.limit
}

// verdict is "met", "**missed**", or which runs met it.
func (g goal) verdict(fs []figure) string {
	met := 0
	for _, f := range fs {
		if g.meets(f) {
			met++
		}
	}
	switch met {
	case len(fs):
		return "met"
	case 0:
		return "**missed**"
	}
	return "met in one run, **missed** in another"
}

// Markdown is the goals table of the bench run r and the seed row of the
// bench-scale run.
func Markdown(r *Report, seed scaleRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Generated from `%s` and `%s`'s seed row (by `make bench`, `make bench-scale` and their `-from`); the goals are in `tools/internal/goals`, the verdicts computed from the figures (bench: %s; bench-scale's seed: %s):\n\n",
		BenchFile, ScaleFile, r.Run.Date, seed.Run.Date)
	b.WriteString("| goal | measured | result |\n|---|---|---|\n")
	for _, g := range goals {
		fs := g.figures(r, seed)
		var cells []string
		for _, f := range fs {
			cells = append(cells, g.format(f))
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", g.text, strings.Join(cells, "; "), g.verdict(fs))
	}
	return b.String()
}

// format is a figure and its source: 5.42 µs, 2151x, or – for none.
func (g goal) format(f figure) string {
	switch {
	case f.value < 0:
		return "– (" + f.from + ")"
	case g.unit == "x" && f.value < 10:
		return fmt.Sprintf("%.1fx (%s)", f.value, f.from)
	case g.unit == "x":
		return fmt.Sprintf("%.0fx (%s)", f.value, f.from)
	}
	return fmt.Sprintf("%s %s (%s)", Number(f.value), g.unit, f.from)
}

// Read are the stored results, from the repository's root dir.
func Read(dir string) (*Report, scaleRow, error) {
	var r Report
	if err := runinfo.ReadJSON(filepath.Join(dir, BenchFile), &r); err != nil {
		return nil, scaleRow{}, err
	}
	seed, err := readSeed(filepath.Join(dir, ScaleFile))
	return &r, seed, err
}

// Update writes the goals table into the document doc (BENCHMARKS.md)
// from the stored results under the repository's root dir.
func Update(dir, doc string) error {
	r, seed, err := Read(dir)
	if err != nil {
		return err
	}
	return docsection.Update(doc, Section, Markdown(r, seed))
}

// readSeed is the seed row of make bench-scale's stored results at path.
func readSeed(path string) (scaleRow, error) {
	var rows []scaleRow
	if err := runinfo.ReadJSON(path, &rows); err != nil {
		return scaleRow{}, err
	}
	for _, r := range rows {
		if r.Name == "seed" {
			return r, nil
		}
	}
	return scaleRow{}, fmt.Errorf("%s: no seed row", path)
}

// Number is a figure as make bench's tables print it: whole from 1,000,
// one decimal from 10, else three significant digits.
func Number(x float64) string {
	switch {
	case x == 0:
		return "0"
	case x >= 1000:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.3g", x)
	}
}
