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

// tables emits tables.go: each used input's category codes or cuts, then
// the list of tree functions.
func (e *emitter) tables() *jen.File {
	f := e.file(e.cfg.ImportPath, e.cfg.Package)
	for _, in := range e.used() {
		if in.Categorical {
			e.categoryCodes(f, in)
		} else {
			e.cuts(f, in)
		}
	}
	e.treeList(f)
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
	f.Const().Defs(
		jen.Comment("ModelSHA256 is the sha256 of the forest JSON this package was generated from."),
		jen.Id("ModelSHA256").Op("=").Lit(p.ModelSHA256),
		jen.Comment("SourceSHA256 is the sha256 of the model file the forest was exported from."),
		jen.Id("SourceSHA256").Op("=").Lit(p.SourceSHA256),
		jen.Comment("RunID is the MLflow run id of the model, empty when unknown."),
		jen.Id("RunID").Op("=").Lit(p.RunID),
		jen.Comment("SklearnVersion is the scikit-learn version that made the vectorizer (and an sklearn model)."),
		jen.Id("SklearnVersion").Op("=").Lit(p.SklearnVersion),
		jen.Comment("Library is the library that trained the model, sklearn or xgboost."),
		jen.Id("Library").Op("=").Lit(p.Library),
		jen.Comment("LibraryVersion is its version."),
		jen.Id("LibraryVersion").Op("=").Lit(p.LibraryVersion),
		jen.Comment("Estimator is the estimator's class."),
		jen.Id("Estimator").Op("=").Lit(p.Estimator),
		jen.Comment("Objective is the model's loss or objective (a forest's criterion)."),
		jen.Id("Objective").Op("=").Lit(p.Objective),
		jen.Comment("NTrees is the number of trees; "+combine+"."),
		jen.Id("NTrees").Op("=").Lit(p.NTrees),
		jen.Comment("NFeatures is the vectorizer's feature count."),
		jen.Id("NFeatures").Op("=").Lit(p.NFeatures),
	)
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
	f.Const().Defs(
		jen.Comment("inputFloat32: inputs are cast to float32."),
		jen.Id("inputFloat32").Op("=").Lit(r.Input == "float32"),
		jen.Comment(fmt.Sprintf("compareLess: a split sends x left when x < threshold; else when x <= threshold.")),
		jen.Id("compareLess").Op("=").Lit(r.Compare == "<"),
		jen.Comment("nanMissing: NaN is a missing value, which takes each split's default direction; else it is refused."),
		jen.Id("nanMissing").Op("=").Lit(r.NaN != "refused"),
		jen.Comment("infinityAllowed: infinities (after the cast) are compared; else they are refused."),
		jen.Id("infinityAllowed").Op("=").Lit(r.Infinity == "allowed"),
		jen.Comment("absentMissing: a number left out of the input is missing (NaN in Features); else it is 0."),
		jen.Id("absentMissing").Op("=").Lit(r.Absent == "missing"),
	)
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

// encode emits the codes type, the same struct type as each tree package's
// Codes, and
//
//	func encode(f *Features) codes {
//		return codes{PUDO: codePUDO(f.PUDO), TripDistance: rank(cutsTripDistance[:], f.TripDistance)}
//	}
func (e *emitter) encode(f *jen.File) {
	f.Comment("codes is a ride's inputs as the trees test them: a category's code, a number's rank.")
	f.Comment("It is an alias of the same struct type as each tree package's Codes.")
	f.Type().Id("codes").Op("=").Add(e.codesStruct())
	f.Func().Id("encode").Params(jen.Id("f").Op("*").Id("Features")).Id("codes").Block(
		jen.Return(jen.Id("codes").ValuesFunc(func(g *jen.Group) {
			for _, in := range e.used() {
				if in.Categorical {
					g.Id(in.Field).Op(":").Id("code" + in.Field).Call(jen.Id("f").Dot(in.Field))
				} else if in.ZeroMissing {
					g.Id(in.Field).Op(":").Id("rankZero").Call(jen.Id("cuts"+in.Field).Index(jen.Op(":")), jen.Id("f").Dot(in.Field))
				} else {
					g.Id(in.Field).Op(":").Id("rank").Call(jen.Id("cuts"+in.Field).Index(jen.Op(":")), jen.Id("f").Dot(in.Field))
				}
			}
		})),
	)
}

// sortKey emits, from the plan's SortKey,
//
//	func sortKey(c codes) uint64 {
//		return uint64(c.TripDistance)<<20 | uint64(c.PUDO)<<11
//	}
func (e *emitter) sortKey(f *jen.File) {
	f.Comment("sortKey orders rides so that rides taking the same paths are walked one after")
	f.Comment("another: most-split input first. Any order gives the same answers.")
	key := jen.Lit(0)
	shift := 32
	for i, k := range e.p.SortKey {
		shift -= k.Bits
		part := jen.Uint64().Call(jen.Id("c").Dot(e.p.Inputs[k.Input].Field)).Op("<<").Lit(shift)
		if i == 0 {
			key = part
		} else {
			key = key.Op("|").Add(part)
		}
	}
	f.Func().Id("sortKey").Params(jen.Id("c").Id("codes")).Uint64().Block(jen.Return(key))
}

// categoryCodes emits
//
//	func codePUDO(s string) int32 {
//		switch s {
//		case "10_136":
//			return 1
//		...
//		}
//		return 0
//	}
func (e *emitter) categoryCodes(f *jen.File, in PlanInput) {
	f.Comment(fmt.Sprintf("code%s numbers the %d categories of %q that some split tests; others get 0.", in.Field, len(in.Categories), in.Key))
	f.Func().Id("code"+in.Field).Params(jen.Id("s").String()).Int32().Block(
		jen.Switch(jen.Id("s")).BlockFunc(func(g *jen.Group) {
			for i, c := range in.Categories {
				g.Case(jen.Lit(c)).Return(jen.Lit(i + 1))
			}
		}),
		jen.Return(jen.Lit(0)),
	)
}

// cuts emits
//
//	var cutsTripDistance = [2740]cut{
//		0.009999999776482582,
//		...
//	}
func (e *emitter) cuts(f *jen.File, in PlanInput) {
	how := "as they are"
	if e.p.Rule.Input == "float32" {
		how = "as float32s that split every float32 as they do"
	}
	f.Comment(fmt.Sprintf("cuts%s are the %d thresholds on %q, %s.", in.Field, len(in.Cuts), in.Key, how))
	cuts := make([]jen.Code, len(in.Cuts))
	for i, c := range in.Cuts {
		cuts[i] = jen.Lit(c) // exact: every cut is a value of the input type
	}
	f.Var().Id("cuts" + in.Field).Op("=").Index(jen.Lit(len(in.Cuts))).Id("cut").Add(multiLine(cuts))
}

// treeList emits
//
//	var trees = [NTrees]func(codes) float64{
//		trees000.Tree0,
//		...
//	}
func (e *emitter) treeList(f *jen.File) {
	f.Comment("trees lists the tree functions in estimator order: tree i's code is the function")
	f.Comment("Tree<i> in the package named here, and the functions it calls are beside it.")
	roots := make([]jen.Code, len(e.layout.Roots))
	for i, r := range e.layout.Roots {
		roots[i] = jen.Qual(e.treePath(r.Package), r.Name)
	}
	f.Var().Id("trees").Op("=").Index(jen.Id("NTrees")).Func().Params(jen.Id("codes")).Id("acc").Add(multiLine(roots))
}

// used lists the inputs some split tests; the others never reach a tree.
func (e *emitter) used() []PlanInput {
	var out []PlanInput
	for _, in := range e.p.Inputs {
		if len(in.Categories) > 0 || len(in.Cuts) > 0 {
			out = append(out, in)
		}
	}
	return out
}

// multiLine is a composite literal's values, one per line.
func multiLine(values []jen.Code) *jen.Statement {
	return jen.Custom(jen.Options{Open: "{", Close: "}", Separator: ",", Multi: true}, values...)
}

// codesStruct is the struct type of codes, the same in every package: an
// unnamed struct with exported fields is one type wherever it is written,
// so the tree packages need no package of types in common.
func (e *emitter) codesStruct() *jen.Statement {
	return jen.StructFunc(func(g *jen.Group) {
		for _, in := range e.used() {
			g.Id(in.Field).Int32()
		}
	})
}
