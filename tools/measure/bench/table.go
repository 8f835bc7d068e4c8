package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/nyc-taxi/ridepred/tools/internal/goals"
)

// printTable writes the rows as an aligned table.
func printTable(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\tunit\tGo\tbaseline\tGo is\tnote")
	fmt.Fprintln(tw, "-------\t----\t--\t--------\t-----\t----")
	for _, r := range rows {
		base, ratio := comparison(r)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Unit, goals.Number(r.Go), base, ratio, r.Note)
	}
	tw.Flush()
}

// comparison is the baseline and ratio cells, empty for Go-only rows.
func comparison(r Row) (base, ratio string) {
	if r.Baseline == 0 {
		return "", ""
	}
	if r.Ratio < 10 {
		return goals.Number(r.Baseline), fmt.Sprintf("%.1fx", r.Ratio)
	}
	return goals.Number(r.Baseline), fmt.Sprintf("%.0fx", r.Ratio)
}

// markdown is the table as BENCHMARKS.md shows it.
func markdown(rows []Row) string {
	var b strings.Builder
	b.WriteString("| measure | unit | Go | baseline | Go is | note |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		base, ratio := comparison(r)
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.Name, r.Unit, goals.Number(r.Go), base, ratio, r.Note)
	}
	return b.String()
}
