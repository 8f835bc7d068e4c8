package ride

import (
	"math"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/generated"
)

// parseCase is one of TestParse's cases.
type parseCase struct {
	name   string
	in     string
	id     string
	want   generated.Features
	errSub string
}

// huge is a ride whose distance is x (written as text): refused when the
// model's Validate refuses x, as sklearn's forests and xgboost's Booster do
// beyond float32, and predicted when it takes it, as HistGradientBoosting does.
func huge(name, text string, x float64) parseCase {
	in := `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": ` + text + `}, "ride_id": 1}`
	if (generated.Features{TripDistance: x}).Validate() != nil {
		return parseCase{name, in, "", generated.Features{}, "ride.trip_distance: " + text + " is beyond float32's range"}
	}
	return parseCase{name, in, "1", generated.Features{PUDO: "1_2", TripDistance: x}, ""}
}

func TestParse(t *testing.T) {
	tests := []parseCase{
		{"original event", `{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}`,
			"123", generated.Features{PUDO: "130_205", TripDistance: 3.66}, ""},
		{"string ids", `{"ride": {"PULocationID": "130", "DOLocationID": "5", "trip_distance": 0}, "ride_id": "abc-1"}`,
			`"abc-1"`, generated.Features{PUDO: "130_5", TripDistance: 0}, ""},
		{"integer distance, extra keys", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 7, "x": [1]}, "ride_id": 1.5e3, "y": {}}`,
			"1.5e3", generated.Features{PUDO: "1_2", TripDistance: 7}, ""},
		{"boolean id, -0", `{"ride": {"PULocationID": -0, "DOLocationID": 2, "trip_distance": -0.0}, "ride_id": true}`,
			"true", generated.Features{PUDO: "0_2", TripDistance: 0}, ""},
		{"not JSON", `{"ride": `, "", generated.Features{}, "not a JSON object: unexpected end of input"},
		{"not JSON either", `{"ride": x}`, "", generated.Features{}, "not a JSON object: invalid JSON at byte 9"},
		{"two objects", `{} {}`, "", generated.Features{}, "not a JSON object: data after the object"},
		{"not an object", `[1, 2]`, "", generated.Features{}, "not a JSON object: got a JSON array"},
		{"empty", ``, "", generated.Features{}, "not a JSON object"},
		{"no ride_id", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}}`, "", generated.Features{}, "ride_id: missing"},
		{"null ride_id", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride_id": null}`, "", generated.Features{}, "ride_id: missing"},
		{"object ride_id", `{"ride": {}, "ride_id": {"a": 1}}`, "", generated.Features{}, "ride_id: must be a string, number or boolean"},
		{"empty string ride_id", `{"ride": {}, "ride_id": ""}`, "", generated.Features{}, "ride_id: must not be empty"},
		{"ride_id beyond float64", `{"ride": {}, "ride_id": 1e400}`, "", generated.Features{}, "ride_id: 1e400 is beyond float64's range"},
		{"long ride_id", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride_id": "` + strings.Repeat("x", 300) + `"}`,
			`"` + strings.Repeat("x", 300) + `"`, generated.Features{PUDO: "1_2", TripDistance: 1}, ""},
		{"astral ride_id", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride_id": "` + strings.Repeat("😀", 200) + `"}`,
			`"` + strings.Repeat("😀", 200) + `"`, generated.Features{PUDO: "1_2", TripDistance: 1}, ""},
		{"long numeric ride_id", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride_id": ` + strings.Repeat("9", 300) + `}`,
			strings.Repeat("9", 300), generated.Features{PUDO: "1_2", TripDistance: 1}, ""},
		{"case matters", `{"Ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride_id": 1}`, "", generated.Features{}, "ride: missing"},
		{"ride not object", `{"ride": [1], "ride_id": 1}`, "", generated.Features{}, "ride: must be a JSON object"},
		{"no PU", `{"ride": {"DOLocationID": 2, "trip_distance": 1}, "ride_id": 1}`, "", generated.Features{}, "ride.PULocationID: missing"},
		{"null DO", `{"ride": {"PULocationID": 1, "DOLocationID": null, "trip_distance": 1}, "ride_id": 1}`, "", generated.Features{}, "ride.DOLocationID: missing"},
		{"float PU", `{"ride": {"PULocationID": 130.0, "DOLocationID": 2, "trip_distance": 1}, "ride_id": 1}`, "", generated.Features{}, "ride.PULocationID: must be an integer or a string of digits, got 130.0"},
		{"bool DO", `{"ride": {"PULocationID": 1, "DOLocationID": true, "trip_distance": 1}, "ride_id": 1}`, "", generated.Features{}, "ride.DOLocationID: must be an integer"},
		{"huge PU", `{"ride": {"PULocationID": 99999999999999999999, "DOLocationID": 2, "trip_distance": 1}, "ride_id": 1}`, "", generated.Features{}, "ride.PULocationID: must be an integer"},
		{"PU string not digits", `{"ride": {"PULocationID": "13a", "DOLocationID": 2, "trip_distance": 1}, "ride_id": 1}`, "", generated.Features{}, `ride.PULocationID: the string "13a" is not a location ID`},
		{"PU string leading zero", `{"ride": {"PULocationID": "0130", "DOLocationID": 2, "trip_distance": 1}, "ride_id": 1}`, "", generated.Features{}, "not a location ID"},
		{"PU string signed", `{"ride": {"PULocationID": "-1", "DOLocationID": 2, "trip_distance": 1}, "ride_id": 1}`, "", generated.Features{}, "not a location ID"},
		{"no distance", `{"ride": {"PULocationID": 1, "DOLocationID": 2}, "ride_id": 1}`, "", generated.Features{}, "ride.trip_distance: missing"},
		{"string distance", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": "3.66"}, "ride_id": 1}`, "", generated.Features{}, `ride.trip_distance: must be a JSON number, got "3.66"`},
		{"negative distance", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": -0.5}, "ride_id": 1}`, "", generated.Features{}, "ride.trip_distance: -0.5 is negative"},
		// Whether a huge distance is refused is the model's to say (its
		// library's rule): the same rides, whichever way the model goes.
		huge("distance beyond float64", "1e400", math.Inf(1)),
		huge("distance beyond float32", "3.5e38", 3.5e38),
		{"NaN is not JSON", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": NaN}, "ride_id": 1}`, "", generated.Features{}, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if tt.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.errSub)
				}
				return
			}
			if err != nil || string(got.ID) != tt.id || got.Features != tt.want {
				t.Fatalf("= %s %+v, %v; want %s %+v", got.ID, got.Features, err, tt.id, tt.want)
			}
		})
	}
}

func TestIDText(t *testing.T) {
	for id, want := range map[string]string{`123`: "123", `"abc"`: "abc", `"a\"b"`: `a"b`, `true`: "true"} {
		if got := (Ride{ID: []byte(id)}).IDText(); got != want {
			t.Errorf("IDText(%s) = %q, want %q", id, got, want)
		}
	}
}

func TestAppendFloat(t *testing.T) {
	for x, want := range map[float64]string{12.345678901234567: "12.345678901234567", 24: "24", 1e-7: "1e-07", 0: "0", 1e21: "1e+21"} {
		if got := string(AppendFloat(nil, x)); got != want {
			t.Errorf("AppendFloat(%v) = %s, want %s", x, got, want)
		}
	}
}
