package handler

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

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
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	b, err := h.Invoke(ctx, kinesisEvent(t, rides(3)...))
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Error("the handler was still retrying when the invocation's deadline passed")
	}
	if len(fake.calls) < 3 {
		t.Errorf("%d calls: the handler gave up without retrying", len(fake.calls))
	}
	var res Response
	json.Unmarshal(b, &res)
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
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	b, err := h.Invoke(ctx, kinesisEvent(t, rides(3)...))
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Error("the handler answered after the invocation's deadline")
	}
	var res Response
	json.Unmarshal(b, &res)
	if diff := cmp.Diff(failures("seq-0", "seq-1", "seq-2"), res.BatchItemFailures); diff != "" {
		t.Errorf("batch item failures (-want +got):\n%s", diff)
	}
}
