package handler

import (
	"context"
	"strings"
	"testing"
)

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
		!strings.Contains(err.Error(), "ride.DOLocationID: missing (KeyError)") {
		t.Errorf("invalid direct event: err = %v", err)
	}
	if _, err := h.Invoke(context.Background(), []byte(`[`)); err == nil || !strings.Contains(err.Error(), "invalid event") {
		t.Errorf("malformed payload: err = %v", err)
	}
	if len(fake.calls) != 0 {
		t.Errorf("direct invocations wrote %d times", len(fake.calls))
	}
}
