package pyval

import "errors"

// ErrDivergence marks the errors of forms refused here where Python
// gives a value (str() of a container, several categories of one key):
// docs/contract.md's list of divergences.
var ErrDivergence = errors.New("a divergence from Python")

// Describe is v's Python type and its text: json.dumps of a str, str of
// an int, repr of a float, "True", "False" or "None"; empty for a list or
// dict. It is what model-export/features.py's describe writes, so that
// the differential tests and make refresh's proof compare the two sides.
func Describe(v Value) (typ, repr string) {
	typ = typeName(v)
	switch {
	case isStr(v):
		return typ, string(appendDumpsText(nil, []byte(text(v))))
	case v.kind == kArray || v.kind == kObject || v.kind == 0:
		return typ, ""
	}
	b, _ := appendPyStr(nil, v)
	return typ, string(b)
}

// String is str(v), for messages and tests ("<error>" where str raises).
func (v Value) String() string {
	b, err := appendPyStr(nil, v)
	if err != nil {
		return "<error>"
	}
	return string(b)
}

// AppendFloatRepr appends repr(x), as json.dumps writes a finite float
// (130.0, 1e-05, 1.5e+16).
func AppendFloatRepr(dst []byte, x float64) []byte { return appendPyFloatStr(dst, x) }
