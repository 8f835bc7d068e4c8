package localstack

import (
	"testing"
	"time"

	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// TestCollector: predictions count under their ride id, dead letters under
// the partition key they carry, on-failure messages under the shard; a
// shadow prediction is no ride's outcome but counts as shadowed.
func TestCollector(t *testing.T) {
	c := newCollector(ShadowStream)
	now := time.Now()
	c.add(PredictionsStream, kinesalite.Record{Key: "a", Data: []byte(`{"event_id": "e", "prediction": 1.5}`), Arrival: now})
	c.add(ShadowStream, kinesalite.Record{Key: "b", Data: []byte(`{"event_id": "e", "prediction": 2}`), Arrival: now})
	c.add(DLQStream, kinesalite.Record{Key: "shard-key", Data: []byte(`{"partition_key": "c", "error": "bad"}`), Arrival: now})
	c.add(FailuresStream, kinesalite.Record{Key: "shardId-000000000000", Data: []byte(`{"KinesisBatchInfo": {}}`), Arrival: now})
	ids := []string{"a", "b", "c", "shardId-000000000000"}
	if got := c.Accounted(ids); got != 3 {
		t.Errorf("Accounted = %d, want 3 (a's prediction, c's dead letter, the shard's on-failure message)", got)
	}
	if got := c.Shadowed(ids); got != 1 {
		t.Errorf("Shadowed = %d, want 1 (b)", got)
	}
	if got := c.Get("c"); len(got) != 1 || got[0].Stream != DLQStream {
		t.Errorf("Get(c) = %+v, want its dead letter", got)
	}
	for stream, want := range map[string]int{PredictionsStream: 1, ShadowStream: 1, DLQStream: 1, FailuresStream: 1, RidesStream: 0} {
		if got := c.Count(stream); got != want {
			t.Errorf("Count(%s) = %d, want %d", stream, got, want)
		}
	}
	if c.WaitFor(t.Context(), []string{"a", "b"}, 50*time.Millisecond) {
		t.Error("WaitFor a and b: true, but b has only a shadow prediction")
	}
}
