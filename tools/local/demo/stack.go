package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/internal/localproc"
	"github.com/nyc-taxi/ridepred/tools/internal/emf"
	"github.com/nyc-taxi/ridepred/tools/internal/esm"
	"github.com/nyc-taxi/ridepred/tools/internal/localkinesis"
)

// Stream names, as in the original app and template.yaml.
const (
	ridesStream       = "ride_events"
	predictionsStream = "ride_prediction"
	// shadowStream is where a stack with a shadow model (make shadow) has
	// the function write the shadow's predictions (SHADOW_STREAM_NAME),
	// tools/operate/shadowreport's default.
	shadowStream   = "ride_prediction_shadow"
	dlqStream      = "ride_events_dlq"
	failuresStream = "ride_events_failures"
)

// StackConfig is what runs locally in place of AWS.
type StackConfig struct {
	RIE, Bootstrap string
	// Emulators run the function, one invocation in flight each. 0 is
	// one for each batch the mapping may run at once, shards ×
	// ParallelizationFactor (esm.Concurrency), up to MaxEmulators.
	Emulators int
	Shards    int32 // of ride_events
	// OneServer puts every stream on one kinesalite (for make up, so that
	// one endpoint serves the AWS CLI), and ride_prediction in one shard.
	OneServer bool
	// FunctionEnv is added to the function's environment; it may set its
	// own AWS_LAMBDA_FUNCTION_TIMEOUT, which is ESM.FunctionTimeout's
	// otherwise.
	FunctionEnv []string
	// MetricsFile, if set, gets each EMF document the function writes, one
	// JSON line (make up's build/metrics.jsonl, which tools/operate/metrics reads).
	MetricsFile string
	// ShadowStream, if set, is created beside ride_prediction, with as many
	// shards, and named to the function as SHADOW_STREAM_NAME; the
	// collector reads it too.
	ShadowStream string
	// FunctionEndpoint, when set, maps kinesalite's endpoint to the one the
	// function is given (a fault-injecting proxy in the tests).
	FunctionEndpoint func(kinesalite string) string
	ESM              esm.Config
}

// MaxEmulators caps the emulators a stack starts by default. Each is two
// processes (the emulator and the function, about 30 MiB together), and
// on a machine of a few cores more of them than this add no throughput:
// with more batches than emulators, a batch waits for one, as a Lambda
// function whose reserved concurrency is below the mapping's is
// throttled.
const MaxEmulators = 16

// Stack is kinesalite, the emulators running the Lambda binary, the event
// source mapping, and a collector reading the output streams.
//
// Two kinesalite servers share the streams: one holds ride_events (and the
// mapping's on-failure stream), the other the function's output streams.
// kinesalite serves everything from one Node thread, and every ride costs
// it four record operations (put, get, put, get); on one server that caps
// the pipeline near 4,000 rides/s on this machine. In AWS, streams scale
// independently, so splitting them is the closer model.
type Stack struct {
	Kinesis   *localkinesis.Server // ride_events, ride_events_failures
	Client    *kinesis.Client
	Output    *localkinesis.Server // ride_prediction, ride_events_dlq
	OutClient *kinesis.Client
	Emulators []*localproc.Emulator
	Mapping   *esm.Mapping
	Out       *Collector
	// Metrics sums the function's EMF documents from the emulators'
	// output, as CloudWatch Logs would.
	Metrics *emf.Collector
	stop    []func()
}

// StartStack starts everything; Stop undoes it, also after a failure here.
func StartStack(ctx context.Context, cfg StackConfig, logs io.Writer) (s *Stack, err error) {
	s = &Stack{}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	if s.Kinesis, err = localkinesis.Start(logs); err != nil {
		return s, err
	}
	s.stop = append(s.stop, s.Kinesis.Stop)
	s.Output = s.Kinesis
	predictionShards := int32(2)
	if cfg.OneServer {
		predictionShards = 1
	} else {
		if s.Output, err = localkinesis.Start(logs); err != nil {
			return s, err
		}
		s.stop = append(s.stop, s.Output.Stop)
	}
	s.Client, s.OutClient = localkinesis.Client(s.Kinesis.Endpoint), localkinesis.Client(s.Output.Endpoint)
	s.Metrics = &emf.Collector{Next: logs}
	if cfg.MetricsFile != "" {
		f, err := os.Create(cfg.MetricsFile)
		if err != nil {
			return s, err
		}
		s.Metrics.File = f
		s.stop = append(s.stop, func() { f.Close() })
	}
	streams := []struct {
		c      *kinesis.Client
		name   string
		shards int32
	}{{s.Client, ridesStream, cfg.Shards}, {s.Client, failuresStream, 1}, {s.OutClient, predictionsStream, predictionShards}, {s.OutClient, dlqStream, 1}}
	outputs := map[string]*kinesis.Client{predictionsStream: s.OutClient, dlqStream: s.OutClient, failuresStream: s.Client}
	if cfg.ShadowStream != "" {
		streams = append(streams, struct {
			c      *kinesis.Client
			name   string
			shards int32
		}{s.OutClient, cfg.ShadowStream, predictionShards})
		outputs[cfg.ShadowStream] = s.OutClient
	}
	for _, st := range streams {
		if err := localkinesis.CreateStream(ctx, st.c, st.name, st.shards); err != nil {
			return s, err
		}
	}
	endpoint := s.Output.Endpoint
	if cfg.FunctionEndpoint != nil {
		endpoint = cfg.FunctionEndpoint(endpoint)
	}
	env := []string{"AWS_ENDPOINT_URL_KINESIS=" + endpoint, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local", "PREDICTIONS_STREAM_NAME=" + predictionsStream, "DLQ_STREAM_NAME=" + dlqStream}
	if cfg.ShadowStream != "" {
		env = append(env, "SHADOW_STREAM_NAME="+cfg.ShadowStream)
	}
	if t := cfg.ESM.FunctionTimeout; t > 0 {
		// One Timeout, as in Lambda: the emulator ends the function when
		// the mapping stops waiting for it (FunctionEnv may say otherwise).
		env = append(env, fmt.Sprintf("AWS_LAMBDA_FUNCTION_TIMEOUT=%d", int(math.Ceil(t.Seconds()))))
	}
	env = append(env, cfg.FunctionEnv...)
	if cfg.Emulators <= 0 {
		cfg.Emulators = min(esm.Concurrency(int(cfg.Shards), cfg.ESM.ParallelizationFactor), MaxEmulators)
	}
	var invokers []esm.Invoker
	for range cfg.Emulators {
		e, err := localproc.StartEmulator(cfg.RIE, []string{cfg.Bootstrap}, env, s.Metrics)
		if err != nil {
			return s, err
		}
		s.stop = append(s.stop, e.Stop)
		s.Emulators = append(s.Emulators, e)
		invokers = append(invokers, esm.HTTPInvoker{URL: e.URL})
	}

	s.Out = newCollector(cfg.ShadowStream)
	outCtx, cancelOut := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for name, c := range outputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			localkinesis.Follow(outCtx, c, name, types.ShardIteratorTypeTrimHorizon, 20*time.Millisecond,
				func(r localkinesis.Record) { s.Out.add(name, r) })
		}()
	}
	s.stop = append(s.stop, func() { cancelOut(); wg.Wait() })

	cfg.ESM.Stream, cfg.ESM.OnFailure = ridesStream, failuresStream
	s.Mapping = esm.New(s.Client, invokers, cfg.ESM)
	esmCtx, cancelESM := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Mapping.Run(esmCtx); err != nil {
			fmt.Fprintln(logs, "esm:", err)
		}
	}()
	s.stop = append(s.stop, func() { cancelESM(); <-done })
	return s, nil
}

