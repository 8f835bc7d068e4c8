package pyval

import "unicode/utf8"

// The strings of json.go's reader: str checks one where it stands, and
// appendUnquote (through nextRune) unescapes a checked one as Python does.

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
