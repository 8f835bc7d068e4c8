package pyval

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// This file reads JSON as the original's json.loads does (CPython 3.11's C
// scanner), which is not quite RFC 8259, so that a record the original
// reads is read here, and one it refuses is refused:
//
//   - NaN, Infinity and -Infinity are values;
//   - a name may repeat in an object (the caller keeps the last);
//   - an escaped surrogate that has no partner stays an unpaired surrogate;
//   - an integer of more than 4,300 digits is an error (Python's limit on
//     int('...'), sys.get_int_max_str_digits());
//   - nesting deeper than maxDepth is an error (Python's is its recursion
//     limit; see maxDepth).
//
// Everything else is RFC 8259: the same whitespace, numbers, literals and
// escapes, no control characters in strings. The input must be valid UTF-8
// (Parse checks it first, as the original's decode('utf-8') does), so
// bytes above 0x7F can only be inside strings.
//
// The reader works on the input bytes in place: a value is a kind and its
// text, and only names with escapes are unescaped, into a reused buffer.

// maxDepth is how deeply arrays and objects may nest, the event's own
// object counting as 1. Python refuses nesting at its recursion limit,
// 1,000 frames less those below json.loads (992 levels under the test
// driver, model-export/baseline/records.py; a few fewer under Lambda's
// runtime): 900 stays below that whatever the caller's stack, so that no
// record the original refuses is predicted here.
const maxDepth = 900

// maxIntDigits is Python's limit on the digits of an int read from text.
const maxIntDigits = 4300

// Kind is a value's kind: a JSON value's is named by its first byte ('-'
// for -Infinity); kText and kInt are values a feature program computed (a
// computed float is a JSON number's, see floatValue); 0 is an absent field.
type Kind byte

const (
	kString Kind = '"'
	kNumber Kind = '0'
	kTrue   Kind = 't'
	kFalse  Kind = 'f'
	kNull   Kind = 'n'
	kNaN    Kind = 'N'
	kInf    Kind = 'I'
	kNegInf Kind = '-'
	kArray  Kind = '['
	kObject Kind = '{'
	kText   Kind = 's' // a computed str
	kInt    Kind = 'i' // a computed int
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

func (k Kind) String() string {
	switch k {
	case kString:
		return "string"
	case kNumber:
		return "number"
	case kTrue, kFalse:
		return "boolean"
	case kNull:
		return "null"
	case kNaN:
		return "NaN"
	case kInf:
		return "Infinity"
	case kNegInf:
		return "-Infinity"
	case kArray:
		return "array"
	case kObject:
		return "object"
	case kText:
		return "str"
	case kInt:
		return "int"
	}
	return "absent"
}

// NewReader reads the JSON document data, which must be valid UTF-8.
func NewReader(data []byte) *Reader { return &Reader{data: data} }

// Reader reads one JSON document from data, in place.
type Reader struct {
	data  []byte
	pos   int
	depth int
	name  []byte // scratch for unescaped names
}

// syntaxError is invalid JSON at the reader's position.
func (r *Reader) syntaxError(what string) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", r.pos, what)
}

func (r *Reader) skipSpace() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// Peek skips whitespace and returns the next byte, 0 at the end (or at a
// NUL byte, which no JSON value starts with).
func (r *Reader) Peek() byte {
	r.skipSpace()
	if r.pos == len(r.data) {
		return 0
	}
	return r.data[r.pos]
}

// End checks that nothing but whitespace follows the document.
func (r *Reader) End() error {
	if r.skipSpace(); r.pos != len(r.data) {
		return r.syntaxError("data after the value")
	}
	return nil
}

