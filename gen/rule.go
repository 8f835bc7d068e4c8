package main

import (
	"fmt"
	"math"
	"slices"
)

// Rule is how a model's library predicts (forest JSON's "prediction",
// model-export/FORMAT.md): one description covers sklearn's forests and
// boosted trees and xgboost, so that one emitter reproduces them all.
type Rule struct {
	Combine     string  `json:"combine"`     // "mean": the sum over trees / NTrees; "sum": the sum
	Start       float64 `json:"start"`       // the accumulator's first value
	Accumulator string  `json:"accumulator"` // "float64" or "float32": the type leaves are added in
	Input       string  `json:"input"`       // "float32" or "float64": what every input value is cast to
	Compare     string  `json:"compare"`     // "<=" or "<": x compared with the threshold; true goes left
	Absent      string  `json:"absent"`      // a feature the vectorizer leaves out: "zero", or "missing"
	NaN         string  `json:"nan"`         // "refused", "missing" (takes the split's default_left), or "split" (each split's missing_type: LightGBM)
	Infinity    string  `json:"infinity"`    // ±Inf after the cast: "refused" or "allowed"
}

// ForestRule is sklearn's forests, the rule of every version 1 file.
var ForestRule = Rule{Combine: "mean", Accumulator: "float64", Input: "float32", Compare: "<=",
	Absent: "zero", NaN: "refused", Infinity: "refused"}

func (r Rule) validate() error {
	fields := []struct {
		name, value string
		allowed     []string
	}{
		{"combine", r.Combine, []string{"mean", "sum"}},
		{"accumulator", r.Accumulator, []string{"float64", "float32"}},
		{"input", r.Input, []string{"float32", "float64"}},
		{"compare", r.Compare, []string{"<=", "<"}},
		{"absent", r.Absent, []string{"zero", "missing"}},
		{"nan", r.NaN, []string{"refused", "missing", "split"}},
		{"infinity", r.Infinity, []string{"refused", "allowed"}},
	}
	for _, f := range fields {
		if !slices.Contains(f.allowed, f.value) {
			return fmt.Errorf("prediction.%s is %q; want one of %q", f.name, f.value, f.allowed)
		}
	}
	if r.NaN == "split" && (r.Absent != "zero" || r.Compare != "<=") {
		return fmt.Errorf("prediction.nan \"split\" (LightGBM) needs absent \"zero\" and compare \"<=\"")
	}
	if math.IsNaN(r.Start) || math.IsInf(r.Start, 0) {
		return fmt.Errorf("prediction.start %v is not finite", r.Start)
	}
	if r.Accumulator == "float32" && float64(float32(r.Start)) != r.Start {
		return fmt.Errorf("prediction.start %v is not a float32, as a float32 accumulator needs", r.Start)
	}
	return nil
}

// HasMissing reports whether a value can be missing, and so take a split's
// default direction.
func (r Rule) HasMissing() bool { return r.NaN != "refused" || r.Absent == "missing" }

// cast is x as the model's input type, in a float64.
func (r Rule) cast(x float64) float64 {
	if r.Input == "float32" {
		return float64(float32(x))
	}
	return x
}

// Left reports whether a split at threshold t sends the input value x
// left; missing values go defaultLeft.
func (r Rule) Left(x, t float64, missing, defaultLeft bool) bool {
	if missing {
		return defaultLeft
	}
	if r.Compare == "<" {
		return r.cast(x) < t
	}
	return r.cast(x) <= t
}

// Cut is the threshold t as a value of the input type that the same test
// can use: for float32 inputs, x <= t exactly when x <= down32(t), and
// x < t exactly when x < up32(t). Rounding t to the nearest float32 would
// send some inputs the wrong way.
func (r Rule) Cut(t float64) float64 {
	if r.Input == "float64" {
		return t
	}
	f := float32(t)
	switch {
	case r.Compare == "<=" && float64(f) > t:
		f = math.Nextafter32(f, float32(math.Inf(-1)))
	case r.Compare == "<" && float64(f) < t:
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return float64(f)
}

// CategoryLeft is where a categorical split on a one-hot feature sends a
// ride: matched, one whose category is the feature's (value 1); unmatched,
// any other (absent from the vectorizer's output: 0, or missing).
func (r Rule) CategoryLeft(t float64, defaultLeft bool) (matched, unmatched bool) {
	return r.Left(1, t, false, false), r.Left(0, t, r.Absent == "missing", defaultLeft)
}
