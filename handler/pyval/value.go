// Package pyval reads ride events as CPython's json.loads does and runs
// the forms a compiled prepare_features may use on the values it reads,
// with Python's semantics: the code gen writes from the user's Python
// (generated/features.go) calls these functions, one per form, and the
// handler's ride package reads events with its Reader.
//
// A Value is a Python value: a JSON value as json.loads makes it (read in
// place, converted only when a form asks), or a str, int or float a form
// computed. Each form gives what CPython gives, or the error where CPython
// raises (KeyError, TypeError, ValueError, OverflowError), with the
// divergences listed at each function.
package pyval

import (
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// Value is one Python value: what json.loads makes of a JSON value (its
// kind and its text in the input, read lazily), or what a feature program
// computed from one (a str, int or float). The zero Value is an absent
// field.
//
// It is a slice and three bytes, as small as a JSON value's, so that Go
// passes and returns it in integer registers (a float64 field costs the
// reader a third more): a computed str or int keeps its text in raw, a
// computed float its repr, as a JSON number (see floatValue).
type Value struct {
	raw   []byte // a JSON value's text; kText: the str (WTF-8); kInt: its canonical digits
	kind  Kind
	esc   bool // a string with escapes
	isInt bool // a number without fraction or exponent: Python reads an int
}

// None is Python's None (JSON null).
var None = Value{kind: kNull}

// Object stands for a JSON object whose members the caller reads itself.
var Object = Value{kind: kObject}

// Str is the str constant s.
func Str(s string) Value { return textValue(s) }

// Int is the int constant written as digits (canonical: an optional '-',
// no leading zeros).
func Int(digits string) Value { return Value{kind: kInt, raw: bytesOf(digits)} }

// Float is the float constant x.
func Float(x float64) Value { return floatValue(x) }

// floatValue is a computed float, written as the JSON value json.loads
// would read as x: its repr as a number (3.66, -0.0, 1e+16), or NaN,
// Infinity, -Infinity.
func floatValue(x float64) Value {
	switch {
	case x != x:
		return Value{kind: kNaN, raw: nanText}
	case x > math.MaxFloat64:
		return Value{kind: kInf, raw: infText}
	case x < -math.MaxFloat64:
		return Value{kind: kNegInf, raw: negInfText}
	case x == 1:
		return Value{kind: kNumber, raw: oneText}
	case x == 0 && !math.Signbit(x):
		return Value{kind: kNumber, raw: zeroText}
	}
	return Value{kind: kNumber, raw: appendPyFloat(nil, x)}
}

var (
	nanText, infText, negInfText = []byte("NaN"), []byte("Infinity"), []byte("-Infinity")
	oneText, zeroText            = []byte("1.0"), []byte("0.0")
)

// Bool is the bool constant b.
func Bool(b bool) Value {
	if b {
		return Value{kind: kTrue, raw: []byte("true")}
	}
	return Value{kind: kFalse, raw: []byte("false")}
}

// Absent reports whether v is a field the ride does not have.
func (v Value) Absent() bool { return v.kind == 0 }

// IsObject reports whether v is a JSON object (a dict).
func (v Value) IsObject() bool { return v.kind == kObject }

// JSONKind names v's JSON kind ("string", "number", "array", ...).
func (v Value) JSONKind() string { return v.kind.String() }

// Raw is a JSON value's text as the input holds it.
func (v Value) Raw() []byte { return v.raw }

// Item is ride[name]: the field's value, or Python's KeyError when the
// ride has no such field.
func Item(v Value, name string) (Value, error) {
	if v.kind == 0 {
		return v, Missing(name)
	}
	return v, nil
}

// Missing is ride[name]'s KeyError.
func Missing(name string) error { return fmt.Errorf("ride.%s: missing (KeyError)", name) }

// Get is ride.get(name, def): the field's value, or def (None for
// ride.get(name)) when the ride has no such field.
func Get(v, def Value) Value {
	if v.kind == 0 {
		return def
	}
	return v
}

// typeName is Python's name of v's type, for errors.
func typeName(v Value) string {
	switch v.kind {
	case kString, kText:
		return "str"
	case kNumber:
		if v.isInt {
			return "int"
		}
		return "float"
	case kInt:
		return "int"
	case kNaN, kInf, kNegInf:
		return "float"
	case kTrue, kFalse:
		return "bool"
	case kNull:
		return "NoneType"
	case kArray:
		return "list"
	case kObject:
		return "dict"
	}
	return "absent"
}

// isStr reports whether v is a str.
func isStr(v Value) bool { return v.kind == kString || v.kind == kText }

// text is a str's text (WTF-8: an unpaired surrogate as UTF-8 would
// write it, see appendUnquote).
func text(v Value) string {
	if v.kind == kText {
		return v.rawString()
	}
	if !v.esc {
		return string(v.raw[1 : len(v.raw)-1])
	}
	return string(appendUnquote(nil, v.raw))
}

// appendText appends a str's text.
func appendText(dst []byte, v Value) []byte {
	if v.kind == kText {
		return append(dst, v.raw...)
	}
	if !v.esc {
		return append(dst, v.raw[1:len(v.raw)-1]...)
	}
	return appendUnquote(dst, v.raw)
}

// errType is Python's TypeError.
func errType(format string, args ...any) error {
	return fmt.Errorf("%s (TypeError)", fmt.Sprintf(format, args...))
}

// errValue is Python's ValueError.
func errValue(format string, args ...any) error {
	return fmt.Errorf("%s (ValueError)", fmt.Sprintf(format, args...))
}

// errOverflow is Python's OverflowError.
func errOverflow(msg string) error { return errors.New(msg + " (OverflowError)") }

// clip keeps error messages short whatever the input.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// quoted is a str for an error message, as Python's repr would show it
// (near enough: Go's quoting).
func quoted(v Value) string { return fmt.Sprintf("%q", clip(text(v))) }

// textValue is the computed str s. Its bytes are s's own, without a copy:
// nothing ever writes to a Value's raw, and a str made by a form is a
// fresh string, so that the Features a category becomes costs no second
// allocation (rawString gives it back as the same string).
func textValue(s string) Value { return Value{kind: kText, raw: bytesOf(s)} }

// bytesOf is s's bytes, shared, never to be written.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// rawString is raw as a string, shared: for a computed str or int, the
// string it was made from.
func (v Value) rawString() string { return unsafe.String(unsafe.SliceData(v.raw), len(v.raw)) }
