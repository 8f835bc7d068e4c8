package main

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nyc-taxi/ridepred/localstack/proc"
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
	doc, err := os.ReadFile("CAPACITY.md")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := section(doc)
	if !ok {
		t.Fatalf("CAPACITY.md has no %s ... %s section", beginMarker, endMarker)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CAPACITY.md's tables are stale; go run ./tools/measure/capacity -update CAPACITY.md (-want +got):\n%s", diff)
	}
}
