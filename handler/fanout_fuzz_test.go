package handler

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/handler/kinesisout"
)

// Output bounds that FuzzDeaggregateBounds holds any aggregate to: what
// the handler writes for it, data plus key summed over every record, is at
// most maxOutputFactor times the aggregate's bytes, plus maxOutputSlack
// (the aggregate's own dead letter, whole). The factor is mostly a dead
// letter's fixed fields (some 500 bytes, against the 32 bytes of
// aggregate each user record takes at the least) and partition keys,
// escaped (a user record's key counts in maxExpansion; JSON writes a
// control character in 6 bytes), and predictions (a ride id of DEL
// characters is written 6 times larger).
const (
	maxOutputFactor = 80
	maxOutputSlack  = 64 << 10
)

// FuzzDeaggregateBounds: any AggregatedRecord message, framed as an
// aggregate and put through the handler, ends with every record written
// fitting in a Kinesis record (dead letters within 1 MiB, keys Kinesis
// takes), at most maxOutputFactor times the aggregate's bytes in all, and
// no record sent back to Lambda. The seeds are the hostile aggregates of
// issue 30, scaled down, and one of rides.
func FuzzDeaggregateBounds(f *testing.F) {
	del := []byte(`{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride_id": "` + strings.Repeat("\x7f", 2000) + `"}`)
	for _, agg := range [][]byte{
		sharedKey("k", empties(3000)...),
		sharedKey(strings.Repeat("\x01", 16<<10), empties(100)...),
		sharedKey(strings.Repeat("\x01", 300), bytes.Split(bytes.Repeat([]byte("{}x"), 200), []byte("x"))...),
		sharedKey(strings.Repeat("é", 256), append(rides(20), []byte(`{"ride_id": 1}`), del)...),
		aggregated(userRecord{key: "a", data: rideEvent(1, 130, 205, 1)}, userRecord{key: "b", data: []byte("no")}),
	} {
		f.Add(agg[4 : len(agg)-16])
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		agg := frame(msg)
		k := &keyedKinesis{written: map[string][]keyed{}}
		res := invoke(t, New(keyedLimits{k}, Config{Retry: fastRetry}), kinesisEvent(t, agg))
		if len(res.BatchItemFailures) != 0 {
			t.Fatalf("batch item failures %v", res.BatchItemFailures)
		}
		out := 0
		for stream, ws := range k.written {
			for _, w := range ws {
				if err := kinesisout.CheckEntry(kinesisout.Entry{Data: []byte(w.Data), Key: w.Key}); err != nil {
					t.Fatalf("%s record %.200q under key %.40q: %v", stream, w.Data, w.Key, err)
				}
				out += len(w.Data) + len(w.Key)
			}
		}
		if out > maxOutputFactor*len(agg)+maxOutputSlack {
			t.Fatalf("an aggregate of %d bytes wrote %d (%d dead letters, %d predictions)", len(agg), out, len(k.written["ride_events_dlq"]),
				len(k.written["ride_prediction"]))
		}
	})
}
