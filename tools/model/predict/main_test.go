package main

import (
	"bufio"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/handler/ride"
	"github.com/nyc-taxi/ridepred/internal/golden"
)

func TestMixedLines(t *testing.T) {
	in := strings.Join([]string{
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}`,
		`not json`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": {}}, "ride_id": "r-2"}`,
		``,
		`{"ride": {"PULocationID": "130", "DOLocationID": "205", "trip_distance": 3.66}, "ride_id": "r-4"}` + "\r",
	}, "\n")
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	p, err := golden.OriginalPrediction()
	if err != nil {
		t.Fatal(err)
	}
	pred := string(ride.AppendFloat(nil, p))
	want := []string{
		`{"ride_id": 123, "prediction": ` + pred + `}`,
		`{"ride_id": null, "error": "not a JSON object: invalid JSON at byte 0: expecting a value, got 'n'"}`,
		r2Error(t, `{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": {}}, "ride_id": "r-2"}`),
		`{"ride_id": null, "error": "not a JSON object: invalid JSON at byte 0: unexpected end of input"}`,
		`{"ride_id": "r-4", "prediction": ` + pred + `}`,
	}
	if got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// r2Error is the tool's line for a ride the model's prepare_features (or
// its DictVectorizer) raises on: ride.Parse's error, JSON-quoted.
func r2Error(t *testing.T, line string) string {
	t.Helper()
	_, err := ride.Parse([]byte(line))
	if err == nil {
		t.Fatalf("ride.Parse accepted %s", line)
	}
	msg, _ := json.Marshal(err.Error())
	return `{"ride_id": "r-2", "error": ` + string(msg) + `}`
}

// TestGoldenRides sends every golden ride through the tool, more lines than
// one block, and compares each prediction bit for bit.
func TestGoldenRides(t *testing.T) {
	rides, err := golden.Rides()
	if err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	for i, r := range rides {
		in.Write(append(golden.Event(r, i), '\n'))
	}
	var out strings.Builder
	if err := run(strings.NewReader(in.String()), &out); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	n := 0
	for ; sc.Scan(); n++ {
		var got struct {
			RideID     int     `json:"ride_id"`
			Prediction float64 `json:"prediction"`
		}
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if want := rides[n].Prediction; got.RideID != n || math.Float64bits(got.Prediction) != math.Float64bits(want) {
			t.Fatalf("line %d: %s; want ride_id %d prediction %v", n, sc.Text(), n, want)
		}
	}
	if n != len(rides) {
		t.Fatalf("%d output lines for %d rides", n, len(rides))
	}
	t.Logf("%d rides through tools/model/predict equal sklearn bit for bit", n)
}
