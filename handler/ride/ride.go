// Package ride validates the original app's ride events and encodes
// predictions. The Lambda handler and tools/predict share it; it does not
// depend on the AWS SDK, so tools/predict starts fast.
package ride

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/nyc-taxi/ridepred/generated"
	"github.com/nyc-taxi/ridepred/handler/internal/jsonscan"
)

// Ride is a validated ride event.
type Ride struct {
	// ID is ride_id exactly as received: the JSON text of a string, number
	// or boolean.
	ID       json.RawMessage
	Features generated.Features
}

// Parse validates one ride event as the original app reads it:
//
//	{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}
//
// Location IDs are JSON integers or strings of digits (Python's '%s_%s'
// formats both alike); trip_distance is a finite JSON number >= 0 that
// float32 can hold; ride_id is a string, number or boolean. Keys match
// exactly, as in Python; other keys are ignored. Errors name the field; when
// ride_id itself is valid, the returned Ride carries it even with an error.
func Parse(data []byte) (Ride, error) {
	p := parsers.Get().(*rideParser)
	defer parsers.Put(p)
	return p.parse(data)
}

// rideParser reads a ride event in one pass with a streaming decoder, so
// that nothing but the ride id and the category is allocated; it is reused
// through a pool.
type rideParser struct {
	buf    bytes.Buffer
	dec    *jsontext.Decoder
	name   []byte
	pu, do []byte
}

var parsers = sync.Pool{New: func() any {
	p := &rideParser{}
	p.dec = jsontext.NewDecoder(&p.buf)
	return p
}}

// rideFields is what one pass finds; errors are kept until the end so that
// they are reported in a fixed order whatever the order of the keys.
type rideFields struct {
	id                   json.RawMessage
	idErr                error
	sawRide              bool
	rideErr, puErr       error
	doErr, distErr       error
	sawPU, sawDO, sawDst bool
	dist                 float64
}

func (p *rideParser) parse(data []byte) (Ride, error) {
	p.buf.Reset()
	p.buf.Write(data)
	p.dec.Reset(&p.buf)
	p.pu, p.do = p.pu[:0], p.do[:0]
	var f rideFields
	if err := p.object(func(name []byte) error {
		switch string(name) {
		case "ride_id":
			raw, err := p.dec.ReadValue()
			if err != nil {
				return err
			}
			f.id, f.idErr = rideID(raw)
		case "ride":
			kind := p.dec.PeekKind()
			f.sawRide = kind != 'n'
			if kind != '{' {
				if f.sawRide {
					f.rideErr = errors.New("ride: must be a JSON object")
				}
				return p.dec.SkipValue()
			}
			return p.object(func(name []byte) error { return p.rideField(name, &f) })
		default:
			return p.dec.SkipValue()
		}
		return nil
	}); err != nil {
		return Ride{}, fmt.Errorf("not a JSON object: %w", jsonError(err))
	}
	if _, err := p.dec.ReadToken(); err != io.EOF {
		return Ride{}, errors.New("not a JSON object: data after the object")
	}
	if f.id == nil && f.idErr == nil {
		f.idErr = errors.New("ride_id: missing")
	}
	if f.idErr != nil {
		return Ride{}, f.idErr
	}
	// From here on errors keep the ride id, so that callers can say which
	// ride was refused.
	ride := Ride{ID: f.id}
	switch {
	case f.rideErr != nil:
		return ride, f.rideErr
	case !f.sawRide:
		return ride, errors.New("ride: missing")
	case f.puErr != nil:
		return ride, f.puErr
	case !f.sawPU:
		return ride, errors.New("ride.PULocationID: missing")
	case f.doErr != nil:
		return ride, f.doErr
	case !f.sawDO:
		return ride, errors.New("ride.DOLocationID: missing")
	case f.distErr != nil:
		return ride, f.distErr
	case !f.sawDst:
		return ride, errors.New("ride.trip_distance: missing")
	}
	pudo := make([]byte, 0, len(p.pu)+1+len(p.do))
	ride.Features = generated.Features{PUDO: string(append(append(append(pudo, p.pu...), '_'), p.do...)), TripDistance: f.dist}
	return ride, nil
}

