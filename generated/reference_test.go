package generated

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nyc-taxi/ridepred/internal/golden"
)

const referencePath = "../model-export/artifacts/reference.json"

// TestReferenceMatchesArtifacts: the compiled reference is reference.json,
// value for value, and reference.json is this forest's (`make generate`
// fixes the first, golden.py the second).
func TestReferenceMatchesArtifacts(t *testing.T) {
	data, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Distribution
		ForestSHA256 string `json:"forest_sha256"`
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if want.ForestSHA256 != ModelSHA256 {
		t.Errorf("%s is the reference of forest %s, this package's forest is %s", referencePath, want.ForestSHA256, ModelSHA256)
	}
	if Reference == nil {
		t.Fatal("Reference is nil: go generate without -reference")
	}
	if diff := cmp.Diff(want.Distribution, *Reference); diff != "" {
		t.Errorf("Reference differs from %s: run `make generate` (-want +got):\n%s", referencePath, diff)
	}
}

// TestReferenceOfGoldenRides: the reference is the distribution of the
// library's own answers for the committed Feb 2022 rides, by the rule
// model-export/reference.py states: the edge at level k is the smallest
// prediction with at least k of them at or below it, and its CDF is the
// fraction at or below it. Their Shift from it is then exactly 0.
func TestReferenceOfGoldenRides(t *testing.T) {
	preds := referencePredictions(t)
	r := Reference
	s := slices.Sorted(slices.Values(preds))
	n := len(s)
	if r.Rides != n || r.Min != s[0] || r.Max != s[n-1] {
		t.Errorf("Rides, Min, Max = %d, %v, %v; the golden %s rides: %d, %v, %v", r.Rides, r.Min, r.Max, r.Month, n, s[0], s[n-1])
	}
	sum, sq := 0.0, 0.0
	for _, p := range s {
		sum += p
	}
	mean := sum / float64(n)
	for _, p := range s {
		sq += float64((p - mean) * (p - mean)) // the conversion keeps arm64 from fusing it (TestNoFusedMultiplyAdd)
	}
	if std := math.Sqrt(sq / float64(n)); math.Abs(r.Mean-mean) > 1e-9*mean || math.Abs(r.Std-std) > 1e-9*std {
		t.Errorf("Mean, Std = %v, %v; the golden rides' %v, %v", r.Mean, r.Std, mean, std)
	}
	for i, level := range r.Levels {
		k := int(math.Ceil(float64(level*float64(n))-1e-9)) - 1 // the smallest index with (k+1)/n >= level
		below, _ := slices.BinarySearch(s, math.Nextafter(s[k], math.Inf(1)))
		if r.Edges[i] != s[k] || r.CDF[i] != float64(below)/float64(n) {
			t.Errorf("level %v: edge %v, CDF %v; the golden rides' %v, %v", level, r.Edges[i], r.CDF[i], s[k], float64(below)/float64(n))
		}
	}
	if d := r.Shift(preds); d != 0 {
		t.Errorf("Shift of the reference's own predictions = %v, want 0", d)
	}
}

// TestShiftOfSamples: batches drawn from the Feb 2022 rides stay within the
// Dvoretzky-Kiefer-Wolfowitz bound sqrt(ln(2/a)/(2n)), here with a = 1e-6
// (the batches are fixed, so the test is too); batches of the rides above
// the reference's median are at least the median's CDF away, whatever the
// model.
func TestShiftOfSamples(t *testing.T) {
	feb, err := golden.ShuffledFeb()
	if err != nil {
		t.Fatal(err)
	}
	r := Reference
	median := slices.Index(r.Levels, 0.5)
	if median < 0 {
		t.Fatalf("no 50%% level in %v", r.Levels)
	}
	var high []float64
	for _, ride := range feb {
		if ride.Prediction > r.Edges[median] {
			high = append(high, ride.Prediction)
		}
	}
	for _, n := range []int{1, 10, 100, 1000, 10000} {
		bound := math.Sqrt(math.Log(2/1e-6) / (2 * float64(n)))
		for start := 0; start+n <= len(feb) && start < 5*n; start += n {
			batch := make([]float64, n)
			for i, ride := range feb[start : start+n] {
				batch[i] = ride.Prediction
			}
			if d := r.Shift(batch); d > bound {
				t.Errorf("batch of %d Feb rides from %d: Shift %.4f, above the bound %.4f", n, start, d, bound)
			}
		}
		if n > len(high) {
			continue
		}
		if d := r.Shift(high[:n]); d < r.CDF[median] {
			t.Errorf("%d rides above the median: Shift %.4f, want at least %.4f", n, d, r.CDF[median])
		}
	}
}