// value reads and checks one value, whole.
func (r *Reader) Value() (Value, error) {
	c := r.Peek()
	start := r.pos
	switch {
	case c == '"':
		return r.str()
	case c == '-' || '0' <= c && c <= '9':
		if c == '-' && r.literal("-Infinity") {
			return Value{kind: kNegInf, raw: r.data[start:r.pos]}, nil
		}
		return r.number()
	case c == '{' || c == '[':
		if err := r.container(); err != nil {
			return Value{}, err
		}
		return Value{kind: Kind(c), raw: r.data[start:r.pos]}, nil
	default:
		for _, l := range [...]struct {
			text string
			kind Kind
		}{{"true", kTrue}, {"false", kFalse}, {"null", kNull}, {"NaN", kNaN}, {"Infinity", kInf}} {
			if r.literal(l.text) {
				return Value{kind: l.kind, raw: r.data[start:r.pos]}, nil
			}
		}
	}
	if r.pos == len(r.data) {
		return Value{}, r.syntaxError("unexpected end of input")
	}
	return Value{}, r.syntaxError(fmt.Sprintf("expecting a value, got %q", r.data[r.pos]))
}

// literal consumes text if the input continues with it.
func (r *Reader) literal(text string) bool {
	if len(r.data)-r.pos < len(text) || string(r.data[r.pos:r.pos+len(text)]) != text {
		return false
	}
	r.pos += len(text)
	return true
}

