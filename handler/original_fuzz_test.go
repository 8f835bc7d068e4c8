package handler

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/nyc-taxi/ridepred/internal/golden"
)

var (
	fuzzTime = flag.Duration("original.fuzztime", 3*time.Second, "how long TestOriginalFuzz mutates rides")
	fuzzSeed = flag.Uint64("original.seed", 0, "TestOriginalFuzz's random seed (0: a new one, logged)")
)

// TestOriginalFuzz mutates real Feb 2022 ride events (their values, names,
// members, whitespace and bytes) for -original.fuzztime and judges each
// mutant as the package's differential tests judge (original_test.go). A
// failure names the record (add it to oddRecords) and the seed, which
// replays the same mutants in the same order.
func TestOriginalFuzz(t *testing.T) {
	py := theOriginal(t)
	feb, err := golden.ShuffledFeb()
	if err != nil {
		t.Fatal(err)
	}
	seed := *fuzzSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (-original.seed=%d replays it)", seed, seed)
	m := mutator{rand.New(rand.NewPCG(seed, 0x5eed))}
	seen := map[verdict]int{}
	n := 0
	for start := time.Now(); time.Since(start) < *fuzzTime && !t.Failed(); {
		batch := make([][]byte, 32)
		for i := range batch {
			batch[i] = m.mutant(feb[m.IntN(len(feb))], n+i)
		}
		n += len(batch)
		differ(t, py, batch, seen)
	}
	t.Logf("%d mutants: %d predicted by both, %d refused by both, %d listed divergences", n, seen[bothPredict], seen[bothRefuse], seen[diverges])
}

// mutator makes ride events unlike those the original app's producer
// writes, from real ones.
type mutator struct{ *rand.Rand }

// member is an object member as JSON texts: name (quoted) and value.
type member struct{ name, value string }

// rideMarker stands for the ride object in the event's members.
const rideMarker = "\x00ride"

// mutant is ride r's event, mutated from one to four times.
func (m mutator) mutant(r golden.Ride, i int) []byte {
	ride := []member{
		{`"PULocationID"`, strconv.FormatInt(r.PULocationID, 10)},
		{`"DOLocationID"`, strconv.FormatInt(r.DOLocationID, 10)},
		{`"trip_distance"`, strconv.FormatFloat(r.TripDistance, 'g', -1, 64)},
	}
	top := []member{{`"ride"`, rideMarker}, {`"ride_id"`, strconv.Itoa(i)}}
	for range 1 + m.IntN(4) {
		objs := []*[]member{&ride, &top}
		obj := objs[m.IntN(2)]
		switch m.IntN(9) {
		case 0, 1, 2: // a value replaced
			if len(*obj) > 0 {
				mb := &(*obj)[m.IntN(len(*obj))]
				if mb.value != rideMarker || m.IntN(4) == 0 {
					mb.value = m.valueFor(mb.name, mb.value)
				}
			}
		case 3: // a member repeated, before or after
			if len(*obj) > 0 {
				mb := (*obj)[m.IntN(len(*obj))]
				if mb.value != rideMarker {
					mb.value = m.valueFor(mb.name, mb.value)
				}
				*obj = insert(*obj, m.IntN(len(*obj)+1), mb)
			}
		case 4: // a member dropped
			if len(*obj) > 0 {
				j := m.IntN(len(*obj))
				*obj = append((*obj)[:j], (*obj)[j+1:]...)
			}
		case 5: // a member added
			*obj = insert(*obj, m.IntN(len(*obj)+1), member{m.str(), m.value(3)})
		case 6: // a name escaped
			if len(*obj) > 0 {
				mb := &(*obj)[m.IntN(len(*obj))]
				mb.name = m.escapeName(mb.name)
			}
		case 7: // the members shuffled
			m.Shuffle(len(*obj), func(a, b int) { (*obj)[a], (*obj)[b] = (*obj)[b], (*obj)[a] })
		case 8: // the ride id replaced
			top = append(top, member{`"ride_id"`, m.value(2)})
		}
	}
	out := m.object(top, ride)
	if m.IntN(8) == 0 {
		out = m.bytes(out)
	}
	return out
}

func insert(ms []member, i int, mb member) []member {
	return append(ms[:i], append([]member{mb}, ms[i:]...)...)
}

// object writes the event, with whitespace as json.dumps writes it or not.
func (m mutator) object(top, ride []member) []byte {
	var b strings.Builder
	var write func(ms []member)
	write = func(ms []member) {
		b.WriteString("{")
		for i, mb := range ms {
			if i > 0 {
				b.WriteString(m.space(","))
			}
			b.WriteString(mb.name + m.space(":"))
			if mb.value == rideMarker {
				write(ride)
				continue
			}
			b.WriteString(mb.value)
		}
		b.WriteString("}")
	}
	write(top)
	return []byte(b.String())
}

// space is a separator and the whitespace after it: json.dumps's, none, or
// odd whitespace (some JSON lacks).
func (m mutator) space(sep string) string {
	switch m.IntN(20) {
	case 0:
		return sep
	case 1:
		return " \t\r\n" + sep + "\n "
	case 2:
		return sep + []string{"\v", "\f", "\u00a0", "\u2028", "\x00"}[m.IntN(5)]
	}
	return sep + " "
}

