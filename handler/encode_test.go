package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"

	"github.com/nyc-taxi/ridepred/handler/ride"
)

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

// TestAppendPredictionAsEncoder: a prediction record is, byte for byte,
// the ride id as ride.Parse gives it (json.dumps's text) and what a
// jsontext.Encoder with spaced writes for the other tokens (how the
// handler wrote it before), for any ride id ride.Parse accepts.
func TestAppendPredictionAsEncoder(t *testing.T) {
	ids := []string{`123`, `-0`, `-0.5e10`, `1E5`, `1.50`, `12345678901234567890`, `true`, `false`, `"x"`, `"a\"b\u2028c"`,
		`"\u00e9\/"`, `"<a&b>"`, `"` + "\u2028\u2029\x7f" + `"`, `"😀"`, `"\ud83d\ude00"`, `"\b\f\n\r\t\u0001\u001f"`, `"\\"`, `"a/b"`}
	preds := []float64{17.654321098765432, 0, 24, 1e-7, 1.5e-300, 1e21, 123456789.125}
	events := []string{"shardId-000000000000:49639854210870046278837730620094743524175848591505489922", "", `a"b\c<&>` + "\u2028\x01é"}
	for _, id := range ids {
		r, err := ride.Parse([]byte(`{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 3}, "ride_id": ` + id + `}`))
		if err != nil {
			t.Fatalf("ride id %s: %v", id, err)
		}
		for _, pred := range preds {
			for _, ev := range events {
				want := encoderPrediction(t, pred, ModelVersion(), ev)
				want = append([]byte(`{"ride_id": `+string(r.ID)), bytes.TrimPrefix(want, []byte(`{"ride_id": 0`))...)
				if got := appendPrediction([]byte("prefix"), r.ID, pred, ModelVersion(), ev); string(got) != "prefix"+string(want) {
					t.Errorf("ride id %s, prediction %v, event id %q:\n got %s\nwant prefix%s", id, pred, ev, got, want)
				}
			}
		}
	}
}

// encoderPrediction writes a prediction record with jsontext's encoder,
// its ride id 0.
func encoderPrediction(t *testing.T, pred float64, version, eventID string) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := jsontext.NewEncoder(&buf, spaced)
	err := errors.Join(
		enc.WriteToken(jsontext.BeginObject),
		enc.WriteToken(jsontext.String("ride_id")), enc.WriteValue(jsontext.Value("0")),
		enc.WriteToken(jsontext.String("prediction")), enc.WriteToken(jsontext.Float(pred)),
		enc.WriteToken(jsontext.String("model_version")), enc.WriteToken(jsontext.String(version)),
		enc.WriteToken(jsontext.String("event_id")), enc.WriteToken(jsontext.String(eventID)),
		enc.WriteToken(jsontext.EndObject),
	)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestAppendFloat(t *testing.T) {
	for _, x := range []float64{0, 1, -2.5, 17.654321098765432, 1e-6, 1e-7, -1.5e-9, 1e-10, 1e-100, 1e20, 1e21, 1.5e300, math.SmallestNonzeroFloat64} {
		want, err := jsonv2.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendFloat(nil, x); string(got) != string(want) {
			t.Errorf("appendFloat(%v) = %s, want %s", x, got, want)
		}
	}
}
