package main

import "testing"

// TestRefuses: Validate's doc names what each library's rule refuses.
func TestRefuses(t *testing.T) {
	for _, c := range []struct {
		rule Rule
		want string
	}{
		{Rule{NaN: "refused", Infinity: "refused", Input: "float32"}, "NaN, ±Inf, beyond float32"},
		{Rule{NaN: "refused", Infinity: "refused", Input: "float64"}, "NaN, ±Inf"},
		{Rule{NaN: "missing", Infinity: "allowed", Input: "float32"}, "nothing: NaN is missing and infinities are compared"},
		{Rule{NaN: "split", Infinity: "allowed", Input: "float64"}, "nothing: NaN takes each split's missing rule and infinities are compared"},
	} {
		if got := refuses(c.rule); got != c.want {
			t.Errorf("refuses(%+v) = %q, want %q", c.rule, got, c.want)
		}
	}
}