// bytes breaks the record's bytes: one flipped, cut, inserted or removed.
func (m mutator) bytes(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	i := m.IntN(len(b))
	switch m.IntN(4) {
	case 0:
		b[i] ^= byte(1 << m.IntN(8))
		return b
	case 1:
		return b[:i]
	case 2:
		return append(b[:i:i], append([]byte{byte(m.IntN(256))}, b[i:]...)...)
	}
	return append(b[:i:i], b[i+1:]...)
}

// escapeName escapes one character of a quoted name as \uXXXX.
func (m mutator) escapeName(name string) string {
	if len(name) < 3 {
		return name
	}
	i := 1 + m.IntN(len(name)-2)
	if name[i] == '\\' || name[i] >= 0x80 {
		return name
	}
	return name[:i] + `\u00` + strconv.FormatInt(int64(name[i]), 16) + name[i+1:]
}

// valueFor is a value for the member called name in place of old: odd
// forms of the same value, or anything.
func (m mutator) valueFor(name, old string) string {
	if m.IntN(4) == 0 {
		return m.value(2)
	}
	switch name {
	case `"PULocationID"`, `"DOLocationID"`:
		return m.location(old)
	case `"trip_distance"`:
		return m.distance(old)
	}
	return m.value(2)
}

// location is an odd form of location id old, or another id.
func (m mutator) location(old string) string {
	n, _ := strconv.Atoi(old)
	forms := []string{
		old + ".0", old + ".00", old + "e0", strconv.FormatFloat(float64(n), 'e', -1, 64), `"` + old + `"`, `"0` + old + `"`,
		`"` + escapeAll(old) + `"`, `" ` + old + `"`, "-" + old, old + "0000000000000000000", "[" + old + "]", "-0", "0",
		strconv.Itoa(m.IntN(300)), strconv.FormatFloat(float64(n)+0.5, 'g', -1, 64), "true", "false", "null", "NaN", "Infinity",
	}
	return forms[m.IntN(len(forms))]
}

// distance is an odd form of distance old, or a distance at some limit.
func (m mutator) distance(old string) string {
	x, _ := strconv.ParseFloat(old, 64)
	forms := []string{
		"-" + old, `"` + old + `"`, strconv.FormatFloat(x, 'e', -1, 64), strconv.FormatFloat(x, 'E', 20, 64), strconv.FormatFloat(x*1e6, 'f', -1, 64) + "e-6",
		strconv.FormatFloat(x, 'f', 30, 64), strconv.FormatInt(int64(x), 10), "1" + strings.Repeat("0", 300+m.IntN(20)), "1e-400",
		"3.4028235677973366e38", "3.402823567797337e38", "1e39", "true", "false", "null", "NaN", "Infinity", "-Infinity", "[]", `["a"]`, "{}",
		m.number(),
	}
	return forms[m.IntN(len(forms))]
}

// escapeAll escapes every character of s as \uXXXX (two beyond the BMP).
func escapeAll(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, `\u%04x`, u)
	}
	return b.String()
}

// value is any JSON value json.loads reads, nested at most depth deep.
func (m mutator) value(depth int) string {
	switch k := m.IntN(10); {
	case k < 3:
		return m.number()
	case k < 5:
		return m.str()
	case k < 7:
		return []string{"true", "false", "null", "NaN", "Infinity", "-Infinity"}[m.IntN(6)]
	case depth == 0:
		return "[]"
	case k == 7:
		var parts []string
		for range m.IntN(4) {
			parts = append(parts, m.value(depth-1))
		}
		return "[" + strings.Join(parts, m.space(",")) + "]"
	case k == 8:
		var parts, names []string
		for range m.IntN(4) {
			names = append(names, m.str())
			parts = append(parts, names[len(names)-1]+m.space(":")+m.value(depth-1))
		}
		if len(names) > 0 && m.IntN(3) == 0 { // a name repeated
			parts = append(parts, names[0]+": "+m.value(depth-1))
		}
		return "{" + strings.Join(parts, m.space(",")) + "}"
	}
	n := 800 + m.IntN(250) // around the nesting limits
	return strings.Repeat("[", n) + strings.Repeat("]", n)
}

// number is a JSON number in one of many forms, at times a huge one.
func (m mutator) number() string {
	switch m.IntN(8) {
	case 0:
		return strconv.FormatInt(m.Int64()>>m.IntN(63)*int64(1-2*m.IntN(2)), 10)
	case 1:
		return "-0"
	case 2:
		return strings.Repeat("9", 1+m.IntN(30))
	case 3:
		return "1" + strings.Repeat("0", 4295+m.IntN(10))
	}
	x := m.NormFloat64() * math.Pow(10, float64(m.IntN(80)-40))
	s := strconv.FormatFloat(x, []byte("eEfg")[m.IntN(4)], m.IntN(22)-1, 64)
	if !strings.ContainsAny(s, ".eE") && m.IntN(2) == 0 {
		s += ".0"
	}
	return s
}

// str is a JSON string of odd characters: escapes, unpaired surrogates,
// characters outside ASCII and the BMP.
func (m mutator) str() string {
	pieces := []string{"a", "Z", "0", "130", " ", `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00e9`, `\u00E9`, `\ud83d\ude00`,
		`\ud800`, `\udc00`, `\ud800\u0041`, "é", "😀", "\u2028", "\x7f", `\u0000`, `\u007f`, "ride_id", "ride", "PULocationID"}
	var b strings.Builder
	b.WriteString(`"`)
	for range m.IntN(6) {
		b.WriteString(pieces[m.IntN(len(pieces))])
	}
	b.WriteString(`"`)
	return b.String()
}
