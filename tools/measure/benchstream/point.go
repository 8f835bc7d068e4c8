package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/emf"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// Point is one configuration of the grid.
type Point struct {
	Shards int `json:"shards"`
	PF     int `json:"parallelization_factor"`
	Batch  int `json:"batch_size"`
}

func (p Point) String() string {
	return fmt.Sprintf("%d shards, PF %d, batch %d", p.Shards, p.PF, p.Batch)
}

// Result is what one grid point measured.
type Result struct {
	Point
	// The drain: Rides put on ride_events first, then the mapping started;
	// DrainSeconds from its start until the function reports the last
	// prediction written.
	Rides          int     `json:"rides"`
	DrainSeconds   float64 `json:"drain_s"`
	RidesPerSecond float64 `json:"rides_per_s"`
	Invocations    int     `json:"invocations"`
	MeanBatch      float64 `json:"mean_batch"`
	// The function's CPU (the bootstrap process, user plus system).
	FunctionCPUPerBatchMs float64 `json:"function_cpu_ms_per_batch"`
	FunctionCPUPerRideUs  float64 `json:"function_cpu_us_per_ride"`
	// The function's own metrics (EMF), averaged over the drain's
	// invocations: HandlerDuration and PredictTimePerRide.
	HandlerMs        float64 `json:"handler_ms"`
	PredictUsPerRide float64 `json:"predict_us_per_ride"`
	// InvokeMs is an invocation's round trip, as the mapping sees it.
	// LanesBusy is the share of the drain the lanes (shards × PF, one
	// batch in flight each) spent in invocations; ReadsBusy the share the
	// shards' readers spent in GetRecords.
	InvokeMs float64 `json:"invoke_ms_per_batch"`
	// MaxInFlight is the most invocations the mapping had in flight at
	// once (at most shards × PF).
	MaxInFlight int64   `json:"max_in_flight"`
	LanesBusy   float64 `json:"lanes_busy"`
	ReadsBusy   float64 `json:"reads_busy"`
	// Cores: CPU seconds per second of the drain, per part of the stack.
	Cores map[string]float64 `json:"cores"`
	// MachineBusy is the share of the machine's cores busy during the
	// drain, with whatever else it runs.
	MachineBusy float64 `json:"machine_busy"`
	Ceiling     string  `json:"ceiling"`
	// The latency run: LatencyRides put at LatencyRate rides/s on the
	// running stack; put-to-prediction from the ride's
	// ApproximateArrivalTimestamp on ride_events to its prediction's on
	// ride_prediction (both kinesalite's clock).
	LatencyRate  float64 `json:"latency_rate"`
	LatencyRides int     `json:"latency_rides"`
	P50Ms        float64 `json:"p50_ms"`
	P99Ms        float64 `json:"p99_ms"`
	// PredictionBytes is the mean size of a prediction record's data.
	PredictionBytes float64 `json:"prediction_bytes"`
	// Load is the machine's 1-minute load average when the point started.
	Load float64 `json:"load"`
}

// The parts of the stack whose CPU is measured, as Result.Cores names them.
const (
	partKinesisIn  = "kinesalite ride_events"
	partKinesisOut = "kinesalite outputs"
	partEmulators  = "emulators"
	partFunctions  = "function"
	partMapping    = "mapping"
)

// runPoint measures one grid point on a stack of its own.
func runPoint(ctx context.Context, p Point, cfg config, drain, latency []rides.Ride, logs io.Writer) (*Result, error) {
	r := &Result{Point: p, Rides: len(drain), Load: loadAverage()}
	s, err := startStack(ctx, p, cfg, logs)
	if err != nil {
		return nil, err
	}
	defer s.Stop()
	if err := rides.Put(ctx, s.Client, localstack.RidesStream, drain, 0, nil); err != nil {
		return nil, err
	}
	before := s.usage()
	s.StartMapping()
	if err := s.waitPredictions(ctx, len(drain), cfg.timeout); err != nil {
		return nil, fmt.Errorf("drain: %w", err)
	}
	r.drained(before, s.usage())
	r.MaxInFlight = s.Mapping.Stats.MaxInFlight.Load()

	if len(latency) > 0 {
		r.LatencyRate, r.LatencyRides = cfg.latencyRate, len(latency)
		if err := rides.Put(ctx, s.Client, localstack.RidesStream, latency, cfg.latencyRate, nil); err != nil {
			return nil, err
		}
		if err := s.waitPredictions(ctx, len(drain)+len(latency), cfg.timeout); err != nil {
			return nil, fmt.Errorf("latency run: %w", err)
		}
		lat, bytes, err := s.latencies(ctx, latency)
		if err != nil {
			return nil, err
		}
		r.PredictionBytes = bytes
		r.P50Ms, r.P99Ms = quantile(lat, 0.50), quantile(lat, 0.99)
	}
	return r, nil
}

