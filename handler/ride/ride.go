// Package ride reads the original app's ride events as the original does
// (Parse: the JSON as json.loads reads it, the features as the model's own
// prepare_features makes them, compiled into generated/) and encodes predictions. The Lambda handler and tools/model/predict share it; it does not
// depend on the AWS SDK, so tools/model/predict starts fast.
package ride

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/generated/shadow"
	"github.com/nyc-taxi/ridepred/handler/pyval"
)

// Ride is a ride event the original would predict.
type Ride struct {
	// ID is ride_id as the original writes it back: the text json.dumps
	// writes for the value json.loads read (123, "abc", null, {"a": 1},
	// 100.0 for 1e2, "\u00e9" for "é"; an unpaired surrogate stays
	// escaped, "\ud800", which strict JSON readers refuse).
	ID       json.RawMessage
	Features generated.Features
	// Shadow is the shadow model's features (generated/shadow, whose
	// prepare_features may read other fields), when one is compiled in;
	// ShadowErr says why the shadow cannot score the ride, if it cannot.
	Shadow    shadow.Features
	ShadowErr error
}

// Parse reads one ride event as the original app reads a Kinesis record's
// data (decode('utf-8'), json.loads, prepare_features, DictVectorizer):
//
//	{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}
//
// What the original predicts is predicted with the same features, and
// what it raises on is refused, but for the divergences below:
//
//   - The data is UTF-8 and JSON as json.loads reads it (package pyval):
//     NaN, Infinity and -Infinity are values, a repeated name keeps its
//     last value, unpaired surrogate escapes are kept; an integer of more
//     than 4,300 digits is refused, anywhere.
//   - The event is an object with ride (an object) and ride_id; other
//     names are ignored. Names match exactly, after unescaping.
//   - The ride's fields that the model's prepare_features reads
//     (generated.Fields, and the shadow's) are kept, the others skipped;
//     generated.Prepare, the user's Python compiled, makes the features
//     from them with Python's semantics (for the seed, '%s_%s' of the
//     location ids as Python prints them: 130.0 gives "130.0", true
//     "True", null "None"), then DictVectorizer's (a str is a category, a
//     number or bool a number, None NaN) and the model's Validate, which
//     refuses what its library refuses (sklearn's forests: NaN,
//     infinities, beyond float32).
//   - ride_id may be any value; ID is json.dumps's text of it.
//
// Divergences (docs/contract.md lists them with why): refused where the original
// predicts are str() of an array or object (Python writes its repr), a
// list of several strs as a feature value, a ride_id holding NaN or an
// infinity (json.dumps writes NaN or Infinity, which is not JSON), and
// nesting deeper than 900 levels.
//
// Errors name the field, or the Python line and expression that raised;
// when ride_id itself is valid, the returned Ride carries it even with an
// error.
func Parse(data []byte) (Ride, error) {
	if !utf8.Valid(data) {
		return Ride{}, pyval.ErrNotUTF8
	}
	// vals is kept apart from ev, so that what escapes of ev's values
	// (the id's text, in errors) does not take vals, on the stack, with it.
	var buf [stackFields]pyval.Value
	vals := buf[:0]
	if len(fields) <= stackFields {
		vals = buf[:len(fields)]
	} else {
		vals = make([]pyval.Value, len(fields))
	}
	var ev event
	if err := ev.read(data, vals); err != nil {
		return Ride{}, fmt.Errorf("not a JSON object: %w", err)
	}
	return parse(ev.id, ev.ride, vals)
}

// stackFields is how many fields Parse keeps without allocating.
const stackFields = 8

// event is what a ride event holds, for each name its last value; a zero
// Value is absent.
type event struct {
	id, ride pyval.Value
}

