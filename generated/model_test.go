package generated

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/fieldname"
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
		want     want
		errSub   string
		accepted bool // the model accepts it after all: errSub is what another model says
	}{
		{"both", map[string]any{"PU_DO": "130_205", "trip_distance": 3.66}, want{"PU_DO": "130_205", "trip_distance": 3.66}, "", false},
		{"empty", map[string]any{}, want{"trip_distance": absent}, "", false},
		{"no distance", map[string]any{"PU_DO": "1_1"}, want{"PU_DO": "1_1", "trip_distance": absent}, "", false},
		{"unknown keys ignored", map[string]any{"PU_DO": "1_1", "fare": "x", "trip_distance": 1.0}, want{"PU_DO": "1_1", "trip_distance": 1}, "", false},
		{"int distance", map[string]any{"trip_distance": 3}, want{"trip_distance": 3}, "", false},
		{"json.Number", map[string]any{"trip_distance": json.Number("2.5")}, want{"trip_distance": 2.5}, "", false},
		{"negative is the model's business", map[string]any{"trip_distance": -1.0}, want{"trip_distance": -1}, "", false},
		{"float32 max", map[string]any{"trip_distance": 3.4028235677973362e38}, want{"trip_distance": 3.4028235677973362e38}, "", false},
		{"number for category", map[string]any{"PU_DO": 130}, want{}, "PU_DO: want a string, got int", false},
		{"string for number", map[string]any{"trip_distance": "3.66"}, want{}, "trip_distance: want a number, got string", false},
		{"null number", map[string]any{"trip_distance": nil}, want{}, "trip_distance: want a number, got null", false},
		{"bad json.Number", map[string]any{"trip_distance": json.Number("x")}, want{}, `trip_distance: "x" is not a number`, false},
		{"NaN", map[string]any{"trip_distance": math.NaN()}, want{"trip_distance": math.NaN()}, "trip_distance: NaN", nanMissing},
		{"+Inf", map[string]any{"trip_distance": math.Inf(1)}, want{"trip_distance": math.Inf(1)}, "trip_distance: +Inf " + beyond, infinityAllowed},
		{"-Inf", map[string]any{"trip_distance": math.Inf(-1)}, want{"trip_distance": math.Inf(-1)}, "trip_distance: -Inf " + beyond, infinityAllowed},
		{"beyond float32", map[string]any{"trip_distance": 3.4028235677973366e38}, want{"trip_distance": 3.4028235677973366e38}, beyond, infinityAllowed || !inputFloat32},
		{"very negative", map[string]any{"trip_distance": -1e300}, want{"trip_distance": -1e300}, beyond, infinityAllowed || !inputFloat32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for key := range tt.in {
				if key != "fare" && !reflect.ValueOf(Features{}).FieldByName(fieldname.Go(key)).IsValid() {
					t.Skipf("the model does not read %q", key)
				}
			}
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
			tt.want.check(t, got)
		})
	}
}

// want is the Features a test expects, by vectorizer key; every key the
// model does not read is left out of the comparison, and a case that
// names a key the model does not read is skipped, so that any refreshed
// model runs what applies to it.
type want map[string]any

func (w want) check(t *testing.T, got Features) {
	t.Helper()
	v := reflect.ValueOf(got)
	for key, x := range w {
		f := v.FieldByName(fieldname.Go(key))
		switch {
		case !f.IsValid():
			t.Skipf("the model does not read %q", key)
		case f.Kind() == reflect.String && f.String() != x:
			t.Fatalf("%s = %q, want %q", key, f.String(), x)
		case f.Kind() == reflect.Float64 && math.Float64bits(f.Float()) != math.Float64bits(toFloat(x)):
			t.Fatalf("%s = %v, want %v", key, f.Float(), x)
		}
	}
}

func toFloat(x any) float64 {
	if i, ok := x.(int); ok {
		return float64(i)
	}
	return x.(float64)
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
	// The features golden.py gives the model for this edge case: a model
	// with other keys ignores them, as its DictVectorizer does.
	f, err := FeaturesFromMap(map[string]any{"PU_DO": fmt.Sprintf("%d_%d", r.PULocationID, r.DOLocationID), "trip_distance": r.TripDistance})
	if err != nil {
		t.Fatal(err)
	}
	if got := Predict(f); got != want {
		t.Fatalf("Predict(%+v) = %v, want %v (%s's)", f, got, want, Library)
	}
}
