package shadowreport

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/nyc-taxi/ridepred/handler/kpl"
	"github.com/nyc-taxi/ridepred/internal/golden"
	"github.com/nyc-taxi/ridepred/tools/internal/localkinesis"
)

// Durations reads the real duration of every ride event that carries its
// pickup and dropoff times (golden.RideEventWithTimes: the local stack's
// replayed TLC rides do), keyed by the event_id its predictions carry:
// shard:sequence, and :index for each ride of a KPL aggregate, as the
// function numbers them (handler/deaggregate.go).
func Durations(events []localkinesis.Record) map[string]float64 {
	out := map[string]float64{}
	add := func(id string, data []byte) {
		if d, ok := Duration(data); ok {
			out[id] = d
		}
	}
	for _, r := range events {
		id := r.Shard + ":" + r.Seq
		if !kpl.HasMagic(r.Data) {
			add(id, r.Data)
			continue
		}
		users, err := kpl.Deaggregate(r.Data)
		if err != nil {
			add(id, r.Data) // the function handles it as one record too
			continue
		}
		for i, u := range users {
			add(id+":"+strconv.Itoa(i), u.Data)
		}
	}
	return out
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
