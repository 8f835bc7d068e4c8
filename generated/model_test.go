package generated

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/golden"
)

const forestPath = "../model-export/artifacts/forest.json"

// TestConstantsMatchForest fails when generated/ drifts from the forest it
// claims to be built from (`make generate` fixes it).
func TestConstantsMatchForest(t *testing.T) {
	data, err := os.ReadFile(forestPath)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	var f struct {
		Metadata struct {
			SklearnVersion string  `json:"sklearn_version"`
			Library        string  `json:"library"`
			Estimator      string  `json:"estimator"`
			RunID          *string `json:"run_id"`
			SourceSHA256   string  `json:"source_sha256"`
			NFeatures      int     `json:"n_features"`
			NTrees         int     `json:"n_trees"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	m := f.Metadata
	if m.Library == "" {
		m.Library = "sklearn" // format version 1
	}
	runID := ""
	if m.RunID != nil {
		runID = *m.RunID
	}
	if ModelSHA256 != hex.EncodeToString(sum[:]) || SourceSHA256 != m.SourceSHA256 || RunID != runID ||
		SklearnVersion != m.SklearnVersion || Library != m.Library || Estimator != m.Estimator || NTrees != m.NTrees || NFeatures != m.NFeatures {
		t.Fatalf("generated constants differ from %s: run `make generate`", forestPath)
	}
}

// TestFeaturesFromMap: the map reader, with what the model's library
// accepts and refuses taken from the model's own rule (nanMissing,
// infinityAllowed, absentMissing), so that any refreshed model passes.
func TestFeaturesFromMap(t *testing.T) {
	absent := 0.0 // a number left out of the input
	if absentMissing {
		absent = math.NaN()
	}
	beyond := "is not a number the model accepts" // infinite, after a float64 cast
	if inputFloat32 {
		beyond = "is beyond float32's range"
	}
	tests := []struct {
		name     string
		in       map[string]any
		want     Features
		errSub   string
		accepted bool // the model accepts it after all: errSub is what another model says
	}{
		{"both", map[string]any{"PU_DO": "130_205", "trip_distance": 3.66}, Features{PUDO: "130_205", TripDistance: 3.66}, "", false},
		{"empty", map[string]any{}, Features{TripDistance: absent}, "", false},
		{"no distance", map[string]any{"PU_DO": "1_1"}, Features{PUDO: "1_1", TripDistance: absent}, "", false},
		{"unknown keys ignored", map[string]any{"PU_DO": "1_1", "fare": "x", "trip_distance": 1.0}, Features{PUDO: "1_1", TripDistance: 1}, "", false},
		{"int distance", map[string]any{"trip_distance": 3}, Features{TripDistance: 3}, "", false},
		{"json.Number", map[string]any{"trip_distance": json.Number("2.5")}, Features{TripDistance: 2.5}, "", false},
		{"negative is the model's business", map[string]any{"trip_distance": -1.0}, Features{TripDistance: -1}, "", false},
		{"float32 max", map[string]any{"trip_distance": 3.4028235677973362e38}, Features{TripDistance: 3.4028235677973362e38}, "", false},
		{"number for category", map[string]any{"PU_DO": 130}, Features{}, "PU_DO: want a string, got int", false},
		{"string for number", map[string]any{"trip_distance": "3.66"}, Features{}, "trip_distance: want a number, got string", false},
		{"null number", map[string]any{"trip_distance": nil}, Features{}, "trip_distance: want a number, got null", false},
		{"bad json.Number", map[string]any{"trip_distance": json.Number("x")}, Features{}, `trip_distance: "x" is not a number`, false},
		{"NaN", map[string]any{"trip_distance": math.NaN()}, Features{TripDistance: math.NaN()}, "trip_distance: NaN", nanMissing},
		{"+Inf", map[string]any{"trip_distance": math.Inf(1)}, Features{TripDistance: math.Inf(1)}, "trip_distance: +Inf " + beyond, infinityAllowed},
		{"-Inf", map[string]any{"trip_distance": math.Inf(-1)}, Features{TripDistance: math.Inf(-1)}, "trip_distance: -Inf " + beyond, infinityAllowed},
		{"beyond float32", map[string]any{"trip_distance": 3.4028235677973366e38}, Features{TripDistance: 3.4028235677973366e38}, beyond, infinityAllowed || !inputFloat32},
		{"very negative", map[string]any{"trip_distance": -1e300}, Features{TripDistance: -1e300}, beyond, infinityAllowed || !inputFloat32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FeaturesFromMap(tt.in)
			if tt.errSub != "" && !tt.accepted {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.errSub)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v, want %+v", err, tt.want)
			}
			if got.PUDO != tt.want.PUDO || math.Float64bits(got.TripDistance) != math.Float64bits(tt.want.TripDistance) {
				t.Fatalf("= %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPredictBatchAllocatesNothing(t *testing.T) {
	in := shuffledFeb(t)[:3000]
	out := make([]float64, len(in))
	if n := testing.AllocsPerRun(5, func() { PredictBatch(in, out) }); n != 0 {
		t.Fatalf("PredictBatch allocates %v times per call", n)
	}
}

func TestOriginalTestRide(t *testing.T) {
	want, err := golden.OriginalPrediction()
	if err != nil {
		t.Fatal(err)
	}
	r := golden.OriginalRide
	f := Features{PUDO: fmt.Sprintf("%d_%d", r.PULocationID, r.DOLocationID), TripDistance: r.TripDistance}
	if got := Predict(f); got != want {
		t.Fatalf("Predict(%+v) = %v, want %v (%s's)", f, got, want, Library)
	}
}