// Stop stops what StartStack started, last first.
func (s *Stack) Stop() {
	for i := len(s.stop) - 1; i >= 0; i-- {
		s.stop[i]()
	}
	s.stop = nil
}

// Output is one record on an output stream.
type Output struct {
	Stream  string
	Data    []byte
	Arrival time.Time
}

// Collector keeps every output record by partition key (the ride id).
type Collector struct {
	mu     sync.Mutex
	byKey  map[string][]Output
	count  map[string]int // records per stream
	shadow string         // the shadow stream, whose records are no ride's outcome
}

func newCollector(shadow string) *Collector {
	return &Collector{byKey: map[string][]Output{}, count: map[string]int{}, shadow: shadow}
}

func (c *Collector) add(stream string, r localkinesis.Record) {
	key := r.Key
	if stream != predictionsStream && !isPrediction(r.Data) {
		// Dead letters carry the input's partition key inside; on-failure
		// messages carry only batch metadata, kept under the shard id.
		var v struct {
			PartitionKey string `json:"partition_key"`
		}
		if json.Unmarshal(r.Data, &v) == nil && v.PartitionKey != "" {
			key = v.PartitionKey
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byKey[key] = append(c.byKey[key], Output{Stream: stream, Data: r.Data, Arrival: r.Arrival})
	c.count[stream]++
}

// isPrediction tells a prediction (the shadow stream's, keyed by the ride
// id as ride_prediction's) from a dead letter or an on-failure message.
func isPrediction(data []byte) bool {
	var v struct {
		EventID    string   `json:"event_id"`
		Prediction *float64 `json:"prediction"`
	}
	return json.Unmarshal(data, &v) == nil && v.EventID != "" && v.Prediction != nil
}

// Accounted counts how many of ids have at least one outcome: a
// prediction, a dead letter or an on-failure message (a shadow prediction
// is none: the serving model's answer is the ride's outcome).
func (c *Collector) Accounted(ids []string) int {
	return c.having(ids, func(o Output) bool { return c.shadow == "" || o.Stream != c.shadow })
}

// Shadowed counts how many of ids have a prediction on the shadow stream.
func (c *Collector) Shadowed(ids []string) int {
	return c.having(ids, func(o Output) bool { return c.shadow != "" && o.Stream == c.shadow })
}

func (c *Collector) having(ids []string, ok func(Output) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, id := range ids {
		for _, o := range c.byKey[id] {
			if ok(o) {
				n++
				break
			}
		}
	}
	return n
}

// Get returns the output records for a ride id.
func (c *Collector) Get(id string) []Output {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Output(nil), c.byKey[id]...)
}

// Count is the number of records read from a stream.
func (c *Collector) Count(stream string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count[stream]
}

// WaitFor waits until every id has an outcome (Accounted) or the timeout
// passes.
func (c *Collector) WaitFor(ctx context.Context, ids []string, timeout time.Duration) bool {
	return c.waitFor(ctx, ids, timeout, c.Accounted)
}

// WaitForShadow waits until every id has a shadow prediction or the
// timeout passes.
func (c *Collector) WaitForShadow(ctx context.Context, ids []string, timeout time.Duration) bool {
	return c.waitFor(ctx, ids, timeout, c.Shadowed)
}

func (c *Collector) waitFor(ctx context.Context, ids []string, timeout time.Duration, done func([]string) int) bool {
	deadline := time.Now().Add(timeout)
	for done(ids) < len(ids) {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
