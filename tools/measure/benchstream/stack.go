package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	dlqStream         = "ride_events_dlq"
	failuresStream    = "ride_events_failures"
)

// stack is the local pipeline of one grid point: kinesalite for
// ride_events, another for the function's output streams (as in make demo:
// one Node thread each, as AWS scales streams apart), shards × PF emulators
// (Lambda's concurrency for the mapping), and the mapping, started only
// once the rides are on the stream.
//
// It does not reuse tools/local/demo's Stack, which starts its mapping at once and
// follows the output streams all along: here the mapping must start on a
// full stream, and nothing else may run in this process while it drains,
// so that this process's CPU is the mapping's.
type stack struct {
	in, out             *localkinesis.Server
	inClient, outClient *kinesis.Client
	emulators           []*localproc.Emulator
	metrics             *emf.Collector
	gets                *timedKinesis
	invokes             *invokeTimes
	mapping             *esm.Mapping
	stop                []func()
}

// startStack starts all but the mapping; logs gets every process's output.
func startStack(ctx context.Context, p Point, cfg config, logs io.Writer) (s *stack, err error) {
	s = &stack{}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	for _, k := range []**localkinesis.Server{&s.in, &s.out} {
		if *k, err = localkinesis.Start(logs); err != nil {
			return s, err
		}
		s.stop = append(s.stop, (*k).Stop)
	}
	s.inClient, s.outClient = localkinesis.Client(s.in.Endpoint), localkinesis.Client(s.out.Endpoint)
	streams := []struct {
		c      *kinesis.Client
		name   string
		shards int32
	}{{s.inClient, ridesStream, int32(p.Shards)}, {s.inClient, failuresStream, 1},
		{s.outClient, predictionsStream, int32(p.Shards)}, {s.outClient, dlqStream, 1}}
	for _, st := range streams {
		if err := localkinesis.CreateStream(ctx, st.c, st.name, st.shards); err != nil {
			return s, err
		}
	}
	s.metrics = &emf.Collector{Next: logs}
	env := []string{"AWS_ENDPOINT_URL_KINESIS=" + s.out.Endpoint, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local", "PREDICTIONS_STREAM_NAME=" + predictionsStream, "DLQ_STREAM_NAME=" + dlqStream,
		fmt.Sprintf("AWS_LAMBDA_FUNCTION_TIMEOUT=%d", int(functionTimeout.Seconds()))}
	s.invokes = &invokeTimes{}
	var invokers []esm.Invoker
	for range esm.Concurrency(p.Shards, p.PF) {
		e, err := localproc.StartEmulator(cfg.rie, []string{cfg.bootstrap}, env, s.metrics)
		if err != nil {
			return s, err
		}
		s.stop = append(s.stop, e.Stop)
		s.emulators = append(s.emulators, e)
		invokers = append(invokers, timedInvoker{esm.HTTPInvoker{URL: e.URL}, s.invokes})
	}
	if err := s.warm(ctx); err != nil {
		return s, err
	}
	s.gets = &timedKinesis{Kinesis: s.inClient}
	s.mapping = esm.New(s.gets, invokers, mappingConfig(p, cfg))
	return s, nil
}

// warm invokes every emulator once with an empty batch, so that no
// function's start counts in the drain (the quota runs measure cold
// starts).
func (s *stack) warm(ctx context.Context) error {
	errs := make(chan error, len(s.emulators))
	for _, e := range s.emulators {
		go func() {
			status, body, err := e.Invoke(ctx, []byte(`{"Records": []}`))
			if err == nil && status != 200 {
				err = fmt.Errorf("warm-up invocation: %d %.200s", status, body)
			}
			errs <- err
		}()
	}
	var all []error
	for range s.emulators {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

// functionTimeout is template.yaml's Timeout; no batch here comes near it.
const functionTimeout = 30 * time.Second

// mappingConfig is the event source mapping of a grid point: the point's
// batch size, the run's window, from the stream's start, no retries
// expected (a function error would show as lost rides and fail the run).
func mappingConfig(p Point, cfg config) esm.Config {
	return esm.Config{Stream: ridesStream, OnFailure: failuresStream, StartingPosition: types.ShardIteratorTypeTrimHorizon,
		BatchSize: p.Batch, ParallelizationFactor: p.PF, Window: cfg.window, Bisect: true, MaxRetries: 5, Poll: 20 * time.Millisecond,
		FunctionTimeout: functionTimeout}
}

// startMapping starts the mapping; Stop ends it.
func (s *stack) startMapping(logs io.Writer) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.mapping.Run(ctx); err != nil {
			fmt.Fprintln(logs, "esm:", err)
		}
	}()
	s.stop = append(s.stop, func() { cancel(); <-done })
}

