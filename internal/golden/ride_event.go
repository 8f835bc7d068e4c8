package golden

import (
	"time"

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
	return rideEvent(ride{PULocationID: pu, DOLocationID: do, TripDistance: tripDistance}, rideID)
}

// TimeLayout is how a ride event's pickup and dropoff times are written:
// the TLC files' columns as pandas prints them, in the files' naive NYC
// clock. A reader's time.Parse with it also takes the fractional seconds
// RideEventWithTimes writes when a time has them.
const TimeLayout = "2006-01-02 15:04:05"

// RideEventWithTimes is RideEvent with the TLC record's pickup and dropoff
// times in the ride, under the TLC files' own column names:
//
//	{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66,
//	  "lpep_pickup_datetime": "2022-02-01 00:14:21", "lpep_dropoff_datetime": "2022-02-01 00:32:02"}, "ride_id": 123}
//
// The original app reads only the three features and ignores the rest (the
// handler's differential tests check that it and the handler agree on such
// an event); the times let a consumer know each ride's real duration, as
// the replayed rides of the local stack do for tools/operate/shadowreport's RMSE.
func RideEventWithTimes(pu, do int64, tripDistance float64, pickup, dropoff time.Time, rideID any) []byte {
	return rideEvent(ride{PULocationID: pu, DOLocationID: do, TripDistance: tripDistance,
		Pickup: pickup.UTC().Format(TimeLayout + ".999999"), Dropoff: dropoff.UTC().Format(TimeLayout + ".999999")}, rideID)
}

type ride struct {
	PULocationID int64   `json:"PULocationID"`
	DOLocationID int64   `json:"DOLocationID"`
	TripDistance float64 `json:"trip_distance"`
	Pickup       string  `json:"lpep_pickup_datetime,omitempty"`
	Dropoff      string  `json:"lpep_dropoff_datetime,omitempty"`
}

func rideEvent(r ride, rideID any) []byte {
	b, err := jsonv2.Marshal(struct {
		Ride   ride `json:"ride"`
		RideID any  `json:"ride_id"`
	}{r, rideID}, jsontext.SpaceAfterColon(true), jsontext.SpaceAfterComma(true))
	if err != nil {
		return nil
	}
	return b
}

// Event is the golden ride as a ride event, its ride the fields the
// model's prepare_features reads (Ride.Object), each under its own name:
// the event for any model, as RideEvent is the seed's.
func Event(r Ride, rideID any) []byte {
	id, err := jsonv2.Marshal(rideID)
	if err != nil {
		return nil
	}
	return append(append(append(append([]byte(`{"ride": `), r.Object...), `, "ride_id": `...), id...), '}')
}
