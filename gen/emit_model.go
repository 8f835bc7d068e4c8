package main

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

// model emits model.go: the package doc, then what varies with the model
// in the API and around it, each step one declaration or a few. Predict and
// PredictBatch, the same for every model, come from predict.go.txt; the big
// tables go to tables.go.
func (e *emitter) model() *jen.File {
	f := e.file(e.cfg.ImportPath, e.cfg.Package)
	e.packageDoc(f)
	e.constants(f)
	e.features(f)
	e.featuresFromMap(f)
	e.validate(f)
	e.combine(f)
	e.encode(f)
	e.sortKey(f)
	return f
}

// packageDoc emits
//
//	// Package generated predicts with the RandomForestRegressor in forest.json (sklearn 1.2.1),
//	// compiled by gen into nested if-statements. Predictions equal sklearn's bit for bit.
func (e *emitter) packageDoc(f *jen.File) {
	p := e.p
	f.PackageComment(fmt.Sprintf("Package %s predicts with the %s in %s (%s %s),", e.cfg.Package, p.Estimator, p.Source, p.Library, p.LibraryVersion))
	f.PackageComment(fmt.Sprintf("compiled by gen into nested if-statements. Predictions equal %s's bit for bit.", p.Library))
}

// constants emits
//
//	const (
//		// ModelSHA256 is the sha256 of the forest JSON this package was generated from.
//		ModelSHA256 = "75418d48..."
//		... SourceSHA256, RunID, SklearnVersion, Library, LibraryVersion,
//		Estimator, Objective, NTrees, NFeatures
//	)
func (e *emitter) constants(f *jen.File) {
	p := e.p
	combine := "predictions are their mean"
	if p.Rule.Combine == "sum" {
		combine = "predictions are their sum, from the model's start value"
	}
	f.Const().Defs(documented([]constDoc{
		{"ModelSHA256", "is the sha256 of the forest JSON this package was generated from.", p.ModelSHA256},
		{"SourceSHA256", "is the sha256 of the model file the forest was exported from.", p.SourceSHA256},
		{"RunID", "is the MLflow run id of the model, empty when unknown.", p.RunID},
		{"SklearnVersion", "is the scikit-learn version that made the vectorizer (and an sklearn model).", p.SklearnVersion},
		{"Library", "is the library that trained the model, sklearn or xgboost.", p.Library},
		{"LibraryVersion", "is its version.", p.LibraryVersion},
		{"Estimator", "is the estimator's class.", p.Estimator},
		{"Objective", "is the model's loss or objective (a forest's criterion).", p.Objective},
		{"NTrees", "is the number of trees; " + combine + ".", p.NTrees},
		{"NFeatures", "is the vectorizer's feature count.", p.NFeatures},
	})...)
	if e.cfg.Optional {
		// const Shipped = true
		f.Comment("Shipped tells that a model is compiled into this package: gen -optional writes")
		f.Comment("a package without one, where Shipped is false, when the forest JSON is absent.")
		f.Const().Id("Shipped").Op("=").True()
	}
}

// features emits
//
//	// Features is one input dict of the model's DictVectorizer. ...
//	type Features struct {
//		PUDO         string  // "PU_DO", categorical
//		TripDistance float64 // "trip_distance", numeric
//	}
func (e *emitter) features(f *jen.File) {
	f.Comment("Features is one input dict of the model's DictVectorizer. A zero field is an")
	if e.p.Rule.Absent == "missing" {
		f.Comment("absent category, or the number 0; an absent number is NaN, which this model")
		f.Comment("takes as missing, as it takes a number left out of the vectorizer's sparse row.")
		f.Comment("Check values made by hand with Validate.")
	} else {
		f.Comment("absent key: no category, or 0 for a number. Check values made by hand with Validate.")
	}
	f.Type().Id("Features").StructFunc(func(g *jen.Group) {
		for _, in := range e.p.Inputs {
			kind, typ := "numeric", jen.Float64()
			if in.Categorical {
				kind, typ = "categorical", jen.String()
			}
			g.Id(in.Field).Add(typ).Comment(fmt.Sprintf("%q, %s", in.Key, kind))
		}
	})
}

