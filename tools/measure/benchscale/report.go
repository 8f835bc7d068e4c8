package main

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
	"github.com/nyc-taxi/ridepred/tools/internal/goals"
	"github.com/nyc-taxi/ridepred/tools/internal/runinfo"
)

// readResults reads stored rows; a missing file holds none.
func readResults(path string) ([]Result, error) {
	var rs []Result
	if err := runinfo.ReadJSON(path, &rs); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	return rs, nil
}

// store writes the rows this run measured into the results at path, in
// specs' order; the stored rows of models this run did not measure (-only)
// stay as they were, with their own runs.
func store(path string, specs []spec, measured []Result) ([]Result, error) {
	old, err := readResults(path)
	if err != nil {
		return nil, err
	}
	rows := merge(specs, measured, old)
	return rows, runinfo.WriteJSON(path, rows)
}

// merge is, for each spec, its row in measured, else its row in old.
func merge(specs []spec, measured, old []Result) []Result {
	var out []Result
	for _, s := range specs {
		for _, rs := range [][]Result{measured, old} {
			if i := slices.IndexFunc(rs, func(r Result) bool { return r.Name == s.Name }); i >= 0 {
				out = append(out, rs[i])
				break
			}
		}
	}
	return out
}

// regenerate writes the document's section again from stored results.
func regenerate(results, doc string, m mode) error {
	rows, err := readResults(results)
	if err != nil {
		return err
	}
	fmt.Print(markdown(rows))
	return updateDoc(doc, results, m, rows)
}

// updateDoc writes the rows' section into doc, and after the forests'
// the goals, which the seed's row judges with make bench's results.
func updateDoc(doc, results string, m mode, rows []Result) error {
	if err := docsection.Update(doc, m.section, section(results, m, rows)); err != nil || !m.chart {
		return err
	}
	return goals.Update(".", doc)
}

// section is the document's section: where the rows come from, each run's
// date, commit, machine and load, and the table.
func section(results string, m mode, rows []Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Generated from `%s` (`%s`, `tools/measure/benchscale`); the rows' runs:\n\n", results, m.target)
	var runs []string
	names := map[string][]string{}
	for _, r := range rows {
		run := r.Run.String()
		if _, ok := names[run]; !ok {
			runs = append(runs, run)
		}
		names[run] = append(names[run], r.Name)
	}
	for _, run := range runs {
		fmt.Fprintf(&b, "- %s: %s\n", strings.Join(names[run], ", "), run)
	}
	b.WriteString("\n")
	b.WriteString(markdown(rows))
	b.WriteString(says(m, rows))
	return b.String()
}

// markdown is the table BENCHMARKS.md shows; a figure a row does not hold
// (zero) shows as –.
func markdown(rs []Result) string {
	var b bytes.Buffer
	b.WriteString("| model | nodes | max depth | export s | gen s | gen peak MB | compile s | compile s per M nodes | compile peak MB | bootstrap build s | bootstrap build peak MB | export+gen+build s | source MB | packages | bootstrap MB | zip MB | Predict µs | PredictBatch µs | library 1 ride µs | library batch µs/ride |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		perM := 0.0
		if r.Nodes > 0 {
			perM = r.CompileS / (float64(r.Nodes) / 1e6)
		}
		total := 0.0
		if r.ExportS > 0 && r.GenS > 0 && r.CompileS > 0 && r.BootstrapS > 0 {
			total = r.ExportS + r.GenS + r.CompileS + r.BootstrapS
		}
		cells := []string{r.Name, cell("%d", r.Nodes), cell("%d", r.MaxDepth), cell("%.1f", r.ExportS), cell("%.1f", r.GenS), cell("%.0f", r.GenMB),
			cell("%.1f", r.CompileS), cell("%.1f", perM), cell("%.0f", r.CompileMB), cell("%.1f", r.BootstrapS), cell("%.0f", r.LinkMB),
			cell("%.0f", total), cell("%.0f", r.SourceMB), cell("%d", r.Packages), cell("%.1f", r.BootstrapMB), cell("%.1f", r.ZipMB),
			cell("%.2f", r.PredictUS), cell("%.2f", r.BatchUS), cell("%.0f", r.SklearnUS), cell("%.1f", r.SklearnBatchU)}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
	}
	b.WriteString(lleavesMarkdown(rs))
	return b.String()
}

// cell is x in format, or – when the row does not hold it.
func cell[T int | float64](format string, x T) string {
	if x == 0 {
		return "–"
	}
	return fmt.Sprintf(format, x)
}
