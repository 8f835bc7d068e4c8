package handler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler/kinesisout"
	"github.com/nyc-taxi/ridepred/handler/ride"
	"github.com/nyc-taxi/ridepred/internal/golden"
)

// fakeKinesis records what is written; entryErr and callErr inject faults.
type fakeKinesis struct {
	mu       sync.Mutex
	calls    []int // records per call
	written  map[string][]string
	attempts map[string]int // sends per record data
	// entryErr returns an error code for one entry on its nth send (1-based), or "".
	entryErr func(stream, data string, n int) string
	callErr  func(ctx context.Context, stream string, records []types.PutRecordsRequestEntry) error
}

func newFake() *fakeKinesis {
	return &fakeKinesis{written: map[string][]string{}, attempts: map[string]int{}}
}

func (f *fakeKinesis) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	stream := aws.ToString(in.StreamName)
	f.calls = append(f.calls, len(in.Records))
	if f.callErr != nil {
		if err := f.callErr(ctx, stream, in.Records); err != nil {
			return nil, err
		}
	}
	out := &kinesis.PutRecordsOutput{}
	for _, r := range in.Records {
		data := string(r.Data)
		f.attempts[data]++
		if f.entryErr != nil {
			if code := f.entryErr(stream, data, f.attempts[data]); code != "" {
				out.Records = append(out.Records, types.PutRecordsResultEntry{ErrorCode: aws.String(code), ErrorMessage: aws.String("injected")})
				out.FailedRecordCount = aws.Int32(aws.ToInt32(out.FailedRecordCount) + 1)
				continue
			}
		}
		f.written[stream] = append(f.written[stream], data)
		out.Records = append(out.Records, types.PutRecordsResultEntry{SequenceNumber: aws.String("1"), ShardId: aws.String("shardId-0")})
	}
	return out, nil
}

var fastRetry = kinesisout.Retry{Base: time.Millisecond, Max: 4 * time.Millisecond, Margin: time.Millisecond, Rounds: 20}

func rideEvent(id int, pu, do int, dist float64) []byte {
	return golden.RideEvent(int64(pu), int64(do), dist, id)
}

