// Package fieldname is how gen names a vectorizer key's field in the
// generated Features struct, shared with the generated package's tests,
// which find a feature's field by it.
package fieldname

import (
	"strings"
	"unicode"
)

// Go turns a vectorizer key into an exported Go identifier:
// "trip_distance" -> "TripDistance", "PU_DO" -> "PUDO", "2x" -> "F2x".
func Go(key string) string {
	var b strings.Builder
	upper := true
	for _, r := range key {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if b.Len() == 0 && !unicode.IsLetter(r) {
			b.WriteString("F")
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "F"
	}
	return b.String()
}
