package main

import (
	"strings"
	"testing"
	"time"

	"github.com/nyc-taxi/ridepred/localstack/proc"
	"github.com/nyc-taxi/ridepred/tools/internal/docsection"
	"github.com/nyc-taxi/ridepred/tools/internal/runinfo"
)

// TestDocUpToDate: README.md's demo output is the stored run's (go run
// ./tools/local/demo -from tools/local/demo/demo.json writes it again).
func TestDocUpToDate(t *testing.T) {
	t.Chdir(proc.Root())
	r, err := readRecord(storedRecord)
	if err != nil {
		t.Fatal(err)
	}
	if r.Report.Lost != 0 || r.Report.Predicted == 0 {
		t.Errorf("%s: the stored run lost %d rides and predicted %d", storedRecord, r.Report.Lost, r.Report.Predicted)
	}
	diff, err := docsection.Diff("README.md", readmeSection, r.markdown(storedRecord))
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("README.md's demo section is not %s's; go run ./tools/local/demo -from %s (-want +got):\n%s", storedRecord, storedRecord, diff)
	}
}

func TestRecordMarkdown(t *testing.T) {
	r := Record{Run: runinfo.Run{Date: "2026-12-07T01:00:00Z", Commit: "abc123", CPU: "AMD EPYC", Cores: 2, LoadStart: [3]float64{1.25}},
		Rides: 10000, Shards: 4, PF: 1, Seconds: 9.43,
		Report: &Report{Sent: 10012, Valid: 10000, Predicted: 10000, DeadLettered: 12, P50: 1900 * time.Millisecond, Throughput: 2983.4}}
	got := r.markdown("demo.json")
	for _, want := range []string{"`demo.json`", "10000 rides in 4 shards", "commit abc123", "load average 1.25", "took 9.4s",
		"```\nrides sent             10012 (10000 valid, 12 invalid)\n", "throughput             2983 rides/s end to end\n```\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("markdown lacks %q:\n%s", want, got)
		}
	}
}

func TestRecordRoundTrip(t *testing.T) {
	path := t.TempDir() + "/build/demo.json" // build/ made as needed
	want := Record{Rides: 5, Seconds: 1.5, Report: &Report{Sent: 5, Predicted: 5}}
	if err := writeRecord(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := readRecord(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rides != 5 || got.Seconds != 1.5 || got.Report.Predicted != 5 {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	if _, err := readRecord(t.TempDir() + "/none.json"); err == nil {
		t.Error("readRecord of a missing file: no error")
	}
}
