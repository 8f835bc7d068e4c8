package generated

import (
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/golden"
)

func mustRides(tb testing.TB) []golden.Ride {
	tb.Helper()
	rides, err := golden.Rides()
	if err != nil {
		tb.Fatal(err)
	}
	return rides
}

func mustEdges(tb testing.TB) []golden.Edge {
	tb.Helper()
	edges, err := golden.Edges()
	if err != nil {
		tb.Fatal(err)
	}
	return edges
}

// TestParityRides: every golden ride through Prepare (the model's own
// prepare_features, compiled) and the model, against the user's Python and
// the library: the same predictions bit for bit, and an error where the
// Python raised.
func TestParityRides(t *testing.T) {
	var rides []golden.Ride
	for _, r := range mustRides(t) {
		if !r.Error {
			rides = append(rides, r)
			continue
		}
		if _, err := Prepare(rideValues(t, r.Object)); err == nil {
			t.Fatalf("%s row %d %s: Prepare accepted a ride the user's Python raised on", r.Month, r.Row, r.Object)
		}
	}
	in := prepared(t, rides)
	batch := make([]float64, len(in))
	PredictBatch(in, batch)
	for i, r := range rides {
		if got := Predict(in[i]); math.Float64bits(got) != math.Float64bits(r.Prediction) {
			t.Fatalf("%s row %d %+v: Predict = %v, %s %v", r.Month, r.Row, in[i], got, Library, r.Prediction)
		}
		if math.Float64bits(batch[i]) != math.Float64bits(r.Prediction) {
			t.Fatalf("%s row %d %+v: PredictBatch = %v, %s %v", r.Month, r.Row, in[i], batch[i], Library, r.Prediction)
		}
	}
	t.Logf("%d rides equal %s bit for bit (Predict and PredictBatch)", len(rides), Library)
}

func TestParityEdges(t *testing.T) {
	predicted, refused := 0, 0
	for i, e := range mustEdges(t) {
		m := map[string]any{}
		if e.PUDO != nil {
			m["PU_DO"] = *e.PUDO
		}
		if e.TripDistance != nil {
			m["trip_distance"] = *e.TripDistance
		}
		if e.TripDistanceRepr != "" { // NaN, infinities, beyond float32: JSON has none of them
			x, err := strconv.ParseFloat(e.TripDistanceRepr, 64)
			if err != nil && !math.IsInf(x, 0) {
				t.Fatalf("edge %d: bad repr %q", i, e.TripDistanceRepr)
			}
			m["trip_distance"] = x
		}
		if e.Prediction == nil {
			if _, err := FeaturesFromMap(m); err == nil {
				t.Errorf("edge %d (%s): FeaturesFromMap(%v) accepted what %s refused (%s)", i, e.Case, m, Library, e.Refused)
			}
			refused++
			continue
		}
		f, err := FeaturesFromMap(m)
		if err != nil {
			t.Fatalf("edge %d (%s): FeaturesFromMap(%v): %v", i, e.Case, m, err)
		}
		out := []float64{0}
		PredictBatch([]Features{f}, out)
		got := Predict(f)
		if math.Float64bits(got) != math.Float64bits(*e.Prediction) || math.Float64bits(out[0]) != math.Float64bits(*e.Prediction) {
			t.Fatalf("edge %d (%s) %+v: Predict = %v, PredictBatch = %v, %s %v", i, e.Case, f, got, out[0], Library, *e.Prediction)
		}
		predicted++
	}
	t.Logf("%d edge cases equal %s bit for bit; %d refused as %s refuses them", predicted, Library, refused, Library)
}

// shuffledFeb is golden.ShuffledFeb as features.
func shuffledFeb(tb testing.TB) []Features {
	feb, err := golden.ShuffledFeb()
	if err != nil {
		tb.Fatal(err)
	}
	return prepared(tb, feb)
}

var sink float64

func BenchmarkPredict(b *testing.B) {
	in := shuffledFeb(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		sink += Predict(in[i%len(in)])
	}
}

func BenchmarkPredictBatch(b *testing.B) {
	in := shuffledFeb(b)
	out := make([]float64, len(in))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		PredictBatch(in, out)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(in)), "ns/ride")
}

// BenchmarkPredictBatchSizes calls PredictBatch on n rides at a time, the
// next n each call, as the handler does with a Kinesis batch (at most
// 10,000 records): the per-ride cost by batch size.
func BenchmarkPredictBatchSizes(b *testing.B) {
	in := shuffledFeb(b)
	for _, n := range []int{10, 100, 1000, 10_000} {
		b.Run(fmt.Sprintf("rides=%d", n), func(b *testing.B) {
			out := make([]float64, n)
			calls := 0
			for i := 0; b.Loop(); i = (i + n) % (len(in) - n) {
				PredictBatch(in[i:i+n], out)
				calls++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(calls*n), "ns/ride")
		})
	}
}

// BenchmarkPredictFirstTrees walks only the first k trees of each ride, ride
// by ride as Predict does: the cost per tree as the code walked grows from
// what fits in the CPU's caches to the whole model. rides=one walks the same
// ride every time, so every branch is predicted and what grows with k is
// only the code fetched; rides=shuffled takes the next ride each time.
func BenchmarkPredictFirstTrees(b *testing.B) {
	in := shuffledFeb(b)
	var ks []int
	for _, k := range []int{10, 100} {
		if k < NTrees {
			ks = append(ks, k)
		}
	}
	for _, rides := range []struct {
		name string
		in   []Features
	}{{"one", in[:1]}, {"shuffled", in}} {
		for _, k := range append(ks, NTrees) {
			b.Run(fmt.Sprintf("rides=%s/trees=%d", rides.name, k), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					c := encode(&rides.in[i%len(rides.in)])
					for _, tree := range trees[:k] {
						sink += float64(tree(c))
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*k), "ns/tree")
			})
		}
	}
}

// BenchmarkPredictTreeMajor walks 8,192 shuffled rides tree by tree, without
// PredictBatch's sort: each tree's code stays hot, so what it costs above
// BenchmarkPredictSameRide is the branches the CPU cannot predict.
func BenchmarkPredictTreeMajor(b *testing.B) {
	in := shuffledFeb(b)[:8192]
	c := make([]codes, len(in))
	for i := range in {
		c[i] = encode(&in[i])
	}
	sums := make([]acc, len(c))
	for b.Loop() {
		for _, tree := range trees {
			for j := range c {
				sums[j] += tree(c[j])
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(in)), "ns/ride")
}

// BenchmarkPredictSameRide predicts one ride over and over: every branch is
// predicted and every line of code is cached, the floor under Predict.
func BenchmarkPredictSameRide(b *testing.B) {
	f := shuffledFeb(b)[0]
	for b.Loop() {
		sink += Predict(f)
	}
}