// kinesisEvent wraps payloads as Lambda delivers them; sequence numbers are "seq-<i>".
func kinesisEvent(t testing.TB, payloads ...[]byte) []byte {
	t.Helper()
	var ev events.KinesisEvent
	for i, p := range payloads {
		ev.Records = append(ev.Records, events.KinesisEventRecord{
			EventID: fmt.Sprintf("shardId-000000000000:seq-%d", i), EventSource: "aws:kinesis",
			Kinesis: events.KinesisRecord{Data: p, PartitionKey: fmt.Sprint(i), SequenceNumber: fmt.Sprintf("seq-%d", i)},
		})
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func invoke(t *testing.T, h *Handler, payload []byte) Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := h.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	var res Response
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

func failures(seqs ...string) []events.KinesisBatchItemFailure {
	out := []events.KinesisBatchItemFailure{}
	for _, s := range seqs {
		out = append(out, events.KinesisBatchItemFailure{ItemIdentifier: s})
	}
	return out
}

func rides(n int) [][]byte {
	var out [][]byte
	for i := range n {
		out = append(out, rideEvent(i, 130+i%5, 205, 3.66+float64(i%7)))
	}
	return out
}

func TestPredictionsWrittenInChunksOf500(t *testing.T) {
	fake := newFake()
	h := New(fake, Config{Retry: fastRetry})
	res := invoke(t, h, kinesisEvent(t, rides(1201)...))
	if len(res.BatchItemFailures) != 0 {
		t.Fatalf("failures: %v", res.BatchItemFailures)
	}
	if diff := cmp.Diff([]int{500, 500, 201}, fake.calls); diff != "" {
		t.Errorf("records per call (-want +got):\n%s", diff)
	}
	got := fake.written["ride_prediction"]
	if len(got) != 1201 {
		t.Fatalf("%d predictions written, want 1201", len(got))
	}
	var first struct {
		RideID       json.RawMessage `json:"ride_id"`
		Prediction   float64         `json:"prediction"`
		ModelVersion string          `json:"model_version"`
		EventID      string          `json:"event_id"`
	}
	if err := json.Unmarshal([]byte(got[0]), &first); err != nil {
		t.Fatal(err)
	}
	want := generated.Predict(generated.Features{PUDO: "130_205", TripDistance: 3.66})
	if string(first.RideID) != "0" || first.Prediction != want || first.ModelVersion != ModelVersion() || first.EventID != "shardId-000000000000:seq-0" {
		t.Errorf("first prediction = %s", got[0])
	}
}

func TestChunkAt5MiB(t *testing.T) {
	big := strings.Repeat("x", 300<<10)
	var entries []kinesisout.Entry
	for i := range 40 {
		entries = append(entries, kinesisout.Entry{Data: []byte(big), Key: fmt.Sprint(i), Rec: i})
	}
	fake := newFake()
	failed, _ := kinesisout.Publish(context.Background(), fake, "s", entries, fastRetry)
	if len(failed) != 0 {
		t.Fatal(failed)
	}
	// 17 records of 300 KiB and a short key stay under 5 MiB; 18 do not.
	if diff := cmp.Diff([]int{17, 17, 6}, fake.calls); diff != "" {
		t.Errorf("records per call (-want +got):\n%s", diff)
	}
}

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

func TestInvalidRecordsDeadLettered(t *testing.T) {
	payloads := rides(4)
	payloads = append(payloads,
		[]byte(`not json`),
		[]byte(`{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": -3}, "ride_id": 9}`),
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
		dl(4, "not a JSON object: invalid JSON at byte 1: invalid character 'o' in literal null (expecting 'u')"),
		dl(5, "ride.trip_distance: -3 is negative"),
		dl(6, "ride: missing"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dead letters (-want +got):\n%s", diff)
	}
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
				return &smithy.GenericAPIError{Code: "ValidationException", Message: "record too large"}
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

// TestRefusedCallBisected: Kinesis refuses a whole call for one bad entry;
// the handler splits it until that entry stands alone, dead-letters its
// ride with the error, and writes the rest.
func TestRefusedCallBisected(t *testing.T) {
	fake := newFake()
	fake.callErr = func(_ context.Context, stream string, records []types.PutRecordsRequestEntry) error {
		for _, r := range records {
			if stream == "ride_prediction" && strings.Contains(string(r.Data), `"ride_id": 137,`) {
				return &smithy.GenericAPIError{Code: "ValidationException", Message: "1 validation error detected"}
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

// TestAnyValidRideIDWritten: ride ids Kinesis would refuse as partition keys
// (256 characters counted in UTF-16, so 129 astral ones are too many) are
// written, keyed by their source record's partition key, and read back the same.
func TestAnyValidRideIDWritten(t *testing.T) {
	ids := []string{`"` + strings.Repeat("😀", 200) + `"`, `"` + strings.Repeat("x", 10000) + `"`, `"a\"b\u2028c"`, `-0.5e10`, `true`}
	var payloads [][]byte
	for _, id := range ids {
		payloads = append(payloads, []byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": `+id+`}`))
	}
	fake := newFake()
	var keys []string
	fake.callErr = func(_ context.Context, _ string, records []types.PutRecordsRequestEntry) error {
		for _, r := range records {
			keys = append(keys, *r.PartitionKey)
		}
		return nil
	}
	h := New(fake, Config{Retry: fastRetry})
	res := invoke(t, h, kinesisEvent(t, payloads...))
	if len(res.BatchItemFailures) != 0 || len(fake.written["ride_prediction"]) != len(ids) {
		t.Fatalf("failures %v, written %v", res.BatchItemFailures, fake.written)
	}
	if diff := cmp.Diff([]string{"0", "1", "2", "3", "4"}, keys); diff != "" {
		t.Errorf("partition keys (-want +got):\n%s", diff)
	}
	for i, w := range fake.written["ride_prediction"] {
		var p struct {
			RideID  json.RawMessage `json:"ride_id"`
			EventID string          `json:"event_id"`
		}
		// The same JSON value; escapes may be written differently.
		var got, want any
		err := json.Unmarshal([]byte(w), &p)
		json.Unmarshal(p.RideID, &got)
		json.Unmarshal([]byte(ids[i]), &want)
		if err != nil || got != want || p.EventID != fmt.Sprintf("shardId-000000000000:seq-%d", i) {
			t.Errorf("record %d = %.80s (%v); want ride_id %.40s", i, w, err, ids[i])
		}
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

// TestNonKinesisRecordsRefused: records that did not come from a Kinesis
// stream fail the invocation, so that their own source keeps them.
func TestNonKinesisRecordsRefused(t *testing.T) {
	h := New(newFake(), Config{})
	for _, payload := range []string{
		`{"Records": [{"eventSource": "aws:sqs", "kinesis": {"data": "e30=", "sequenceNumber": "1"}}]}`,
		`{"Records": [{"eventSource": "aws:kinesis", "kinesis": {"data": "e30="}}]}`,
		`{"Records": [{"body": "{}"}]}`,
	} {
		if _, err := h.Invoke(context.Background(), []byte(payload)); err == nil || !strings.Contains(err.Error(), "Kinesis events only") {
			t.Errorf("%s: err = %v", payload, err)
		}
	}
}

// TestDeadLetterStreamRefuses: when the dead-letter stream refuses for
// good, the valid rides are written and nothing is reported for a retry;
// the dead letter goes to the log.
func TestDeadLetterStreamRefuses(t *testing.T) {
	fake := newFake()
	fake.callErr = func(_ context.Context, stream string, _ []types.PutRecordsRequestEntry) error {
		if stream == "ride_events_dlq" {
			return &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
		}
		return nil
	}
	var logs bytes.Buffer
	h := New(fake, Config{Retry: fastRetry, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	res := invoke(t, h, kinesisEvent(t, append(rides(2), []byte(`{}`))...))
	if len(res.BatchItemFailures) != 0 || len(fake.written["ride_prediction"]) != 2 {
		t.Errorf("failures %v, %d predictions", res.BatchItemFailures, len(fake.written["ride_prediction"]))
	}
	if !strings.Contains(logs.String(), "dead letter kept here") || !strings.Contains(logs.String(), `\"sequence_number\": \"seq-2\"`) {
		t.Errorf("the log does not keep the dead letter:\n%s", logs.String())
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

func TestDirectInvocation(t *testing.T) {
	fake := newFake()
	h := New(fake, Config{})
	b, err := h.Invoke(context.Background(), []byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"ride_duration": ` + originalPrediction(t) + `, "ride_id": 123}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	if _, err := h.Invoke(context.Background(), []byte(`{"ride": {"PULocationID": 130}, "ride_id": 123}`)); err == nil ||
		!strings.Contains(err.Error(), "invalid ride event: ride.DOLocationID: missing") {
		t.Errorf("invalid direct event: err = %v", err)
	}
	if _, err := h.Invoke(context.Background(), []byte(`[`)); err == nil || !strings.Contains(err.Error(), "invalid event") {
		t.Errorf("malformed payload: err = %v", err)
	}
	if len(fake.calls) != 0 {
		t.Errorf("direct invocations wrote %d times", len(fake.calls))
	}
}

func TestTestRunWritesNothing(t *testing.T) {
	fake := newFake()
	h := New(fake, Config{TestRun: true})
	res := invoke(t, h, kinesisEvent(t, rideEvent(123, 130, 205, 3.66), []byte(`{}`)))
	if len(fake.calls) != 0 {
		t.Fatalf("TEST_RUN wrote %d times", len(fake.calls))
	}
	if len(res.Predictions) != 1 || len(res.DeadLetters) != 1 {
		t.Fatalf("response: %+v", res)
	}
	// The response is re-encoded compactly; the written record has spaces.
	want := `{"ride_id":123,"prediction":` + originalPrediction(t) + `,"model_version":"` + ModelVersion() +
		`","event_id":"shardId-000000000000:seq-0"}`
	if string(res.Predictions[0]) != want {
		t.Errorf("prediction %s, want %s", res.Predictions[0], want)
	}
}

func TestCheckRunID(t *testing.T) {
	if err := CheckRunID(""); err != nil {
		t.Errorf("unset RUN_ID: %v", err)
	}
	// The model's own name: its run id, or sha256:... without one (a
	// refreshed model with a run id takes the run id: TestRefreshRoundTrip).
	if err := CheckRunID(ModelVersion()); err != nil {
		t.Errorf("RUN_ID %s, the compiled model's: %v", ModelVersion(), err)
	}
	err := CheckRunID("def558fd38f44d8e9c4fc632668d3a47")
	if err == nil || !strings.Contains(err.Error(), "this binary carries model "+ModelVersion()) {
		t.Errorf("mismatched RUN_ID: err = %v", err)
	}
}

// originalPrediction is sklearn's answer for the original's test ride, as
// the handler writes it.
func originalPrediction(tb testing.TB) string {
	tb.Helper()
	want, err := golden.OriginalPrediction()
	if err != nil {
		tb.Fatal(err)
	}
	return string(ride.AppendFloat(nil, want))
}
