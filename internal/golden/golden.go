// Package golden is sklearn's golden answers, written by
// model-export/golden.py (format in model-export/FORMAT.md), that tests and
// benchmarks compare the Go model with, and the original app's ride event
// they feed the handler.
package golden

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"
)

// Ride is one real ride with sklearn's prediction.
type Ride struct {
	Month        string  `json:"month"`
	Row          int     `json:"row"`
	PULocationID int64   `json:"PULocationID"`
	DOLocationID int64   `json:"DOLocationID"`
	TripDistance float64 `json:"trip_distance"`
	Prediction   float64 `json:"prediction"`
	// Error: the model's prepare_features raised on this ride (no prediction).
	Error bool `json:"error"`
	// Object is the ride as the model's prepare_features read it: a JSON
	// object of the fields it reads, each under its own name (the row but
	// month, row, prediction and error).
	Object []byte `json:"-"`
}

// PUDO is the ride's category as the original app builds it.
func (r Ride) PUDO() string { return fmt.Sprintf("%d_%d", r.PULocationID, r.DOLocationID) }

// Edge is one designed input. Absent keys are nil. Refused rows have no
// prediction; their distance is in TripDistanceRepr as Python's repr.
type Edge struct {
	PUDO             *string  `json:"PU_DO"`
	TripDistance     *float64 `json:"trip_distance"`
	Case             string   `json:"case"`
	Prediction       *float64 `json:"prediction"`
	Refused          string   `json:"refused"`
	TripDistanceRepr string   `json:"trip_distance_repr"`
}

// Odd is one odd ride: a real ride with one field the model's
// prepare_features reads replaced by an odd JSON value (or left out), and
// what the user's Python and the model made of it: a prediction, or an
// error (Error: the function raised; Refused: the library refused its
// features).
type Odd struct {
	Field      string   `json:"field"`
	Ride       string   `json:"ride"`
	Prediction *float64 `json:"prediction"`
	Error      string   `json:"error"`
	Refused    string   `json:"refused"`
}

// OddIn reads dir's odd.jsonl.gz.
func OddIn(dir string) ([]Odd, error) { return read[Odd](dir, "odd.jsonl.gz") }

// Dir is model-export/artifacts/golden in this repository.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "model-export", "artifacts", "golden")
}

// ShadowDir is model-export/shadow/golden: the golden answers of the
// shadow model (make shadow), when one is shipped.
func ShadowDir() string { return filepath.Join(filepath.Dir(Dir()), "..", "shadow", "golden") }

// Rides reads rides.jsonl.gz.
func Rides() ([]Ride, error) { return RidesIn(Dir()) }

// RidesIn reads dir's rides.jsonl.gz: another model's golden answers.
func RidesIn(dir string) ([]Ride, error) { return read[Ride](dir, "rides.jsonl.gz") }

// ShuffledFeb is Feb 2022's rides in one fixed random order, the input of
// every benchmark (so that branch prediction cannot learn the file's order,
// and Go and Python see the same rides).
func ShuffledFeb() ([]Ride, error) {
	rides, err := Rides()
	if err != nil {
		return nil, err
	}
	var feb []Ride
	for _, r := range rides {
		if r.Month == "2022-02" {
			feb = append(feb, r)
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(feb), func(i, j int) { feb[i], feb[j] = feb[j], feb[i] })
	return feb, nil
}

// Edges reads edges.jsonl.gz.
func Edges() ([]Edge, error) { return EdgesIn(Dir()) }

// EdgesIn reads dir's edges.jsonl.gz.
func EdgesIn(dir string) ([]Edge, error) { return read[Edge](dir, "edges.jsonl.gz") }

// cache holds each file read, by path, size and modification time: a test
// binary reads the same golden file in many of its tests, and parsing
// 131,894 rides takes seconds natively and a minute under qemu.
var cache sync.Map // fileKey -> []T

type fileKey struct {
	path    string
	size    int64
	modTime time.Time
}

// read returns dir's name, parsed once per process. The slice is the
// caller's to change; what its elements point to (Ride.Object, Edge's
// pointers) is shared and must not be.
func read[T any](dir, name string) ([]T, error) {
	path := filepath.Join(dir, name)
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	key := fileKey{path, info.Size(), info.ModTime()}
	if v, ok := cache.Load(key); ok {
		return slices.Clone(v.([]T)), nil
	}
	out, err := parse[T](path, name)
	if err != nil {
		return nil, err
	}
	cache.Store(key, out)
	return slices.Clone(out), nil
}

func parse[T any](path, name string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []T
	sc := bufio.NewScanner(gz)
	for line := 1; sc.Scan(); line++ {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if r, ok := any(&v).(*Ride); ok {
			object, err := rideObject(sc.Bytes())
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, line, err)
			}
			r.Object = object
		}
		out = append(out, v)
	}
	return out, sc.Err()
}

// rideObject is a golden ride row without month, row, prediction and
// error: the ride the model's prepare_features read, keys sorted.
func rideObject(row []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(row, &m); err != nil {
		return nil, err
	}
	for _, k := range []string{"month", "row", "prediction", "error"} {
		delete(m, k)
	}
	return json.Marshal(m)
}

// OriginalRide is the original app's test ride: PU 130 -> DO 205, 3.66 miles.
var OriginalRide = struct {
	PULocationID, DOLocationID int64
	TripDistance               float64
}{130, 205, 3.66}

// Prediction is sklearn's answer, from the golden edge cases, for the input
// {"PU_DO": pudo, "trip_distance": tripDistance}. Tests take expected
// values from here, so that they hold for any refreshed model.
func Prediction(pudo string, tripDistance float64) (float64, error) {
	edges, err := Edges()
	if err != nil {
		return 0, err
	}
	for _, e := range edges {
		if e.PUDO != nil && *e.PUDO == pudo && e.TripDistance != nil && *e.TripDistance == tripDistance && e.Prediction != nil {
			return *e.Prediction, nil
		}
	}
	return 0, fmt.Errorf("no golden edge case for PU_DO %q, trip_distance %v", pudo, tripDistance)
}

// OriginalPrediction is sklearn's answer for OriginalRide.
func OriginalPrediction() (float64, error) {
	r := OriginalRide
	return Prediction(fmt.Sprintf("%d_%d", r.PULocationID, r.DOLocationID), r.TripDistance)
}
