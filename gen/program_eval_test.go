package main

import (
	"fmt"

	"github.com/nyc-taxi/ridepred/handler/pyval"
)

// evalProgram runs the program on a ride's values (as Fields orders
// them) with the same pyval calls that the Go gen emits makes, and returns
// the dict prepare_features returns as [key, type, text] (pyval.Describe),
// in Python's order: keys by first assignment, each with its last value.
// The differential tests compare it with Python's own answer; the emitted
// code is checked against it by TestEmittedProgramAgrees.
func evalProgram(p *Program, ride []pyval.Value) ([][3]string, error) {
	locals := map[string]pyval.Value{}
	final := map[string]pyval.Value{}
	var keys []string
	for _, s := range p.Steps {
		if s.Value == nil {
			continue
		}
		v, err := evalExpr(p, s.Value, ride, locals)
		if err != nil {
			return nil, err
		}
		if s.Local != "" {
			locals[s.Local] = v
			continue
		}
		if _, seen := final[s.Key]; !seen {
			keys = append(keys, s.Key)
		}
		final[s.Key] = v
	}
	out := make([][3]string, 0, len(keys))
	for _, k := range keys {
		typ, text := pyval.Describe(final[k])
		out = append(out, [3]string{k, typ, text})
	}
	return out, nil
}

func evalExpr(p *Program, e *Expr, ride []pyval.Value, locals map[string]pyval.Value) (pyval.Value, error) {
	field := func() pyval.Value {
		for i, f := range p.Fields {
			if f == e.Field {
				return ride[i]
			}
		}
		panic("unknown field " + e.Field)
	}
	var args []pyval.Value
	for _, a := range e.Args {
		v, err := evalExpr(p, a, ride, locals)
		if err != nil {
			return v, err
		}
		args = append(args, v)
	}
	switch e.Op {
	case "item":
		return pyval.Item(field(), e.Field)
	case "get":
		def := pyval.None
		if e.Const != nil {
			def = constValue(e.Const)
		}
		return pyval.Get(field(), def), nil
	case "const":
		return constValue(e.Const), nil
	case "local":
		return locals[e.Name], nil
	case "str":
		return pyval.ToStr(args[0])
	case "float":
		return pyval.ToFloat(args[0])
	case "int":
		return pyval.ToInt(args[0])
	case "concat":
		return pyval.Concat(args[0], args[1])
	case "format":
		return pyval.Format(e.Format, args...)
	}
	return pyval.Value{}, fmt.Errorf("unknown op %q", e.Op)
}

// constValue is the constant as the emitted code makes it.
func constValue(c *Const) pyval.Value {
	switch c.Type {
	case "str":
		return pyval.Str(c.Value)
	case "int":
		return pyval.Int(c.Value)
	case "float":
		x, _ := floatValue(c.Value)
		return pyval.Float(x)
	case "bool":
		return pyval.Bool(c.Value == "True")
	}
	return pyval.None
}
