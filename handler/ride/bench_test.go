package ride

import (
	"fmt"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/nyc-taxi/ridepred/handler/pyval"
	"github.com/nyc-taxi/ridepred/internal/golden"
)

// BenchmarkParse compares Parse, the hand-written reader of json.loads's
// JSON (pyjson.go), with parseLibrary, the same interpretation of values
// json v2 decodes into structs, on make bench's rides. json v2 cannot
// stand in for the reader (it has no NaN, and no unpaired surrogates), but
// this keeps its cost in sight: 2026-11-29, on a loaded machine, 1.1-1.9 µs
// against 2.8-7 µs per ride, 2 allocations against 9 (the jsontext-based
// parser before it took 2.7 µs and 4 allocations there).
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
	seedFeatures(t)
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

// parseLibrary is Parse's interpretation (event.parse) on values that
// json v2 decodes, for BenchmarkParse. It reads RFC 8259 only: json v2 has
// no NaN or Infinity, and no way to keep an unpaired surrogate.
func parseLibrary(data []byte) (Ride, error) {
	var ev struct {
		Ride   jsontext.Value `json:"ride"`
		RideID jsontext.Value `json:"ride_id"`
	}
	if err := jsonv2.Unmarshal(data, &ev, pythonKeys); err != nil {
		return Ride{}, fmt.Errorf("not a JSON object: %w", err)
	}
	e := event{id: libraryValue(ev.RideID), ride: libraryValue(ev.Ride)}
	vals := make([]pyval.Value, len(fields))
	if e.ride.IsObject() {
		var members map[string]jsontext.Value
		if err := jsonv2.Unmarshal(ev.Ride, &members, pythonKeys); err != nil {
			return Ride{}, fmt.Errorf("not a JSON object: %w", err)
		}
		for i, f := range fields {
			vals[i] = libraryValue(members[f])
		}
	}
	return parse(e.id, e.ride, vals)
}

// pythonKeys decodes as json.loads does: of a key given twice, the last
// counts.
var pythonKeys = jsontext.AllowDuplicateNames(true)

// libraryValue is a value json v2 checked, as the reader describes it.
func libraryValue(raw jsontext.Value) pyval.Value {
	if len(raw) == 0 {
		return pyval.Value{}
	}
	v, _ := pyval.NewReader(raw).Value()
	return v
}
