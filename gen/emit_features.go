package main

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/dave/jennifer/jen"
)

// pyvalPath is the package of the Python forms the feature code calls.
const pyvalPath = "github.com/nyc-taxi/ridepred/handler/pyval"

// featuresFile emits features.go: Fields, the ride fields the user's
// prepare_features reads, and Prepare, the function compiled, each Python
// line as a comment above its Go, then the model's DictVectorizer on the
// dict it returns:
//
//	var Fields = []string{"PULocationID", "DOLocationID", "trip_distance"}
//
//	func Prepare(ride []pyval.Value) (Features, error) {
//		var f Features
//		var err error
//		// line 27: features["PU_DO"] = "%s_%s" % (ride["PULocationID"], ride["DOLocationID"])
//		if ride[0].Absent() {
//			return f, fmt.Errorf("lambda_function.py:27: %w", pyval.Missing("PULocationID"))
//		}
//		...
//		v0, err := pyval.Format("%s_%s", ride[0], ride[1])
//		...
//		// line 29: return features
//		if f.PUDO, err = pyval.Category(v0); err != nil {
//			...
//		}
//		...
//		if err = f.Validate(); err != nil {
//			return f, fmt.Errorf("feature %w", err)
//		}
//		return f, nil
//	}
func (e *emitter) featuresFile() *jen.File {
	f := e.file(e.cfg.ImportPath, e.cfg.Package)
	p := e.p.Program
	f.Comment(fmt.Sprintf("Fields are the ride fields %s reads (%s), in the order Prepare takes their values.", p.Function, p.Source))
	f.Var().Id("Fields").Op("=").Index().String().ValuesFunc(func(g *jen.Group) {
		for _, name := range p.Fields {
			g.Lit(name)
		}
	})
	f.Line()
	f.Comment(fmt.Sprintf("ProgramSHA256 is the sha256 of %s, the Python file %s was compiled from.", p.Source, p.Function))
	f.Const().Id("ProgramSHA256").Op("=").Lit(p.SHA256)
	f.Line()
	f.Comment(fmt.Sprintf("Prepare is %s(ride) of %s compiled, with Python's semantics (package pyval),", p.Function, p.Source))
	f.Comment("then the model's DictVectorizer on the dict it returns, and Validate. ride holds the value")
	f.Comment("of each of Fields (the zero Value where the ride has none). Where Python raises, Prepare")
	f.Comment("returns the error, naming the line and the expression.")
	f.Func().Id("Prepare").Params(jen.Id("ride").Index().Qual(pyvalPath, "Value")).Params(jen.Id("Features"), jen.Error()).BlockFunc(func(g *jen.Group) {
		pe := &programEmitter{p: p, plan: e.p, g: g, locals: map[string]val{}, final: map[string]val{}, used: map[string]bool{}}
		pe.body()
	})
	return f
}

// programEmitter emits Prepare's body, one step at a time: each
// expression's value goes into a temporary vN.
type programEmitter struct {
	p      *Program
	plan   *Plan
	g      *jen.Group
	n      int
	temps  []string
	used   map[string]bool
	locals map[string]val // a local's value
	keys   []string       // the dict's keys in order of first assignment
	final  map[string]val // each key's last value
}

// val is an expression's value: a temporary's name, or a constant's code.
type val struct {
	temp string
	code jen.Code
}

func (pe *programEmitter) body() {
	g := pe.g
	g.Var().Id("f").Id("Features")
	g.Var().Err().Error()
	for _, s := range pe.p.Steps {
		for i, line := range strings.Split(s.Text, "\n") {
			if i == 0 {
				g.Comment(fmt.Sprintf("line %d: %s", s.Line, line))
			} else {
				g.Comment(fmt.Sprintf("         %s", line))
			}
		}
		switch {
		case s.Value != nil && s.Local != "":
			pe.locals[s.Local] = pe.expr(s.Value, s.Line)
		case s.Value != nil:
			if _, seen := pe.final[s.Key]; !seen {
				pe.keys = append(pe.keys, s.Key)
			}
			pe.final[s.Key] = pe.expr(s.Value, s.Line)
		case s.Returns:
			pe.vectorize(s.Line)
		}
	}
}

// use marks the value as read, and returns its code.
func (pe *programEmitter) use(v val) jen.Code {
	if v.temp != "" {
		pe.used[v.temp] = true
		return jen.Id(v.temp)
	}
	return v.code
}

// temp names a new temporary.
func (pe *programEmitter) temp() string {
	t := fmt.Sprintf("v%d", pe.n)
	pe.n++
	pe.temps = append(pe.temps, t)
	return t
}

// call emits vN, err := pyval.fn(args...) and its error check, naming
// the line and the expression.
func (pe *programEmitter) call(fn string, line int, src string, args ...jen.Code) val {
	t := pe.temp()
	pe.g.List(jen.Id(t), jen.Err()).Op(":=").Qual(pyvalPath, fn).Call(args...)
	pos := fmt.Sprintf("%s:%d: %s: %%w", pe.p.Source, line, strings.ReplaceAll(src, "%", "%%"))
	pe.g.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("f"), jen.Qual("fmt", "Errorf").Call(jen.Lit(pos), jen.Err())))
	return val{temp: t}
}

