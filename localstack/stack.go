// Package localstack is the pipeline on this machine, in place of AWS:
// kinesalite as Kinesis, the Lambda binary under the Runtime Interface
// Emulator, the event source mapping (localstack/esm) in between, and a
// collector reading the function's output streams. make demo, make up,
// make bench-stream and the end-to-end tests (e2e/) start it with Start.
//
// Its parts are subpackages: proc (processes: servers, the emulator, moto
// and MLflow, the binaries the tests run), kinesalite (the local Kinesis
// server and stream readers) and esm (the event source mapping).
package localstack

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/nyc-taxi/ridepred/localstack/emf"
	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// Config is what runs locally in place of AWS.
type Config struct {
	RIE, Bootstrap string
	// Emulators run the function, one invocation in flight each. 0 is
	// one for each batch the mapping may run at once, shards ×
	// ParallelizationFactor (esm.Concurrency), up to MaxEmulators.
	Emulators int
	Shards    int32 // of ride_events
	// PredictionShards are ride_prediction's shards (and the shadow
	// stream's); 0 is 2, or 1 with OneServer.
	PredictionShards int32
	// OneServer puts every stream on one kinesalite (for make up, so that
	// one endpoint serves the AWS CLI).
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
	FunctionEndpoint func(endpoint string) string
	// Invoker and Kinesis, when set, wrap what the mapping invokes each
	// emulator through and reads ride_events with (benchstream times them).
	Invoker func(esm.Invoker) esm.Invoker
	Kinesis func(esm.Kinesis) esm.Kinesis
	// LaterMapping leaves the mapping to StartMapping, so that it starts
	// on a stream already full (benchstream's drain).
	LaterMapping bool
	// NoCollector follows no output stream (Out is nil), so that this
	// process's CPU is the mapping's (benchstream reads the streams after).
	NoCollector bool
	ESM         esm.Config
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
	Kinesis   *kinesalite.Server // ride_events, ride_events_failures
	Client    *kinesis.Client
	Output    *kinesalite.Server // ride_prediction, ride_events_dlq
	OutClient *kinesis.Client
	Emulators []*proc.Emulator
	Mapping   *esm.Mapping
	Out       *Collector
	// Metrics sums the function's EMF documents from the emulators'
	// output, as CloudWatch Logs would.
	Metrics *emf.Collector
	logs    io.Writer
	stop    []func()
}

// Start starts everything (the mapping only at StartMapping with
// cfg.LaterMapping); Stop undoes it, also after a failure here. logs gets
// every process's output.
func Start(ctx context.Context, cfg Config, logs io.Writer) (s *Stack, err error) {
	s = &Stack{logs: logs}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	if err := s.startKinesis(ctx, cfg); err != nil {
		return s, err
	}
	if err := s.startMetrics(cfg.MetricsFile); err != nil {
		return s, err
	}
	invokers, err := s.startEmulators(cfg)
	if err != nil {
		return s, err
	}
	if !cfg.NoCollector {
		s.startCollector(cfg.ShadowStream)
	}
	cfg.ESM.Stream, cfg.ESM.OnFailure = RidesStream, FailuresStream
	var k esm.Kinesis = s.Client
	if cfg.Kinesis != nil {
		k = cfg.Kinesis(k)
	}
	s.Mapping = esm.New(k, invokers, cfg.ESM)
	if !cfg.LaterMapping {
		s.StartMapping()
	}
	return s, nil
}

// StartMapping runs the mapping until Stop; call it once, and only for a
// stack started with LaterMapping.
func (s *Stack) StartMapping() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Mapping.Run(ctx); err != nil {
			fmt.Fprintln(s.logs, "esm:", err)
		}
	}()
	s.stop = append(s.stop, func() { cancel(); <-done })
}

// Stop stops what Start and StartMapping started, last first.
func (s *Stack) Stop() {
	for i := len(s.stop) - 1; i >= 0; i-- {
		s.stop[i]()
	}
	s.stop = nil
}