// drained fills in the drain's figures from the usage at its start and end.
func (r *Result) drained(a, b usage) {
	wall := b.at.Sub(a.at).Seconds()
	r.DrainSeconds = wall
	r.RidesPerSecond = float64(r.Rides) / wall
	docs := since(a.metrics, b.metrics, "RecordsIn")
	r.Invocations = len(docs)
	n := float64(max(1, r.Invocations))
	r.MeanBatch = sum(docs) / n
	fn := b.functions - a.functions
	r.FunctionCPUPerBatchMs = fn * 1e3 / n
	r.FunctionCPUPerRideUs = fn * 1e6 / float64(r.Rides)
	r.HandlerMs = sum(since(a.metrics, b.metrics, "HandlerDuration")) / n
	r.PredictUsPerRide = sum(since(a.metrics, b.metrics, "PredictTimePerRide")) / n
	r.InvokeMs = float64(b.invokeNs-a.invokeNs) / 1e6 / n
	r.LanesBusy = float64(b.invokeNs-a.invokeNs) / 1e9 / wall / float64(r.Shards*r.PF)
	r.ReadsBusy = float64(b.getNs-a.getNs) / 1e9 / wall / float64(r.Shards)
	r.Cores = map[string]float64{
		partKinesisIn:  (b.kinesisIn - a.kinesisIn) / wall,
		partKinesisOut: (b.kinesisOut - a.kinesisOut) / wall,
		partEmulators:  (b.emulators - a.emulators) / wall,
		partFunctions:  fn / wall,
		partMapping:    (b.mapping - a.mapping) / wall,
	}
	if total := b.machineTotal - a.machineTotal; total > 0 {
		r.MachineBusy = float64(b.machineBusy-a.machineBusy) / float64(total)
	}
	r.Ceiling = ceiling(r)
}

// ceiling says which part of the stack limits the drain. A kinesalite is
// one Node thread: near a whole core, it is the limit. Else, if the
// machine's cores are busy (with the stack, or with other work besides),
// the machine is. Else the
// pipeline waits on something in turn: the lanes (shards × PF, one batch
// in flight each) waiting on their invocations, or the shards' readers on
// GetRecords; whichever is busier. Of an invocation, it names the larger
// of the function's CPU, its wait for its writes (on kinesalite), and the
// emulator's part (the rest of the round trip).
func ceiling(r *Result) string {
	for _, k := range []string{partKinesisIn, partKinesisOut} {
		if r.Cores[k] >= 0.85 {
			return k + " (one Node thread, busy)"
		}
	}
	total := 0.0
	for _, c := range r.Cores {
		total += c
	}
	if r.MachineBusy >= 0.9 || total >= 0.85*float64(numCPU()) {
		top := partKinesisIn
		for _, k := range []string{partKinesisOut, partMapping, partFunctions, partEmulators} {
			if r.Cores[k] > r.Cores[top] {
				top = k
			}
		}
		return fmt.Sprintf("machine (%.0f%% of its %d cores busy; this stack %.1f cores, most of them %s, %.2f)",
			100*r.MachineBusy, numCPU(), total, top, r.Cores[top])
	}
	if r.ReadsBusy > r.LanesBusy {
		return fmt.Sprintf("mapping's reads of kinesalite (readers busy %.0f%%)", 100*r.ReadsBusy)
	}
	if r.LanesBusy < 0.5 {
		return fmt.Sprintf("mapping: batching and polls (lanes busy %.0f%%, readers %.0f%%)", 100*r.LanesBusy, 100*r.ReadsBusy)
	}
	parts := []struct {
		name string
		ms   float64
	}{
		{"function's writes (kinesalite outputs)", r.HandlerMs - r.FunctionCPUPerBatchMs},
		{"function CPU", r.FunctionCPUPerBatchMs},
		{"emulator", r.InvokeMs - max(r.HandlerMs, r.FunctionCPUPerBatchMs)},
	}
	best := parts[0]
	for _, p := range parts[1:] {
		if p.ms > best.ms {
			best = p
		}
	}
	return fmt.Sprintf("invocations (lanes busy %.0f%%): %s, %.0f%% of an invoke", 100*r.LanesBusy, best.name, 100*best.ms/r.InvokeMs)
}

// since is the values of metric that b has and a had not: those of the
// documents written between the two snapshots.
func since(a, b emf.Table, metric string) []float64 {
	m := b.Metrics[metric]
	if m == nil {
		return nil
	}
	from := 0
	if old := a.Metrics[metric]; old != nil {
		from = len(old.Values)
	}
	return m.Values[from:]
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// latencies is, for each ride of rs, the time from its arrival on
// ride_events to its prediction's arrival on ride_prediction, in ms,
// sorted, and the mean size of a prediction. Both timestamps are
// kinesalite's ApproximateArrivalTimestamp.
func (s *stack) latencies(ctx context.Context, rs []rides.Ride) (ms []float64, predictionBytes float64, err error) {
	in, err := kinesalite.ReadAll(ctx, s.Client, localstack.RidesStream)
	if err != nil {
		return nil, 0, err
	}
	out, err := kinesalite.ReadAll(ctx, s.OutClient, localstack.PredictionsStream)
	if err != nil {
		return nil, 0, err
	}
	size := 0
	for _, r := range out {
		size += len(r.Data)
	}
	predictionBytes = float64(size) / float64(max(1, len(out)))
	put := map[string]time.Time{}
	for _, r := range in {
		put[r.Key] = r.Arrival
	}
	predicted := map[string]time.Time{}
	for _, r := range out {
		if t, ok := predicted[r.Key]; !ok || r.Arrival.Before(t) {
			predicted[r.Key] = r.Arrival
		}
	}
	var missing []string
	for _, r := range rs {
		p, ok := predicted[r.ID]
		if !ok {
			missing = append(missing, r.ID)
			continue
		}
		ms = append(ms, float64(p.Sub(put[r.ID]).Microseconds())/1e3)
	}
	if len(missing) > 0 {
		return nil, 0, fmt.Errorf("%d rides have no prediction (first: %s)", len(missing), strings.Join(missing[:min(3, len(missing))], ", "))
	}
	slices.Sort(ms)
	return ms, predictionBytes, nil
}

// quantile is the nearest-rank quantile of sorted values (0 if none).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
