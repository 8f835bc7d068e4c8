package handler

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler/ride"
)

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
	f, err := ride.Parse(rideEvent(0, 130, 205, 3.66))
	if err != nil {
		t.Fatal(err)
	}
	want := generated.Predict(f.Features)
	if string(first.RideID) != "0" || first.Prediction != want || first.ModelVersion != ModelVersion() || first.EventID != "shardId-000000000000:seq-0" {
		t.Errorf("first prediction = %s", got[0])
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
