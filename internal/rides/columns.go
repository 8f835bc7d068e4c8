package rides

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/generated/shadow"
	"github.com/nyc-taxi/ridepred/internal/tlc"
)

// seedColumns are the columns FromTrips sends, the seed's prepare_features'.
var seedColumns = []string{"PULocationID", "DOLocationID", "trip_distance"}

// ModelColumns are the ride fields the shipped models' prepare_features
// read (generated.Fields, then the shadow's others): what the local stack
// sends by default.
func ModelColumns() []string {
	cols := slices.Clone(generated.Fields)
	for _, f := range shadow.Fields {
		if !slices.Contains(cols, f) {
			cols = append(cols, f)
		}
	}
	return cols
}

// Load reads the TLC file and makes ride events of its first n records
// (all if n <= 0) that have every column in columns, each under its own
// name, with the pickup and dropoff times when both are there (for the
// real duration). Only the seed's columns: FromTrips's events, as ever.
func Load(file string, n int, prefix string, columns []string) ([]Ride, error) {
	for _, c := range columns {
		if !slices.Contains(tlc.Columns, c) {
			return nil, fmt.Errorf("%q is not a column of the TLC files (%v)", c, tlc.Columns)
		}
	}
	if len(columns) == 0 || isSubset(columns, seedColumns) {
		trips, err := tlc.Read(file)
		if err != nil {
			return nil, err
		}
		return FromTrips(trips, n, prefix), nil
	}
	records, err := tlc.ReadRecords(file)
	if err != nil {
		return nil, err
	}
	return FromRecords(records, n, prefix, columns), nil
}

func isSubset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// FromRecords makes ride events of the first n records (all if n <= 0)
// whose columns are all non-null: {"ride": {column: value, ...,
// "lpep_pickup_datetime": ..., "lpep_dropoff_datetime": ...}, "ride_id": "<prefix><row>"}.
func FromRecords(records []tlc.Record, n int, prefix string, columns []string) []Ride {
	send := slices.Clone(columns)
	for _, c := range []string{"lpep_pickup_datetime", "lpep_dropoff_datetime"} {
		if !slices.Contains(send, c) {
			send = append(send, c)
		}
	}
	var out []Ride
	var buf []byte
	for row := range records {
		if n > 0 && len(out) == n {
			break
		}
		r := &records[row]
		buf = buf[:0]
		complete := true
		for _, c := range columns {
			if b, _ := r.AppendColumn(buf[:0], c); string(b) == "null" {
				complete = false
			}
		}
		if !complete || r.Pickup == nil || r.Dropoff == nil {
			continue
		}
		id := prefix + strconv.Itoa(row)
		event := append([]byte(`{"ride": `), r.AppendObject(nil, send)...)
		event = append(append(event, `, "ride_id": `...), strconv.Quote(id)...)
		event = append(event, '}')
		d := time.Duration((*r.Dropoff-*r.Pickup)*1000).Seconds() / 60
		out = append(out, Ride{ID: id, Event: event, Duration: d, Valid: true})
	}
	return out
}
