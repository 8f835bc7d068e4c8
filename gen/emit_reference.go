package main

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// reference emits reference.go, the model's reference distribution:
//
//	// Reference is the distribution of the model's predictions on the 69,399
//	// committed 2022-02 rides (../model-export/artifacts/reference.json), ...
//	var Reference = &Distribution{
//		Month: "2022-02",
//		Rides: 69399,
//		...
//		Edges: []float64{
//			4.2862531684304574,
//			...
//		},
//	}
//
// or, without -reference, a nil Reference.
func (e *emitter) reference() *jen.File {
	f := e.file(e.cfg.ImportPath, e.cfg.Package)
	r := e.p.Reference
	if r == nil {
		f.Comment("Reference is nil: gen was run without -reference, so this model carries no")
		f.Comment("reference distribution, and the function emits no PredictionDrift.")
		f.Var().Id("Reference").Op("*").Id("Distribution")
		return f
	}
	f.Comment(fmt.Sprintf("Reference is the distribution of the model's predictions on the %d committed %s rides", r.Rides, r.Month))
	f.Comment(fmt.Sprintf("(%s), made by the library when the model was made or", r.Path))
	f.Comment("refreshed. The function's PredictionDrift is each batch's Shift from it.")
	// One value a line, so that a reader can compare them with the
	// refresh report's table; the fields in the struct's order.
	column := func(xs []float64) jen.Code {
		return jen.Index().Float64().ValuesFunc(func(g *jen.Group) {
			for _, x := range xs {
				g.Line().Lit(x)
			}
			g.Line()
		})
	}
	field := func(name string, v jen.Code) jen.Code { return jen.Line().Id(name).Op(":").Add(v) }
	f.Var().Id("Reference").Op("=").Op("&").Id("Distribution").Values(
		field("Month", jen.Lit(r.Month)),
		field("Rides", jen.Lit(r.Rides)),
		field("Mean", jen.Lit(r.Mean)),
		field("Std", jen.Lit(r.Std)),
		field("Min", jen.Lit(r.Min)),
		field("Max", jen.Lit(r.Max)),
		field("Levels", column(r.Levels)),
		field("Edges", column(r.Edges)),
		field("CDF", column(r.CDF)),
		jen.Line(),
	)
	return f
}
