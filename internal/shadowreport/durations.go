package shadowreport

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/nyc-taxi/ridepred/handler/kpl"
	"github.com/nyc-taxi/ridepred/internal/golden"
	"github.com/nyc-taxi/ridepred/localstack/kinesalite"
)

// Durations reads the real duration of every ride event that carries its
// pickup and dropoff times (golden.RideEventWithTimes: the local stack's
// replayed TLC rides do), keyed by the event_id its predictions carry:
// shard:sequence, and :index for each ride of a KPL aggregate, as the
// function numbers them (handler/deaggregate.go).
func Durations(events []kinesalite.Record) map[string]float64 {
	out := map[string]float64{}
	for _, r := range events {
		eventDurations(r.Shard, r.Seq, r.Data, func(id string, d float64, known bool) {
			if known {
				out[id] = d
			}
		})
	}
	return out
}

// eventDurations gives fn the duration of each ride in one source record
// (shard, sequence number seq), with the event_id its predictions carry:
// Durations' rule, one record at a time.
func eventDurations(shard, seq string, data []byte, fn func(id string, minutes float64, known bool)) {
	id := shard + ":" + seq
	if !kpl.HasMagic(data) {
		d, ok := Duration(data)
		fn(id, d, ok)
		return
	}
	users, err := kpl.Deaggregate(data)
	if err != nil {
		d, ok := Duration(data) // the function handles it as one record too
		fn(id, d, ok)
		return
	}
	for i, u := range users {
		d, ok := Duration(u.Data)
		fn(id+":"+strconv.Itoa(i), d, ok)
	}
}

// Duration is a ride event's dropoff minus pickup time in minutes, as the
// seed and tlc.Trip.Duration compute it, if the event carries both.
func Duration(event []byte) (float64, bool) {
	var ev struct {
		Ride struct {
			Pickup  string `json:"lpep_pickup_datetime"`
			Dropoff string `json:"lpep_dropoff_datetime"`
		} `json:"ride"`
	}
	if json.Unmarshal(event, &ev) != nil {
		return 0, false
	}
	pickup, err1 := time.Parse(golden.TimeLayout, ev.Ride.Pickup)
	dropoff, err2 := time.Parse(golden.TimeLayout, ev.Ride.Dropoff)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return dropoff.Sub(pickup).Seconds() / 60, true
}