// TestShiftNoise measures, and prints with -v, PredictionDrift's noise:
// its mean and 95th percentile over disjoint batches of n of the Feb 2022
// rides (shuffled, fixed), which docs/operate.md's drift section points
// at (it quotes none of them: they are the shipped model's). The 95th
// percentile stays under the Dvoretzky-Kiefer-Wolfowitz bound for 95% of
// batches, 1.36/√n, for every model; the handler emits no drift below 100
// rides (driftMinRides), where that bound passes DriftAlarmThreshold.
func TestShiftNoise(t *testing.T) {
	feb, err := golden.ShuffledFeb()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 100, 1000} {
		var shifts []float64
		for start := 0; start+n <= len(feb) && len(shifts) < 500; start += n {
			batch := make([]float64, n)
			for i, ride := range feb[start : start+n] {
				batch[i] = ride.Prediction
			}
			shifts = append(shifts, Reference.Shift(batch))
		}
		slices.Sort(shifts)
		mean := 0.0
		for _, d := range shifts {
			mean += d
		}
		mean /= float64(len(shifts))
		p95 := shifts[int(math.Ceil(0.95*float64(len(shifts))))-1]
		t.Logf("batches of %d Feb 2022 rides (%d of them): PredictionDrift mean %.3f, 95th percentile %.3f, min %.3f", n, len(shifts), mean, p95, shifts[0])
		if bound := 1.36 / math.Sqrt(float64(n)); p95 > bound {
			t.Errorf("batches of %d: 95th percentile %.4f above the DKW bound %.4f", n, p95, bound)
		}
	}
	later := referencePredictions(t)
	for i := range later {
		later[i] += 2
	}
	t.Logf("all %d Feb 2022 predictions 2 minutes longer: PredictionDrift %.3f", len(later), Reference.Shift(later))
}

// TestShift: the statistic on a distribution small enough to check by hand.
func TestShift(t *testing.T) {
	d := &Distribution{Levels: []float64{0.25, 0.5, 0.75}, Edges: []float64{2, 5, 9}, CDF: []float64{0.3, 0.5, 0.8}}
	tests := []struct {
		name  string
		preds []float64
		want  float64
	}{
		{"none", nil, 0},
		{"the reference's own spread", []float64{1, 1, 2, 4, 4, 7, 8, 9, 12, 13}, 0},
		{"all below every edge", []float64{0, 1, 1.5}, 0.7},
		{"all above every edge", []float64{10, 11}, 0.8},
		{"at an edge counts as below it", []float64{2, 5, 9, 9}, 0.2}, // 1/4 at 2 (0.05), 2/4 at 5 (0), 4/4 at 9 (0.2)
		{"one ride in the middle bin", []float64{3}, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.Shift(tt.preds); math.Abs(got-tt.want) > 1e-15 {
				t.Errorf("Shift(%v) = %v, want %v", tt.preds, got, tt.want)
			}
		})
	}
	if got := (&Distribution{}).Shift([]float64{1}); got != 0 {
		t.Errorf("Shift with no edges = %v, want 0", got)
	}
}

// referencePredictions are the library's answers for the rides of the
// reference's month.
func referencePredictions(tb testing.TB) []float64 {
	tb.Helper()
	rides, err := golden.Rides()
	if err != nil {
		tb.Fatal(err)
	}
	var preds []float64
	for _, r := range rides {
		if r.Month == Reference.Month {
			preds = append(preds, r.Prediction)
		}
	}
	return preds
}

// BenchmarkShift1000 is PredictionDrift's cost for a batch of 1,000
// predictions, the handler benchmark's batch: beside BenchmarkHandler1000
// (ns/record there is ns per 1,000-ride invocation / 1,000), its share of
// the handler's CPU.
func BenchmarkShift1000(b *testing.B) {
	feb, err := golden.ShuffledFeb()
	if err != nil {
		b.Fatal(err)
	}
	preds := make([]float64, 1000)
	for i, r := range feb[:len(preds)] {
		preds[i] = r.Prediction
	}
	b.ReportAllocs()
	for b.Loop() {
		benchShift = Reference.Shift(preds)
	}
}

var benchShift float64
