// Package ride reads the original app's ride events as the original does
// (Parse) and encodes predictions. The Lambda handler and tools/predict share it; it does not
// depend on the AWS SDK, so tools/predict starts fast.
package ride

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/nyc-taxi/ridepred/generated"
)

// Ride is a ride event the original would predict.
type Ride struct {
	// ID is ride_id as the original writes it back: the text json.dumps
	// writes for the value json.loads read (123, "abc", null, {"a": 1},
	// 100.0 for 1e2, "\u00e9" for "é"; an unpaired surrogate stays
	// escaped, "\ud800", which strict JSON readers refuse).
	ID       json.RawMessage
	Features generated.Features
}

// Parse reads one ride event as the original app reads a Kinesis record's
// data (decode('utf-8'), json.loads, prepare_features, DictVectorizer):
//
//	{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}
//
// What the original predicts is predicted with the same features, and
// what it raises on is refused, but for the divergences below:
//
//   - The data is UTF-8 and JSON as json.loads reads it (pyjson.go): NaN,
//     Infinity and -Infinity are values, a repeated name keeps its last
//     value, unpaired surrogate escapes are kept; an integer of more than
//     4,300 digits is refused, anywhere.
//   - The event is an object with ride (an object) and ride_id; other
//     names are ignored. Names match exactly, after unescaping.
//   - PULocationID and DOLocationID may be any value but an array or an
//     object: the category is '%s_%s' of them as Python prints them
//     (130.0 gives "130.0", "0130" "0130", true "True", null "None"), which
//     matches the model's category exactly when the original's does.
//   - trip_distance is a number (negative, NaN or ±Infinity too), a
//     boolean (1 or 0, as DictVectorizer reads it) or null (NaN, as
//     DictVectorizer reads it).
//     The model's Validate refuses what its library refuses (sklearn's
//     forests: NaN, infinities, beyond float32); an integer beyond
//     float64's range is refused (Python's float() raises on it).
//   - ride_id may be any value; ID is json.dumps's text of it.
//
// Divergences (README.md lists them with why): refused where the original
// predicts are a string or array trip_distance (DictVectorizer makes a
// category of it, and the original predicts as if there were no distance), a
// location id that is an array or object, a ride_id holding NaN or an
// infinity (json.dumps writes NaN or Infinity, which is not JSON), and
// nesting deeper than 900 levels (see maxDepth).
//
// Errors name the field; when ride_id itself is valid, the returned Ride
// carries it even with an error.
func Parse(data []byte) (Ride, error) {
	if !utf8.Valid(data) {
		return Ride{}, errNotUTF8
	}
	var ev event
	if err := ev.read(data); err != nil {
		return Ride{}, fmt.Errorf("not a JSON object: %w", err)
	}
	return ev.parse()
}

// event is what a ride event holds, for each name its last value; kind 0
// is absent.
type event struct {
	id, ride     value
	pu, do, dist value // ride's, when ride is an object
}

// read reads the event's JSON, whole.
func (ev *event) read(data []byte) error {
	r := reader{data: data}
	if r.peek() != '{' {
		v, err := r.value()
		if err == nil {
			err = r.end()
		}
		if err == nil {
			err = fmt.Errorf("got a JSON %s", v.kind)
		}
		return err
	}
	r.open('{')
	for name, more, err := r.member(true); more || err != nil; name, more, err = r.member(false) {
		if err != nil {
			return err
		}
		switch string(name) {
		case "ride":
			err = ev.readRide(&r)
		case "ride_id":
			ev.id, err = r.value()
		default:
			_, err = r.value()
		}
		if err != nil {
			return err
		}
	}
	return r.end()
}

// readRide reads the value of ride, which replaces any earlier one.
func (ev *event) readRide(r *reader) error {
	ev.pu, ev.do, ev.dist = value{}, value{}, value{}
	if r.peek() != '{' {
		var err error
		ev.ride, err = r.value()
		return err
	}
	ev.ride = value{kind: kObject}
	r.open('{')
	for name, more, err := r.member(true); more || err != nil; name, more, err = r.member(false) {
		if err != nil {
			return err
		}
		dst := new(value) // the name is valid until the value is read
		switch string(name) {
		case "PULocationID":
			dst = &ev.pu
		case "DOLocationID":
			dst = &ev.do
		case "trip_distance":
			dst = &ev.dist
		}
		if *dst, err = r.value(); err != nil {
			return err
		}
	}
	return nil
}

