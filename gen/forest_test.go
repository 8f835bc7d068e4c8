package main

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// mutate returns testdata/small/forest.json with change applied to its
// decoded form.
func mutate(t *testing.T, change func(m map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/small/forest.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func tree(m map[string]any, i int) map[string]any {
	return m["trees"].([]any)[i].(map[string]any)
}

// TestRuleCut: a cut sends every float32 the way the threshold does, for
// both comparisons, thresholds on and between float32s.
func TestRuleCut(t *testing.T) {
	le, lt := ForestRule, ForestRule
	lt.Compare = "<"
	for _, x := range []float32{0, 1, 2.345, 1e-40, -7.5, 3.4028233e38} {
		lo := float64(x)
		hi := nextUp32(x)
		for _, t64 := range []float64{lo, (lo + hi) / 2, hi - (hi-lo)/4} {
			for _, v := range []float32{math.Nextafter32(x, float32(math.Inf(-1))), x, float32(hi)} {
				for _, r := range []Rule{le, lt} {
					want := r.Left(float64(v), t64, false, false)
					if got := r.Left(float64(v), r.Cut(t64), false, false); got != want {
						t.Errorf("compare %s: %v against cut %v of %v goes left = %v, against the threshold %v", r.Compare, v, r.Cut(t64), t64, got, want)
					}
				}
			}
		}
	}
	if got := le.Cut(1e39); got != math.MaxFloat32 {
		t.Errorf("Cut(1e39) = %v, want float32's max", got)
	}
}