// Stop stops what startStack and startMapping started, last first.
func (s *stack) Stop() {
	for i := len(s.stop) - 1; i >= 0; i-- {
		s.stop[i]()
	}
	s.stop = nil
}

// predictions is how many predictions the function says it wrote so far
// (its EMF documents' Predictions, written after its records).
func (s *stack) predictions() float64 { return s.metrics.Sum("Predictions") }

// waitPredictions waits until the function has written n predictions.
func (s *stack) waitPredictions(ctx context.Context, n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for s.predictions() < float64(n) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%.0f of %d predictions after %v (build/stream/*.log has the stack's output)", s.predictions(), n, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// usage is a snapshot of what each part of the stack has used so far.
type usage struct {
	at time.Time
	// CPU seconds: kinesalite serving ride_events, kinesalite serving the
	// outputs, the emulators themselves, the functions they run, and this
	// process (the mapping, and the EMF collector reading the functions'
	// output).
	kinesisIn, kinesisOut, emulators, functions, mapping float64
	getCalls, getNs, invokes, invokeNs                   int64
	metrics                                              emf.Table
	// machineBusy and machineTotal: the machine's CPU time, all cores, in
	// ticks: busy (neither idle nor waiting for I/O) and all of it.
	machineBusy, machineTotal int64
}

func (s *stack) usage() usage {
	u := usage{at: time.Now(), kinesisIn: localproc.GroupCPU(s.in.Pid()), kinesisOut: localproc.GroupCPU(s.out.Pid()),
		mapping: localproc.OwnCPU(), metrics: s.metrics.Table()}
	for _, e := range s.emulators {
		// The emulator starts the function as its child, in a process
		// group of the function's own.
		u.functions += localproc.ChildrenCPU(e.Pid())
		u.emulators += localproc.GroupCPU(e.Pid())
	}
	u.machineBusy, u.machineTotal = machineTicks()
	u.getCalls, u.getNs = s.gets.calls.Load(), s.gets.ns.Load()
	u.invokes, u.invokeNs = s.invokes.calls.Load(), s.invokes.ns.Load()
	return u
}

// machineTicks is the machine's CPU time so far, all cores, from the
// first line of /proc/stat: busy (user, nice, system, irq, softirq,
// steal) and in all.
func machineTicks() (busy, total int64) {
	b, _ := os.ReadFile("/proc/stat")
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0
	}
	for i, v := range f[1:9] {
		n, _ := strconv.ParseInt(v, 10, 64)
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}

// timedKinesis is the mapping's Kinesis client, timing its GetRecords
// calls: the mapping's wait on kinesalite.
type timedKinesis struct {
	esm.Kinesis
	calls, ns atomic.Int64
}

func (t *timedKinesis) GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	start := time.Now()
	out, err := t.Kinesis.GetRecords(ctx, in, opts...)
	t.ns.Add(int64(time.Since(start)))
	t.calls.Add(1)
	return out, err
}

// invokeTimes sums the invocations' round trips, as the mapping sees them.
type invokeTimes struct {
	calls, ns atomic.Int64
}

type timedInvoker struct {
	esm.Invoker
	t *invokeTimes
}

func (t timedInvoker) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	start := time.Now()
	body, err := t.Invoker.Invoke(ctx, payload)
	t.t.ns.Add(int64(time.Since(start)))
	t.t.calls.Add(1)
	return body, err
}

var _ esm.Kinesis = (*timedKinesis)(nil)

// syncWriter lets several processes' output share one file.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
