package pyval

import (
	"errors"
	"fmt"
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

// ErrNotUTF8 is the original's UnicodeDecodeError.
var ErrNotUTF8 = errors.New("not UTF-8 (the original's decode('utf-8') refuses it)")