// read reads the event's JSON, whole, and into vals the ride's fields
// that fields names.
func (ev *event) read(data []byte, vals []pyval.Value) error {
	r := pyval.NewReader(data)
	if r.Peek() != '{' {
		v, err := r.Value()
		if err == nil {
			err = r.End()
		}
		if err == nil {
			err = fmt.Errorf("got a JSON %s", v.JSONKind())
		}
		return err
	}
	r.Open('{')
	for name, more, err := r.Member(true); more || err != nil; name, more, err = r.Member(false) {
		if err != nil {
			return err
		}
		switch string(name) {
		case "ride":
			err = ev.readRide(r, vals)
		case "ride_id":
			ev.id, err = r.Value()
		default:
			_, err = r.Value()
		}
		if err != nil {
			return err
		}
	}
	return r.End()
}

// readRide reads the value of ride, which replaces any earlier one.
func (ev *event) readRide(r *pyval.Reader, vals []pyval.Value) error {
	clear(vals)
	if r.Peek() != '{' {
		var err error
		ev.ride, err = r.Value()
		return err
	}
	ev.ride = pyval.Object
	r.Open('{')
	for name, more, err := r.Member(true); more || err != nil; name, more, err = r.Member(false) {
		if err != nil {
			return err
		}
		// The name is valid until the value is read.
		if i := slot(name); i >= 0 {
			vals[i], err = r.Value()
		} else {
			_, err = r.Value()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// slot is the index in fields of the field name, or -1.
func slot(name []byte) int {
	for i, f := range fields {
		if string(name) == f {
			return i
		}
	}
	return -1
}

// parse turns the event's values into a Ride, or says why not, in a fixed
// order whatever the order of the names.
func parse(rideID, rideValue pyval.Value, vals []pyval.Value) (Ride, error) {
	if rideID.Absent() {
		return Ride{}, errors.New("ride_id: missing")
	}
	id, err := pyval.Dumps(rideID)
	if err != nil {
		return Ride{}, fmt.Errorf("ride_id: %s %w", clip(string(rideID.Raw())), err)
	}
	// From here on errors keep the ride id, so that callers can say which
	// ride was refused.
	ride := Ride{ID: id}
	switch {
	case rideValue.Absent():
		return ride, errors.New("ride: missing")
	case !rideValue.IsObject():
		return ride, fmt.Errorf("ride: must be a JSON object, got a JSON %s", rideValue.JSONKind())
	}
	if ride.Features, err = generated.Prepare(vals[:len(generated.Fields)]); err != nil {
		return ride, err
	}
	if shadow.Shipped {
		var buf [stackFields]pyval.Value
		shadowVals := buf[:0]
		for _, at := range shadowAt {
			shadowVals = append(shadowVals, vals[at])
		}
		ride.Shadow, ride.ShadowErr = shadow.Prepare(shadowVals)
	}
	return ride, nil
}

// fields are the ride fields either model's prepare_features reads: the
// serving model's (generated.Fields), then the shadow's others. shadowAt
// holds, for each of shadow.Fields, its index in fields.
var fields, shadowAt = union(generated.Fields, shadow.Fields)

func union(serving, challenger []string) ([]string, []int) {
	all := slices.Clone(serving)
	at := make([]int, len(challenger))
	for i, f := range challenger {
		j := slices.Index(all, f)
		if j < 0 {
			j = len(all)
			all = append(all, f)
		}
		at[i] = j
	}
	return all, at
}

// clip keeps error messages short whatever the input.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// IDText is the ride id as text, as Python's str(ride_id) gives it for
// strings and integers: a string without its quotes, anything else as written.
func (r Ride) IDText() string {
	if r.ID[0] == '"' {
		var s string
		if json.Unmarshal(r.ID, &s) == nil {
			return s
		}
	}
	return string(r.ID)
}

// AppendFloat appends x as a JSON number that parses back to the same
// float64 (the shortest such decimal, as encoding/json writes it).
func AppendFloat(b []byte, x float64) []byte {
	abs := math.Abs(x)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, x, format, -1, 64)
}
