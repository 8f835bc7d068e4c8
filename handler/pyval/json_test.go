package pyval

import (
	"strings"
	"testing"
)

// TestReaderValue: one value read whole, with the kind json.loads gives it,
// and the documents json.loads refuses refused.
func TestReaderValue(t *testing.T) {
	for _, c := range []struct {
		doc  string
		kind Kind
		int  bool
	}{
		{` 12 `, kNumber, true},
		{`-0.5e3`, kNumber, false},
		{`NaN`, kNaN, false},
		{`-Infinity`, kNegInf, false},
		{`[1, {"a": [null]}]`, kArray, false},
		{`{"a": 1, "a": 2}`, kObject, false},
		{`"x\u00e9"`, kString, false},
		{strings.Repeat("9", maxIntDigits), kNumber, true},
	} {
		r := NewReader([]byte(c.doc))
		v, err := r.Value()
		if err == nil {
			err = r.End()
		}
		if err != nil || v.kind != c.kind || v.isInt != c.int {
			t.Errorf("%.40s: got kind %v, int %v, error %v; want %v, %v", c.doc, v.kind, v.isInt, err, c.kind, c.int)
		}
	}
	for _, doc := range []string{
		``, `01`, `1.`, `1e`, `-`, `tru`, `[1,]`, `{"a" 1}`, `{"a":1,}`, `[1] 2`, `infinity`,
		strings.Repeat("9", maxIntDigits+1),
		strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
	} {
		r := NewReader([]byte(doc))
		_, err := r.Value()
		if err == nil {
			err = r.End()
		}
		if err == nil {
			t.Errorf("%.40s: read, want an error", doc)
		}
	}
}

// TestReaderMember: an object's names, unescaped, in order.
func TestReaderMember(t *testing.T) {
	r := NewReader([]byte(`{"a": 1, "b\u00e9\n": [2], "a": 3}`))
	if err := r.Open('{'); err != nil {
		t.Fatal(err)
	}
	var names []string
	for name, more, err := r.Member(true); more || err != nil; name, more, err = r.Member(false) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, string(name))
		if _, err := r.Value(); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := strings.Join(names, "|"), "a|bé\n|a"; got != want {
		t.Errorf("names %q, want %q", got, want)
	}
}
