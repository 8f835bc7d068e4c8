package main

import (
	"math"
)

// Limits are AWS's published quotas that a plan works within.
type Limits struct {
	ShardRecords       float64 // records written per second and shard
	ShardBytes         float64 // bytes written per second and shard
	MaxParallelization int     // the mapping's ParallelizationFactor
	MaxBatch           int     // the mapping's BatchSize
	MaxPayload         float64 // bytes of a synchronous invocation's event
	PutRecordsEntries  int     // records per PutRecords call
	VCPUMemoryMB       float64 // memory at which Lambda gives one whole vCPU
	Concurrency        int     // concurrent executions a Region, by default
}

// AWSLimits are the quotas as published (sources in CAPACITY.md and
// tools/measure/capacity's doc).
var AWSLimits = Limits{ShardRecords: 1000, ShardBytes: 1 << 20, MaxParallelization: 10, MaxBatch: 10000,
	MaxPayload: 6 << 20, PutRecordsEntries: 500, VCPUMemoryMB: 1769, Concurrency: 1000}

// Prices are us-east-1's, in dollars.
type Prices struct {
	ShardHour          float64 // a provisioned shard, an hour
	RetentionShardHour float64 // extended retention (over 24 h, up to 7 days), a shard, an hour
	PUTUnitsPerMillion float64 // a million PUT payload units
	PUTUnitBytes       float64 // a PUT payload unit: 25 KB of a record, rounded up
	RequestsPerMillion float64 // a million Lambda requests
	GBSecond           float64 // a GB-second of Lambda duration (x86_64)
	GBSecondArm64      float64 // a GB-second of Lambda duration (arm64, Graviton)
}

// Assumptions are what a plan needs and nothing here measures.
type Assumptions struct {
	// PutLatencyMs is a PutRecords (or PutRecord) call's round trip to
	// Kinesis from Lambda, whatever its size up to 500 records.
	PutLatencyMs float64
	// PollSeconds is how long a caught-up shard waits for its next read.
	PollSeconds float64
	// Headroom is how busy a lane (one batch of a shard at a time) may be
	// planned: the rest absorbs bursts and retries.
	Headroom float64
}

// Workload is the traffic and the records it writes.
type Workload struct {
	RidesPerSecond  float64
	RideBytes       float64 // a ride event, as the producer puts it
	PredictionBytes float64 // a prediction record
	EventBytes      float64 // a ride's record in the function's event (base64 and metadata)
	// RetentionHours: ride_events and ride_events_dlq keep records this
	// long (template.yaml); over 24 h, Kinesis charges extended retention.
	RetentionHours float64
	DLQShards      int
}

// Mapping is the event source mapping and function settings a plan is
// for. PF 0 lets the plan choose the least that keeps up.
type Mapping struct {
	BatchSize     int
	WindowSeconds float64
	MemoryMB      int
	PF            int
}

// Duration is a function's time for one invocation of a batch, in ms.
type Duration func(batch float64) float64

// Plan is what a workload needs with a mapping.
type Plan struct {
	ShardsIn, ShardsInKPL, ShardsOut int
	PF                               int
	Lanes                            int     // shards × PF: the mapping's concurrency, at most
	BusyLanes                        float64 // invocations in flight on average
	Batch                            float64 // rides per invocation, steady
	DurationMs                       float64 // one invocation
	// LatencyTypicalMs and LatencyWorstMs: a ride's wait for its batch to
	// be read (half the interval between batches, typically; all of it at
	// worst) plus the invocation.
	LatencyTypicalMs, LatencyWorstMs float64
	Cost                             Cost
}

// Cost is dollars per million rides.
type Cost struct {
	Shards, Retention, PUTUnits, Requests, Duration float64
	// DurationArm64 is Duration at arm64's price, for the same
	// milliseconds: an estimate until the function is timed on Graviton.
	DurationArm64 float64
}

// Total is the sum.
func (c Cost) Total() float64 { return c.Shards + c.Retention + c.PUTUnits + c.Requests + c.Duration }

// Kinesis is the streams' part.
func (c Cost) Kinesis() float64 { return c.Shards + c.Retention + c.PUTUnits }

// Lambda is the function's part.
func (c Cost) Lambda() float64 { return c.Requests + c.Duration }

// LambdaArm64 is the function's part on arm64, and TotalArm64 the sum then.
func (c Cost) LambdaArm64() float64 { return c.Requests + c.DurationArm64 }

// TotalArm64 is Total with the function on arm64.
func (c Cost) TotalArm64() float64 { return c.Kinesis() + c.LambdaArm64() }

// ShardsFor is how many shards take records records/s of size bytes:
// each shard takes 1,000 records or 1 MiB a second, whichever comes first.
func (l Limits) ShardsFor(records, bytes float64) int {
	return max(1, int(math.Ceil(records/l.ShardRecords)), int(math.Ceil(records*bytes/l.ShardBytes)))
}

// PayloadBatch is how many rides fit in one invocation's event.
func (l Limits) PayloadBatch(eventBytes float64) int {
	return int(l.MaxPayload / eventBytes)
}

// Planner turns a workload and a mapping into a plan.
type Planner struct {
	Limits      Limits
	Prices      Prices
	Assumptions Assumptions
}

