package pyval

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// This file holds the forms str(E), float(E), int(E), '%s'/'%d' % (...)
// (and f-strings, which gen writes as formats), and E + E.

// ToStr is str(v). A str is itself; arrays and objects are refused
// (errContainer).
func ToStr(v Value) (Value, error) {
	if isStr(v) {
		return v, nil
	}
	var buf [32]byte
	b, err := appendPyStr(buf[:0], v)
	if err != nil {
		return Value{}, err
	}
	return textValue(string(b)), nil
}

// ToFloat is float(v): a str is read as Python reads it (ParseFloatText),
// an int rounds to nearest (OverflowError beyond float64), a bool is 1.0
// or 0.0; None, arrays and objects raise TypeError.
func ToFloat(v Value) (Value, error) {
	switch v.kind {
	case kNaN, kInf, kNegInf:
		return v, nil
	case kNumber:
		if !v.isInt {
			return v, nil // a JSON float is the float itself
		}
	case kString, kText:
		x, ok := ParseFloatText(text(v))
		if !ok {
			return Value{}, errValue("could not convert string to float: %s", quoted(v))
		}
		return floatValue(x), nil
	}
	x, ok, err := number(v)
	if err != nil {
		return Value{}, err
	}
	if !ok {
		return Value{}, errType("float() argument must be a string or a real number, not '%s'", typeName(v))
	}
	return floatValue(x), nil
}

// number is the float64 of a number or bool (ok false for other kinds);
// an int beyond float64's range is Python's OverflowError.
func number(v Value) (x float64, ok bool, err error) {
	switch v.kind {
	case kNumber:
		x = parseFloat(v.raw)
		switch {
		case v.isInt && math.IsInf(x, 0):
			return 0, true, errOverflow("int too large to convert to float")
		case v.isInt && x == 0:
			return 0, true, nil // -0 is the int 0
		}
		return x, true, nil
	case kInt:
		x, _ = strconv.ParseFloat(v.rawString(), 64)
		if math.IsInf(x, 0) {
			return 0, true, errOverflow("int too large to convert to float")
		}
		return x, true, nil
	case kTrue:
		return 1, true, nil
	case kFalse:
		return 0, true, nil
	case kNaN:
		return math.NaN(), true, nil
	case kInf:
		return math.Inf(1), true, nil
	case kNegInf:
		return math.Inf(-1), true, nil
	}
	return 0, false, nil
}

// ToInt is int(v): an int is itself, a float is truncated toward zero
// (ValueError for NaN, OverflowError for an infinity), a bool is 1 or 0,
// a str is read as Python reads it (ParseIntText); None, arrays and
// objects raise TypeError.
func ToInt(v Value) (Value, error) {
	switch {
	case v.kind == kInt || v.kind == kNumber && v.isInt:
		return v, nil
	case isStr(v):
		digits, ok := ParseIntText(text(v))
		if !ok {
			return Value{}, errValue("invalid literal for int() with base 10: %s", quoted(v))
		}
		return Int(digits), nil
	case v.kind == kTrue:
		return Int("1"), nil
	case v.kind == kFalse:
		return Int("0"), nil
	}
	x, ok, _ := number(v)
	if !ok {
		return Value{}, errType("int() argument must be a string, a bytes-like object or a real number, not '%s'", typeName(v))
	}
	digits, err := truncate(x)
	if err != nil {
		return Value{}, err
	}
	return Int(digits), nil
}

// truncate is int(x)'s digits for a float x.
func truncate(x float64) (string, error) {
	switch {
	case math.IsNaN(x):
		return "", errValue("cannot convert float NaN to integer")
	case math.IsInf(x, 0):
		return "", errOverflow("cannot convert float infinity to integer")
	case math.Abs(x) < 1<<62:
		return strconv.FormatInt(int64(x), 10), nil
	}
	i, _ := big.NewFloat(x).Int(nil) // |x| >= 2**62 is an integer already
	return i.String(), nil
}

// Format is format % (args...): each %s writes str(arg), each %d or %i
// the arg as an int (a float truncated, a bool 1 or 0; a str, None or
// container raises TypeError), %% a '%'. gen accepts only formats of
// these and as many args as they take; f-strings come here as formats.
func Format(format string, args ...Value) (Value, error) {
	var buf [48]byte
	b := buf[:0]
	for {
		i := strings.IndexByte(format, '%')
		if i < 0 || i+1 == len(format) {
			b = append(b, format...)
			break
		}
		b = append(b, format[:i]...)
		var err error
		switch format[i+1] {
		case 's':
			b, err = appendPyStr(b, args[0])
			args = args[1:]
		case 'd', 'i':
			b, err = appendPyIntArg(b, args[0])
			args = args[1:]
		default:
			b = append(b, '%')
		}
		if err != nil {
			return Value{}, err
		}
		format = format[i+2:]
	}
	return textValue(string(b)), nil
}

// appendPyIntArg appends '%d' % v.
func appendPyIntArg(dst []byte, v Value) ([]byte, error) {
	switch {
	case v.kind == kNumber && v.isInt:
		return appendPyInt(dst, v.raw), nil
	case v.kind == kInt:
		return append(dst, v.raw...), nil
	case v.kind == kTrue:
		return append(dst, '1'), nil
	case v.kind == kFalse:
		return append(dst, '0'), nil
	}
	x, ok, _ := number(v)
	if !ok {
		return dst, errType("%%d format: a real number is required, not %s", typeName(v))
	}
	digits, err := truncate(x)
	return append(dst, digits...), err
}

// Concat is a + b where gen knows one side is a str: both must be.
func Concat(a, b Value) (Value, error) {
	if !isStr(a) || !isStr(b) {
		bad := a
		if isStr(a) {
			bad = b
		}
		return Value{}, errType("can only concatenate str (not %q) to str", typeName(bad))
	}
	return textValue(string(appendText(appendText(nil, a), b))), nil
}
