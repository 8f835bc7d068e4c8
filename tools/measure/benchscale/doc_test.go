package main

import (
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/localstack/proc"
	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
	"github.com/nyc-taxi/ridepred/tools/internal/runinfo"
)

// TestDocUpToDate: BENCHMARKS.md's bench-scale and bench-families tables
// are what the stored results generate (go run ./tools/measure/benchscale
// [-families] -from FILE writes them again).
func TestDocUpToDate(t *testing.T) {
	t.Chdir(proc.Root())
	for _, m := range []mode{scaleMode, familiesMode} {
		rows, err := readResults(m.results)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(m.specs) {
			t.Errorf("%s holds %d rows, want one per model (%d)", m.results, len(rows), len(m.specs))
		}
		diff, err := docsection.Diff("BENCHMARKS.md", m.section, section(m.results, m, rows))
		if err != nil {
			t.Fatal(err)
		}
		if diff != "" {
			t.Errorf("BENCHMARKS.md's %s table is not %s's; go run ./tools/measure/benchscale [-families] -from %s (-want +got):\n%s", m.section, m.results, m.results, diff)
		}
	}
}

func TestMergeKeepsRowsNotMeasured(t *testing.T) {
	old := []Result{{Name: "seed", PredictUS: 5, Run: runinfo.Run{Date: "old"}}, {Name: "leaf5", PredictUS: 12, Run: runinfo.Run{Date: "old"}}}
	measured := []Result{{Name: "seed", PredictUS: 4, Run: runinfo.Run{Date: "new"}}}
	got := merge(specs, measured, old)
	if len(got) != 2 || got[0].PredictUS != 4 || got[0].Run.Date != "new" || got[1].PredictUS != 12 || got[1].Run.Date != "old" {
		t.Errorf("merge = %+v; want seed from this run and leaf5 as stored", got)
	}
	s := section("scale.json", scaleMode, got)
	if !strings.Contains(s, "- seed: new") || !strings.Contains(s, "- leaf5: old") {
		t.Errorf("the section does not name each row's run:\n%s", s)
	}
}

func TestCellMarksMissingFigures(t *testing.T) {
	if got := markdown([]Result{{Name: "x", Nodes: 1000, CompileS: 2}}); !strings.Contains(got, "| x | 1000 | – |") || !strings.Contains(got, "| 2000.0 |") {
		t.Errorf("markdown = %s", got)
	}
}