// Plan sizes the streams and the mapping for w: the shards its writes
// need; then the least PF (unless m fixes one) whose lanes keep up with
// the shard's rides at no more than Headroom busy; and, when even the
// largest PF does not, more shards. ok is false if no plan within the
// limits keeps up (a function slower than any batch can amortize).
func (p Planner) Plan(w Workload, m Mapping, d Duration) (plan Plan, ok bool) {
	l := p.Limits
	plan.ShardsIn = l.ShardsFor(w.RidesPerSecond, w.RideBytes)
	// A KPL producer packs rides into records of up to 1 MB: only the
	// bytes count.
	plan.ShardsInKPL = l.ShardsFor(1, w.RidesPerSecond*w.RideBytes)
	plan.ShardsOut = l.ShardsFor(w.RidesPerSecond, w.PredictionBytes)
	maxBatch := float64(min(m.BatchSize, l.MaxBatch, l.PayloadBatch(w.EventBytes)))
	pfs := []int{m.PF}
	if m.PF == 0 {
		pfs = nil
		for pf := 1; pf <= l.MaxParallelization; pf++ {
			pfs = append(pfs, pf)
		}
	}
	for shards := plan.ShardsIn; shards <= plan.ShardsIn*1000; shards++ {
		for _, pf := range pfs {
			laneRate := w.RidesPerSecond / float64(shards) / float64(pf)
			batch, busy := p.steady(laneRate, maxBatch, m.WindowSeconds, d)
			if busy > p.Assumptions.Headroom {
				continue
			}
			plan.ShardsIn, plan.PF, plan.Lanes, plan.Batch = shards, pf, shards*pf, batch
			plan.DurationMs = d(batch)
			plan.BusyLanes = w.RidesPerSecond / batch * plan.DurationMs / 1e3
			interval := batch / laneRate * 1e3
			plan.LatencyTypicalMs, plan.LatencyWorstMs = interval/2+plan.DurationMs, interval+plan.DurationMs
			plan.Cost = p.cost(w, m, plan)
			return plan, true
		}
	}
	return plan, false
}

// steady is the batch a lane settles at, taking laneRate rides/s, and
// how busy the lane is: a lane reads what came since its last read,
// at least a window (or poll) apart and at least one invocation apart,
// up to maxBatch; busy over 1 means it falls behind.
func (p Planner) steady(laneRate, maxBatch, window float64, d Duration) (batch, busy float64) {
	interval := max(window, p.Assumptions.PollSeconds)
	batch = min(maxBatch, max(1, laneRate*interval))
	for range 100 {
		next := min(maxBatch, max(1, laneRate*max(interval, d(batch)/1e3)))
		if math.Abs(next-batch) < 1e-9 {
			break
		}
		batch = next
	}
	return batch, laneRate * d(batch) / 1e3 / batch
}

// cost is the plan's dollars per million rides: the streams' shard-hours
// (ride_events, ride_prediction, ride_events_dlq) and extended retention
// (ride_events and ride_events_dlq) for the hours a million rides take;
// a PUT payload unit per 25 KB of each ride and prediction record; a
// Lambda request per batch, and its GB-seconds, each invocation's
// duration rounded up to the millisecond, as Lambda bills it.
func (p Planner) cost(w Workload, m Mapping, plan Plan) Cost {
	pr := p.Prices
	hours := 1e6 / w.RidesPerSecond / 3600
	var c Cost
	c.Shards = float64(plan.ShardsIn+plan.ShardsOut+w.DLQShards) * hours * pr.ShardHour
	if w.RetentionHours > 24 {
		c.Retention = float64(plan.ShardsIn+w.DLQShards) * hours * pr.RetentionShardHour
	}
	units := math.Ceil(w.RideBytes/pr.PUTUnitBytes) + math.Ceil(w.PredictionBytes/pr.PUTUnitBytes)
	c.PUTUnits = units * pr.PUTUnitsPerMillion
	invocations := 1e6 / plan.Batch
	c.Requests = invocations * pr.RequestsPerMillion / 1e6
	gbSeconds := invocations * math.Ceil(plan.DurationMs) / 1e3 * float64(m.MemoryMB) / 1024
	c.Duration = gbSeconds * pr.GBSecond
	c.DurationArm64 = gbSeconds * pr.GBSecondArm64
	return c
}

// GoDuration is the function's time for a batch at one memory size: the
// measured line plus a PutRecords round trip per 500 predictions, which
// the measurement's stand-in Kinesis answered at once.
func (p Planner) GoDuration(fit Line) Duration {
	return func(batch float64) float64 {
		calls := math.Ceil(batch / float64(p.Limits.PutRecordsEntries))
		return fit.FixedMs + fit.PerRideMs*batch + calls*p.Assumptions.PutLatencyMs
	}
}

// OriginalDuration is the original's time for a batch: per ride, its
// measured compute and one PutRecord round trip, as its loop does.
func (p Planner) OriginalDuration(perRideMs float64) Duration {
	return func(batch float64) float64 {
		return batch * (perRideMs + p.Assumptions.PutLatencyMs)
	}
}

// Line is a duration against batch size: FixedMs + PerRideMs × batch.
type Line struct {
	FixedMs, PerRideMs float64
}

// FitLine fits a line to (batch, ms) points by least squares.
func FitLine(batch, ms []float64) Line {
	n := float64(len(batch))
	if n == 0 {
		return Line{}
	}
	var sx, sy, sxx, sxy float64
	for i := range batch {
		sx, sy, sxx, sxy = sx+batch[i], sy+ms[i], sxx+batch[i]*batch[i], sxy+batch[i]*ms[i]
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return Line{PerRideMs: sy / sx}
	}
	slope := (n*sxy - sx*sy) / den
	if fixed := (sy - slope*sx) / n; fixed >= 0 {
		return Line{FixedMs: fixed, PerRideMs: slope}
	}
	// A negative fixed cost is noise: the line through the origin.
	return Line{PerRideMs: sxy / sxx}
}
