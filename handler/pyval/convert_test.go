package pyval

import (
	"errors"
	"strings"
	"testing"
)

// jsonValue reads one JSON value as json.loads would.
func jsonValue(t testing.TB, text string) Value {
	t.Helper()
	v, err := NewReader([]byte(text)).Value()
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return v
}

// TestForms: the examples and the edges of each form, as CPython
// 3.11 gives them (type and repr, or the exception's type). The
// differential test in gen (TestProgramsAgainstPython) checks the same
// forms against Python itself on random programs.
func TestForms(t *testing.T) {
	forms := map[string]func(Value) (Value, error){"str": ToStr, "float": ToFloat, "int": ToInt,
		"%d": func(v Value) (Value, error) { return Format("%d", v) }, "%s": func(v Value) (Value, error) { return Format("<%s>", v) }}
	tests := []struct{ form, json, want string }{
		{"str", `130.0`, `str "130.0"`},
		{"str", `true`, `str "True"`},
		{"str", `null`, `str "None"`},
		{"str", `1e400`, `str "inf"`},
		{"str", `-Infinity`, `str "-inf"`},
		{"str", `NaN`, `str "nan"`},
		{"str", `-0`, `str "0"`},
		{"str", `1E2`, `str "100.0"`},
		{"str", `1.5e16`, `str "1.5e+16"`},
		{"str", `123456789012345678901234567890`, `str "123456789012345678901234567890"`},
		{"str", `"\u00e9"`, `str "\u00e9"`},
		{"str", `[1]`, `divergence`},
		{"float", `" 3.66 "`, `float 3.66`},
		{"float", `"1_000"`, `float 1000.0`},
		{"float", `"nan"`, `float nan`},
		{"float", `"-Infinity"`, `float -inf`},
		{"float", `"1e400"`, `float inf`},
		{"float", `"\uff11\uff12.5"`, `float 12.5`},
		{"float", `"\u00a012\u2003"`, `float 12.0`},
		{"float", `"1__0"`, `ValueError`},
		{"float", `"_1"`, `ValueError`},
		{"float", `"0x10"`, `ValueError`},
		{"float", `"."`, `ValueError`},
		{"float", `""`, `ValueError`},
		{"float", `-0`, `float 0.0`},
		{"float", `-0.0`, `float -0.0`},
		{"float", `true`, `float 1.0`},
		{"float", `1` + strings.Repeat("0", 400), `OverflowError`},
		{"float", `null`, `TypeError`},
		{"float", `[]`, `TypeError`},
		{"int", `3.9`, `int 3`},
		{"int", `-3.9`, `int -3`},
		{"int", `1e20`, `int 100000000000000000000`},
		{"int", `NaN`, `ValueError`},
		{"int", `1e400`, `OverflowError`},
		{"int", `" 007 "`, `int 7`},
		{"int", `"-0"`, `int 0`},
		{"int", `"1_0"`, `int 10`},
		{"int", `"1.5"`, `ValueError`},
		{"int", `"\u0663"`, `int 3`},
		{"int", `false`, `int 0`},
		{"int", `{}`, `TypeError`},
		{"%d", `3.9`, `str "3"`},
		{"%d", `true`, `str "1"`},
		{"%d", `"3"`, `TypeError`},
		{"%d", `null`, `TypeError`},
		{"%d", `-Infinity`, `OverflowError`},
		{"%s", `2.5`, `str "<2.5>"`},
		{"%s", `null`, `str "<None>"`},
	}
	for _, tt := range tests {
		v, err := forms[tt.form](jsonValue(t, tt.json))
		var got string
		switch {
		case errors.Is(err, ErrDivergence):
			got = "divergence"
		case err != nil:
			got = err.Error()[strings.LastIndex(err.Error(), "(")+1 : len(err.Error())-1]
		default:
			typ, text := Describe(v)
			got = typ + " " + text
		}
		if got != tt.want {
			t.Errorf("%s(%s) = %s (%v), want %s", tt.form, tt.json, got, err, tt.want)
		}
	}
}

func TestConcat(t *testing.T) {
	if v, err := Concat(Str("a"), jsonValue(t, `"\u00e9"`)); err != nil || text(v) != "a\u00e9" {
		t.Errorf("'a' + 'é' = %v, %v", v, err)
	}
	if _, err := Concat(Str("a"), jsonValue(t, `1`)); err == nil || !strings.Contains(err.Error(), "TypeError") {
		t.Errorf("'a' + 1: err = %v, want a TypeError", err)
	}
}

// TestVectorizer: DictVectorizer's rules on each kind of value.
func TestVectorizer(t *testing.T) {
	for _, tt := range []struct {
		json, cat, num string
	}{
		{`"x"`, "x", "absent"},
		{`1.5`, "", "1.5"},
		{`true`, "", "1"},
		{`null`, "", "nan"},
		{`[]`, "", "absent"},
		{`["x"]`, "x", "absent"},
		{`["x", "y"]`, "divergence", "absent"},
		{`[1]`, "TypeError", "TypeError"},
		{`{}`, "TypeError", "TypeError"},
		{`1` + strings.Repeat("0", 400), "", "OverflowError"},
	} {
		v := jsonValue(t, tt.json)
		show := func(s string, err error) string {
			switch {
			case errors.Is(err, ErrDivergence):
				return "divergence"
			case err != nil:
				return err.Error()[strings.LastIndex(err.Error(), "(")+1 : len(err.Error())-1]
			}
			return s
		}
		cat, err := Category(v)
		if got := show(cat, err); got != tt.cat {
			t.Errorf("Category(%s) = %s, want %s", tt.json, got, tt.cat)
		}
		const absent = -12345.0
		x, err := Number(v, absent)
		s := strings.TrimSuffix(Float(x).String(), ".0")
		if x == absent {
			s = "absent"
		}
		if got := show(s, err); got != tt.num {
			t.Errorf("Number(%s) = %s, want %s", tt.json, got, tt.num)
		}
	}
}
