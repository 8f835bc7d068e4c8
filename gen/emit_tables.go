package main

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

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

// multiLine is a composite literal's values, one per line.
func multiLine(values []jen.Code) *jen.Statement {
	return jen.Custom(jen.Options{Open: "{", Close: "}", Separator: ",", Multi: true}, values...)
}