// featuresFromMap emits one if-statement per input (readInput writes its
// body):
//
//	func FeaturesFromMap(m map[string]any) (Features, error) {
//		var f Features
//		if v, ok := m["PU_DO"]; ok {
//			s, ok := v.(string)
//			if !ok {
//				return Features{}, fmt.Errorf("PU_DO: want a string, got %T", v)
//			}
//			f.PUDO = s
//		}
//		...
//		return f, f.Validate()
//	}
func (e *emitter) featuresFromMap(f *jen.File) {
	f.Comment("FeaturesFromMap reads a DictVectorizer input dict: absent keys are absent, unknown keys")
	f.Comment("are ignored; a categorical key needs a string, a numeric key a number that Validate accepts.")
	f.Func().Id("FeaturesFromMap").Params(jen.Id("m").Map(jen.String()).Any()).Params(jen.Id("Features"), jen.Error()).BlockFunc(func(g *jen.Group) {
		g.Var().Id("f").Id("Features")
		for _, in := range e.p.Inputs {
			if !in.Categorical && e.p.Rule.Absent == "missing" {
				g.Id("f").Dot(in.Field).Op("=").Qual("math", "NaN").Call().Comment("absent: missing")
			}
		}
		for _, in := range e.p.Inputs {
			g.If(jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id("m").Index(jen.Lit(in.Key)), jen.Id("ok")).BlockFunc(func(g *jen.Group) {
				readInput(g, in)
			})
		}
		g.Return(jen.Id("f"), jen.Id("f").Dot("Validate").Call())
	})
}

// readInput emits the body of FeaturesFromMap's if-statement for one
// input: a type assertion for a category,
//
//	s, ok := v.(string)
//	if !ok {
//		return Features{}, fmt.Errorf("PU_DO: want a string, got %T", v)
//	}
//	f.PUDO = s
//
// and support.go's number for a number:
//
//	x, err := number(v)
//	if err != nil {
//		return Features{}, fmt.Errorf("trip_distance: %w", err)
//	}
//	f.TripDistance = x
func readInput(g *jen.Group, in PlanInput) {
	if in.Categorical {
		g.List(jen.Id("s"), jen.Id("ok")).Op(":=").Id("v").Assert(jen.String())
		g.If(jen.Op("!").Id("ok")).Block(
			jen.Return(jen.Id("Features").Values(), jen.Qual("fmt", "Errorf").Call(jen.Lit(in.Key+": want a string, got %T"), jen.Id("v"))))
		g.Id("f").Dot(in.Field).Op("=").Id("s")
		return
	}
	g.List(jen.Id("x"), jen.Id("err")).Op(":=").Id("number").Call(jen.Id("v"))
	g.If(jen.Id("err").Op("!=").Nil()).Block(
		jen.Return(jen.Id("Features").Values(), jen.Qual("fmt", "Errorf").Call(jen.Lit(in.Key+": %w"), jen.Id("err"))))
	g.Id("f").Dot(in.Field).Op("=").Id("x")
}

// validate emits
//
//	func (f Features) Validate() error {
//		if err := checkValue(f.TripDistance); err != nil {
//			return fmt.Errorf("trip_distance: %w", err)
//		}
//		return nil
//	}
func (e *emitter) validate(f *jen.File) {
	f.Comment(fmt.Sprintf("Validate reports a numeric value that %s would refuse (%s).", e.p.Library, refuses(e.p.Rule)))
	f.Comment("Predict assumes valid features.")
	f.Func().Params(jen.Id("f").Id("Features")).Id("Validate").Params().Error().BlockFunc(func(g *jen.Group) {
		for _, in := range e.p.Inputs {
			if in.Categorical {
				continue
			}
			g.If(jen.Id("err").Op(":=").Id("checkValue").Call(jen.Id("f").Dot(in.Field)), jen.Id("err").Op("!=").Nil()).Block(
				jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(in.Key+": %w"), jen.Id("err"))))
		}
		g.Return(jen.Nil())
	})
}

// constDoc is one constant of a const block: its name, its doc comment
// after the name ("Name is ..."; or ": ..." for a comment that starts
// with the name and a colon) and its value, which jen.Lit prints.
type constDoc struct {
	name, doc string
	value     any
}

// documented lists constants for a const block, each under its doc comment.
func documented(cs []constDoc) []jen.Code {
	var defs []jen.Code
	for _, c := range cs {
		doc := c.doc
		if !strings.HasPrefix(doc, ":") {
			doc = " " + doc
		}
		defs = append(defs, jen.Comment(c.name+doc), jen.Id(c.name).Op("=").Lit(c.value))
	}
	return defs
}
