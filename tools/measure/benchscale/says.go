package main

import (
	"fmt"
	"slices"
	"strings"
)

// says is what a table says, computed from its rows so that it follows a
// new run: for the forests, how compile time, memory and speed grow with
// the model; for the families, the goals against the library (one ride
// ≥ 100x, a batch faster), judged row by row.
func says(m mode, rows []Result) string {
	if len(rows) == 0 {
		return ""
	}
	if m.chart {
		return saysScale(rows)
	}
	return saysFamilies(rows)
}

func saysScale(rows []Result) string {
	var b strings.Builder
	b.WriteString("\nWhat the rows say (computed from them by `tools/measure/benchscale/says.go`):\n\n")
	big := slices.MaxFunc(rows, func(a, b Result) int { return a.Nodes - b.Nodes })
	small := slices.MinFunc(rows, func(a, b Result) int { return a.Nodes - b.Nodes })
	fmt.Fprintf(&b, "- **Compile time**: %s s per million nodes, from %d to %d nodes.\n",
		spanOf(rows, "%.1f", func(r Result) float64 { return r.CompileS / (float64(r.Nodes) / 1e6) }), small.Nodes, big.Nodes)
	fmt.Fprintf(&b, "- **Compiler memory**: %s MB for the largest compile process; the linker %.0f MB (%s) to %.0f MB (%s, a %.0f MB binary).\n",
		spanOf(rows, "%.0f", func(r Result) float64 { return r.CompileMB }), small.LinkMB, small.Name, big.LinkMB, big.Name, big.BootstrapMB)
	fmt.Fprintf(&b, "- **The largest forest** (%s, %d nodes, depth %d): export, gen and build %.0f s in all, `function.zip` %.0f MB.\n",
		big.Name, big.Nodes, big.MaxDepth, big.ExportS+big.GenS+big.CompileS+big.BootstrapS, big.ZipMB)
	fmt.Fprintf(&b, "- **gen's memory**: %s MB; gen takes %.1f s per million nodes at %d nodes.\n",
		spanOf(rows, "%.0f", func(r Result) float64 { return r.GenMB }), big.GenS/(float64(big.Nodes)/1e6), big.Nodes)
	fmt.Fprintf(&b, "- **Predict** on one ride is %.0fx (%s) to %.0fx (%s) faster than the library's `predict` of one ride, and `PredictBatch` %s times faster than its batch predict.\n",
		small.SklearnUS/small.PredictUS, small.Name, big.SklearnUS/big.PredictUS, big.Name,
		spanOf(rows, "%.1f", func(r Result) float64 { return r.SklearnBatchU / r.BatchUS }))
	return b.String()
}

func saysFamilies(rows []Result) string {
	var b strings.Builder
	b.WriteString("\nAgainst the goals (computed from the rows by `tools/measure/benchscale/says.go`; each ratio is the library's time over Go's):\n\n")
	one := judge(rows, func(r Result) (float64, bool) { return r.SklearnUS / r.PredictUS, r.PredictUS > 0 && r.SklearnUS > 0 }, 100)
	batch := judge(rows, func(r Result) (float64, bool) {
		return r.SklearnBatchU / r.BatchUS, r.BatchUS > 0 && r.SklearnBatchU > 0
	}, 1)
	fmt.Fprintf(&b, "- **One ride, ≥ 100x the library**: %s\n", one)
	fmt.Fprintf(&b, "- **A batch, faster than the library**: %s\n", batch)
	return b.String()
}

// judge is each row's ratio and whether it reaches goal.
func judge(rows []Result, ratio func(Result) (float64, bool), goal float64) string {
	var met, missed, cells []string
	for _, r := range rows {
		x, ok := ratio(r)
		if !ok {
			continue
		}
		cells = append(cells, fmt.Sprintf("%s %s", r.Name, times(x)))
		if x >= goal {
			met = append(met, r.Name)
		} else {
			missed = append(missed, r.Name)
		}
	}
	verdict := "met for all"
	switch {
	case len(met) == 0:
		verdict = "**missed** for all"
	case len(missed) > 0:
		verdict = fmt.Sprintf("met for %d, **missed** for %s", len(met), strings.Join(missed, ", "))
	}
	return verdict + " (" + strings.Join(cells, ", ") + ")."
}

// times is a ratio as the tables print it: 5.0x, 426x.
func times(x float64) string {
	if x < 10 {
		return fmt.Sprintf("%.1fx", x)
	}
	return fmt.Sprintf("%.0fx", x)
}

// spanOf is the least and the most of f over the rows that hold it
// (non-zero), "a–b" in format.
func spanOf(rows []Result, format string, f func(Result) float64) string {
	var xs []float64
	for _, r := range rows {
		if x := f(r); x > 0 && x < 1e300 {
			xs = append(xs, x)
		}
	}
	if len(xs) == 0 {
		return "–"
	}
	lo, hi := fmt.Sprintf(format, slices.Min(xs)), fmt.Sprintf(format, slices.Max(xs))
	if lo == hi {
		return lo
	}
	return lo + "–" + hi
}
