package esm

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/google/go-cmp/cmp"
)

func TestLaneOf(t *testing.T) {
	for _, lanes := range []int{1, 2, 3, 10} {
		count := make([]int, lanes)
		for i := range 10000 {
			key := fmt.Sprintf("key-%d", i)
			l := laneOf(key, lanes)
			if l < 0 || l >= lanes {
				t.Fatalf("laneOf(%q, %d) = %d", key, lanes, l)
			}
			if again := laneOf(key, lanes); again != l {
				t.Fatalf("laneOf(%q, %d) = %d, then %d", key, lanes, l, again)
			}
			count[l]++
		}
		for l, n := range count {
			if n < 10000/lanes*8/10 {
				t.Errorf("%d lanes: lane %d got %d of 10,000 keys: %v", lanes, l, n, count)
			}
		}
	}
}

func TestProgress(t *testing.T) {
	recs := func(seqs ...string) []types.Record {
		var out []types.Record
		for _, s := range seqs {
			out = append(out, types.Record{SequenceNumber: aws.String(s)})
		}
		return out
	}
	p := newProgress()
	p.add(recs("1", "2", "3", "4", "5"))
	for _, step := range []struct {
		done string
		want string // the checkpoint after it, "" if it did not move
	}{
		{"2 4", ""}, // 1 is not handled yet
		{"1", "2"},
		{"5", ""},
		{"3", "5"},
	} {
		if got := p.done(recs(strings.Fields(step.done)...)); got != step.want {
			t.Errorf("after %s handled: checkpoint %q, want %q", step.done, got, step.want)
		}
	}
	if !p.empty() {
		t.Errorf("every record handled, but %v still read", p.read)
	}
}

// inOrder is a function that checks, as it is invoked, what a
// ParallelizationFactor promises: no two invocations in flight hold
// records of one partition key, and each key's records come in the order
// they were put. A record's data is "KEY N", N counting each key's
// records from 0. It sleeps delay in each invocation, so that they
// overlap.
type inOrder struct {
	delay    time.Duration
	mu       sync.Mutex
	inFlight map[string]bool
	next     map[string]int
	records  int
	errs     []string
}

func newInOrder(delay time.Duration) *inOrder {
	return &inOrder{delay: delay, inFlight: map[string]bool{}, next: map[string]int{}}
}

func (f *inOrder) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	var ev events.KinesisEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	var mine []string
	f.mu.Lock()
	for _, r := range ev.Records {
		key, n, _ := strings.Cut(string(r.Kinesis.Data), " ")
		i, _ := strconv.Atoi(n)
		if f.inFlight[key] && !slices.Contains(mine, key) {
			f.errs = append(f.errs, fmt.Sprintf("%s in two invocations at once", key))
		}
		if i != f.next[key] {
			f.errs = append(f.errs, fmt.Sprintf("%s: record %d after %d", key, i, f.next[key]-1))
		}
		f.next[key] = i + 1
		f.inFlight[key] = true
		mine = append(mine, key)
		f.records++
	}
	f.mu.Unlock()
	time.Sleep(f.delay)
	f.mu.Lock()
	for _, key := range mine {
		delete(f.inFlight, key)
	}
	f.mu.Unlock()
	return ok, nil
}

// done is how many records it was given, and what went wrong.
func (f *inOrder) done() (int, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.records, append([]string(nil), f.errs...)
}

// keyedStream is one shard whose records, sequence numbers "0".."n-1",
// take turns among keys: record i is "key<i%keys> <i/keys>".
func keyedStream(keys, perKey int) *fakeStream {
	s := &fakeStream{}
	for i := range keys * perKey {
		key := fmt.Sprintf("key%d", i%keys)
		s.records = append(s.records, types.Record{SequenceNumber: aws.String(strconv.Itoa(i)), PartitionKey: aws.String(key),
			Data: fmt.Appendf(nil, "%s %d", key, i/keys), ApproximateArrivalTimestamp: aws.Time(time.Now())})
	}
	return s
}

// TestParallelBatchesKeepKeysInOrder: with ParallelizationFactor 4 and
// four invokers, one shard's batches run four at once, each key's records
// in order and never in two invocations at once, and the checkpoint
// reaches the last record.
func TestParallelBatchesKeepKeysInOrder(t *testing.T) {
	s := keyedStream(20, 30)
	fn := newInOrder(2 * time.Millisecond)
	cfg := Config{Stream: "in", BatchSize: 5, ParallelizationFactor: 4, Poll: time.Millisecond}
	m := New(s, []Invoker{fn, fn, fn, fn}, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	last := strconv.Itoa(len(s.records) - 1)
	for deadline := time.Now().Add(10 * time.Second); m.Checkpoint("shardId-000000000000") != last; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	n, errs := fn.done()
	if diff := cmp.Diff([]string(nil), errs); diff != "" {
		t.Errorf("order broken (-want +got):\n%s", diff)
	}
	if n != len(s.records) || m.Checkpoint("shardId-000000000000") != last {
		t.Errorf("%d of %d records delivered, checkpoint %q, want %s", n, len(s.records), m.Checkpoint("shardId-000000000000"), last)
	}
	if p := m.Stats.MaxInFlight.Load(); p < 2 || p > 4 {
		t.Errorf("at most %d invocations in flight at once, want 2 to 4", p)
	}
}

func TestConcurrency(t *testing.T) {
	for _, tc := range []struct{ shards, pf, want int }{{1, 0, 1}, {1, 1, 1}, {4, 1, 4}, {2, 3, 6}, {3, 12, 30}} {
		if got := Concurrency(tc.shards, tc.pf); got != tc.want {
			t.Errorf("Concurrency(%d, %d) = %d, want %d", tc.shards, tc.pf, got, tc.want)
		}
	}
}
