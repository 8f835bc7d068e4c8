package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"gopkg.in/yaml.v3"

	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/tools/internal/runinfo"
)

// Measured is the part of make bench-stream's report
// (tools/measure/benchstream/stream.json) that a plan takes.
type Measured struct {
	Date      string     `json:"date"`
	Machine   string     `json:"machine"`
	LoadStart [3]float64 `json:"load_start"`
	LoadEnd   [3]float64 `json:"load_end"`
	Settings  struct {
		RideBytes float64 `json:"ride_bytes"`
	} `json:"settings"`
	Results []struct {
		Shards           int     `json:"shards"`
		PF               int     `json:"parallelization_factor"`
		Batch            int     `json:"batch_size"`
		RidesPerSecond   float64 `json:"rides_per_s"`
		P50Ms            float64 `json:"p50_ms"`
		P99Ms            float64 `json:"p99_ms"`
		FunctionCPUPerUs float64 `json:"function_cpu_us_per_ride"`
		PredictionBytes  float64 `json:"prediction_bytes"`
		Ceiling          string  `json:"ceiling"`
	} `json:"results"`
	Quota []struct {
		Runtime  string  `json:"runtime"`
		MemoryMB int     `json:"memory_mb"`
		CPUShare float64 `json:"cpu_share"`
		Batch    int     `json:"batch"`
		WallMs   float64 `json:"wall_ms"`
		CPUMs    float64 `json:"cpu_ms"`
	} `json:"quota"`
	Cold []struct {
		Runtime    string  `json:"runtime"`
		MemoryMB   int     `json:"memory_mb"`
		Ms         float64 `json:"ms"`
		PeakRSSMiB float64 `json:"peak_rss_mib"`
	} `json:"cold_starts"`
}

// readMeasured reads make bench-stream's report.
func readMeasured(path string) (*Measured, error) {
	var m Measured
	if err := runinfo.ReadJSON(path, &m); err != nil {
		return nil, err
	}
	if len(m.Quota) == 0 || m.Settings.RideBytes == 0 {
		return nil, fmt.Errorf("%s holds no quota runs (make bench-stream runs them as root)", path)
	}
	return &m, nil
}

// Memories are the memory sizes the Go function was measured at, in order.
func (m *Measured) Memories() []int {
	var out []int
	for _, q := range m.Quota {
		if q.Runtime == "go" && !slices.Contains(out, q.MemoryMB) {
			out = append(out, q.MemoryMB)
		}
	}
	slices.Sort(out)
	return out
}

// GoBatches are the batch sizes the Go function was measured at, in order.
func (m *Measured) GoBatches() []int {
	var out []int
	for _, q := range m.Quota {
		if q.Runtime == "go" && !slices.Contains(out, q.Batch) {
			out = append(out, q.Batch)
		}
	}
	slices.Sort(out)
	return out
}

// GoLine is the Go function's duration against batch size at memory mb.
func (m *Measured) GoLine(mb int) (Line, bool) {
	var batch, ms []float64
	for _, q := range m.Quota {
		if q.Runtime == "go" && q.MemoryMB == mb {
			batch, ms = append(batch, float64(q.Batch)), append(ms, q.WallMs)
		}
	}
	return FitLine(batch, ms), len(batch) > 0
}

// WallMs is the measured duration of one invocation (0 if not measured).
func (m *Measured) WallMs(runtime string, mb, batch int) float64 {
	for _, q := range m.Quota {
		if q.Runtime == runtime && q.MemoryMB == mb && q.Batch == batch {
			return q.WallMs
		}
	}
	return 0
}

// OriginalPerRideMs is the original's time per ride at memory mb.
func (m *Measured) OriginalPerRideMs(mb int) (float64, bool) {
	for _, q := range m.Quota {
		if q.Runtime == "python" && q.MemoryMB == mb {
			return q.WallMs / float64(q.Batch), true
		}
	}
	return 0, false
}

// ColdMs is the measured cold start of runtime at memory mb.
func (m *Measured) ColdMs(runtime string, mb int) (float64, bool) {
	for _, c := range m.Cold {
		if c.Runtime == runtime && c.MemoryMB == mb {
			return c.Ms, true
		}
	}
	return 0, false
}

// PeakRSSMiB is the largest peak resident memory measured of runtime's
// function process, at any memory size.
func (m *Measured) PeakRSSMiB(runtime string) float64 {
	peak := 0.0
	for _, c := range m.Cold {
		if c.Runtime == runtime {
			peak = max(peak, c.PeakRSSMiB)
		}
	}
	return peak
}

// PredictionBytes is the mean size of the predictions the runs wrote.
func (m *Measured) PredictionBytes() float64 {
	sum, n := 0.0, 0
	for _, r := range m.Results {
		if r.PredictionBytes > 0 {
			sum, n = sum+r.PredictionBytes, n+1
		}
	}
	return sum / float64(max(1, n))
}

// EventBytes is the size of one ride's record in the event Lambda sends
// the function (esm.Event's, as the local mapping and make bench-stream
// build it: the ride base64-encoded, a 56-digit sequence number, the
// stream's ARN, the function's role), and a comma.
func EventBytes(rideBytes float64) float64 {
	seq := "49639854210870046278837730620094743524175848591505489922"
	rec := types.Record{Data: make([]byte, int(rideBytes)), PartitionKey: aws.String("feb-1234567"), SequenceNumber: aws.String(seq),
		ApproximateArrivalTimestamp: aws.Time(time.Unix(1681552724, 500e6))}
	ev := esm.Event("us-east-1", "arn:aws:kinesis:us-east-1:123456789012:stream/ride_events", "shardId-000000000000", []types.Record{rec})
	b, _ := json.Marshal(ev.Records[0])
	return float64(len(b) + 1)
}

// Defaults are template.yaml's parameters that a plan starts from.
type Defaults struct {
	BatchSize, MemoryMB, PF, DLQShards int
	WindowSeconds, RetentionHours      float64
}

// readDefaults reads the parameters' defaults from the template at path.
func readDefaults(path string) (Defaults, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Defaults{}, err
	}
	var tpl struct {
		Parameters map[string]struct {
			Default string `yaml:"Default"`
		} `yaml:"Parameters"`
	}
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		return Defaults{}, fmt.Errorf("%s: %w", path, err)
	}
	num := func(name string) (float64, error) {
		p, ok := tpl.Parameters[name]
		if !ok {
			return 0, fmt.Errorf("%s has no parameter %s", path, name)
		}
		v, err := strconv.ParseFloat(p.Default, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %s's default %q is not a number", path, name, p.Default)
		}
		return v, nil
	}
	var d Defaults
	fields := []struct {
		name string
		dst  *float64
	}{{"MaximumBatchingWindowInSeconds", &d.WindowSeconds}, {"RideEventsRetentionHours", &d.RetentionHours}}
	for _, f := range fields {
		if *f.dst, err = num(f.name); err != nil {
			return d, err
		}
	}
	ints := []struct {
		name string
		dst  *int
	}{{"BatchSize", &d.BatchSize}, {"MemorySize", &d.MemoryMB}, {"ParallelizationFactor", &d.PF}, {"DeadLetterShards", &d.DLQShards}}
	for _, f := range ints {
		v, err := num(f.name)
		if err != nil {
			return d, err
		}
		*f.dst = int(v)
	}
	return d, nil
}
