package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/google/go-cmp/cmp"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/generated/shadow"
	"github.com/nyc-taxi/ridepred/internal/golden"
)

const shadowStream = "ride_prediction_shadow"

// testChallenger is the serving model moved by 2 minutes for rides picked
// up at 130, refusing those picked up at 131, and the same elsewhere: a
// shadow whose figures the tests know from the serving predictions alone,
// whatever the model. rides(n)'s ride i is picked up at 130 + i%5, and
// its id is i: the challenger goes by the id, so that it holds for any
// model's features.
func testChallenger() *challenger {
	return &challenger{version: "shadow-test-version", predict: func(rides []validRide) (scored []int, preds []float64) {
		var in []generated.Features
		var moved []bool
		for i, r := range rides {
			id, _ := strconv.Atoi(r.IDText())
			if id%5 == 1 {
				continue
			}
			scored, in, moved = append(scored, i), append(in, r.Features), append(moved, id%5 == 0)
		}
		preds = make([]float64, len(in))
		generated.PredictBatch(in, preds)
		for k := range preds {
			if moved[k] {
				preds[k] += 2
			}
		}
		return scored, preds
	}}
}

// record is a prediction record, either stream's.
type record struct {
	RideID       json.RawMessage `json:"ride_id"`
	Prediction   float64         `json:"prediction"`
	ModelVersion string          `json:"model_version"`
	EventID      string          `json:"event_id"`
}

func parseRecords(t *testing.T, data []string) []record {
	t.Helper()
	out := make([]record, len(data))
	for i, d := range data {
		if err := json.Unmarshal([]byte(d), &out[i]); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
	}
	return out
}

// TestShadowRecords: with a shadow, the serving stream gets the same bytes
// as without one; the shadow stream gets one record per ride the shadow
// scored, in the same shape, under the shadow's model_version and the same
// event id; and the metrics compare the two.
func TestShadowRecords(t *testing.T) {
	event := kinesisEvent(t, append(rides(250), []byte(`not json`))...)
	alone := newFake()
	invoke(t, New(alone, Config{Retry: fastRetry}), event)

	fake := newFake()
	var metrics, logs bytes.Buffer
	h := New(fake, Config{Retry: fastRetry, ShadowStream: shadowStream, Metrics: &metrics, Logger: jsonLogger(&logs)})
	h.challenger = testChallenger()
	res := invoke(t, h, event)
	if len(res.BatchItemFailures) != 0 {
		t.Fatalf("failures: %v", res.BatchItemFailures)
	}
	if diff := cmp.Diff(alone.written, map[string][]string{"ride_prediction": fake.written["ride_prediction"], "ride_events_dlq": fake.written["ride_events_dlq"]}); diff != "" {
		t.Fatalf("the serving and dead-letter streams differ with a shadow (-without +with):\n%s", diff)
	}

	serving := map[string]record{}
	for _, r := range parseRecords(t, fake.written["ride_prediction"]) {
		serving[r.EventID] = r
	}
	shadowed := parseRecords(t, fake.written[shadowStream])
	var n, over1 int
	var sumAbs, maxAbs, servingSum, shadowSum float64
	for _, r := range shadowed {
		s, ok := serving[r.EventID]
		if !ok || string(r.RideID) != string(s.RideID) || r.ModelVersion != "shadow-test-version" {
			t.Fatalf("shadow record %+v: serving record %+v", r, s)
		}
		var id int // rides(n): ride i is picked up at 130 + i%5
		if err := json.Unmarshal(r.RideID, &id); err != nil {
			t.Fatal(err)
		}
		want := s.Prediction
		if id%5 == 0 {
			want += 2
		}
		if r.Prediction != want {
			t.Fatalf("shadow record %+v: want prediction %v (serving %v)", r, want, s.Prediction)
		}
		d := math.Abs(r.Prediction - s.Prediction)
		n, sumAbs, maxAbs, servingSum, shadowSum = n+1, sumAbs+d, max(maxAbs, d), servingSum+s.Prediction, shadowSum+r.Prediction
		if d > 1 {
			over1++
		}
	}
	if n != 200 || over1 != 50 {
		t.Fatalf("%d shadow records, %d over a minute apart; want 200 (rides from 131 refused) and 50 (from 130)", n, over1)
	}
	// The shadow's records are encoded as the serving ones are.
	for i, d := range fake.written[shadowStream] {
		r := shadowed[i]
		if want := string(appendPrediction(nil, r.RideID, r.Prediction, r.ModelVersion, r.EventID)); d != want {
			t.Fatalf("shadow record %s, want %s", d, want)
		}
	}

	doc := checkEMF(t, metrics.Bytes())
	want := map[string]float64{"ShadowRides": 200, "ShadowWriteFailures": 0, "ShadowMeanAbsDiff": sumAbs / 200, "ShadowMaxAbsDiff": maxAbs,
		"ShadowShareOver1Min": 0.25, "ServingMean": servingSum / 200, "ShadowMean": shadowSum / 200}
	for name, w := range want {
		if got, ok := doc[name].(float64); !ok || math.Abs(got-w) > 1e-9*max(1, w) {
			t.Errorf("%s = %v, want %v", name, doc[name], w)
		}
	}
	if doc["shadow_version"] != "shadow-test-version" || doc["model_version"] != ModelVersion() || doc["Predictions"] != float64(250) {
		t.Errorf("shadow_version %v, model_version %v, Predictions %v", doc["shadow_version"], doc["model_version"], doc["Predictions"])
	}
	line := logLine(t, &logs, "shadow")
	if line["shadow_version"] != "shadow-test-version" || line["rides"] != float64(200) || line["written"] != float64(200) {
		t.Errorf("shadow log line %v", line)
	}
}

