package pyval

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// This file writes values as Python writes them: str(v) (and '%s' % v),
// and the ride id as json.dumps does.

// errContainer is str() of an array or object: Python writes its repr,
// which depends on Python's Unicode tables (a divergence: refused).
var errContainer = fmt.Errorf("str() of a JSON array or object is not supported (Python writes its repr; %w)", ErrDivergence)

// appendPyStr appends str(v), for every kind but arrays and objects, whose
// str is their repr: those are refused (errContainer).
func appendPyStr(dst []byte, v Value) ([]byte, error) {
	switch v.kind {
	case kText:
		return append(dst, v.raw...), nil
	case kInt:
		return append(dst, v.raw...), nil
	case kString:
		if !v.esc {
			return append(dst, v.raw[1:len(v.raw)-1]...), nil
		}
		return appendUnquote(dst, v.raw), nil
	case kNumber:
		if v.isInt {
			return appendPyInt(dst, v.raw), nil
		}
		return appendPyFloatStr(dst, parseFloat(v.raw)), nil
	case kTrue:
		return append(dst, "True"...), nil
	case kFalse:
		return append(dst, "False"...), nil
	case kNull:
		return append(dst, "None"...), nil
	case kNaN:
		return append(dst, "nan"...), nil
	case kInf:
		return append(dst, "inf"...), nil
	case kNegInf:
		return append(dst, "-inf"...), nil
	}
	return dst, errContainer
}

// appendPyFloatStr appends str(x) of any float.
func appendPyFloatStr(dst []byte, x float64) []byte {
	switch {
	case math.IsNaN(x):
		return append(dst, "nan"...)
	case math.IsInf(x, 1):
		return append(dst, "inf"...)
	case math.IsInf(x, -1):
		return append(dst, "-inf"...)
	}
	return appendPyFloat(dst, x)
}

// appendPyInt appends str(int(text)) for a JSON integer's text: the text
// itself, which has no leading zeros, but for -0.
func appendPyInt(dst, text []byte) []byte {
	if string(text) == "-0" {
		return append(dst, '0')
	}
	return append(dst, text...)
}

// parseFloat reads a checked JSON number as Python's float() does: both
// round correctly, to ±Inf beyond float64's range.
func parseFloat(text []byte) float64 {
	x, _ := strconv.ParseFloat(string(text), 64)
	return x
}

// appendPyFloat appends repr(x) for a finite x: the shortest digits that
// read back as x (as Go's), in fixed notation with at least one decimal
// when the decimal exponent is from -4 to 15, else as d.ddde±XX.
func appendPyFloat(dst []byte, x float64) []byte {
	if x == 0 {
		if math.Signbit(x) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	if x < 0 {
		dst = append(dst, '-')
		x = -x
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], x, 'e', -1, 64) // d.ddde±XX
	e := len(s) - 4
	for s[e] != 'e' {
		e--
	}
	exp, _ := strconv.Atoi(string(s[e+1:]))
	digits := append([]byte{s[0]}, s[min(2, e):e]...)
	switch {
	case exp < -4 || exp >= 16:
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(append(dst, '.'), digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst, exp = append(dst, '-'), -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	case exp < 0:
		dst = append(dst, "0."...)
		for range -exp - 1 {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	case exp+1 >= len(digits):
		dst = append(dst, digits...)
		for range exp + 1 - len(digits) {
			dst = append(dst, '0')
		}
		return append(dst, ".0"...)
	}
	return append(append(append(dst, digits[:exp+1]...), '.'), digits[exp+1:]...)
}

// Dumps is json.dumps(v): the input's own text when it is the same (an
// integer but -0, a literal, a string of printable ASCII without escapes,
// which is nearly every ride id), else written anew. NaN and the
// infinities, which json.dumps writes as NaN or Infinity, not JSON, are
// refused (a divergence).
func Dumps(v Value) ([]byte, error) {
	switch {
	case v.kind == kNumber && v.isInt && string(v.raw) != "-0",
		v.kind == kTrue, v.kind == kFalse, v.kind == kNull,
		v.kind == kString && !v.esc && isPrintableASCII(v.raw):
		return bytes.Clone(v.raw), nil
	}
	return appendDumps(nil, v)
}

func isPrintableASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7F {
			return false
		}
	}
	return true
}

