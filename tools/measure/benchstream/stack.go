package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/emf"
	"github.com/nyc-taxi/ridepred/localstack/esm"
	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// stack is the local pipeline of one grid point (localstack's, as in make
// demo: kinesalite for ride_events, another for the function's output
// streams, one Node thread each, as AWS scales streams apart), with
// shards × PF emulators (Lambda's concurrency for the mapping), and the
// mapping started only once the rides are on the stream, and no collector
// following the outputs: nothing else may run in this process while the
// mapping drains, so that this process's CPU is the mapping's.
type stack struct {
	*localstack.Stack
	gets    *timedKinesis
	invokes *invokeTimes
}

// startStack starts all but the mapping (startMapping starts it); logs
// gets every process's output.
func startStack(ctx context.Context, p Point, cfg config, logs io.Writer) (*stack, error) {
	s := &stack{invokes: &invokeTimes{}}
	ls, err := localstack.Start(ctx, localstack.Config{RIE: cfg.rie, Bootstrap: cfg.bootstrap,
		Emulators: esm.Concurrency(p.Shards, p.PF), Shards: int32(p.Shards), PredictionShards: int32(p.Shards),
		Invoker:      func(inv esm.Invoker) esm.Invoker { return timedInvoker{inv, s.invokes} },
		Kinesis:      func(k esm.Kinesis) esm.Kinesis { s.gets = &timedKinesis{Kinesis: k}; return s.gets },
		LaterMapping: true, NoCollector: true, ESM: mappingConfig(p, cfg)}, logs)
	if err != nil {
		return nil, err
	}
	s.Stack = ls
	if err := s.warm(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// warm invokes every emulator once with an empty batch, so that no
// function's start counts in the drain (the quota runs measure cold
// starts).
func (s *stack) warm(ctx context.Context) error {
	errs := make(chan error, len(s.Emulators))
	for _, e := range s.Emulators {
		go func() {
			status, body, err := e.Invoke(ctx, []byte(`{"Records": []}`))
			if err == nil && status != 200 {
				err = fmt.Errorf("warm-up invocation: %d %.200s", status, body)
			}
			errs <- err
		}()
	}
	var all []error
	for range s.Emulators {
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
	return esm.Config{StartingPosition: types.ShardIteratorTypeTrimHorizon,
		BatchSize: p.Batch, ParallelizationFactor: p.PF, Window: cfg.window, Bisect: true, MaxRetries: 5, Poll: 20 * time.Millisecond,
		FunctionTimeout: functionTimeout}
}

// predictions is how many predictions the function says it wrote so far
// (its EMF documents' Predictions, written after its records).
func (s *stack) predictions() float64 { return s.Metrics.Sum("Predictions") }

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
	u := usage{at: time.Now(), kinesisIn: proc.GroupCPU(s.Kinesis.Pid()), kinesisOut: proc.GroupCPU(s.Output.Pid()),
		mapping: proc.OwnCPU(), metrics: s.Metrics.Table()}
	for _, e := range s.Emulators {
		// The emulator starts the function as its child, in a process
		// group of the function's own.
		u.functions += proc.ChildrenCPU(e.Pid())
		u.emulators += proc.GroupCPU(e.Pid())
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