// TestShadowWriteFailures: a shadow stream that refuses entries, or is
// missing, fails no record and makes no dead letter; the failures are
// counted and logged with the shadow's version.
func TestShadowWriteFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(f *fakeKinesis)
	}{
		{"entries refused", func(f *fakeKinesis) {
			f.entryErr = func(stream, _ string, _ int) string {
				if stream == shadowStream {
					return "InvalidArgumentException"
				}
				return ""
			}
		}},
		{"throttled for good", func(f *fakeKinesis) {
			f.entryErr = func(stream, _ string, _ int) string {
				if stream == shadowStream {
					return throttledCode
				}
				return ""
			}
		}},
		{"stream missing", func(f *fakeKinesis) {
			f.callErr = func(_ context.Context, stream string, _ []types.PutRecordsRequestEntry) error {
				if stream == shadowStream {
					return &types.ResourceNotFoundException{Message: aws.String("Stream ride_prediction_shadow not found")}
				}
				return nil
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake()
			tc.setup(fake)
			var metrics, logs bytes.Buffer
			h := New(fake, Config{Retry: fastRetry, ShadowStream: shadowStream, Metrics: &metrics, Logger: jsonLogger(&logs)})
			h.challenger = testChallenger()
			res := invoke(t, h, kinesisEvent(t, rides(20)...))
			if len(res.BatchItemFailures) != 0 || len(fake.written["ride_events_dlq"]) != 0 || len(fake.written["ride_prediction"]) != 20 {
				t.Fatalf("failures %v, %d dead letters, %d predictions; want none, none, 20", res.BatchItemFailures,
					len(fake.written["ride_events_dlq"]), len(fake.written["ride_prediction"]))
			}
			doc := checkEMF(t, metrics.Bytes())
			if doc["ShadowWriteFailures"] != float64(16) || doc["ShadowRides"] != float64(16) || doc["BatchItemFailures"] != float64(0) || doc["DeadLetters"] != float64(0) {
				t.Errorf("ShadowWriteFailures %v, ShadowRides %v, BatchItemFailures %v, DeadLetters %v; want 16, 16, 0, 0",
					doc["ShadowWriteFailures"], doc["ShadowRides"], doc["BatchItemFailures"], doc["DeadLetters"])
			}
			line := logLine(t, &logs, "shadow records not written")
			if line["shadow_version"] != "shadow-test-version" || line["write_failures"] != float64(16) || line["error"] == nil {
				t.Errorf("log line %v", line)
			}
		})
	}
}

// hangingShadow is a client whose calls to the shadow stream hang until
// their context ends; the others go to the fake.
type hangingShadow struct{ *fakeKinesis }

func (h hangingShadow) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	if aws.ToString(in.StreamName) == shadowStream {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return h.fakeKinesis.PutRecords(ctx, in, opts...)
}