// errNotJSON is a ride id the original would write as NaN or Infinity (a
// divergence: see Parse).
var errNotJSON = errors.New("holds NaN or an infinity, which json.dumps writes as NaN or Infinity, not JSON")

// appendDumps appends json.dumps(v) of the value json.loads makes of v,
// with json.dumps's defaults: ", " and ": " between items, every
// character outside printable ASCII escaped, a repeated name written once,
// where it first was, with its last value. NaN and the infinities are
// refused.
func appendDumps(dst []byte, v Value) ([]byte, error) {
	switch v.kind {
	case kString:
		return appendDumpsString(dst, v.raw), nil
	case kNumber:
		if v.isInt {
			return appendPyInt(dst, v.raw), nil
		}
		x := parseFloat(v.raw)
		if math.IsInf(x, 0) {
			return dst, errNotJSON
		}
		return appendPyFloat(dst, x), nil
	case kTrue, kFalse, kNull:
		return append(dst, v.raw...), nil
	case kArray, kObject:
		return appendDumpsContainer(dst, v.raw)
	}
	return dst, errNotJSON
}

// appendDumpsString appends a checked JSON string as json.dumps writes the
// Python string json.loads makes of it.
func appendDumpsString(dst, raw []byte) []byte {
	dst = append(dst, '"')
	s := raw[1 : len(raw)-1]
	for i := 0; i < len(s); {
		var c rune
		c, i = nextRune(s, i)
		dst = appendDumpsRune(dst, c)
	}
	return append(dst, '"')
}

// appendDumpsText appends unescaped text (WTF-8, see appendUnquote) as
// json.dumps writes it.
func appendDumpsText(dst, text []byte) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(text); {
		c, n := decodeWTF8(text[i:])
		dst = appendDumpsRune(dst, c)
		i += n
	}
	return append(dst, '"')
}

// decodeWTF8 decodes one code point of appendUnquote's output.
func decodeWTF8(b []byte) (rune, int) {
	if b[0] == 0xED && len(b) >= 3 && b[1] >= 0xA0 { // an unpaired surrogate
		return rune(b[0]&0x0F)<<12 | rune(b[1]&0x3F)<<6 | rune(b[2]&0x3F), 3
	}
	if b[0] < 0x80 {
		return rune(b[0]), 1
	}
	return utf8.DecodeRune(b)
}

// appendDumpsRune appends one code point as json.dumps's ensure_ascii
// writes it: printable ASCII as itself but for " and \, short escapes
// for \b \f \n \r \t, \u00XX for other control characters and DEL, and
// \uXXXX (two, a surrogate pair, beyond the BMP) for the rest.
func appendDumpsRune(dst []byte, c rune) []byte {
	const hex = "0123456789abcdef"
	switch {
	case c == '"' || c == '\\':
		return append(dst, '\\', byte(c))
	case 0x20 <= c && c < 0x7F:
		return append(dst, byte(c))
	case c == '\b':
		return append(dst, `\b`...)
	case c == '\f':
		return append(dst, `\f`...)
	case c == '\n':
		return append(dst, `\n`...)
	case c == '\r':
		return append(dst, `\r`...)
	case c == '\t':
		return append(dst, `\t`...)
	case c >= 0x10000:
		c -= 0x10000
		dst = appendDumpsRune(dst, 0xD800+c>>10)
		return appendDumpsRune(dst, 0xDC00+c&0x3FF)
	}
	return append(dst, '\\', 'u', hex[c>>12], hex[c>>8&0xF], hex[c>>4&0xF], hex[c&0xF])
}
