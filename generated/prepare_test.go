package generated

import (
	"errors"
	"math"
	"testing"

	"github.com/nyc-taxi/ridepred/handler/pyval"
	"github.com/nyc-taxi/ridepred/internal/golden"
)

// rideValues reads a ride object's fields as the handler's ride.Parse
// does, in Fields's order (absent where the ride has none).
func rideValues(tb testing.TB, object []byte) []pyval.Value {
	tb.Helper()
	r := pyval.NewReader(object)
	if err := r.Open('{'); err != nil {
		tb.Fatalf("ride %s: %v", object, err)
	}
	vals := make([]pyval.Value, len(Fields))
	for name, more, err := r.Member(true); more || err != nil; name, more, err = r.Member(false) {
		if err != nil {
			tb.Fatalf("ride %s: %v", object, err)
		}
		key := string(name)
		v, err := r.Value()
		if err != nil {
			tb.Fatalf("ride %s: %v", object, err)
		}
		for i, f := range Fields {
			if f == key {
				vals[i] = v
			}
		}
	}
	return vals
}

// prepared is each ride's features as Prepare, the model's own
// prepare_features compiled, makes them from the ride.
func prepared(tb testing.TB, rides []golden.Ride) []Features {
	tb.Helper()
	in := make([]Features, len(rides))
	for i, r := range rides {
		f, err := Prepare(rideValues(tb, r.Object))
		if err != nil {
			tb.Fatalf("%s row %d %s: %v", r.Month, r.Row, r.Object, err)
		}
		in[i] = f
	}
	return in
}

// TestParityOdd: the odd rides (golden.py: each field the model's
// prepare_features reads replaced by every kind of JSON value, edge numbers
// and strings, or left out) through Prepare and the model, against the
// user's Python and the library: the same prediction bit for bit, or an
// error where either raised. Prepare's documented divergences
// (pyval.ErrDivergence) are counted, not compared.
func TestParityOdd(t *testing.T) {
	odd, err := golden.OddIn(golden.Dir())
	if err != nil {
		t.Fatal(err)
	}
	predicted, raised, diverged := 0, 0, 0
	for i, o := range odd {
		f, err := Prepare(rideValues(t, []byte(o.Ride)))
		switch {
		case errors.Is(err, pyval.ErrDivergence):
			diverged++
		case o.Prediction == nil && err == nil:
			t.Errorf("odd ride %d %s: Prepare made %+v; Python raised %s%s", i, o.Ride, f, o.Error, o.Refused)
		case o.Prediction == nil:
			raised++
		case err != nil:
			t.Errorf("odd ride %d %s: Prepare: %v; Python predicted %v", i, o.Ride, err, *o.Prediction)
		case math.Float64bits(Predict(f)) != math.Float64bits(*o.Prediction):
			t.Errorf("odd ride %d %s: Predict(%+v) = %v; Python %v", i, o.Ride, f, Predict(f), *o.Prediction)
		default:
			predicted++
		}
	}
	t.Logf("%d odd rides: %d predicted and %d refused as the user's Python and %s do; %d divergences", len(odd), predicted, raised, Library, diverged)
	if len(odd) > 0 && predicted == 0 {
		t.Error("no odd ride was predicted")
	}
}
