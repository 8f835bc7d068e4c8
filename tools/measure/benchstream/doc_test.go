package main

import (
	"testing"

	"github.com/nyc-taxi/ridepred/localstack/proc"
	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
)

// TestDocUpToDate: BENCHMARKS.md's bench-stream section is what the
// committed stream.json generates (go run ./tools/measure/benchstream
// -from tools/measure/benchstream/stream.json -json "" -chart "" writes it
// again).
func TestDocUpToDate(t *testing.T) {
	t.Chdir(proc.Root())
	r, err := reread("tools/measure/benchstream/stream.json")
	if err != nil {
		t.Fatal(err)
	}
	want := markdown(r, "tools/measure/benchstream/stream.png")
	diff, err := docsection.Diff("BENCHMARKS.md", section, want)
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("BENCHMARKS.md's bench-stream section is not stream.json's (-want +got):\n%s", diff)
	}
}
