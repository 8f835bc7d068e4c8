package main

import "github.com/dave/jennifer/jen"

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