// container reads and checks an array or object, whatever it holds.
func (r *Reader) container() error {
	if r.data[r.pos] == '[' {
		if err := r.Open('['); err != nil {
			return err
		}
		for more, err := r.element(true); more || err != nil; more, err = r.element(false) {
			if err != nil {
				return err
			}
			if _, err := r.Value(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := r.Open('{'); err != nil {
		return err
	}
	for _, more, err := r.Member(true); more || err != nil; _, more, err = r.Member(false) {
		if err != nil {
			return err
		}
		if _, err := r.Value(); err != nil {
			return err
		}
	}
	return nil
}

// Open consumes '[' or '{', one level deeper.
func (r *Reader) Open(c byte) error {
	if r.Peek() != c {
		return r.syntaxError(fmt.Sprintf("expecting %q", c))
	}
	r.depth++
	if r.depth > maxDepth {
		return fmt.Errorf("nested deeper than %d levels", maxDepth)
	}
	r.pos++
	return nil
}

// element reads the comma before an array's next element (none before
// the first), or its closing ']', after which more is false.
func (r *Reader) element(first bool) (more bool, err error) {
	c := r.Peek()
	if c == ']' {
		r.pos++
		r.depth--
		return false, nil
	}
	if !first {
		if c != ',' {
			return false, r.syntaxError("expecting ',' or ']'")
		}
		r.pos++
	}
	return true, nil
}

// Member reads an object's next name, unescaped, and its colon (and the
// comma before, but for the first), or the closing '}', after which more
// is false. The name is valid until the next call.
func (r *Reader) Member(first bool) (name []byte, more bool, err error) {
	c := r.Peek()
	if c == '}' {
		r.pos++
		r.depth--
		return nil, false, nil
	}
	if !first {
		if c != ',' {
			return nil, false, r.syntaxError("expecting ',' or '}'")
		}
		r.pos++
		c = r.Peek()
	}
	if c != '"' {
		return nil, false, r.syntaxError("expecting a name in double quotes")
	}
	v, err := r.str()
	if err != nil {
		return nil, false, err
	}
	if r.Peek() != ':' {
		return nil, false, r.syntaxError("expecting ':'")
	}
	r.pos++
	if !v.esc {
		return v.raw[1 : len(v.raw)-1], true, nil
	}
	r.name = appendUnquote(r.name[:0], v.raw)
	return r.name, true, nil
}

// str reads and checks a string: Python's escapes, no control characters.
func (r *Reader) str() (Value, error) {
	start := r.pos
	esc := false
	for r.pos++; r.pos < len(r.data); r.pos++ {
		switch c := r.data[r.pos]; {
		case c == '"':
			r.pos++
			return Value{kind: kString, raw: r.data[start:r.pos], esc: esc}, nil
		case c < 0x20:
			return Value{}, r.syntaxError("control character in a string")
		case c == '\\':
			esc = true
			if r.pos+1 == len(r.data) {
				break
			}
			r.pos++
			switch r.data[r.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(r.data)-r.pos <= 4 || !isHex4(r.data[r.pos+1:r.pos+5]) {
					return Value{}, r.syntaxError(`invalid \uXXXX escape`)
				}
				r.pos += 4
			default:
				return Value{}, r.syntaxError("invalid escape")
			}
		}
	}
	return Value{}, r.syntaxError("unterminated string")
}

// number reads and checks a number, as the grammar Python's scanner
// follows (RFC 8259's).
func (r *Reader) number() (Value, error) {
	start := r.pos
	if r.data[r.pos] == '-' {
		r.pos++
	}
	digits := r.digits()
	switch {
	case digits == 0:
		return Value{}, r.syntaxError("expecting a digit")
	case digits > 1 && r.data[r.pos-digits] == '0':
		r.pos -= digits - 1
		return Value{}, r.syntaxError("a number has a leading zero")
	}
	isInt := true
	if r.pos < len(r.data) && r.data[r.pos] == '.' {
		r.pos++
		if r.digits() == 0 {
			return Value{}, r.syntaxError("expecting a digit after '.'")
		}
		isInt = false
	}
	if r.pos < len(r.data) && (r.data[r.pos] == 'e' || r.data[r.pos] == 'E') {
		r.pos++
		if r.pos < len(r.data) && (r.data[r.pos] == '+' || r.data[r.pos] == '-') {
			r.pos++
		}
		if r.digits() == 0 {
			return Value{}, r.syntaxError("expecting a digit in the exponent")
		}
		isInt = false
	}
	if isInt && digits > maxIntDigits {
		return Value{}, fmt.Errorf("an integer of %d digits, over Python's limit of %d", digits, maxIntDigits)
	}
	return Value{kind: kNumber, raw: r.data[start:r.pos], isInt: isInt}, nil
}

// digits consumes decimal digits and says how many.
func (r *Reader) digits() int {
	start := r.pos
	for r.pos < len(r.data) && '0' <= r.data[r.pos] && r.data[r.pos] <= '9' {
		r.pos++
	}
	return r.pos - start
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func hex4(b []byte) rune {
	var x rune
	for _, c := range b[:4] {
		x <<= 4
		switch {
		case c <= '9':
			x |= rune(c - '0')
		case c >= 'a':
			x |= rune(c - 'a' + 10)
		default:
			x |= rune(c - 'A' + 10)
		}
	}
	return x
}

// nextRune decodes the code point at s[i:] of a checked string's text
// between its quotes, as Python does: an escaped high surrogate followed
// by an escaped low one is one code point; any other escaped surrogate is
// itself (a rune Go's utf8 package calls invalid).
func nextRune(s []byte, i int) (c rune, next int) {
	if s[i] != '\\' {
		if s[i] < utf8.RuneSelf {
			return rune(s[i]), i + 1
		}
		c, n := utf8.DecodeRune(s[i:])
		return c, i + n
	}
	switch s[i+1] {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
	default: // " \ /
		return rune(s[i+1]), i + 2
	}
	c = hex4(s[i+2:])
	if 0xD800 <= c && c < 0xDC00 && len(s)-i >= 12 && s[i+6] == '\\' && s[i+7] == 'u' {
		if lo := hex4(s[i+8:]); 0xDC00 <= lo && lo < 0xE000 {
			return 0x10000 + (c-0xD800)<<10 + (lo - 0xDC00), i + 12
		}
	}
	return c, i + 6
}

// appendUnquote appends a checked string's text, unescaped, as UTF-8 but
// for unpaired surrogates, which are written as UTF-8 would write them
// were they allowed (WTF-8): the bytes then equal no valid UTF-8 text, as
// the Python string equals no string without them.
func appendUnquote(dst, raw []byte) []byte {
	s := raw[1 : len(raw)-1]
	for i := 0; i < len(s); {
		var c rune
		c, i = nextRune(s, i)
		if 0xD800 <= c && c < 0xE000 {
			dst = append(dst, 0xE0|byte(c>>12), 0x80|byte(c>>6)&0x3F, 0x80|byte(c)&0x3F)
			continue
		}
		dst = utf8.AppendRune(dst, c)
	}
	return dst
}

// ErrNotUTF8 is the original's UnicodeDecodeError.
var ErrNotUTF8 = errors.New("not UTF-8 (the original's decode('utf-8') refuses it)")
