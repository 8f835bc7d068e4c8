package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

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

func TestConfigCheck(t *testing.T) {
	for _, tc := range []struct {
		cfg Config
		ok  bool
	}{
		{Config{}, true},
		{Config{PredictionsStream: "arn:aws:kinesis:us-east-1:123456789012:stream/ride_prediction", DLQStream: "dlq"}, true},
		{Config{PredictionsStream: "ride prediction"}, false},
		{Config{DLQStream: "arn:aws:kinesis:us-east-1:stream/dlq"}, false},
		{Config{ShadowStream: "ride_prediction_shadow"}, true},
		{Config{ShadowStream: "shadow stream"}, false},
		// The shadow's stream must be neither the serving nor the dead-letter
		// one, defaults and ARNs included (issue 30, finding 6).
		{Config{ShadowStream: "ride_prediction"}, false},
		{Config{ShadowStream: "ride_events_dlq"}, false},
		{Config{PredictionsStream: "out", ShadowStream: "out"}, false},
		{Config{PredictionsStream: "out", ShadowStream: "ride_prediction"}, true},
		{Config{PredictionsStream: "arn:aws:kinesis:us-east-1:123456789012:stream/out", ShadowStream: "out"}, false},
		{Config{DLQStream: "dlq", ShadowStream: "arn:aws:kinesis:eu-west-1:123456789012:stream/dlq"}, false},
		{Config{PredictionsStream: "out", DLQStream: "dlq", ShadowStream: "out_shadow"}, true},
	} {
		if err := tc.cfg.Check(); (err == nil) != tc.ok {
			t.Errorf("%+v: Check() = %v, want ok %v", tc.cfg, err, tc.ok)
		}
	}
}
