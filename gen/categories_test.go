package main

import (
	"strings"
	"testing"
)

// catTree is one split on feature 1 (a one-hot column) with the given
// categories and default direction, leaves 1 (left) and 2 (right).
func catTree(cats []int, defaultLeft bool) *Tree {
	return &Tree{
		Left: []int{1, -1, -1}, Right: []int{2, -1, -1}, Feature: []int{1, -2, -2},
		Threshold: []float64{0, -2, -2}, Value: []float64{0, 1, 2}, Samples: []float64{2, 1, 1},
		DefaultLeft: []bool{defaultLeft, false, false}, Categories: [][]int{cats, nil, nil},
	}
}

func TestOneHotLeft(t *testing.T) {
	hist := Rule{Combine: "sum", Accumulator: "float64", Input: "float64", Compare: "<=", Absent: "zero", NaN: "missing", Infinity: "allowed"}
	sparse := Rule{Combine: "sum", Accumulator: "float32", Input: "float32", Compare: "<", Absent: "missing", NaN: "missing", Infinity: "refused"}
	cases := []struct {
		name                     string
		rule                     Rule
		tree                     *Tree
		wantMatched, wantUnmatch bool
	}{
		{"1 left, 0 right", hist, catTree([]int{1}, false), true, false},
		{"0 left, 1 right", hist, catTree([]int{0}, true), false, true},
		{"both left", hist, catTree([]int{0, 1}, false), true, true},
		{"none left", hist, catTree([]int{}, true), false, false},
		{"sparse: absent is missing, takes default_left", sparse, catTree([]int{1}, true), true, true},
		{"sparse: absent is missing, right", sparse, catTree([]int{0}, false), false, false},
		{"numeric split on a one-hot: the threshold", hist, func() *Tree { c := catTree(nil, false); c.Threshold[0] = 0.5; return c }(), false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			matched, unmatched := c.tree.oneHotLeft(0, c.rule, c.tree.missingLeft(0))
			if matched != c.wantMatched || unmatched != c.wantUnmatch {
				t.Errorf("oneHotLeft = %v, %v; want %v, %v", matched, unmatched, c.wantMatched, c.wantUnmatch)
			}
		})
	}
}

func TestValidateCategories(t *testing.T) {
	rule := Rule{Combine: "sum", Accumulator: "float64", Input: "float64", Compare: "<=", Absent: "zero", NaN: "missing", Infinity: "allowed"}
	v := Vocabulary{Separator: "=", Inputs: []Input{{"trip_distance", "numeric"}, {"PU_DO", "categorical"}},
		FeatureNames: []string{"trip_distance", "PU_DO=1_2"}}
	features, err := v.features()
	if err != nil {
		t.Fatal(err)
	}
	if err := catTree([]int{0, 1}, true).validate(rule, v, features); err != nil {
		t.Errorf("a categorical split on a one-hot: %v", err)
	}
	bad := map[string]*Tree{
		"only one-hot columns": func() *Tree { c := catTree([]int{1}, false); c.Feature[0] = 0; return c }(),
		"want 0 or 1":          catTree([]int{2}, false),
		"a leaf with":          func() *Tree { c := catTree([]int{1}, false); c.Categories[1] = []int{0}; return c }(),
		"arrays differ":        func() *Tree { c := catTree([]int{1}, false); c.Categories = c.Categories[:2]; return c }(),
		"has missing_type": func() *Tree {
			c := catTree([]int{1}, false)
			c.MissingType = []string{"none", "none", "none"}
			return c
		}(),
	}
	for want, tree := range bad {
		if err := tree.validate(rule, v, features); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}
