package main

import (
	"math"
	"strings"
)

// Forest is a whole forest JSON in memory, for tests: gen itself reads
// the trees one at a time (ReadForest).
type Forest struct {
	Header
	Trees []Tree `json:"trees"`
}

// walk is the straightforward reference: sklearn's rule read directly off
// the forest, with no quantizing, codes or branch ordering.
func walk(f *Forest, in map[string]any) float64 {
	v := f.Vocabulary
	x := make([]float64, len(v.FeatureNames))
	for i, name := range v.FeatureNames {
		if val, ok := in[name].(float64); ok {
			x[i] = float64(float32(val))
			continue
		}
		key, cat, ok := strings.Cut(name, v.Separator)
		if s, isStr := in[key].(string); ok && isStr && s == cat {
			x[i] = 1
		}
	}
	var sum float64
	for _, t := range f.Trees {
		n := 0
		for t.Left[n] != -1 {
			if x[t.Feature[n]] <= t.Threshold[n] {
				n = t.Left[n]
			} else {
				n = t.Right[n]
			}
		}
		sum += t.Value[n]
	}
	return sum / float64(len(f.Trees))
}

// nextUp32 is the next float32 above x, as a float64.
func nextUp32(x float32) float64 { return float64(math.Nextafter32(x, float32(math.Inf(1)))) }

func nan() float64 { return math.NaN() }
