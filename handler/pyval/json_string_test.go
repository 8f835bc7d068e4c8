package pyval

import "testing"

// TestUnquote: Python's escapes, a surrogate pair as one code point, and
// an unpaired surrogate kept, in WTF-8.
func TestUnquote(t *testing.T) {
	for doc, want := range map[string]string{
		`"plain é"`:          "plain é",
		`"\"\\\/\b\f\n\r\t"`: "\"\\/\b\f\n\r\t",
		`"\u00E9\u20ac"`:     "é€",
		`"\ud83d\ude00"`:     "😀",
		`"\ud83d"`:           "\xed\xa0\xbd",
		`"\ude00\ud83d"`:     "\xed\xb8\x80\xed\xa0\xbd",
		`"a\ud83dx\ude00"`:   "a\xed\xa0\xbdx\xed\xb8\x80",
	} {
		r := NewReader([]byte(doc))
		v, err := r.str()
		if err != nil {
			t.Errorf("%s: %v", doc, err)
			continue
		}
		if got := string(appendUnquote(nil, v.raw)); got != want || !v.esc != (doc == `"plain é"`) {
			t.Errorf("%s: unquoted %q (escapes %v), want %q", doc, got, v.esc, want)
		}
	}
	for _, doc := range []string{`"a`, "\"\x01\"", `"\x"`, `"\u12"`, `"\u12g4"`, `"\`} {
		if _, err := NewReader([]byte(doc)).str(); err == nil {
			t.Errorf("%q: read, want an error", doc)
		}
	}
}
