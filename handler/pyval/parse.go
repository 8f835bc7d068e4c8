package pyval

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads numbers from text as Python's float(str) and int(str)
// do: CPython first turns every Unicode decimal digit into its ASCII digit
// and every Unicode space into ' ' (_PyUnicode_TransformDecimalAndSpaceToASCII),
// strips the spaces at both ends, and then reads ASCII with single
// underscores between digits. Digits and spaces are those of Go's Unicode
// tables, which may be a newer Unicode version than the Python's (a
// divergence only for digits added since).

// isPySpace is Python's str.isspace for one code point.
func isPySpace(r rune) bool {
	switch {
	case r <= 0x20:
		return r == ' ' || '\t' <= r && r <= '\r' || 0x1C <= r && r <= 0x1F
	case r < 0x85:
		return false
	}
	switch r {
	case 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200A
}

// decimal is the digit value of a Unicode decimal digit (category Nd),
// or -1. Nd digits come in runs of ten from zero.
func decimal(r rune) int {
	if '0' <= r && r <= '9' {
		return int(r - '0')
	}
	if r < 0x80 || !unicode.Is(unicode.Nd, r) {
		return -1
	}
	start := r
	for unicode.Is(unicode.Nd, start-1) {
		start--
	}
	return int(r-start) % 10
}

// asciiNumber is s with Unicode digits made ASCII, spaces stripped at both
// ends; ok is false if anything else outside ASCII (or a space inside) is
// left, which no number holds.
func asciiNumber(s string) (string, bool) {
	s = strings.TrimFunc(s, isPySpace)
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return transform(s)
		}
	}
	return s, true
}

func transform(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		d := decimal(r)
		if r >= utf8.RuneSelf && d < 0 {
			return "", false
		}
		if d >= 0 {
			r = rune('0' + d)
		}
		b = append(b, byte(r))
	}
	return string(b), true
}

// dropUnderscores removes underscores that each sit between two digits;
// ok is false if another underscore is there.
func dropUnderscores(s string) (string, bool) {
	if strings.IndexByte(s, '_') < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '_' {
			b = append(b, s[i])
			continue
		}
		if i == 0 || i+1 == len(s) || !isDigit(s[i-1]) || !isDigit(s[i+1]) {
			return "", false
		}
	}
	return string(b), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// ParseFloatText is float(s) of a str: ok is false where Python raises
// ValueError. Beyond float64's range it is ±inf, as in Python.
func ParseFloatText(s string) (x float64, ok bool) {
	s, ok = asciiNumber(s)
	if !ok {
		return 0, false
	}
	if s, ok = dropUnderscores(s); !ok {
		return 0, false
	}
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 {
		return 0, false
	}
	switch strings.ToLower(body) {
	case "nan":
		return math.NaN(), true
	case "inf", "infinity":
		if s[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	if !isDecimalFloat(body) {
		return 0, false
	}
	x, _ = strconv.ParseFloat(s, 64) // ±Inf beyond the range, as Python
	return x, true
}

// isDecimalFloat is the grammar digits [. digits] [e [sign] digits], with
// a digit before or after the point.
func isDecimalFloat(s string) bool {
	i, n := 0, 0
	for i < len(s) && isDigit(s[i]) {
		i, n = i+1, n+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i, n = i+1, n+1
		}
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		e := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == e {
			return false
		}
	}
	return i == len(s)
}

// ParseIntText is int(s) of a str, as canonical digits: ok is false where
// Python raises ValueError (more than 4,300 digits included).
func ParseIntText(s string) (digits string, ok bool) {
	s, ok = asciiNumber(s)
	if !ok || s == "" {
		return "", false
	}
	neg := s[0] == '-'
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	if s, ok = dropUnderscores(s); !ok || s == "" {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return "", false
		}
	}
	if len(s) > maxIntDigits {
		return "", false
	}
	s = strings.TrimLeft(s, "0")
	switch {
	case s == "":
		return "0", true
	case neg:
		return "-" + s, true
	}
	return s, true
}
