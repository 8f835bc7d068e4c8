package golden

import (
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// RideEvent is the original app's ride event as its producer's json.dumps
// writes it, the one place tests, benchmarks and the local stack build one:
//
//	{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}
//
// rideID is any JSON-encodable value. It returns nil for values JSON cannot
// hold (a NaN distance).
func RideEvent(pu, do int64, tripDistance float64, rideID any) []byte {
	type ride struct {
		PULocationID int64   `json:"PULocationID"`
		DOLocationID int64   `json:"DOLocationID"`
		TripDistance float64 `json:"trip_distance"`
	}
	b, err := jsonv2.Marshal(struct {
		Ride   ride `json:"ride"`
		RideID any  `json:"ride_id"`
	}{ride{pu, do, tripDistance}, rideID}, jsontext.SpaceAfterColon(true), jsontext.SpaceAfterComma(true))
	if err != nil {
		return nil
	}
	return b
}