// rideField reads one member of the ride object.
func (p *rideParser) rideField(name []byte, f *rideFields) error {
	var dst *[]byte
	var errp *error
	switch string(name) {
	case "PULocationID":
		dst, errp, f.sawPU = &p.pu, &f.puErr, true
	case "DOLocationID":
		dst, errp, f.sawDO = &p.do, &f.doErr, true
	case "trip_distance":
		raw, err := p.dec.ReadValue()
		if err != nil {
			return err
		}
		f.sawDst = !isNull(raw)
		if f.sawDst {
			f.dist, f.distErr = tripDistance(raw)
		}
		return nil
	default:
		return p.dec.SkipValue()
	}
	raw, err := p.dec.ReadValue()
	if err != nil {
		return err
	}
	if isNull(raw) {
		*errp = fmt.Errorf("ride.%s: missing", name)
		return nil
	}
	*dst, *errp = appendLocationID((*dst)[:0], raw, string(name))
	return nil
}

// object reads a JSON object member by member (see jsonscan.Object).
func (p *rideParser) object(member func(name []byte) error) error {
	return jsonscan.Object(p.dec, &p.name, member)
}

// rideID accepts the ride ids whose JSON text the predictions carry back
// unchanged: a non-empty string of any length (the record's 1 MiB bounds
// it; the output's partition key is the source record's, not the id), a
// number that float64 holds (1e400 would read back as infinity, or fail,
// in most consumers), or a boolean.
func rideID(raw jsontext.Value) (json.RawMessage, error) {
	if raw == nil || isNull(raw) {
		return nil, errors.New("ride_id: missing")
	}
	switch raw[0] {
	case '{', '[':
		return nil, errors.New("ride_id: must be a string, number or boolean")
	case '"':
		text, err := jsontext.AppendUnquote(nil, raw)
		if err != nil {
			return nil, fmt.Errorf("ride_id: %w", jsonError(err))
		}
		if len(text) == 0 {
			return nil, errors.New("ride_id: must not be empty")
		}
	case 't', 'f':
	default:
		if _, err := strconv.ParseFloat(string(raw), 64); err != nil {
			return nil, fmt.Errorf("ride_id: %s is beyond float64's range", clip(string(raw)))
		}
	}
	return bytes.Clone(raw), nil
}

// appendLocationID appends the ID as Python's '%s' prints it.
func appendLocationID(dst []byte, raw jsontext.Value, field string) ([]byte, error) {
	if raw[0] == '"' {
		text, err := jsontext.AppendUnquote(dst, raw)
		if err != nil || !isDigits(text[len(dst):]) {
			return dst, fmt.Errorf("ride.%s: the string %s is not a location ID (digits, no leading zeros)", field, clip(string(raw)))
		}
		return text, nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return dst, fmt.Errorf("ride.%s: must be an integer or a string of digits, got %s", field, clip(string(raw)))
	}
	return strconv.AppendInt(dst, n, 10), nil
}

// isDigits accepts what Python's str() of a non-negative int prints.
func isDigits(s []byte) bool {
	if len(s) == 0 || len(s) > 18 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func tripDistance(raw jsontext.Value) (float64, error) {
	if raw == nil || isNull(raw) {
		return 0, errors.New("ride.trip_distance: missing")
	}
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		return 0, fmt.Errorf("ride.trip_distance: must be a JSON number, got %s", clip(string(raw)))
	}
	// A number too large for float64 parses as ±Inf (with ErrRange), as
	// Python's json.loads reads it; whether the model takes it is the
	// model's Validate's to say.
	x, err := strconv.ParseFloat(string(raw), 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("ride.trip_distance: must be a JSON number, got %s", clip(string(raw)))
	case x < 0:
		return 0, fmt.Errorf("ride.trip_distance: %s is negative", clip(string(raw)))
	case (generated.Features{TripDistance: x}).Validate() != nil:
		// JSON has no NaN, so what Validate refuses here is a number that
		// is infinite once cast to the model's input type: for sklearn's
		// forests and xgboost's Booster, beyond float32.
		return 0, fmt.Errorf("ride.trip_distance: %s is beyond float32's range", clip(string(raw)))
	}
	return x, nil
}

func isNull(raw []byte) bool { return bytes.Equal(raw, []byte("null")) }

// clip keeps error messages short whatever the input.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// jsonError says what was wrong with the JSON without the Go types that
// the decoder names, which mean nothing to the sender of a ride event.
func jsonError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("unexpected end of input")
	}
	var syn *jsontext.SyntacticError
	if errors.As(err, &syn) {
		return fmt.Errorf("invalid JSON at byte %d: %v", syn.ByteOffset, syn.Err)
	}
	var sem *jsonv2.SemanticError
	if errors.As(err, &sem) && sem.JSONKind != 0 {
		return fmt.Errorf("got a JSON %s", jsonscan.KindName(sem.JSONKind))
	}
	return err
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
