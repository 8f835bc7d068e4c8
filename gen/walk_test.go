package main

import (
	"math"
	"slices"
	"strings"
)

// Forest is a whole forest JSON in memory, for tests: gen itself reads
// the trees one at a time (ReadForest).
type Forest struct {
	Header
	Trees []Tree `json:"trees"`
}

// walk is the straightforward reference: the model's rule (FORMAT.md's
// "How a prediction is made") read directly off the forest, with no
// quantizing, codes or branch ordering, and none of gen's own code.
func walk(f *Forest, in map[string]any) float64 {
	r, v := f.Rule, f.Vocabulary
	x := make([]float64, len(v.FeatureNames))
	missing := make([]bool, len(v.FeatureNames))
	for i, name := range v.FeatureNames {
		if val, ok := in[name].(float64); ok {
			if r.Input == "float32" {
				val = float64(float32(val))
			}
			x[i], missing[i] = val, math.IsNaN(val)
			continue
		}
		key, cat, ok := strings.Cut(name, v.Separator)
		if s, isStr := in[key].(string); ok && isStr && s == cat {
			x[i] = 1
			continue
		}
		missing[i] = r.Absent == "missing"
	}
	var sum64 float64
	var sum32 float32
	sum64, sum32 = r.Start, float32(r.Start)
	for _, t := range f.Trees {
		n := 0
		for t.Left[n] != -1 {
			var left bool
			switch feat := t.Feature[n]; {
			case t.MissingType != nil:
				left = lightgbmWalk(&t, n, x[feat])
			case t.Categories != nil && t.Categories[n] != nil && missing[feat]:
				left = t.DefaultLeft[n]
			case t.Categories != nil && t.Categories[n] != nil: // a one-hot's 0 or 1 among those that go left
				left = slices.Contains(t.Categories[n], int(x[feat]))
			case missing[feat]:
				left = t.DefaultLeft[n]
			case r.Compare == "<":
				left = x[feat] < t.Threshold[n]
			default:
				left = x[feat] <= t.Threshold[n]
			}
			if left {
				n = t.Left[n]
			} else {
				n = t.Right[n]
			}
		}
		leaf := t.Value[n]
		if t.Scale != nil {
			leaf = float64(*t.Scale * leaf) // one rounded product, never fused
		}
		if r.Accumulator == "float32" {
			sum32 += float32(leaf)
		} else {
			sum64 += leaf
		}
	}
	switch {
	case r.Accumulator == "float32":
		return float64(sum32)
	case r.Combine == "mean":
		return sum64 / float64(len(f.Trees))
	}
	return sum64
}

// lightgbmWalk is LightGBM's tree.h decision, as written there: a
// categorical split truncates x to an int, a numeric one takes NaN as 0.0
// unless its missing type is NaN, and zero (|x| <= 1e-35f) or NaN as
// missing where its type says.
func lightgbmWalk(t *Tree, n int, x float64) bool {
	if t.Categories[n] != nil {
		if math.IsNaN(x) {
			return false
		}
		i := int64(math.Trunc(x))
		if math.Abs(x) >= 1<<31 {
			i = math.MinInt32 // what static_cast<int> gives on x86
		}
		if i < 0 {
			return false
		}
		for _, c := range t.Categories[n] {
			if int64(c) == i {
				return true
			}
		}
		return false
	}
	kind := t.MissingType[n]
	if math.IsNaN(x) && kind != "nan" {
		x = 0
	}
	zero := float64(float32(1e-35))
	if kind == "zero" && x >= -zero && x <= zero || kind == "nan" && math.IsNaN(x) {
		return t.DefaultLeft[n]
	}
	return x <= t.Threshold[n]
}

// nextUp32 is the next float32 above x, as a float64.
func nextUp32(x float32) float64 { return float64(math.Nextafter32(x, float32(math.Inf(1)))) }

func nan() float64 { return math.NaN() }
