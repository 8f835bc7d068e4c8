package main

import (
	"math"
	"strings"
	"testing"
)

// lgbmTree is one split on feature 0 with the given rule, leaves 1 (left)
// and 2 (right).
func lgbmTree(kind string, threshold float64, defaultLeft bool, cats []int) *Tree {
	return &Tree{
		Left: []int{1, -1, -1}, Right: []int{2, -1, -1}, Feature: []int{0, -2, -2},
		Threshold: []float64{threshold, -2, -2}, Value: []float64{0, 1, 2}, Samples: []float64{2, 1, 1},
		DefaultLeft: []bool{defaultLeft, false, false}, MissingType: []string{kind, "none", "none"},
		Categories: [][]int{cats, nil, nil},
	}
}

func TestLightGBMLeft(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name      string
		tree      *Tree
		x         float64
		wantLeft  bool
		wantApart bool
	}{
		{"none: NaN is 0", lgbmTree("none", 0.5, false, nil), nan, true, false},
		{"none: NaN is 0, right", lgbmTree("none", -0.5, true, nil), nan, false, false},
		{"nan: NaN takes the default", lgbmTree("nan", 0.5, false, nil), nan, false, true},
		{"nan: 0 is compared", lgbmTree("nan", 0.5, false, nil), 0, true, true},
		{"zero: the band takes the default", lgbmTree("zero", -1, true, nil), zeroThreshold, true, false},
		{"zero: just outside the band", lgbmTree("zero", -1, true, nil), math.Nextafter(zeroThreshold, 1), false, false},
		{"zero: NaN is 0, missing", lgbmTree("zero", 5, false, nil), nan, false, false},
		{"x equal to the threshold goes left", lgbmTree("none", 2.5, false, nil), 2.5, true, false},
		{"category 1", lgbmTree("none", 0, false, []int{1}), 1, true, false},
		{"category 0 from -0.5", lgbmTree("none", 0, false, []int{0}), -0.5, true, false},
		{"-1 is negative", lgbmTree("none", 0, false, []int{0}), -1, false, false},
		{"2.7 is 2", lgbmTree("none", 0, false, []int{2}), 2.7, true, false},
		{"NaN is not a category", lgbmTree("none", 0, false, []int{0}), nan, false, false},
		{"+Inf is not a category", lgbmTree("none", 0, false, []int{0}), math.Inf(1), false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.tree.lightgbmLeft(0, c.x); got != c.wantLeft {
				t.Errorf("lightgbmLeft(%v) = %v, want %v", c.x, got, c.wantLeft)
			}
			if got := lightgbmWalk(c.tree, 0, c.x); got != c.wantLeft {
				t.Errorf("the walker sends %v left = %v, want %v", c.x, got, c.wantLeft)
			}
			if c.tree.Categories[0] == nil {
				if got := c.tree.bandApart(0); got != c.wantApart {
					t.Errorf("bandApart = %v, want %v", got, c.wantApart)
				}
			}
		})
	}
}

func TestLightGBMRefusesZeroBandApartFromNaN(t *testing.T) {
	var s Survey
	s.Add(lgbmTree("zero", 3, true, nil))
	if zero, err := s.zeroMissing(0, "trip_distance"); !zero || err != nil {
		t.Fatalf("zero-type splits only: zeroMissing = %v, %v; want true, nil", zero, err)
	}
	s.Add(lgbmTree("nan", 3, false, nil)) // NaN right, but 0 <= 3 goes left
	_, err := s.zeroMissing(0, "trip_distance")
	if err == nil || !strings.Contains(err.Error(), "tree 1 node 0") || !strings.Contains(err.Error(), "sends 0 and NaN apart") {
		t.Fatalf("err = %v, want the split that parts them named", err)
	}
}

func TestLightGBMValidateSplits(t *testing.T) {
	rule := Rule{Combine: "sum", Accumulator: "float64", Input: "float64", Compare: "<=", Absent: "zero", NaN: "split", Infinity: "allowed"}
	v := Vocabulary{Separator: "=", Inputs: []Input{{"trip_distance", "numeric"}, {"PU_DO", "categorical"}},
		FeatureNames: []string{"trip_distance", "PU_DO=1_2"}}
	features, err := v.features()
	if err != nil {
		t.Fatal(err)
	}
	onehot := lgbmTree("none", 0, false, []int{1})
	onehot.Feature[0] = 1
	if err := onehot.validate(rule, v, features); err != nil {
		t.Errorf("a categorical split on a one-hot: %v", err)
	}
	bad := map[string]*Tree{
		"only one-hot columns":  lgbmTree("none", 0, false, []int{1}),
		"missing_type \"half\"": lgbmTree("half", 0, false, nil),
		"is negative":           func() *Tree { t := lgbmTree("none", 0, false, []int{-3}); t.Feature[0] = 1; return t }(),
		"arrays differ":         func() *Tree { t := lgbmTree("none", 0, false, nil); t.Categories = nil; return t }(),
	}
	for want, tree := range bad {
		if err := tree.validate(rule, v, features); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	xgb := rule
	xgb.NaN = "missing"
	if err := onehot.validate(xgb, v, features); err == nil || !strings.Contains(err.Error(), "only prediction.nan") {
		t.Errorf("per-split rules under another rule: err = %v", err)
	}
}
