package main

import (
	"strings"
	"testing"
)

func TestSays(t *testing.T) {
	r := &Report{Settings: Settings{LatencyRate: 1000}, Results: []Result{
		{Point: Point{Shards: 1, PF: 1, Batch: 100}, RidesPerSecond: 4000, P50Ms: 20, P99Ms: 50, FunctionCPUPerRideUs: 60,
			Cores: map[string]float64{partKinesisOut: 0.6, partFunctions: 0.2}, Ceiling: "machine (96% busy)"},
		{Point: Point{Shards: 4, PF: 4, Batch: 1000}, RidesPerSecond: 6000, P50Ms: 60, P99Ms: 150, FunctionCPUPerRideUs: 25,
			Cores: map[string]float64{partKinesisIn: 0.9, partKinesisOut: 0.5, partFunctions: 0.1}, Ceiling: "kinesalite ride_events (one Node thread, busy)"},
	}}
	got := says(r)
	for _, want := range []string{
		"largest CPU user at 1 of 2 points (0.50 to 0.60 of a core)",
		"the function itself takes 0.10 to 0.20 of a core",
		"kinesalite ride_events at 1, machine at 1",
		"4000 to 6000 rides/s, the most at 4 shards, PF 4, batches of 1000",
		"60 µs a ride in batches of 100, 25 µs in batches of 1,000",
		"20 to 60 ms at p50 and 50 to 150 ms at p99, the most at 4 shards, PF 4 (16 lanes)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("says lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "CPU shares") {
		t.Errorf("says speaks of quotas the report has none of:\n%s", got)
	}
}
