package handler

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/internal/golden"
)

// TestMetricsEMF: one invocation writes one EMF document that follows the
// specification (testdata/emf.schema.json, and the references the schema
// cannot express), and its figures are what the invocation did.
func TestMetricsEMF(t *testing.T) {
	fake := newFake()
	fake.entryErr = func(stream, data string, n int) string {
		if stream == "ride_prediction" && n == 1 && strings.Contains(data, `"ride_id": 7,`) {
			return throttledCode
		}
		return ""
	}
	var metrics bytes.Buffer
	h := New(fake, Config{Retry: fastRetry, Metrics: &metrics, FunctionVersion: "7"})
	payloads := append(rides(250), []byte(`{}`), []byte(`not json`))
	var ev events.KinesisEvent
	if err := json.Unmarshal(kinesisEvent(t, payloads...), &ev); err != nil {
		t.Fatal(err)
	}
	oldest := time.Now().Add(-90 * time.Second)
	for i := range ev.Records {
		ev.Records[i].Kinesis.ApproximateArrivalTimestamp.Time = oldest.Add(time.Duration(i) * time.Millisecond)
	}
	payload, _ := json.Marshal(ev)
	res := invoke(t, h, payload)

	lines := strings.Split(strings.TrimSuffix(metrics.String(), "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d lines of metrics, want one document", len(lines))
	}
	doc := checkEMF(t, []byte(lines[0]))
	want := map[string]float64{
		"RecordsIn":         float64(len(payloads)),
		"Predictions":       float64(len(fake.written["ride_prediction"])),
		"DeadLetters":       float64(len(fake.written["ride_events_dlq"])),
		"InvalidRecords":    2,
		"BatchItemFailures": float64(len(res.BatchItemFailures)),
		"PutRecordsCalls":   float64(len(fake.calls)),
		"PutRecordsRetries": 1,
		"ThrottledEntries":  1,
	}
	for name, w := range want {
		if got, _ := doc[name].(float64); got != w {
			t.Errorf("%s = %v, want %v", name, doc[name], w)
		}
	}
	if doc["Predictions"] != float64(250) || doc["DeadLetters"] != float64(2) {
		t.Errorf("the invocation wrote %v predictions and %v dead letters, want 250 and 2", doc["Predictions"], doc["DeadLetters"])
	}
	if age, _ := doc["BatchAge"].(float64); age < 90_000 || age > 120_000 {
		t.Errorf("BatchAge = %v ms, want the oldest record's 90 s and a little", doc["BatchAge"])
	}
	if doc["model_version"] != ModelVersion() || doc["service"] != "ride-duration-prediction" || doc["function_version"] != "7" {
		t.Errorf("dimensions: service %v, model_version %v, function_version %v", doc["service"], doc["model_version"], doc["function_version"])
	}
	// The predictions' distribution: 100 of them, spread over the batch,
	// each one a prediction the stream got.
	values, _ := doc["Prediction"].([]any)
	if len(values) != maxValues {
		t.Fatalf("%d prediction values, want %d", len(values), maxValues)
	}
	written := map[float64]bool{}
	for _, p := range fake.written["ride_prediction"] {
		var pred struct{ Prediction float64 }
		if err := json.Unmarshal([]byte(p), &pred); err != nil {
			t.Fatal(err)
		}
		written[pred.Prediction] = true
	}
	for _, v := range values {
		if !written[v.(float64)] {
			t.Fatalf("prediction value %v is in no prediction written", v)
		}
	}

	// A second invocation is not a cold start.
	metrics.Reset()
	invoke(t, h, kinesisEvent(t, rides(3)...))
	if doc := checkEMF(t, metrics.Bytes()); doc["ColdStart"] != float64(0) || doc["RecordsIn"] != float64(3) {
		t.Errorf("second invocation: ColdStart %v, RecordsIn %v", doc["ColdStart"], doc["RecordsIn"])
	}
}

