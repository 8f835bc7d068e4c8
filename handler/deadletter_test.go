package handler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler/ride"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
)

func TestInvalidRecordsDeadLettered(t *testing.T) {
	payloads := rides(4)
	payloads = append(payloads,
		[]byte(`not json`),
		dictRide(9),
		[]byte(`{"ride_id": 10}`),
	)
	fake := newFake()
	h := New(fake, Config{Retry: fastRetry})
	res := invoke(t, h, kinesisEvent(t, payloads...))
	if len(res.BatchItemFailures) != 0 {
		t.Fatalf("failures: %v", res.BatchItemFailures)
	}
	if n := len(fake.written["ride_prediction"]); n != 4 {
		t.Errorf("%d predictions, want 4", n)
	}
	var got []deadLetter
	for _, d := range fake.written["ride_events_dlq"] {
		var dl deadLetter
		if err := json.Unmarshal([]byte(d), &dl); err != nil {
			t.Fatal(err)
		}
		got = append(got, dl)
	}
	dl := func(i int, reason string) deadLetter {
		sum := sha256.Sum256(payloads[i])
		return deadLetter{Error: reason, EventID: fmt.Sprintf("shardId-000000000000:seq-%d", i), ShardID: "shardId-000000000000",
			SequenceNumber: fmt.Sprintf("seq-%d", i), PartitionKey: fmt.Sprint(i), DataSize: len(payloads[i]),
			DataSHA256: hex.EncodeToString(sum[:]), Data: payloads[i]}
	}
	want := []deadLetter{
		dl(4, "not a JSON object: invalid JSON at byte 0: expecting a value, got 'n'"),
		dl(5, parseError(t, payloads[5])),
		dl(6, "ride: missing"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dead letters (-want +got):\n%s", diff)
	}
}

// dictRide is a ride event whose every field the model's prepare_features
// reads is a JSON object: Python raises on it whatever the function (str()
// of a dict is a divergence, float() and DictVectorizer raise TypeError).
func dictRide(id int) []byte {
	var members []string
	for _, f := range generated.Fields {
		members = append(members, strconv.Quote(f)+": {}")
	}
	return []byte(`{"ride": {` + strings.Join(members, ", ") + `}, "ride_id": ` + strconv.Itoa(id) + `}`)
}

// parseError is the reason ride.Parse gives for refusing data.
func parseError(t *testing.T, data []byte) string {
	t.Helper()
	_, err := ride.Parse(data)
	if err == nil {
		t.Fatalf("ride.Parse accepted %s", data)
	}
	return err.Error()
}

// TestDeadLetterBounded: an invalid record at Kinesis's 1 MiB limit becomes
// a dead letter well under it, with the data's size and sha256, and cannot
// block its batch.
func TestDeadLetterBounded(t *testing.T) {
	huge := bytes.Repeat([]byte("x"), 1<<20)
	fake := newFake()
	fake.callErr = func(_ context.Context, _ string, records []types.PutRecordsRequestEntry) error {
		for _, r := range records {
			if len(r.Data) > 1<<20 {
				return &smithy.GenericAPIError{Code: "ValidationException", Message: "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576"}
			}
		}
		return nil
	}
	h := New(fake, Config{Retry: fastRetry})
	res := invoke(t, h, kinesisEvent(t, append(rides(3), huge)...))
	if len(res.BatchItemFailures) != 0 || len(fake.written["ride_prediction"]) != 3 || len(fake.written["ride_events_dlq"]) != 1 {
		t.Fatalf("failures %v, %d predictions, %d dead letters", res.BatchItemFailures, len(fake.written["ride_prediction"]), len(fake.written["ride_events_dlq"]))
	}
	d := fake.written["ride_events_dlq"][0]
	var got deadLetter
	if err := json.Unmarshal([]byte(d), &got); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(huge)
	if len(d) > 400<<10 || !got.DataTruncated || got.DataSize != 1<<20 || len(got.Data) != maxDeadLetterData || got.DataSHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("dead letter of %d bytes: truncated %v, size %d, %d bytes kept, sha256 %s", len(d), got.DataTruncated, got.DataSize, len(got.Data), got.DataSHA256)
	}
}

// TestDeadLetterStreamRefuses: when the dead-letter stream refuses a dead
// letter on its own, the valid rides are written, nothing is reported for a
// retry, and the dead letter goes to the log. When it refuses the call (no
// permission, no such stream), the invalid record is reported for a retry:
// a later invocation may write it, and it is not checkpointed unwritten.
func TestDeadLetterStreamRefuses(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		failures []events.KinesisBatchItemFailure
		logged   bool
	}{
		{"entry", &smithy.GenericAPIError{Code: "ValidationException",
			Message: "1 validation error detected: Value 'x' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256"},
			failures(), true},
		{"call", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}, failures("seq-2"), false},
		{"stream", &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Stream ride_events_dlq not found"}, failures("seq-2"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake()
			fake.callErr = func(_ context.Context, stream string, _ []types.PutRecordsRequestEntry) error {
				if stream == "ride_events_dlq" {
					return tc.err
				}
				return nil
			}
			var logs bytes.Buffer
			h := New(fake, Config{Retry: fastRetry, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
			res := invoke(t, h, kinesisEvent(t, append(rides(2), []byte(`{}`))...))
			if diff := cmp.Diff(tc.failures, res.BatchItemFailures); diff != "" || len(fake.written["ride_prediction"]) != 2 {
				t.Errorf("%d predictions; failures (-want +got):\n%s", len(fake.written["ride_prediction"]), diff)
			}
			kept := strings.Contains(logs.String(), "dead letter kept here") && strings.Contains(logs.String(), `\"sequence_number\": \"seq-2\"`)
			if kept != tc.logged {
				t.Errorf("dead letter kept in the log: %v, want %v:\n%s", kept, tc.logged, logs.String())
			}
		})
	}
}

// TestDeadLetterStreamThrottles: a dead letter that could not be written in
// time is reported, so that Lambda sends its record again.
func TestDeadLetterStreamThrottles(t *testing.T) {
	fake := newFake()
	fake.entryErr = func(stream, _ string, _ int) string {
		if stream == "ride_events_dlq" {
			return "ProvisionedThroughputExceededException"
		}
		return ""
	}
	h := New(fake, Config{Retry: kinesisout.Retry{Base: time.Millisecond, Max: time.Millisecond, Rounds: 3}})
	res := invoke(t, h, kinesisEvent(t, append(rides(2), []byte(`{}`))...))
	if diff := cmp.Diff(failures("seq-2"), res.BatchItemFailures); diff != "" {
		t.Errorf("batch item failures (-want +got):\n%s", diff)
	}
}
