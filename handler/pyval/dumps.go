package pyval

import "slices"

// This file writes an array or object ride id as json.dumps writes the
// list or dict json.loads makes of it, in time and memory linear in its
// size whatever its nesting: json.loads keeps, for a name given twice,
// the last value where the name first was, so an object's members may
// come out in another order than they came in. Rather than copy text
// into place at each level (copying a value nested n deep n times: a
// 1 MiB ride id nested 898 deep took 0.6 s), the dumper writes every
// byte once into an arena, as it reads, and an object reorders its
// members by relinking pieces of the arena; the result is then copied
// out once. Each input byte yields at most 6 bytes of text (a control
// character's \u00XX; a number at most some 5 times its digits), each
// written twice, and each value or member at most 3 pieces of 12 bytes:
// some 12 and 36 times the ride id's size at worst
// (BenchmarkDumpsNested).

// piece is arena[start:end], then the piece next (-1: none).
type piece struct{ start, end, next int32 }

// chain is a list of pieces, in order; head -1 is empty.
type chain struct{ head, tail int32 }

var empty = chain{-1, -1}

// dumper writes json.dumps's text of the checked value at r's position.
type dumper struct {
	r      Reader
	arena  []byte
	pieces []piece
}

// appendDumpsContainer appends json.dumps's text of the checked array or
// object raw.
func appendDumpsContainer(dst, raw []byte) ([]byte, error) {
	d := dumper{r: Reader{data: raw}, arena: make([]byte, 0, len(raw)+len(raw)/4)}
	c, err := d.value()
	if err != nil {
		return dst, err
	}
	n := 0
	for i := c.head; i >= 0; i = d.pieces[i].next {
		n += int(d.pieces[i].end - d.pieces[i].start)
	}
	dst = slices.Grow(dst, n)
	for i := c.head; i >= 0; i = d.pieces[i].next {
		dst = append(dst, d.arena[d.pieces[i].start:d.pieces[i].end]...)
	}
	return dst, nil
}

// write appends text to c, extending its last piece when that ends
// where the arena does.
func (d *dumper) write(c chain, text string) chain {
	start := int32(len(d.arena))
	d.arena = append(d.arena, text...)
	if c.tail >= 0 && d.pieces[c.tail].end == start {
		d.pieces[c.tail].end = int32(len(d.arena))
		return c
	}
	return d.join(c, d.newPiece(start))
}

func (d *dumper) newPiece(start int32) chain {
	d.pieces = append(d.pieces, piece{start: start, end: int32(len(d.arena)), next: -1})
	n := int32(len(d.pieces) - 1)
	return chain{n, n}
}

// join is a then b, merging a's last piece and b's first when they are
// next to each other in the arena.
func (d *dumper) join(a, b chain) chain {
	switch {
	case a.head < 0:
		return b
	case b.head < 0:
		return a
	}
	last, first := &d.pieces[a.tail], d.pieces[b.head]
	if last.end == first.start {
		last.end, last.next = first.end, first.next
		if b.head == b.tail {
			return a
		}
		return chain{a.head, b.tail}
	}
	last.next = b.head
	return chain{a.head, b.tail}
}

// value dumps the value at the reader's position.
func (d *dumper) value() (chain, error) {
	switch d.r.Peek() {
	case '[':
		return d.array()
	case '{':
		return d.object()
	}
	v, _ := d.r.Value()
	start := int32(len(d.arena))
	var err error
	if d.arena, err = appendDumps(d.arena, v); err != nil {
		return empty, err
	}
	return d.newPiece(start), nil
}

func (d *dumper) array() (chain, error) {
	d.r.Open('[')
	c := d.write(empty, "[")
	for first := true; ; first = false {
		if more, _ := d.r.element(first); !more {
			return d.write(c, "]"), nil
		}
		if !first {
			c = d.write(c, ", ")
		}
		v, err := d.value()
		if err != nil {
			return empty, err
		}
		c = d.join(c, v)
	}
}

// member is an object's name (unescaped) and the text of its name and of
// its last value.
type member struct {
	name        string
	text, value chain
}

// object dumps an object: its names in the order they first appear, each
// with its last value.
func (d *dumper) object() (chain, error) {
	var members []member
	var index map[string]int // for objects of many members
	d.r.Open('{')
	open := d.write(empty, "{")
	for first := true; ; first = false {
		name, more, _ := d.r.Member(first)
		if !more {
			break
		}
		i, seen := d.find(members, index, name)
		text := empty
		if !seen {
			if len(members) > 0 {
				text = d.write(text, ", ")
			}
			start := int32(len(d.arena))
			d.arena = append(appendDumpsText(d.arena, name), ": "...)
			text = d.join(text, d.newPiece(start))
			members = append(members, member{name: string(name), text: text})
			i = len(members) - 1
			index = indexMembers(members, index)
		}
		v, err := d.value()
		if err != nil {
			return empty, err
		}
		members[i].value = v
	}
	c := open
	for _, m := range members {
		c = d.join(d.join(c, m.text), m.value)
	}
	return d.write(c, "}"), nil
}

// find looks name up among members: by scanning while they are few, by
// index beyond.
func (d *dumper) find(members []member, index map[string]int, name []byte) (int, bool) {
	if index != nil {
		i, ok := index[string(name)]
		return i, ok
	}
	for i := range members {
		if members[i].name == string(name) {
			return i, true
		}
	}
	return 0, false
}

// indexMembers keeps index up to date once there are 16 members.
func indexMembers(members []member, index map[string]int) map[string]int {
	if index == nil && len(members) < 16 {
		return nil
	}
	if index == nil {
		index = make(map[string]int, len(members))
	}
	for j := len(index); j < len(members); j++ {
		index[members[j].name] = j
	}
	return index
}
