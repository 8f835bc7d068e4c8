package rides

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestLoadColumns: the seed's columns give FromTrips's events, others
// every requested TLC column under its own name, with the times.
func TestLoadColumns(t *testing.T) {
	const file = "../../model-export/data/green_tripdata_2022-02.parquet"
	seed, err := Load(file, 5, "feb-", []string{"PULocationID", "DOLocationID", "trip_distance"})
	if err != nil {
		t.Fatal(err)
	}
	fare, err := Load(file, 5, "feb-", []string{"PULocationID", "fare_amount", "payment_type", "store_and_fwd_flag"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		var s, f struct{ Ride map[string]any }
		if err := json.Unmarshal(seed[i].Event, &s); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(fare[i].Event, &f); err != nil {
			t.Fatalf("%s: %v", fare[i].Event, err)
		}
		for _, k := range []string{"PULocationID", "fare_amount", "payment_type", "store_and_fwd_flag", "lpep_pickup_datetime", "lpep_dropoff_datetime"} {
			if _, ok := f.Ride[k]; !ok {
				t.Errorf("%s lacks %s", fare[i].Event, k)
			}
		}
		if f.Ride["PULocationID"] != s.Ride["PULocationID"] || fare[i].ID != seed[i].ID || fare[i].Duration != seed[i].Duration {
			t.Errorf("ride %d differs: %s against %s", i, fare[i].Event, seed[i].Event)
		}
	}
	if _, err := Load(file, 1, "", []string{"tip"}); err == nil {
		t.Error("an unknown column was accepted")
	}
	if !slices.Contains(ModelColumns(), "trip_distance") {
		t.Errorf("ModelColumns() = %v", ModelColumns())
	}
}
