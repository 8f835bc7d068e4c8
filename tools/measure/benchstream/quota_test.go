package main

import (
	"fmt"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/rides"
)

// TestFitPayload: the quota runs' largest batch is the most leading rides
// whose event fits in Lambda's 6 MiB, not one ride fewer or more.
func TestFitPayload(t *testing.T) {
	var rs []rides.Ride
	for i := range 12000 {
		rs = append(rs, rides.Ride{ID: fmt.Sprintf("feb-%d", i),
			Event: fmt.Appendf(nil, `{"ride": {"PULocationID": %d, "DOLocationID": 74, "trip_distance": 1.%d}, "ride_id": "feb-%d"}`, i%265, i, i)})
	}
	payload, n := fitPayload(rs)
	if n == 0 || n == len(rs) {
		t.Fatalf("fitPayload took %d of %d rides: the test's rides should overflow 6 MiB", n, len(rs))
	}
	if len(payload) > maxPayload || string(payload) != string(kinesisEvent(rs[:n])) {
		t.Errorf("the event of %d rides is %d bytes, over %d, or not theirs", n, len(payload), maxPayload)
	}
	if more := kinesisEvent(rs[:n+1]); len(more) <= maxPayload {
		t.Errorf("%d rides fit too (%d bytes): fitPayload stopped at %d", n+1, len(more), n)
	}
	if _, all := fitPayload(rs[:100]); all != 100 {
		t.Errorf("100 rides fit whole, fitPayload took %d", all)
	}
}