func (pe *programEmitter) expr(e *Expr, line int) val {
	switch e.Op {
	case "item":
		// ride[K] is the field's value itself, once checked present.
		pos := fmt.Sprintf("%s:%d: %%w", pe.p.Source, line)
		pe.g.If(pe.field(e.Field).Dot("Absent").Call()).Block(
			jen.Return(jen.Id("f"), jen.Qual("fmt", "Errorf").Call(jen.Lit(pos), jen.Qual(pyvalPath, "Missing").Call(jen.Lit(e.Field)))))
		return val{code: pe.field(e.Field)}
	case "get":
		var def jen.Code = jen.Qual(pyvalPath, "None")
		if e.Const != nil {
			def, _ = e.Const.code()
		}
		t := pe.temp()
		pe.g.Id(t).Op(":=").Qual(pyvalPath, "Get").Call(pe.field(e.Field), def)
		return val{temp: t}
	case "const":
		c, _ := e.Const.code()
		return val{code: c}
	case "local":
		return pe.locals[e.Name]
	case "str", "float", "int":
		fn := map[string]string{"str": "ToStr", "float": "ToFloat", "int": "ToInt"}[e.Op]
		return pe.call(fn, line, e.Src, pe.use(pe.expr(e.Args[0], line)))
	case "concat":
		a, b := pe.use(pe.expr(e.Args[0], line)), pe.use(pe.expr(e.Args[1], line))
		return pe.call("Concat", line, e.Src, a, b)
	}
	args := []jen.Code{jen.Lit(e.Format)}
	for _, a := range e.Args {
		args = append(args, pe.use(pe.expr(a, line)))
	}
	return pe.call("Format", line, e.Src, args...)
}

// field is ride[i], field's value.
func (pe *programEmitter) field(name string) *jen.Statement {
	for i, f := range pe.p.Fields {
		if f == name {
			return jen.Id("ride").Index(jen.Lit(i))
		}
	}
	panic("field " + name + " not in Fields") // validate checked
}

// vectorize emits DictVectorizer on the returned dict, key by key in
// order of first assignment, then Validate.
func (pe *programEmitter) vectorize(line int) {
	g := pe.g
	inputs := map[string]PlanInput{}
	for _, in := range pe.plan.Inputs {
		inputs[in.Key] = in
	}
	var absent jen.Code = jen.Lit(0.0)
	if pe.plan.Rule.Absent == "missing" {
		absent = jen.Qual("math", "NaN").Call()
	}
	for _, key := range pe.keys {
		v := pe.use(pe.final[key])
		pos := fmt.Sprintf("%s:%d: features[%q] (DictVectorizer): %%w", pe.p.Source, line, strings.ReplaceAll(key, "%", "%%"))
		check := jen.Err().Op("!=").Nil()
		fail := jen.Return(jen.Id("f"), jen.Qual("fmt", "Errorf").Call(jen.Lit(pos), jen.Err()))
		in, known := inputs[key]
		switch {
		case !known:
			g.If(jen.Err().Op("=").Qual(pyvalPath, "Unused").Call(v), check).Block(fail)
		case in.Categorical:
			g.If(jen.List(jen.Id("f").Dot(in.Field), jen.Err()).Op("=").Qual(pyvalPath, "Category").Call(v), check).Block(fail)
		default:
			g.If(jen.List(jen.Id("f").Dot(in.Field), jen.Err()).Op("=").Qual(pyvalPath, "Number").Call(v, absent), check).Block(fail)
		}
	}
	for _, t := range pe.temps {
		if !pe.used[t] {
			g.Id("_").Op("=").Id(t)
		}
	}
	g.If(jen.Err().Op("=").Id("f").Dot("Validate").Call(), jen.Err().Op("!=").Nil()).Block(
		jen.Return(jen.Id("f"), jen.Qual("fmt", "Errorf").Call(jen.Lit("feature %w"), jen.Err())))
	g.Return(jen.Id("f"), jen.Nil())
}

var digits = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// code is the constant as a pyval Value.
func (c *Const) code() (jen.Code, error) {
	switch c.Type {
	case "str":
		return jen.Qual(pyvalPath, "Str").Call(jen.Lit(c.Value)), nil
	case "int":
		if !digits.MatchString(c.Value) || c.Value == "-0" {
			return nil, fmt.Errorf("int constant %q is not canonical digits", c.Value)
		}
		return jen.Qual(pyvalPath, "Int").Call(jen.Lit(c.Value)), nil
	case "float":
		x, err := floatValue(c.Value)
		if err != nil {
			return nil, fmt.Errorf("float constant %q: %w", c.Value, err)
		}
		var lit jen.Code = jen.Lit(x)
		switch {
		case math.IsNaN(x):
			lit = jen.Qual("math", "NaN").Call()
		case math.IsInf(x, 0):
			lit = jen.Qual("math", "Inf").Call(jen.Lit(int(math.Copysign(1, x))))
		case x == 0 && math.Signbit(x):
			lit = jen.Qual("math", "Copysign").Call(jen.Lit(0.0), jen.Lit(-1.0))
		}
		return jen.Qual(pyvalPath, "Float").Call(lit), nil
	case "bool":
		if c.Value != "True" && c.Value != "False" {
			return nil, fmt.Errorf("bool constant %q", c.Value)
		}
		return jen.Qual(pyvalPath, "Bool").Call(jen.Lit(c.Value == "True")), nil
	case "None":
		return jen.Qual(pyvalPath, "None"), nil
	}
	return nil, fmt.Errorf("constant of unknown type %q", c.Type)
}
