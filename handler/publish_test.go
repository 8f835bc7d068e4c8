package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
)

func TestPartialFailuresRetriedUntilWritten(t *testing.T) {
	fake := newFake()
	fake.entryErr = func(_, data string, n int) string {
		if strings.Contains(data, `"ride_id": 3,`) && n <= 3 {
			return "ProvisionedThroughputExceededException"
		}
		if strings.Contains(data, `"ride_id": 7,`) && n == 1 {
			return "InternalFailure"
		}
		return ""
	}
	h := New(fake, Config{Retry: fastRetry})
	res := invoke(t, h, kinesisEvent(t, rides(10)...))
	if len(res.BatchItemFailures) != 0 {
		t.Fatalf("failures: %v", res.BatchItemFailures)
	}
	if n := len(fake.written["ride_prediction"]); n != 10 {
		t.Fatalf("%d written, want 10", n)
	}
	// One call for all, then ride 3 and 7, then ride 3 twice more.
	if diff := cmp.Diff([]int{10, 2, 1, 1}, fake.calls); diff != "" {
		t.Errorf("records per call (-want +got):\n%s", diff)
	}
}

func TestRetriesExhausted(t *testing.T) {
	fake := newFake()
	fake.entryErr = func(_, data string, _ int) string {
		if strings.Contains(data, `"ride_id": 2,`) || strings.Contains(data, `"ride_id": 5,`) {
			return "ProvisionedThroughputExceededException"
		}
		return ""
	}
	h := New(fake, Config{Retry: kinesisout.Retry{Base: time.Millisecond, Max: time.Millisecond, Rounds: 4}})
	res := invoke(t, h, kinesisEvent(t, rides(8)...))
	if diff := cmp.Diff(failures("seq-2", "seq-5"), res.BatchItemFailures); diff != "" {
		t.Errorf("batch item failures (-want +got):\n%s", diff)
	}
	if n := len(fake.written["ride_prediction"]); n != 6 {
		t.Errorf("%d written, want 6", n)
	}
}

// TestRetriesStopBeforeTheDeadline: with entries that always fail, the
// handler stops retrying while the invocation still has its margin left,
// and reports them, instead of running into Lambda's time-out.
func TestRetriesStopBeforeTheDeadline(t *testing.T) {
	fake := newFake()
	fake.entryErr = func(string, string, int) string { return "InternalFailure" }
	h := New(fake, Config{Retry: kinesisout.Retry{Base: 20 * time.Millisecond, Max: 40 * time.Millisecond, Margin: 300 * time.Millisecond, Rounds: 1000}})
	res := invokeWithin(t, h, time.Second, rides(3))
	if len(fake.calls) < 3 {
		t.Errorf("%d calls: the handler gave up without retrying", len(fake.calls))
	}
	if diff := cmp.Diff(failures("seq-0", "seq-1", "seq-2"), res.BatchItemFailures); diff != "" {
		t.Errorf("batch item failures (-want +got):\n%s", diff)
	}
}

