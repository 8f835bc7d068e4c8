package esm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/google/go-cmp/cmp"
)

// fakeStream is one shard of n records with sequence numbers "0".."n-1",
// and an on-failure stream that keeps what it is given.
type fakeStream struct {
	mu      sync.Mutex
	records []types.Record
	failed  []FailedBatch
	trimmed int // records before this one are past the retention: never read
}

func newStream(n int) *fakeStream {
	s := &fakeStream{}
	for i := range n {
		s.records = append(s.records, types.Record{SequenceNumber: aws.String(strconv.Itoa(i)), PartitionKey: aws.String("k"),
			Data: []byte(fmt.Sprintf(`{"n": %d}`, i)), ApproximateArrivalTimestamp: aws.Time(time.Unix(1700000000, 0))})
	}
	return s
}

func (s *fakeStream) ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	return &kinesis.ListShardsOutput{Shards: []types.Shard{{ShardId: aws.String("shardId-000000000000")}}}, nil
}

func (s *fakeStream) GetShardIterator(_ context.Context, in *kinesis.GetShardIteratorInput, _ ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error) {
	if in.ShardIteratorType == types.ShardIteratorTypeAtSequenceNumber {
		if n, _ := strconv.Atoi(*in.StartingSequenceNumber); n >= len(s.records) {
			return nil, errors.New("InvalidArgumentException: no such sequence number")
		}
		return &kinesis.GetShardIteratorOutput{ShardIterator: in.StartingSequenceNumber}, nil
	}
	if in.ShardIteratorType == types.ShardIteratorTypeAfterSequenceNumber {
		n, _ := strconv.Atoi(*in.StartingSequenceNumber)
		return &kinesis.GetShardIteratorOutput{ShardIterator: aws.String(strconv.Itoa(n + 1))}, nil
	}
	return &kinesis.GetShardIteratorOutput{ShardIterator: aws.String("0")}, nil
}

func (s *fakeStream) GetRecords(_ context.Context, in *kinesis.GetRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	from, _ := strconv.Atoi(*in.ShardIterator)
	from = max(from, s.trimmed)
	to := min(len(s.records), from+int(*in.Limit))
	return &kinesis.GetRecordsOutput{Records: s.records[from:to], NextShardIterator: aws.String(strconv.Itoa(to))}, nil
}

func (s *fakeStream) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &kinesis.PutRecordsOutput{}
	for _, r := range in.Records {
		var f FailedBatch
		if err := json.Unmarshal(r.Data, &f); err != nil {
			return nil, err
		}
		s.failed = append(s.failed, f)
		out.Records = append(out.Records, types.PutRecordsResultEntry{SequenceNumber: aws.String("x")})
	}
	return out, nil
}

// fakeFunction answers with fn and records the sequence numbers of every
// invocation.
type fakeFunction struct {
	mu    sync.Mutex
	calls [][]string
	fn    func(seqs []string) ([]byte, error)
}

func (f *fakeFunction) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	var ev events.KinesisEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	var seqs []string
	for _, r := range ev.Records {
		seqs = append(seqs, r.Kinesis.SequenceNumber)
	}
	f.mu.Lock()
	f.calls = append(f.calls, seqs)
	f.mu.Unlock()
	return f.fn(seqs)
}

var ok = []byte(`{"batchItemFailures": []}`)

