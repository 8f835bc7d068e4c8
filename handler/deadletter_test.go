package handler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
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

// TestDeadLetterFits (issue 30, finding 2): whatever the record, its dead
// letter fits in a Kinesis record, data plus key within 1 MiB and a key
// Kinesis takes: a user record's key, which Kinesis never checked, is cut
// at 256 characters and the dead letter says so, with the key's size and
// sha256; so is every other field a hand-made event may make long.
func TestDeadLetterFits(t *testing.T) {
	long := strings.Repeat("\x01", 1<<20)
	for _, r := range []kinesisRecord{
		{EventID: "shardId-0:1:0", Kinesis: kinesisData{Data: []byte("x"), PartitionKey: strings.Repeat("\x01", 200_000), SequenceNumber: "1"}},
		{EventID: long, Kinesis: kinesisData{Data: []byte(long), PartitionKey: long, SequenceNumber: long}},
		{EventID: "s:1", Kinesis: kinesisData{Data: []byte(long), PartitionKey: strings.Repeat("😀", 200), SequenceNumber: "\xff"}},
		{EventID: long[:4096] + ":" + long, Kinesis: kinesisData{Data: []byte(long), PartitionKey: long[:256] + "\x01", SequenceNumber: long}},
	} {
		e := deadLetterEntry(&r, 0, fmt.Errorf("refused: %s", long))
		// deadletter.go's bound, which DEPLOY.md states.
		if err := kinesisout.CheckEntry(e); err != nil || len(e.Data)+len(e.Key) > 460<<10 {
			t.Errorf("dead letter of %d bytes, key %.20q: %v", len(e.Data), e.Key, err)
		}
		var d deadLetter
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(r.Kinesis.PartitionKey))
		if !d.PartitionKeyTruncated || d.PartitionKeySize != len(r.Kinesis.PartitionKey) || d.PartitionKeySHA256 != hex.EncodeToString(sum[:]) ||
			utf16Len(d.PartitionKey) > 256 || !strings.HasPrefix(r.Kinesis.PartitionKey, d.PartitionKey) {
			t.Errorf("key of %d bytes: truncated %v, size %d, sha256 %s, kept %d characters", len(r.Kinesis.PartitionKey), d.PartitionKeyTruncated,
				d.PartitionKeySize, d.PartitionKeySHA256, utf16Len(d.PartitionKey))
		}
	}
}

// TestLongKeyUserRecords (issue 30, finding 2): an aggregate of user
// records with a 200 KB key of control characters, which JSON escapes 6
// times larger: its valid rides are predicted and its invalid one
// dead-lettered, in dead letters under 1 MiB that Kinesis takes (before,
// each was 1.2 MB, the dead-letter stream refused them all, and the
// aggregate failed on every invocation), keyed as Kinesis allows.
func TestLongKeyUserRecords(t *testing.T) {
	key := strings.Repeat("\x01", 200_000)
	k := &keyedKinesis{written: map[string][]keyed{}}
	h := New(keyedLimits{k}, Config{Retry: fastRetry})
	res := invoke(t, h, kinesisEvent(t, sharedKey(key, rideEvent(1, 130, 205, 1), []byte(`{"ride_id": 2}`), rideEvent(3, 130, 205, 1))))
	if len(res.BatchItemFailures) != 0 || len(k.written["ride_prediction"]) != 2 || len(k.written["ride_events_dlq"]) != 1 {
		t.Fatalf("%d failures, %d predictions, %d dead letters; want 0, 2, 1", len(res.BatchItemFailures), len(k.written["ride_prediction"]),
			len(k.written["ride_events_dlq"]))
	}
	w := k.written["ride_events_dlq"][0]
	var d deadLetter
	if err := json.Unmarshal([]byte(w.Data), &d); err != nil {
		t.Fatal(err)
	}
	if len(w.Data) > 4<<10 || !d.PartitionKeyTruncated || d.PartitionKeySize != len(key) || w.Key != "seq-0" || d.Error != "ride: missing" {
		t.Errorf("dead letter of %d bytes under key %q: %+v", len(w.Data), w.Key, d)
	}
}

// keyedLimits is keyedKinesis behind Kinesis's limits on one record.
type keyedLimits struct{ *keyedKinesis }

func (k keyedLimits) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	if err := kinesisLimits(ctx, aws.ToString(in.StreamName), in.Records); err != nil {
		return nil, err
	}
	return k.keyedKinesis.PutRecords(ctx, in, opts...)
}

// TestDeadLetterLoggedDataFirst (issue 30, finding 2): a dead letter the
// dead-letter stream refuses goes to the log cut at 64 KiB, its data
// before its partition key, so that a long key cannot push the data out.
func TestDeadLetterLoggedDataFirst(t *testing.T) {
	fake := newFake()
	fake.callErr = func(_ context.Context, stream string, _ []types.PutRecordsRequestEntry) error {
		if stream == "ride_events_dlq" {
			return &smithy.GenericAPIError{Code: "ValidationException",
				Message: "1 validation error detected: Value 'x' at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576"}
		}
		return nil
	}
	var logs bytes.Buffer
	h := New(fake, Config{Retry: fastRetry, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	res := invoke(t, h, kinesisEvent(t, sharedKey(strings.Repeat("\x01", 200_000), []byte(`{"ride_id": "lost?"}`))))
	if len(res.BatchItemFailures) != 0 {
		t.Fatalf("failures: %v", res.BatchItemFailures)
	}
	var line struct {
		DeadLetter string `json:"dead_letter"`
	}
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "dead letter kept here") {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	data := `"data": "` + base64.StdEncoding.EncodeToString([]byte(`{"ride_id": "lost?"}`)) + `"`
	if i, j := strings.Index(line.DeadLetter, data), strings.Index(line.DeadLetter, `"partition_key"`); i < 0 || j >= 0 && j < i {
		t.Errorf("logged dead letter keeps the data at %d, the key at %d: %.300s", i, j, line.DeadLetter)
	}
}
