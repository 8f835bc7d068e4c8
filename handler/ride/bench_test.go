package ride

import (
	"errors"
	"fmt"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/internal/golden"
)

// BenchmarkParse compares Parse, the streaming parser, with parseLibrary,
// the same checks on json v2 decoding into structs, on make bench's rides.
// The hand-written parser stays only while it is more than 10% faster
// (2026-11-26: 0.65-0.77 µs against 1.2-1.5 µs per ride).
func BenchmarkParse(b *testing.B) {
	feb, err := golden.ShuffledFeb()
	if err != nil {
		b.Fatal(err)
	}
	var events [][]byte
	for i, r := range feb[:1000] {
		events = append(events, golden.RideEvent(r.PULocationID, r.DOLocationID, r.TripDistance, i))
	}
	for _, p := range []struct {
		name  string
		parse func([]byte) (Ride, error)
	}{{"streaming", Parse}, {"library", parseLibrary}} {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := p.parse(events[i%len(events)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestParseLibraryAgrees keeps the comparison honest: both parsers give the
// same rides for valid events.
func TestParseLibraryAgrees(t *testing.T) {
	for _, in := range []string{
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}`,
		`{"ride": {"PULocationID": "7", "DOLocationID": 7, "trip_distance": 0, "x": 1}, "ride_id": "a"}`,
	} {
		a, errA := Parse([]byte(in))
		b, errB := parseLibrary([]byte(in))
		if errA != nil || errB != nil || string(a.ID) != string(b.ID) || a.Features != b.Features {
			t.Errorf("%s: Parse %+v %v, parseLibrary %+v %v", in, a, errA, b, errB)
		}
	}
}

// parseLibrary is Parse on json v2 structs, for BenchmarkParse.
func parseLibrary(data []byte) (Ride, error) {
	var ev struct {
		Ride   jsontext.Value `json:"ride"`
		RideID jsontext.Value `json:"ride_id"`
	}
	if err := jsonv2.Unmarshal(data, &ev, pythonKeys); err != nil {
		return Ride{}, fmt.Errorf("not a JSON object: %w", jsonError(err))
	}
	id, err := rideID(ev.RideID)
	if err != nil {
		return Ride{}, err
	}
	// From here on errors keep the ride id, so that callers can say which
	// ride was refused.
	ride := Ride{ID: id}
	switch {
	case len(ev.Ride) == 0 || isNull(ev.Ride):
		return ride, errors.New("ride: missing")
	case ev.Ride.Kind() != '{':
		return ride, errors.New("ride: must be a JSON object")
	}
	var f struct {
		PU   jsontext.Value `json:"PULocationID"`
		DO   jsontext.Value `json:"DOLocationID"`
		Dist jsontext.Value `json:"trip_distance"`
	}
	if err := jsonv2.Unmarshal(ev.Ride, &f, pythonKeys); err != nil {
		return ride, fmt.Errorf("ride: %w", jsonError(err))
	}
	pudo, err := locationID(nil, f.PU, "PULocationID")
	if err != nil {
		return ride, err
	}
	pudo = append(pudo, '_')
	if pudo, err = locationID(pudo, f.DO, "DOLocationID"); err != nil {
		return ride, err
	}
	if len(f.Dist) == 0 || isNull(f.Dist) {
		return ride, errors.New("ride.trip_distance: missing")
	}
	dist, err := tripDistance(f.Dist)
	if err != nil {
		return ride, err
	}
	ride.Features = generated.Features{PUDO: string(pudo), TripDistance: dist}
	return ride, nil
}

// pythonKeys decodes as json.loads does: of a key given twice, the last
// counts.
var pythonKeys = jsontext.AllowDuplicateNames(true)

// locationID appends a present location ID, as Python's '%s' prints it.
func locationID(dst []byte, raw jsontext.Value, field string) ([]byte, error) {
	if len(raw) == 0 || isNull(raw) {
		return dst, fmt.Errorf("ride.%s: missing", field)
	}
	return appendLocationID(dst, raw, field)
}
