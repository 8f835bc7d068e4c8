package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nyc-taxi/ridepred/localstack/proc"
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
	doc, err := os.ReadFile("BENCHMARKS.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := bytes.Cut(doc, []byte(beginMarker+"\n"))
	got, _, ok2 := bytes.Cut(rest, []byte(endMarker))
	if !ok || !ok2 {
		t.Fatalf("BENCHMARKS.md has no %s ... %s section", beginMarker, endMarker)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("BENCHMARKS.md's bench-stream section is not stream.json's (-want +got):\n%s", diff)
	}
}
