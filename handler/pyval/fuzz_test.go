package pyval

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzForms: every form on any JSON value, and on any str, returns a value
// or an error, never panics; float(str) agrees with strconv on what both
// read the same way (plain ASCII decimals).
func FuzzForms(f *testing.F) {
	for _, s := range []string{`130`, `3.66`, `"1_000"`, `" 3.66 "`, `NaN`, `[1, "a"]`, `{"a": 1}`, `"\u0663"`, `1e400`, `true`, `null`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		values := []Value{Str(text)}
		if v, err := NewReader([]byte(text)).Value(); err == nil {
			values = append(values, v)
		}
		for _, v := range values {
			for _, form := range []func(Value) (Value, error){ToStr, ToFloat, ToInt,
				func(v Value) (Value, error) { return Format("%s_%d", v, v) },
				func(v Value) (Value, error) { return Concat(Str("x"), v) }} {
				if out, err := form(v); err == nil {
					Describe(out)
				}
			}
			Category(v)
			Number(v, 0)
			Unused(v)
		}
		x, ok := ParseFloatText(text)
		if plain := strings.Trim(text, "0123456789.e-") == "" && !strings.Contains(text, "_"); plain {
			want, err := strconv.ParseFloat(text, 64)
			if (err == nil || strings.Contains(err.Error(), "range")) != ok || ok && x != want {
				t.Errorf("float(%q) = %v %v; strconv: %v %v", text, x, ok, want, err)
			}
		}
	})
}
