package main

import (
	"strings"
	"testing"
)

func TestLleavesMarkdown(t *testing.T) {
	if got := lleavesMarkdown([]Result{{Name: "gradient"}}); got != "" {
		t.Errorf("no LightGBM row: got %q, want nothing", got)
	}
	rs := []Result{{Name: "gradient"}, {Name: "lightgbm", Lleaves: &Lleaves{Rides: 69399, GoMismatches: 0, Mismatches: 12,
		MaxAbsDiff: 3.5e-15, PredictUS: 1.25, LibrarySingleUS: 900, SingleUS: 80.5, PredictBatchUS: 0.5,
		LibraryBatchUS: 20.25, BatchUS: 3.125, CompileS: 30.5}}}
	lines := strings.Split(strings.TrimSpace(lleavesMarkdown(rs)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "| LightGBM model | rides | Go ≠ Booster.predict | lleaves ≠ Booster.predict |") {
		t.Fatalf("want a header, a rule and one row, got:\n%s", strings.Join(lines, "\n"))
	}
	want := "| lightgbm | 69399 | 0 | 12 | 3.5e-15 | 1.25 | 900 | 80.5 | 0.50 | 20.2 | 3.12 | 30.5 |"
	if lines[2] != want {
		t.Errorf("row\n got %s\nwant %s", lines[2], want)
	}
}
