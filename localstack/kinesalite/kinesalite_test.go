package kinesalite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// awkward stands in front of kinesalite and behaves as real Kinesis may:
// each GetRecords call answers an empty page, still behind, before the
// records (emptyPages of them per iterator), and an iterator expires once
// when expire is set.
type awkward struct {
	target     string
	emptyPages int
	expire     atomic.Bool
	mu         sync.Mutex
	seen       map[string]int // empty pages given per iterator
	empty      atomic.Int64
	expired    atomic.Int64
}

func (a *awkward) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetRecords") {
		var in struct{ ShardIterator string }
		json.Unmarshal(body, &in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if a.expire.CompareAndSwap(true, false) {
			a.expired.Add(1)
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type": "ExpiredIteratorException", "message": "Iterator expired (injected)"}`)
			return
		}
		a.mu.Lock()
		n := a.seen[in.ShardIterator]
		a.seen[in.ShardIterator] = n + 1
		a.mu.Unlock()
		if n < a.emptyPages {
			a.empty.Add(1)
			fmt.Fprintf(w, `{"Records": [], "NextShardIterator": %q, "MillisBehindLatest": 5000}`, in.ShardIterator)
			return
		}
	}
	proc.Forward(w, r, a.target, body)
}

func startAwkward(t *testing.T) (*awkward, *kinesis.Client, *kinesis.Client) {
	t.Helper()
	s, direct := MustStart(t, map[string]int32{"s": 2})
	a := &awkward{target: s.Endpoint, emptyPages: 3, seen: map[string]int{}}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return a, direct, Client(srv.URL)
}

func put(t *testing.T, c *kinesis.Client, from, to int) []string {
	t.Helper()
	var want []string
	in := &kinesis.PutRecordsInput{StreamName: aws.String("s")}
	for i := from; i < to; i++ {
		want = append(want, fmt.Sprint(i))
		in.Records = append(in.Records, types.PutRecordsRequestEntry{Data: []byte(fmt.Sprint(i)), PartitionKey: aws.String(fmt.Sprint(i))})
	}
	if _, err := c.PutRecords(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return want
}

// TestReadAllPastEmptyPages: empty pages before the records do not end the
// read, and an expired iterator is renewed where it left off.
func TestReadAllPastEmptyPages(t *testing.T) {
	a, direct, awkward := startAwkward(t)
	want := put(t, direct, 0, 40)
	a.expire.Store(true)
	recs, err := ReadAll(context.Background(), awkward, "s")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, string(r.Data))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("read %d of %d records", len(got), len(want))
	}
	if a.empty.Load() == 0 {
		t.Error("no empty page was served: the test tested nothing")
	}
	if n := a.expired.Load(); n != 1 {
		t.Errorf("%d iterators expired, want the one the test expires", n)
	}
}

// TestFollowRenewsExpiredIterators: following, an expired iterator is
// renewed after the last record seen, so nothing is skipped or repeated.
func TestFollowRenewsExpiredIterators(t *testing.T) {
	a, direct, awkward := startAwkward(t)
	want := put(t, direct, 0, 20)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var got []string
	done := make(chan error, 1)
	go func() {
		done <- Follow(ctx, awkward, "s", types.ShardIteratorTypeTrimHorizon, 10*time.Millisecond, func(r Record) {
			mu.Lock()
			got = append(got, string(r.Data))
			mu.Unlock()
		})
	}()
	wait := func(n int) {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			mu.Lock()
			have := len(got)
			mu.Unlock()
			if have >= n || time.Now().After(deadline) {
				return
			}
		}
	}
	wait(len(want))
	a.expire.Store(true)
	want = append(want, put(t, direct, 20, 40)...)
	wait(len(want))
	time.Sleep(100 * time.Millisecond) // room for duplicates to show
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || a.expired.Load() != 1 {
		t.Fatalf("followed %d records, want %d once each (%d expired iterators)", len(got), len(want), a.expired.Load())
	}
}