func TestWholeCallFailure(t *testing.T) {
	fake := newFake()
	fake.callErr = func(_ context.Context, stream string, _ []types.PutRecordsRequestEntry) error {
		if stream == "ride_prediction" {
			return &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Stream ride_prediction not found"}
		}
		return nil
	}
	h := New(fake, Config{Retry: fastRetry})
	res := invoke(t, h, kinesisEvent(t, rides(3)...))
	if diff := cmp.Diff(failures("seq-0", "seq-1", "seq-2"), res.BatchItemFailures); diff != "" {
		t.Errorf("batch item failures (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{3}, fake.calls); diff != "" {
		t.Errorf("a permanent error was retried (-want +got):\n%s", diff)
	}
}

func TestThrottledCallRetried(t *testing.T) {
	fake := newFake()
	calls := 0
	fake.callErr = func(context.Context, string, []types.PutRecordsRequestEntry) error {
		calls++
		if calls <= 2 {
			return &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException", Message: "slow down"}
		}
		return nil
	}
	h := New(fake, Config{Retry: fastRetry})
	res := invoke(t, h, kinesisEvent(t, rides(4)...))
	if len(res.BatchItemFailures) != 0 || len(fake.written["ride_prediction"]) != 4 {
		t.Fatalf("failures %v, written %d", res.BatchItemFailures, len(fake.written["ride_prediction"]))
	}
}

// TestRefusedCallBisected: Kinesis refuses a whole call for one bad entry;
// the handler splits it until that entry stands alone, dead-letters its
// ride with the error, and writes the rest.
func TestRefusedCallBisected(t *testing.T) {
	fake := newFake()
	fake.callErr = func(_ context.Context, stream string, records []types.PutRecordsRequestEntry) error {
		for _, r := range records {
			if stream == "ride_prediction" && strings.Contains(string(r.Data), `"ride_id": 137,`) {
				return &smithy.GenericAPIError{Code: "ValidationException", Message: "1 validation error detected: Value 'x' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256"}
			}
		}
		return nil
	}
	h := New(fake, Config{Retry: fastRetry})
	res := invoke(t, h, kinesisEvent(t, rides(300)...))
	if len(res.BatchItemFailures) != 0 {
		t.Fatalf("failures: %v", res.BatchItemFailures)
	}
	if n := len(fake.written["ride_prediction"]); n != 299 {
		t.Errorf("%d predictions written, want 299", n)
	}
	dead := fake.written["ride_events_dlq"]
	if len(dead) != 1 || !strings.Contains(dead[0], `"sequence_number": "seq-137"`) || !strings.Contains(dead[0], "prediction refused") {
		t.Errorf("dead letters: %v", dead)
	}
	if len(fake.calls) > 2+2*9 {
		t.Errorf("%d calls to isolate one entry of 300: %v", len(fake.calls), fake.calls)
	}
}

// TestHungPutRecords: a PutRecords call that never answers is cut off
// before the invocation's deadline, and the handler answers in time with
// the rides reported for a retry.
func TestHungPutRecords(t *testing.T) {
	fake := newFake()
	fake.callErr = func(ctx context.Context, _ string, _ []types.PutRecordsRequestEntry) error {
		<-ctx.Done()
		return ctx.Err()
	}
	h := New(fake, Config{Retry: kinesisout.Retry{Base: 10 * time.Millisecond, Max: 20 * time.Millisecond, Margin: 200 * time.Millisecond, Rounds: 100}})
	res := invokeWithin(t, h, time.Second, rides(3))
	if diff := cmp.Diff(failures("seq-0", "seq-1", "seq-2"), res.BatchItemFailures); diff != "" {
		t.Errorf("batch item failures (-want +got):\n%s", diff)
	}
}

// invokeWithin invokes h on rides with a deadline of d from now and
// checks that it answers, before the deadline.
func invokeWithin(t *testing.T, h *Handler, d time.Duration, rides [][]byte) Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	b, err := h.Invoke(ctx, kinesisEvent(t, rides...))
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Error("the handler answered after the invocation's deadline (still retrying, or waiting on a call)")
	}
	var res Response
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// kinesisLimits refuses a call as Kinesis does when one of its entries
// is past the limits on one record: the whole call, naming the entries.
func kinesisLimits(_ context.Context, _ string, records []types.PutRecordsRequestEntry) error {
	var clauses []string
	for i, r := range records {
		if n := len(r.Data) + len(aws.ToString(r.PartitionKey)); n > 1<<20 {
			clauses = append(clauses, fmt.Sprintf("Value 'java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]' at 'records.%d.member.data' failed to satisfy constraint: "+
				"Member must have length less than or equal to 1048576", n, n, i+1))
		}
		if n := utf16Len(aws.ToString(r.PartitionKey)); n < 1 || n > 256 {
			clauses = append(clauses, fmt.Sprintf("Value 'k' at 'records.%d.member.partitionKey' failed to satisfy constraint: "+
				"Member must have length less than or equal to 256", i+1))
		}
	}
	if len(clauses) == 0 {
		return nil
	}
	return &smithy.GenericAPIError{Code: "ValidationException", Message: fmt.Sprintf("%d validation errors detected: %s", len(clauses), strings.Join(clauses, "; "))}
}

// TestOversizePredictionsNotSplit (issue 30, finding 3): 20 rides whose
// ride_id is 180 KB of DEL characters, which json.dumps writes six times
// larger, so that each prediction is past 1 MiB, among 1,000 valid rides.
// Kinesis would refuse every call holding one; the handler knows it
// before any call, dead-letters those 20 and writes the 1,000 in one
// invocation, spending no split (before, bisection spent its 64 calls
// on four of them, and 743 valid rides went back to Lambda).
func TestOversizePredictionsNotSplit(t *testing.T) {
	payloads := rides(1000)
	oversize := map[string]bool{}
	for i := range 20 {
		id := strings.Repeat("\x7f", 180_000-i)
		p := []byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "` + id + `"}`)
		at := 25 + 50*i
		payloads = slices.Insert(payloads, at, p)
		oversize[fmt.Sprintf("seq-%d", at)] = true
	}
	fake := newFake()
	fake.callErr = kinesisLimits
	h := New(fake, Config{Retry: fastRetry})
	res := invoke(t, h, kinesisEvent(t, payloads...))
	if len(res.BatchItemFailures) != 0 {
		t.Fatalf("%d batch item failures", len(res.BatchItemFailures))
	}
	if n := len(fake.written["ride_prediction"]); n != 1000 {
		t.Errorf("%d predictions written, want 1000", n)
	}
	dead := fake.written["ride_events_dlq"]
	for _, d := range dead {
		var dl deadLetter
		if err := json.Unmarshal([]byte(d), &dl); err != nil || !oversize[dl.SequenceNumber] || !strings.Contains(dl.Error, "prediction refused") ||
			!strings.Contains(dl.Error, "not sent") || len(d) > 1<<20 {
			t.Fatalf("dead letter of %d bytes: %.300s (%v)", len(d), d, err)
		}
		delete(oversize, dl.SequenceNumber)
	}
	if len(dead) != 20 || len(oversize) != 0 {
		t.Errorf("%d dead letters; rides without one: %v", len(dead), oversize)
	}
	if len(fake.calls) != 2+1 { // 1,000 predictions in two calls, the dead letters in one
		t.Errorf("%d calls: %v", len(fake.calls), fake.calls)
	}
}
