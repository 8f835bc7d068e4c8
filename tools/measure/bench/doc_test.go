package main

import (
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/localstack/proc"
	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
	"github.com/nyc-taxi/ridepred/tools/internal/runinfo"
)

// storedResults are the committed results and the BENCHMARKS.md section
// each generates (a shadow row's table goes to section-shadow).
var storedResults = []struct{ file, section string }{
	{"tools/measure/bench/results.json", "bench"},
	{"tools/measure/bench/cold_mlflow.json", "bench-cold"},
}

// TestDocUpToDate: BENCHMARKS.md's bench tables are what the stored
// results generate (go run ./tools/measure/bench -from FILE -section NAME
// writes them again).
func TestDocUpToDate(t *testing.T) {
	t.Chdir(proc.Root())
	for _, s := range storedResults {
		r, err := readReport(s.file)
		if err != nil {
			t.Fatal(err)
		}
		secs := sections(r, s.section, s.file)
		if len(secs) == 0 {
			t.Errorf("%s holds no rows", s.file)
		}
		for name, want := range secs {
			diff, err := docsection.Diff("BENCHMARKS.md", name, want)
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Errorf("BENCHMARKS.md's %s section is not %s's; go run ./tools/measure/bench -from %s -section %s (-want +got):\n%s",
					name, s.file, s.file, s.section, diff)
			}
		}
	}
}

func TestColdSummary(t *testing.T) {
	rows := []Row{{Name: coldProcessRow, Baseline: 9000}, {Name: "the same, Python unpickling from local disk", Baseline: 3000},
		{Name: coldEmulatorRow, Baseline: 8000}, {Name: "the same, Python unpickling from local disk", Baseline: 1600}}
	want := "3.0 times the cold start of unpickling from disk as a process (9.0 s against 3.0 s) and 5.0 times under the emulator (8.0 s against 1.60 s)"
	if got := coldSummary(rows); !strings.Contains(got, want) {
		t.Errorf("coldSummary = %q, want it to hold %q", got, want)
	}
	if got := coldSummary(rows[:2]); got != "" {
		t.Errorf("coldSummary without the emulator's rows = %q, want none", got)
	}
}

func TestSections(t *testing.T) {
	r := &Report{Run: runinfo.Run{Date: "2026-12-06T21:00:00Z", Commit: "abc123", CPU: "AMD EPYC", Cores: 2, LoadStart: [3]float64{1.5}}}
	r.add(buildGroup, Row{Name: "build/bootstrap", Unit: "MiB", Go: 13.1})
	r.add(handlerGroup, Row{Name: "handler CPU, no shadow", Unit: "µs/record", Go: 7.88})
	r.add(shadowGroup, Row{Name: "handler CPU, a shadow", Unit: "µs/record", Go: 9.28})
	got := sections(r, "bench", "results.json")
	if len(got) != 2 {
		t.Fatalf("sections = %v, want bench and bench-shadow", got)
	}
	for name, want := range map[string][]string{
		"bench":        {"`results.json`", "commit abc123", "load average 1.50", "| handler CPU, no shadow | µs/record | 7.88 |"},
		"bench-shadow": {"| handler CPU, a shadow | µs/record | 9.28 |"},
	} {
		for _, w := range want {
			if !strings.Contains(got[name], w) {
				t.Errorf("section %s lacks %q:\n%s", name, w, got[name])
			}
		}
	}
	if strings.Contains(got["bench"], "a shadow") || strings.Contains(got["bench-shadow"], "no shadow") {
		t.Errorf("a row in the other group's table:\n%s\n%s", got["bench"], got["bench-shadow"])
	}
	if strings.Index(got["bench"], "handler CPU") > strings.Index(got["bench"], "build/bootstrap") {
		t.Errorf("the handler's rows come after the build's:\n%s", got["bench"])
	}
}
