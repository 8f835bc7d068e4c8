package main

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestShardsFor(t *testing.T) {
	cases := []struct {
		records, bytes float64
		want           int
	}{
		{100, 96, 1}, {1000, 96, 1}, {1001, 96, 2}, {10000, 96, 10},
		{500, 4000, 2},          // 2 MB/s: the bytes bind first
		{1, 100 * 1048576, 100}, // one 100 MiB/s producer (KPL): bytes only
		{0.5, 10, 1},            // never fewer than one
	}
	for _, c := range cases {
		if got := AWSLimits.ShardsFor(c.records, c.bytes); got != c.want {
			t.Errorf("ShardsFor(%v records/s, %v bytes) = %d, want %d", c.records, c.bytes, got, c.want)
		}
	}
}

func TestFitLine(t *testing.T) {
	got := FitLine([]float64{100, 1000, 10000}, []float64{2 + 0.01*100, 2 + 0.01*1000, 2 + 0.01*10000})
	if math.Abs(got.FixedMs-2) > 1e-9 || math.Abs(got.PerRideMs-0.01) > 1e-12 {
		t.Errorf("FitLine of 2 + 0.01 b = %+v", got)
	}
	// Points whose best line starts below 0 get the line through 0.
	got = FitLine([]float64{100, 1000}, []float64{0.5, 10})
	if got.FixedMs != 0 || math.Abs(got.PerRideMs-(100*0.5+1000*10)/(100*100+1000*1000.0)) > 1e-12 {
		t.Errorf("FitLine with a negative intercept = %+v, want a line through the origin", got)
	}
}

func TestEventBytes(t *testing.T) {
	// A ride's bytes reach the event in base64: 4 characters per 3 bytes.
	if d := EventBytes(99) - EventBytes(96); d != 4 {
		t.Errorf("EventBytes grows by %v for 3 more bytes, want 4", d)
	}
	if n := AWSLimits.PayloadBatch(EventBytes(96)); n < 5000 || n > 10000 {
		t.Errorf("%d rides of 96 bytes in a 6 MiB event; want 5,000 to 10,000", n)
	}
}

// TestCost checks the cost formula against a hand computation.
func TestCost(t *testing.T) {
	p := Planner{Limits: AWSLimits, Prices: USEast1}
	w := Workload{RidesPerSecond: 1000, RideBytes: 100, PredictionBytes: 150, RetentionHours: 168, DLQShards: 1}
	plan := Plan{ShardsIn: 1, ShardsOut: 1, Batch: 1000, DurationMs: 49.2}
	hours := 1e6 / 1000 / 3600.0
	want := Cost{
		Shards:    3 * hours * 0.015, // ride_events, ride_prediction, ride_events_dlq
		Retention: 2 * hours * 0.02,  // ride_events and ride_events_dlq keep 7 days
		PUTUnits:  2 * 0.014,         // one unit per ride, one per prediction
		Requests:  1000 * 0.20 / 1e6,
		Duration:  1000 * 0.050 * 0.25 * 0.0000166667, // 49.2 ms billed as 50, 256 MB
		// The same GB-seconds at arm64's price.
		DurationArm64: 1000 * 0.050 * 0.25 * 0.0000133334,
	}
	got := p.cost(w, Mapping{MemoryMB: 256}, plan)
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })); diff != "" {
		t.Errorf("cost (-want +got):\n%s", diff)
	}
	w.RetentionHours = 24
	if got := p.cost(w, Mapping{MemoryMB: 256}, plan); got.Retention != 0 {
		t.Errorf("24 h retention costs %v, want 0", got.Retention)
	}
}

func TestPlan(t *testing.T) {
	p := Planner{Limits: AWSLimits, Prices: USEast1, Assumptions: Assumptions{PollSeconds: 1, Headroom: 0.7}}
	fast := func(b float64) float64 { return 10 + 0.01*b }
	slow := func(b float64) float64 { return 5 * b } // 5 ms a ride, like the original
	w := Workload{RideBytes: 96, PredictionBytes: 150, EventBytes: 800, RetentionHours: 168, DLQShards: 1}
	m := Mapping{BatchSize: 1000, WindowSeconds: 1, MemoryMB: 256}
	cases := []struct {
		name              string
		rate              float64
		d                 Duration
		shards, pf, batch int
		typical, worst    float64
	}{
		// 1,000 rides/s a shard: a 1 s window gathers 1,000, 20 ms each.
		{"fast, 10,000/s", 10000, fast, 10, 1, 1000, 500 + 20, 1000 + 20},
		// 100 rides/s: a batch of 100 a second.
		{"fast, 100/s", 100, fast, 1, 1, 100, 500 + 11, 1000 + 11},
		// A lane takes at most 0.7 / 5 ms = 140 rides/s: PF 8, 125 rides
		// a second each, in one batch of 625 ms.
		{"slow, 1,000/s", 1000, slow, 1, 8, 125, 500 + 625, 1000 + 625},
		// 10 shards of 1,000/s, each with PF 8.
		{"slow, 10,000/s", 10000, slow, 10, 8, 125, 500 + 625, 1000 + 625},
	}
	for _, c := range cases {
		w.RidesPerSecond = c.rate
		plan, ok := p.Plan(w, m, c.d)
		if !ok {
			t.Errorf("%s: no plan", c.name)
			continue
		}
		if plan.ShardsIn != c.shards || plan.PF != c.pf || plan.Lanes != c.shards*c.pf || math.Abs(plan.Batch-float64(c.batch)) > 1e-6 ||
			math.Abs(plan.LatencyTypicalMs-c.typical) > 1e-6 || math.Abs(plan.LatencyWorstMs-c.worst) > 1e-6 {
			t.Errorf("%s: %d shards × PF %d, batch %v, latency %v / %v ms; want %d × %d, %d, %v / %v",
				c.name, plan.ShardsIn, plan.PF, plan.Batch, plan.LatencyTypicalMs, plan.LatencyWorstMs, c.shards, c.pf, c.batch, c.typical, c.worst)
		}
	}
	// A function slower per ride than any lane can take within the limits.
	w.RidesPerSecond = 10000
	if _, ok := p.Plan(w, Mapping{BatchSize: 1, WindowSeconds: 0, MemoryMB: 128, PF: 10}, func(b float64) float64 { return 1e6 }); ok {
		t.Error("a 1,000 s invocation got a plan")
	}
}
