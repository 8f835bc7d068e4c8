package main

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

// combine emits how the trees' outputs make a prediction and what the
// model's inputs are, the names predict.go.txt's Predict and PredictBatch
// and support.go.txt's rank and checkValue use. For a forest:
//
//	type acc = float64
//	const start acc = 0
//	func finish(sum acc) float64 {
//		return sum / NTrees
//	}
//	type cut = float32
//	const (
//		inputFloat32    = true
//		compareLess     = false
//		nanMissing      = false
//		infinityAllowed = false
//		absentMissing   = false
//	)
//
// A boosted model starts from its baseline (an exact literal) and finishes
// with the sum itself; xgboost adds in float32 (acc = float32).
func (e *emitter) combine(f *jen.File) {
	r := e.p.Rule
	f.Comment("acc is the type the trees' outputs are added in.")
	f.Type().Id("acc").Op("=").Id(r.Accumulator)
	f.Comment("start is where every ride's sum of tree outputs starts.")
	f.Const().Id("start").Id("acc").Op("=").Lit(r.Start) // exact: jen.Lit(float64) prints the shortest decimal that reads back as it
	if r.Combine == "mean" {
		f.Comment("finish turns the sum of the trees' outputs into the prediction: their mean,")
		f.Comment("divided once by NTrees, as sklearn does.")
		f.Func().Id("finish").Params(jen.Id("sum").Id("acc")).Float64().Block(
			jen.Return(jen.Id("sum").Op("/").Id("NTrees")),
		)
	} else {
		f.Comment("finish turns the sum of the trees' outputs into the prediction: the sum itself.")
		f.Func().Id("finish").Params(jen.Id("sum").Id("acc")).Float64().Block(
			jen.Return(jen.Float64().Call(jen.Id("sum"))),
		)
	}
	f.Comment(fmt.Sprintf("cut is the type every input value is cast to before a split compares it (%s).", e.p.Library))
	f.Type().Id("cut").Op("=").Id(r.Input)
	f.Const().Defs(documented([]constDoc{
		{"inputFloat32", ": inputs are cast to float32.", r.Input == "float32"},
		{"compareLess", ": a split sends x left when x < threshold; else when x <= threshold.", r.Compare == "<"},
		{"nanMissing", ": NaN is a missing value, which takes each split's default direction; else it is refused.", r.NaN != "refused"},
		{"infinityAllowed", ": infinities (after the cast) are compared; else they are refused.", r.Infinity == "allowed"},
		{"absentMissing", ": a number left out of the input is missing (NaN in Features); else it is 0.", r.Absent == "missing"},
	})...)
}

// refuses says in words what a rule refuses.
func refuses(r Rule) string {
	var out []string
	if r.NaN == "refused" {
		out = append(out, "NaN")
	}
	if r.Infinity == "refused" {
		out = append(out, "±Inf")
		if r.Input == "float32" {
			out = append(out, "beyond float32")
		}
	}
	switch {
	case len(out) == 0 && r.NaN == "split":
		return "nothing: NaN takes each split's missing rule and infinities are compared"
	case len(out) == 0:
		return "nothing: NaN is missing and infinities are compared"
	}
	return strings.Join(out, ", ")
}