// parse turns the event's values into a Ride, or says why not, in a fixed
// order whatever the order of the names.
func (ev *event) parse() (Ride, error) {
	if ev.id.kind == 0 {
		return Ride{}, errors.New("ride_id: missing")
	}
	id, err := rideID(ev.id)
	if err != nil {
		return Ride{}, err
	}
	// From here on errors keep the ride id, so that callers can say which
	// ride was refused.
	ride := Ride{ID: id}
	switch ev.ride.kind {
	case 0:
		return ride, errors.New("ride: missing")
	case kObject:
	default:
		return ride, fmt.Errorf("ride: must be a JSON object, got a JSON %s", ev.ride.kind)
	}
	var buf [64]byte
	pudo, err := appendLocationID(buf[:0], ev.pu, "PULocationID")
	if err != nil {
		return ride, err
	}
	if pudo, err = appendLocationID(append(pudo, '_'), ev.do, "DOLocationID"); err != nil {
		return ride, err
	}
	dist, err := tripDistance(ev.dist)
	if err != nil {
		return ride, err
	}
	ride.Features = generated.Features{PUDO: string(pudo), TripDistance: dist}
	return ride, nil
}

// rideID is json.dumps's text of the ride id: the input's own for an
// integer (but -0), a literal or a string of printable ASCII without
// escapes, which is nearly every ride id.
func rideID(v value) (json.RawMessage, error) {
	switch {
	case v.kind == kNumber && v.isInt && string(v.raw) != "-0",
		v.kind == kTrue, v.kind == kFalse, v.kind == kNull,
		v.kind == kString && !v.esc && isPrintableASCII(v.raw):
		return bytes.Clone(v.raw), nil
	}
	id, err := appendDumps(nil, v)
	if err != nil {
		return nil, fmt.Errorf("ride_id: %s %w", clip(string(v.raw)), err)
	}
	return id, nil
}

func isPrintableASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7F {
			return false
		}
	}
	return true
}

// appendLocationID appends the location id as '%s' prints it.
func appendLocationID(dst []byte, v value, field string) ([]byte, error) {
	if v.kind == 0 {
		return dst, fmt.Errorf("ride.%s: missing", field)
	}
	dst, err := appendPyStr(dst, v)
	if err != nil {
		return dst, fmt.Errorf("ride.%s: %w", field, err)
	}
	return dst, nil
}

// tripDistance is the distance as DictVectorizer reads it, if the model
// takes it.
func tripDistance(v value) (float64, error) {
	var x float64
	switch v.kind {
	case 0:
		return 0, errors.New("ride.trip_distance: missing")
	case kNumber:
		x = parseFloat(v.raw)
		if v.isInt && math.IsInf(x, 0) {
			return 0, fmt.Errorf("ride.trip_distance: the integer %s is beyond float64's range (Python's float() raises)", clip(string(v.raw)))
		}
	case kTrue:
		x = 1
	case kFalse:
		x = 0
	case kNull, kNaN:
		x = math.NaN()
	case kInf:
		x = math.Inf(1)
	case kNegInf:
		x = math.Inf(-1)
	case kString:
		return 0, fmt.Errorf("ride.trip_distance: a string is not a distance, got %s", clip(string(v.raw)))
	case kArray:
		return 0, fmt.Errorf("ride.trip_distance: an array is not a distance, got %s", clip(string(v.raw)))
	default:
		return 0, errors.New("ride.trip_distance: must be a number, got a JSON object")
	}
	if err := (generated.Features{TripDistance: x}).Validate(); err != nil {
		return 0, fmt.Errorf("ride.%w (given as %s)", err, clip(string(v.raw)))
	}
	return x, nil
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