func seqs(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// runUntilDone runs the mapping until the shard is checkpointed at its last
// record.
func runUntilDone(t *testing.T, s *fakeStream, fn *fakeFunction, cfg Config) *Mapping {
	t.Helper()
	cfg.Stream, cfg.OnFailure, cfg.Poll, cfg.RetryWait = "in", "failures", time.Millisecond, time.Millisecond
	m := New(s, []Invoker{fn}, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	last := strconv.Itoa(len(s.records) - 1)
	for deadline := time.Now().Add(5 * time.Second); m.Checkpoint("shardId-000000000000") != last; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("shard not done; calls %v", fn.calls)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPartialFailureRetriedFromLowest(t *testing.T) {
	s := newStream(10)
	first := true
	fn := &fakeFunction{fn: func(got []string) ([]byte, error) {
		if first {
			first = false
			return []byte(`{"batchItemFailures": [{"itemIdentifier": "7"}, {"itemIdentifier": "5"}]}`), nil
		}
		return ok, nil
	}}
	runUntilDone(t, s, fn, Config{BatchSize: 10, MaxRetries: 3})
	if diff := cmp.Diff([][]string{seqs(0, 10), seqs(5, 10)}, fn.calls); diff != "" {
		t.Errorf("invocations (-want +got):\n%s", diff)
	}
}

func TestUnknownItemIdentifierFailsTheBatch(t *testing.T) {
	s := newStream(4)
	first := true
	fn := &fakeFunction{fn: func([]string) ([]byte, error) {
		if first {
			first = false
			return []byte(`{"batchItemFailures": [{"itemIdentifier": "nope"}]}`), nil
		}
		return ok, nil
	}}
	runUntilDone(t, s, fn, Config{BatchSize: 4, MaxRetries: 3})
	if diff := cmp.Diff([][]string{seqs(0, 4), seqs(0, 4)}, fn.calls); diff != "" {
		t.Errorf("invocations (-want +got):\n%s", diff)
	}
}

// poisonAt fails any invocation that holds the record seq and another.
func poisonAt(seq string, alone bool) func([]string) ([]byte, error) {
	return func(got []string) ([]byte, error) {
		for _, s := range got {
			if s == seq && (len(got) > 1 || !alone) {
				return nil, errors.New("boom")
			}
		}
		return ok, nil
	}
}

func TestBisectionIsolatesTheFailingRecord(t *testing.T) {
	s := newStream(8)
	fn := &fakeFunction{fn: poisonAt("3", true)}
	m := runUntilDone(t, s, fn, Config{BatchSize: 8, Bisect: true, MaxRetries: 0})
	want := [][]string{seqs(0, 8), seqs(0, 4), seqs(0, 2), seqs(2, 4), {"2"}, {"3"}, seqs(4, 8)}
	if diff := cmp.Diff(want, fn.calls); diff != "" {
		t.Errorf("invocations (-want +got):\n%s", diff)
	}
	if n := m.Stats.Bisections.Load(); n != 3 {
		t.Errorf("%d bisections, want 3", n)
	}
	if len(s.failed) != 0 {
		t.Errorf("records sent to the on-failure stream: %v", s.failed)
	}
}

func TestRetriesExhaustedGoToOnFailure(t *testing.T) {
	s := newStream(4)
	fn := &fakeFunction{fn: poisonAt("2", false)}
	runUntilDone(t, s, fn, Config{BatchSize: 4, MaxRetries: 2})
	if diff := cmp.Diff([][]string{seqs(0, 4), seqs(0, 4), seqs(0, 4)}, fn.calls); diff != "" {
		t.Errorf("invocations (-want +got):\n%s", diff)
	}
	if len(s.failed) != 1 {
		t.Fatalf("%d messages on the on-failure stream, want one for the batch of 4", len(s.failed))
	}
	f := s.failed[0]
	arrival := time.Unix(1700000000, 0)
	want := BatchInfo{ShardID: "shardId-000000000000", StartSequenceNumber: "0", EndSequenceNumber: "3", BatchSize: 4,
		StreamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/in", ApproximateArrivalOfFirstRecord: arrival, ApproximateArrivalOfLastRecord: arrival}
	if diff := cmp.Diff(want, f.KinesisBatchInfo); diff != "" {
		t.Errorf("on-failure batch info (-want +got):\n%s", diff)
	}
	if c := f.RequestContext.Condition; c != "RetryAttemptsExhausted" {
		t.Errorf("condition %q, want RetryAttemptsExhausted", c)
	}
	if n := f.RequestContext.ApproximateInvokeCount; n != 3 {
		t.Errorf("approximateInvokeCount %d, want 3 (the first call and two retries)", n)
	}
	if e := f.RequestContext.FunctionError; !strings.Contains(e, "boom") {
		t.Errorf("functionError %q, want the function's error", e)
	}
}

func TestBisectThenRetryLimitSendsOnlyThePoison(t *testing.T) {
	s := newStream(8)
	fn := &fakeFunction{fn: poisonAt("5", false)}
	m := runUntilDone(t, s, fn, Config{BatchSize: 8, Bisect: true, MaxRetries: 1})
	if len(s.failed) != 1 {
		t.Fatalf("on-failure stream got %d messages, want one for record 5: %+v", len(s.failed), s.failed)
	}
	if b := s.failed[0].KinesisBatchInfo; b.StartSequenceNumber != "5" || b.EndSequenceNumber != "5" {
		t.Errorf("on-failure batch %s..%s, want record 5 alone", b.StartSequenceNumber, b.EndSequenceNumber)
	}
	if m.Stats.ToOnFailure.Load() != 1 || m.Stats.Retries.Load() != 1 {
		t.Errorf("stats: %d to on-failure, %d retries", m.Stats.ToOnFailure.Load(), m.Stats.Retries.Load())
	}
}

func TestBatchesRespectSizeAndBytes(t *testing.T) {
	s := newStream(25)
	fn := &fakeFunction{fn: func([]string) ([]byte, error) { return ok, nil }}
	runUntilDone(t, s, fn, Config{BatchSize: 10, MaxRetries: 0})
	if diff := cmp.Diff([][]string{seqs(0, 10), seqs(10, 20), seqs(20, 25)}, fn.calls); diff != "" {
		t.Errorf("invocations (-want +got):\n%s", diff)
	}
	s2 := newStream(6)
	fn2 := &fakeFunction{fn: func([]string) ([]byte, error) { return ok, nil }}
	// Each record counts about 610 bytes of payload: two fit in 1,300.
	runUntilDone(t, s2, fn2, Config{BatchSize: 100, MaxBatchBytes: 1300, MaxRetries: 0})
	if diff := cmp.Diff([][]string{seqs(0, 2), seqs(2, 4), seqs(4, 6)}, fn2.calls); diff != "" {
		t.Errorf("invocations by bytes (-want +got):\n%s", diff)
	}
}

func TestFunctionErrorResponse(t *testing.T) {
	s := newStream(2)
	n := 0
	fn := &fakeFunction{fn: func([]string) ([]byte, error) {
		n++
		if n == 1 {
			return []byte(`{"errorType": "Runtime.ExitError", "errorMessage": "exit status 86"}`), nil
		}
		return ok, nil
	}}
	m := runUntilDone(t, s, fn, Config{BatchSize: 2, MaxRetries: 3})
	if m.Stats.FunctionErrors.Load() != 1 || len(fn.calls) != 2 {
		t.Errorf("%d function errors, %d calls", m.Stats.FunctionErrors.Load(), len(fn.calls))
	}
}

// TestRedrive: a batch given up on is read back from the stream by its
// metadata alone and delivered again once the function works.
func TestRedrive(t *testing.T) {
	s := newStream(8)
	broken := true
	fn := &fakeFunction{fn: func(seqs []string) ([]byte, error) {
		if broken && slices.Contains(seqs, "5") {
			return nil, errors.New("boom")
		}
		return ok, nil
	}}
	m := runUntilDone(t, s, fn, Config{BatchSize: 8, Bisect: true, MaxRetries: 1})
	if len(s.failed) != 1 {
		t.Fatalf("on-failure stream got %+v, want one batch", s.failed)
	}
	broken = false
	fn.calls = nil
	n, err := m.Redrive(context.Background(), s.failed[0].KinesisBatchInfo)
	if err != nil || n != 1 {
		t.Fatalf("Redrive = %d, %v", n, err)
	}
	if diff := cmp.Diff([][]string{{"5"}}, fn.calls); diff != "" {
		t.Errorf("invocations (-want +got):\n%s", diff)
	}
	if len(s.failed) != 1 {
		t.Errorf("the redriven batch went to the on-failure stream again: %+v", s.failed)
	}
	if _, err := m.Redrive(context.Background(), BatchInfo{ShardID: "shardId-000000000000", StartSequenceNumber: "99", EndSequenceNumber: "99"}); err == nil {
		t.Error("Redrive of records the stream no longer holds did not fail")
	}
}

// TestCheckpointsResume: a second run starts after the last record the
// first one checkpointed in the file.
func TestCheckpointsResume(t *testing.T) {
	file := filepath.Join(t.TempDir(), "checkpoints.json")
	s := newStream(4)
	fn := &fakeFunction{fn: func([]string) ([]byte, error) { return ok, nil }}
	runUntilDone(t, s, fn, Config{BatchSize: 4, Checkpoints: file})

	s.records = newStream(6).records
	fn.calls = nil
	runUntilDone(t, s, fn, Config{BatchSize: 4, Checkpoints: file})
	if diff := cmp.Diff([][]string{seqs(4, 6)}, fn.calls); diff != "" {
		t.Errorf("invocations of the second run (-want +got):\n%s", diff)
	}
}

func TestCheckpointReadErrorStopsRun(t *testing.T) {
	file := filepath.Join(t.TempDir(), "checkpoints.json")
	if err := os.WriteFile(file, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	fn := &fakeFunction{fn: func([]string) ([]byte, error) { return ok, nil }}
	m := New(newStream(2), []Invoker{fn}, Config{Stream: "in", Checkpoints: file})
	err := m.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "checkpoints") {
		t.Errorf("Run with an unreadable checkpoint file = %v, want a checkpoint error", err)
	}
	if len(fn.calls) != 0 {
		t.Errorf("Run invoked the function %d times before failing", len(fn.calls))
	}
}

func TestCheckpointWriteErrorStopsRun(t *testing.T) {
	file := filepath.Join(t.TempDir(), "missing", "checkpoints.json")
	fn := &fakeFunction{fn: func([]string) ([]byte, error) { return ok, nil }}
	m := New(newStream(2), []Invoker{fn}, Config{Stream: "in", BatchSize: 2, Poll: time.Millisecond, Checkpoints: file})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := m.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "write checkpoints") {
		t.Errorf("Run with an unwritable checkpoint file = %v, want a checkpoint error", err)
	}
	if ctx.Err() != nil {
		t.Error("Run went on until its context ended instead of stopping at the error")
	}
}
