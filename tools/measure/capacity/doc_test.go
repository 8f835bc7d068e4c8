package main

import (
	"testing"

	"github.com/nyc-taxi/ridepred/localstack/proc"
	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
)

// TestDocUpToDate: CAPACITY.md's tables are what the tool prints from the
// committed measurements and template.yaml (go run ./tools/measure/capacity
// -update CAPACITY.md rewrites them).
func TestDocUpToDate(t *testing.T) {
	t.Chdir(proc.Root())
	o := options{measured: "tools/measure/benchstream/stream.json", template: "template.yaml", rates: []float64{100, 1000, 10000},
		prices: USEast1, assume: DefaultAssumptions, pricesRead: PricesRead}
	want, err := render(o)
	if err != nil {
		t.Fatal(err)
	}
	diff, err := docsection.Diff("CAPACITY.md", docSection, want)
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("CAPACITY.md's tables are stale; go run ./tools/measure/capacity -update CAPACITY.md (-want +got):\n%s", diff)
	}
}
