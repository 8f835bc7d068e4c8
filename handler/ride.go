// Package handler is the Lambda function: Kinesis ride events in, predictions
// out on another stream, invalid records to a dead-letter stream. It also
// holds the ride validation that tools/predict shares.
package handler

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

// Ride is a validated ride event.
type Ride struct {
	// ID is ride_id exactly as received: the JSON text of a string, number
	// or boolean.
	ID       json.RawMessage
	Features generated.Features
}

// maxPartitionKey is Kinesis's limit on a partition key, in characters; the
// ride id is the partition key of its prediction.
const maxPartitionKey = 256

// ParseRide validates one ride event as the original app reads it:
//
//	{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}
//
// Location IDs are JSON integers or strings of digits (Python's '%s_%s'
// formats both alike); trip_distance is a finite JSON number >= 0 that
// float32 can hold; ride_id is a string, number or boolean. Keys match
// exactly, as in Python; other keys are ignored. Errors name the field; when
// ride_id itself is valid, the returned Ride carries it even with an error.
func ParseRide(data []byte) (Ride, error) {
	var event map[string]json.RawMessage
	if err := json.Unmarshal(data, &event); err != nil {
		return Ride{}, fmt.Errorf("not a JSON object: %w", jsonError(err))
	}
	id, err := rideID(event["ride_id"])
	if err != nil {
		return Ride{}, err
	}
	// From here on errors keep the ride id, so that callers can say which
	// ride was refused.
	raw, ok := event["ride"]
	if !ok || isNull(raw) {
		return Ride{ID: id}, errors.New("ride: missing")
	}
	var ride map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ride); err != nil {
		return Ride{ID: id}, errors.New("ride: must be a JSON object")
	}
	pu, err := locationID(ride, "PULocationID")
	if err != nil {
		return Ride{ID: id}, err
	}
	do, err := locationID(ride, "DOLocationID")
	if err != nil {
		return Ride{ID: id}, err
	}
	dist, err := tripDistance(ride["trip_distance"])
	if err != nil {
		return Ride{ID: id}, err
	}
	return Ride{ID: id, Features: generated.Features{PUDO: pu + "_" + do, TripDistance: dist}}, nil
}

func rideID(raw json.RawMessage) (json.RawMessage, error) {
	if raw == nil || isNull(raw) {
		return nil, errors.New("ride_id: missing")
	}
	switch raw[0] {
	case '{', '[':
		return nil, errors.New("ride_id: must be a string, number or boolean")
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("ride_id: %w", jsonError(err))
		}
		if n := utf8.RuneCountInString(s); n == 0 || n > maxPartitionKey {
			return nil, fmt.Errorf("ride_id: a string ride_id must have 1 to %d characters (it is the partition key)", maxPartitionKey)
		}
	}
	return raw, nil
}

func locationID(ride map[string]json.RawMessage, field string) (string, error) {
	raw, ok := ride[field]
	if !ok || isNull(raw) {
		return "", fmt.Errorf("ride.%s: missing", field)
	}
	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return "", fmt.Errorf("ride.%s: %w", field, jsonError(err))
		}
		if !isDigits(text) {
			return "", fmt.Errorf("ride.%s: the string %q is not a location ID (digits, no leading zeros)", field, text)
		}
		return text, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return "", fmt.Errorf("ride.%s: must be an integer or a string of digits, got %s", field, clip(text))
	}
	return strconv.FormatInt(n, 10), nil
}

// isDigits accepts what Python's str() of a non-negative int prints.
func isDigits(s string) bool {
	if s == "" || len(s) > 18 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func tripDistance(raw json.RawMessage) (float64, error) {
	if raw == nil || isNull(raw) {
		return 0, errors.New("ride.trip_distance: missing")
	}
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		return 0, fmt.Errorf("ride.trip_distance: must be a JSON number, got %s", clip(string(raw)))
	}
	x, err := strconv.ParseFloat(string(raw), 64)
	switch {
	case err != nil:
		return 0, fmt.Errorf("ride.trip_distance: %s is beyond float32's range", clip(string(raw)))
	case x < 0:
		return 0, fmt.Errorf("ride.trip_distance: %s is negative", clip(string(raw)))
	case math.IsInf(float64(float32(x)), 0):
		return 0, fmt.Errorf("ride.trip_distance: %s is beyond float32's range", clip(string(raw)))
	}
	return x, nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(raw, []byte("null")) }

// clip keeps error messages short whatever the input.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// jsonError drops encoding/json's Go type names, which mean nothing to the
// sender of a ride event.
func jsonError(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("invalid JSON at byte %d: %s", syn.Offset, syn.Error())
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("got a JSON %s", typ.Value)
	}
	return err
}

// PartitionKey is the ride id as text, as Python's str(ride_id) gives it for
// strings and integers: a string without its quotes, anything else as written.
func (r Ride) PartitionKey() string {
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