// checkEMF validates one document against the specification and returns it.
func checkEMF(t *testing.T, line []byte) map[string]any {
	t.Helper()
	if len(line) > 256<<10 {
		t.Fatalf("EMF document of %d bytes, over CloudWatch Logs' 256 KB event", len(line))
	}
	schemaFile, err := os.Open("testdata/emf.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer schemaFile.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("emf.schema.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("emf.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
	if err != nil {
		t.Fatalf("EMF document is not JSON: %v\n%s", err, line)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("EMF document does not follow the specification: %v\n%s", err, line)
	}
	var doc map[string]any
	if err := json.Unmarshal(line, &doc); err != nil {
		t.Fatal(err)
	}
	// What the schema cannot say: every metric names a root member that is
	// a number or up to 100 numbers, every dimension a string member.
	var meta struct {
		CloudWatchMetrics []struct {
			Dimensions [][]string
			Metrics    []struct{ Name string }
		}
	}
	raw, _ := json.Marshal(doc["_aws"])
	json.Unmarshal(raw, &meta)
	for _, d := range meta.CloudWatchMetrics {
		for _, set := range d.Dimensions {
			for _, name := range set {
				if _, ok := doc[name].(string); !ok {
					t.Errorf("dimension %s: root member %v, want a string", name, doc[name])
				}
			}
		}
		for _, m := range d.Metrics {
			switch v := doc[m.Name].(type) {
			case float64:
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("metric %s = %v", m.Name, v)
				}
			case []any:
				if len(v) > maxValues || slices.ContainsFunc(v, func(x any) bool { _, ok := x.(float64); return !ok }) {
					t.Errorf("metric %s: %d values, or not all numbers", m.Name, len(v))
				}
			default:
				t.Errorf("metric %s: root member %v, want a number or numbers", m.Name, doc[m.Name])
			}
		}
	}
	return doc
}

// TestMetricsDrift: PredictionDrift is the batch's Shift from the model's
// reference. A batch of Feb 2022 rides stays within the
// Dvoretzky-Kiefer-Wolfowitz bound sqrt(ln(2/a)/(2n)) (a = 1e-6; the
// batch is fixed), a batch of rides the model predicts above its
// reference's median is at least the median's CDF away, whatever the
// model, and a batch of fewer than driftMinRides predictions has none.
func TestMetricsDrift(t *testing.T) {
	feb, err := golden.ShuffledFeb()
	if err != nil {
		t.Fatal(err)
	}
	ref := generated.Reference
	median := slices.Index(ref.Levels, 0.5)
	if median < 0 {
		t.Fatalf("no 50%% level in the reference's %v", ref.Levels)
	}
	const n = 1000
	var sample, high []golden.Ride
	for _, r := range feb {
		if len(sample) < n {
			sample = append(sample, r)
		}
		if r.Prediction > ref.Edges[median] && len(high) < n {
			high = append(high, r)
		}
	}
	drift := func(rides []golden.Ride) (float64, bool) {
		t.Helper()
		var payloads [][]byte
		preds := make([]float64, len(rides))
		for i, r := range rides {
			payloads = append(payloads, golden.Event(r, i))
			preds[i] = r.Prediction
		}
		payloads = append(payloads, []byte(`not json`))
		var metrics bytes.Buffer
		invoke(t, New(newFake(), Config{Retry: fastRetry, Metrics: &metrics}), kinesisEvent(t, payloads...))
		doc := checkEMF(t, metrics.Bytes())
		d, ok := doc["PredictionDrift"].(float64)
		if ok && d != ref.Shift(preds) {
			t.Errorf("PredictionDrift = %v, want the Shift of the library's answers, %v", d, ref.Shift(preds))
		}
		return d, ok
	}
	if d, ok := drift(sample); !ok || d > math.Sqrt(math.Log(2/1e-6)/(2*n)) {
		t.Errorf("%d Feb 2022 rides: PredictionDrift %v (present %v), want at most %.4f", n, d, ok, math.Sqrt(math.Log(2/1e-6)/(2*n)))
	}
	if d, ok := drift(high); !ok || d < ref.CDF[median] {
		t.Errorf("%d rides above the median: PredictionDrift %v (present %v), want at least %v", len(high), d, ok, ref.CDF[median])
	}
	if d, ok := drift(sample[:driftMinRides-1]); ok {
		t.Errorf("a batch of %d predictions: PredictionDrift %v, want none below %d", driftMinRides-1, d, driftMinRides)
	}
	if _, ok := drift(sample[:driftMinRides]); !ok {
		t.Errorf("a batch of %d predictions has no PredictionDrift", driftMinRides)
	}
}
