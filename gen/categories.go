package main

import (
	"fmt"
	"slices"
)

// HistGradientBoosting's and xgboost's categorical splits (forest JSON's
// categories in a tree without missing_type, model-export/FORMAT.md) are
// compiled where LightGBM's are, on the vectorizer's one-hot columns: the
// exporter applied the library's own rule to the two values a one-hot
// holds, and categories lists those of 0 and 1 that go left. A missing
// value (an absent one-hot when the rule's absent is "missing", as in
// xgboost's sparse rows) takes default_left.

// oneHotValues are the values a one-hot column holds: 0, and 1 for the
// ride's own category.
var oneHotValues = []int{0, 1}

// oneHotLeft is where split n on a one-hot column sends a ride: matched,
// one whose category is the column's (value 1); unmatched, any other
// (value 0, or missing where an absent one-hot is missing).
func (t *Tree) oneHotLeft(n int, r Rule, defaultLeft bool) (matched, unmatched bool) {
	switch {
	case t.MissingType != nil: // LightGBM: 1, and 0 (also when absent)
		return t.lightgbmLeft(n, 1), t.lightgbmLeft(n, 0)
	case t.Categories != nil && t.Categories[n] != nil:
		matched = slices.Contains(t.Categories[n], 1)
		if r.Absent == "missing" {
			return matched, defaultLeft
		}
		return matched, slices.Contains(t.Categories[n], 0)
	}
	return r.CategoryLeft(t.Threshold[n], defaultLeft)
}

// validateCategories checks the categories of a tree whose rule is not
// LightGBM's: one list (or null) per node, only at splits on one-hot
// columns, each a subset of the one-hot values.
func (t *Tree) validateCategories(v Vocabulary, features []Feature) error {
	if len(t.Categories) != len(t.Left) {
		return fmt.Errorf("arrays differ in length: children_left has %d, categories %d", len(t.Left), len(t.Categories))
	}
	for n, cats := range t.Categories {
		if cats == nil {
			continue
		}
		if t.Left[n] == -1 {
			return fmt.Errorf("node %d: a leaf with categories", n)
		}
		if err := oneHotSplit(v, features, t.Feature[n], n); err != nil {
			return err
		}
		for _, c := range cats {
			if !slices.Contains(oneHotValues, c) {
				return fmt.Errorf("node %d: category %d of a one-hot column; want 0 or 1", n, c)
			}
		}
	}
	return nil
}

// oneHotSplit refuses a categorical split at node n on a feature that is
// not a one-hot column: gen compiles a number into ranks among cuts, and a
// set of categories is no single cut.
func oneHotSplit(v Vocabulary, features []Feature, feat, n int) error {
	if in := v.Inputs[features[feat].Input]; in.Kind != "categorical" {
		return fmt.Errorf("node %d: a categorical split on %q, a number; only one-hot columns are compiled as categorical", n, in.Key)
	}
	return nil
}
