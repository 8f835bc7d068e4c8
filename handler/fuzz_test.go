package handler

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler/ride"
)

// FuzzRecord: any record bytes give a prediction or an error, never a panic,
// and through the handler every record ends as a prediction or a dead letter.
// The seed corpus is in testdata/fuzz/FuzzRecord and runs with go test.
func FuzzRecord(f *testing.F) {
	f.Add([]byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}`))
	f.Add([]byte(`{"ride": {"PULocationID": "7", "DOLocationID": 7, "trip_distance": 0}, "ride_id": "x"}`))
	f.Add([]byte(`{"ride": null, "ride_id": [1]}`))
	h := New(nopKinesis{}, Config{TestRun: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := ride.Parse(data)
		if err == nil {
			if err := rd.Features.Validate(); err != nil {
				t.Fatalf("ride.Parse accepted invalid features %+v: %v", rd.Features, err)
			}
			if p := generated.Predict(rd.Features); math.IsNaN(p) || math.IsInf(p, 0) {
				t.Fatalf("prediction %v for %q", p, data)
			}
			if !json.Valid(rd.ID) {
				t.Fatalf("ride id %q is not JSON", rd.ID)
			}
		}
		b, err := h.Invoke(context.Background(), kinesisEvent(t, data))
		if err != nil {
			t.Fatalf("Kinesis event with record %q: %v", data, err)
		}
		var res Response
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Predictions)+len(res.DeadLetters) != 1 {
			t.Fatalf("record %q: %d predictions and %d dead letters", data, len(res.Predictions), len(res.DeadLetters))
		}
	})
}

// FuzzInvoke: any invocation payload gives a response or an error, never a
// panic.
func FuzzInvoke(f *testing.F) {
	f.Add([]byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}`))
	f.Add([]byte(`{"Records": [{"eventID": "s:1", "kinesis": {"data": "eyJyaWRlX2lkIjogMX0=", "partitionKey": "1", "sequenceNumber": "1"}}]}`))
	f.Add([]byte(`{"Records": null}`))
	f.Add([]byte(`{"Records": [{"kinesis": {"data": "!!"}}]}`))
	h := New(nopKinesis{}, Config{TestRun: true})
	f.Fuzz(func(t *testing.T, payload []byte) {
		b, err := h.Invoke(context.Background(), payload)
		if err == nil && !json.Valid(b) {
			t.Fatalf("response %q is not JSON", b)
		}
	})
}