// TestShadowHangs: a shadow stream that never answers holds the
// invocation for its share of the time left only, and the serving writes
// go through meanwhile.
func TestShadowHangs(t *testing.T) {
	fake := newFake()
	var metrics bytes.Buffer
	h := New(hangingShadow{fake}, Config{Retry: fastRetry, ShadowStream: shadowStream, Metrics: &metrics})
	h.challenger = testChallenger()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := h.Invoke(ctx, kinesisEvent(t, rides(20)...)); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 4*time.Second/shadowShare+time.Second/2 {
		t.Errorf("the invocation took %v; the shadow's share of 4 s is %v", took, 4*time.Second/shadowShare)
	}
	if n := len(fake.written["ride_prediction"]); n != 20 {
		t.Errorf("%d predictions written, want 20", n)
	}
	if doc := checkEMF(t, metrics.Bytes()); doc["ShadowWriteFailures"] != float64(16) || doc["BatchItemFailures"] != float64(0) {
		t.Errorf("ShadowWriteFailures %v, BatchItemFailures %v; want 16, 0", doc["ShadowWriteFailures"], doc["BatchItemFailures"])
	}
}

// TestShadowWithoutStream: a shadow without SHADOW_STREAM_NAME is still
// compared, and nothing is written for it.
func TestShadowWithoutStream(t *testing.T) {
	fake := newFake()
	var metrics bytes.Buffer
	h := New(fake, Config{Retry: fastRetry, Metrics: &metrics})
	h.challenger = testChallenger()
	invoke(t, h, kinesisEvent(t, rides(10)...))
	if len(fake.written) != 1 || len(fake.written["ride_prediction"]) != 10 {
		t.Errorf("written %v, want 10 predictions and nothing else", fake.written)
	}
	if doc := checkEMF(t, metrics.Bytes()); doc["ShadowRides"] != float64(8) || doc["ShadowWriteFailures"] != float64(0) {
		t.Errorf("ShadowRides %v, ShadowWriteFailures %v; want 8, 0", doc["ShadowRides"], doc["ShadowWriteFailures"])
	}
}

// TestCompiledShadow: the shadow compiled into generated/shadow, if any,
// writes the library's golden answers bit for bit under its version; with
// none, a handler with SHADOW_STREAM_NAME writes nothing there and emits
// no shadow figures.
func TestCompiledShadow(t *testing.T) {
	fake := newFake()
	var metrics bytes.Buffer
	h := New(fake, Config{Retry: fastRetry, ShadowStream: shadowStream, Metrics: &metrics})
	if !shadow.Shipped {
		invoke(t, h, kinesisEvent(t, rides(10)...))
		doc := checkEMF(t, metrics.Bytes())
		if h.challenger != nil || ShadowVersion() != "" || len(fake.written[shadowStream]) != 0 || doc["ShadowRides"] != nil || doc["shadow_version"] != nil {
			t.Fatalf("no shadow compiled in, but challenger %v, version %q, %d shadow records, ShadowRides %v", h.challenger, ShadowVersion(),
				len(fake.written[shadowStream]), doc["ShadowRides"])
		}
		return
	}
	rides, err := golden.RidesIn(golden.ShadowDir())
	if err != nil {
		t.Fatal(err)
	}
	rides = rides[:min(len(rides), 500)]
	var payloads [][]byte
	for i, r := range rides {
		payloads = append(payloads, golden.Event(r, i))
	}
	invoke(t, h, kinesisEvent(t, payloads...))
	got := parseRecords(t, fake.written[shadowStream])
	if len(got) != len(rides) {
		t.Fatalf("%d shadow records for %d golden rides", len(got), len(rides))
	}
	for _, r := range got {
		var i int
		if err := json.Unmarshal(r.RideID, &i); err != nil {
			t.Fatal(err)
		}
		if math.Float64bits(r.Prediction) != math.Float64bits(rides[i].Prediction) || r.ModelVersion != ShadowVersion() {
			t.Fatalf("ride %d: shadow record %+v, want the golden %v under %s", i, r, rides[i].Prediction, ShadowVersion())
		}
	}
}

// logLine is the first log line with msg.
func logLine(t *testing.T, logs *bytes.Buffer, msg string) map[string]any {
	t.Helper()
	for _, l := range strings.Split(logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == msg {
			return m
		}
	}
	t.Fatalf("no %q line in the log:\n%s", msg, logs.String())
	return nil
}

func jsonLogger(w *bytes.Buffer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }
