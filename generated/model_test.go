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
	runID := ""
	if m.RunID != nil {
		runID = *m.RunID
	}
	if ModelSHA256 != hex.EncodeToString(sum[:]) || SourceSHA256 != m.SourceSHA256 || RunID != runID ||
		SklearnVersion != m.SklearnVersion || Estimator != m.Estimator || NTrees != m.NTrees || NFeatures != m.NFeatures {
		t.Fatalf("generated constants differ from %s: run `make generate`", forestPath)
	}
}

func TestFeaturesFromMap(t *testing.T) {
	tests := []struct {
		name   string
		in     map[string]any
		want   Features
		errSub string
	}{
		{"both", map[string]any{"PU_DO": "130_205", "trip_distance": 3.66}, Features{PUDO: "130_205", TripDistance: 3.66}, ""},
		{"empty", map[string]any{}, Features{}, ""},
		{"unknown keys ignored", map[string]any{"PU_DO": "1_1", "fare": "x", "trip_distance": 1.0}, Features{PUDO: "1_1", TripDistance: 1}, ""},
		{"int distance", map[string]any{"trip_distance": 3}, Features{TripDistance: 3}, ""},
		{"json.Number", map[string]any{"trip_distance": json.Number("2.5")}, Features{TripDistance: 2.5}, ""},
		{"negative is the model's business", map[string]any{"trip_distance": -1.0}, Features{TripDistance: -1}, ""},
		{"float32 max", map[string]any{"trip_distance": 3.4028235677973362e38}, Features{TripDistance: 3.4028235677973362e38}, ""},
		{"number for category", map[string]any{"PU_DO": 130}, Features{}, "PU_DO: want a string, got int"},
		{"string for number", map[string]any{"trip_distance": "3.66"}, Features{}, "trip_distance: want a number, got string"},
		{"null number", map[string]any{"trip_distance": nil}, Features{}, "trip_distance: want a number, got null"},
		{"bad json.Number", map[string]any{"trip_distance": json.Number("x")}, Features{}, `trip_distance: "x" is not a number`},
		{"NaN", map[string]any{"trip_distance": math.NaN()}, Features{}, "trip_distance: NaN"},
		{"+Inf", map[string]any{"trip_distance": math.Inf(1)}, Features{}, "trip_distance: +Inf is beyond float32's range"},
		{"-Inf", map[string]any{"trip_distance": math.Inf(-1)}, Features{}, "trip_distance: -Inf is beyond float32's range"},
		{"beyond float32", map[string]any{"trip_distance": 3.4028235677973366e38}, Features{}, "beyond float32's range"},
		{"very negative", map[string]any{"trip_distance": -1e300}, Features{}, "beyond float32's range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FeaturesFromMap(tt.in)
			if tt.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.errSub)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("= %+v, %v; want %+v", got, err, tt.want)
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
		t.Fatalf("Predict(%+v) = %v, want %v (sklearn's)", f, got, want)
	}
}
