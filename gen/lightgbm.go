package main

import (
	"fmt"
	"math"
	"slices"
)

// LightGBM's splits each carry their own missing rule (forest JSON's
// prediction.nan "split", model-export/FORMAT.md): a tree's missing_type
// says per node what is missing, and categories holds a categorical split's
// set. gen compiles them into the codes every family uses:
//
//   - "nan": NaN is missing (code -1) and takes default_left;
//   - "none": LightGBM turns NaN into 0.0, so NaN (code -1) goes where 0
//     goes, 0 <= threshold;
//   - "zero": NaN and every |x| <= 1e-35f take default_left. An input with
//     such a split codes that zero band as missing too (rankZero), so every
//     other split on it must send the band and NaN one way: a "none" split
//     with its threshold outside the band, a "nan" split whose default is
//     where the band goes. gen refuses a model where they part;
//   - categories: a categorical split is compiled on the vectorizer's
//     one-hot columns, whose values are 1 and 0 (an absent column is 0.0 in
//     the rows LightGBM reads): it is where each of the two goes.

// zeroThreshold is LightGBM's kZeroThreshold, 1e-35f as a double.
const zeroThreshold = float64(float32(1e-35))

// missingTypes are the values of a tree's missing_type.
var missingTypes = []string{"none", "zero", "nan"}

// lightgbmLeft is LightGBM's decision at split n for the double x (tree.h's
// NumericalDecision and CategoricalDecision).
func (t *Tree) lightgbmLeft(n int, x float64) bool {
	if cats := t.Categories[n]; cats != nil {
		// NaN, and an int truncation that is negative (INT_MIN on x86 for
		// |x| >= 2^31), go right; -1 < x < 1 is category 0.
		if math.IsNaN(x) || x <= -1 || x >= 1<<31 {
			return false
		}
		return slices.Contains(cats, int(x))
	}
	kind := t.MissingType[n]
	if math.IsNaN(x) && kind != "nan" {
		x = 0
	}
	if kind == "zero" && -zeroThreshold <= x && x <= zeroThreshold || kind == "nan" && math.IsNaN(x) {
		return t.DefaultLeft[n]
	}
	return x <= t.Threshold[n]
}

// missingLeft is where split n sends a missing value (code -1): NaN, or,
// on an input with zero-type splits, the zero band too.
func (t *Tree) missingLeft(n int) bool {
	switch {
	case t.MissingType == nil:
		return t.DefaultLeft != nil && t.DefaultLeft[n]
	case t.MissingType[n] == "none":
		return 0 <= t.Threshold[n]
	}
	return t.DefaultLeft[n]
}

// bandApart reports whether split n, on an input whose zero band is coded
// missing, would send some of the band or NaN elsewhere than missingLeft.
func (t *Tree) bandApart(n int) bool {
	th := t.Threshold[n]
	switch t.MissingType[n] {
	case "zero":
		return false
	case "none":
		return -zeroThreshold <= th && th < zeroThreshold
	}
	return -zeroThreshold <= th && th < zeroThreshold || t.DefaultLeft[n] != (0 <= th)
}

// validateSplits checks a tree's per-split rules: missing_type present
// exactly when the rule's nan is "split", and categories only on one-hot
// columns (without missing_type: HistGradientBoosting's and xgboost's).
func (t *Tree) validateSplits(rule Rule, v Vocabulary, features []Feature) error {
	if rule.NaN != "split" {
		if t.MissingType != nil {
			return fmt.Errorf("has missing_type, which only prediction.nan \"split\" (LightGBM) reads")
		}
		if t.Categories == nil {
			return nil
		}
		return t.validateCategories(v, features) // HistGradientBoosting's and xgboost's (categories.go)
	}
	if len(t.MissingType) != len(t.Left) || len(t.Categories) != len(t.Left) || len(t.DefaultLeft) != len(t.Left) {
		return fmt.Errorf("arrays differ in length: children_left has %d, missing_type %d, categories %d, default_left %d",
			len(t.Left), len(t.MissingType), len(t.Categories), len(t.DefaultLeft))
	}
	for n := range t.Left {
		if t.Left[n] == -1 {
			continue
		}
		if !slices.Contains(missingTypes, t.MissingType[n]) {
			return fmt.Errorf("node %d: missing_type %q; want one of %q", n, t.MissingType[n], missingTypes)
		}
		if t.Categories[n] == nil {
			continue
		}
		if err := oneHotSplit(v, features, t.Feature[n], n); err != nil {
			return err
		}
		for _, c := range t.Categories[n] {
			if c < 0 {
				return fmt.Errorf("node %d: category %d is negative", n, c)
			}
		}
	}
	return nil
}

// addSplits records, per feature, zero-type splits and the first split
// that would part the zero band from NaN (see bandApart).
func (s *Survey) addSplits(t *Tree) {
	if t.MissingType == nil {
		return
	}
	if s.Zero == nil {
		s.Zero, s.Apart = map[int]bool{}, map[int]string{}
	}
	for n, feat := range t.Feature {
		if t.Left[n] == -1 || t.Categories[n] != nil {
			continue
		}
		if t.MissingType[n] == "zero" {
			s.Zero[feat] = true
		}
		if _, seen := s.Apart[feat]; !seen && t.bandApart(n) {
			s.Apart[feat] = fmt.Sprintf("tree %d node %d (missing_type %s, threshold %v)", s.trees, n, t.MissingType[n], t.Threshold[n])
		}
	}
}

// zeroMissing reports whether a numeric feature's zero band is coded
// missing, or why it cannot be.
func (s *Survey) zeroMissing(feat int, key string) (bool, error) {
	if !s.Zero[feat] {
		return false, nil
	}
	if where, apart := s.Apart[feat]; apart {
		return false, fmt.Errorf("input %q has zero-as-missing splits and, at %s, a split that sends 0 and NaN apart; "+
			"gen codes both as missing, so it cannot compile this model", key, where)
	}
	return true, nil
}
