package handler

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nyc-taxi/ridepred/internal/golden"
)

// TestOriginalCorpus: odd records through the original and the handler,
// judged as the package's differential tests judge (original_test.go).
func TestOriginalCorpus(t *testing.T) {
	py := theOriginal(t)
	seen := map[verdict]int{}
	differ(t, py, oddRecords(), seen)
	t.Logf("%d records: %d predicted by both, %d refused by both, %d listed divergences",
		len(oddRecords()), seen[bothPredict], seen[bothRefuse], seen[diverges])
	if seen[bothPredict] == 0 || seen[bothRefuse] == 0 {
		t.Errorf("the corpus should hold records both predict and records both refuse: %v", seen)
	}
}

// oddRecords is the corpus: the original's test event, then whatever the
// original's decode('utf-8'), json.loads, prepare_features and
// DictVectorizer might read differently from a Go parser.
func oddRecords() [][]byte {
	var c corpus
	c.strs(validRecord)
	for _, section := range []func(*corpus){replayedRides, jsonQuirks, locationIDs, distances, rideIDs, foreignNumbers, escapes, nesting, nonRides, framing, encodings} {
		section(&c)
	}
	return c
}

// validRecord is the original's test event.
const validRecord = `{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}`

// corpus is the odd records so far; each section of it adds its own.
type corpus [][]byte

func (c *corpus) add(records ...[]byte) { *c = append(*c, records...) }

func (c *corpus) strs(records ...string) {
	for _, r := range records {
		*c = append(*c, []byte(r))
	}
}

// deep is inner nested in n arrays.
func deep(n int, inner string) string { return strings.Repeat("[", n) + inner + strings.Repeat("]", n) }

// extra is the valid record plus a member the original ignores.
func extra(name, value string) []byte {
	return []byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, ` + name + `: ` + value + `, "ride_id": 123}`)
}

// replayedRides: the replayed TLC rides of the local stack carry their pickup and
// dropoff times in the ride (golden.RideEventWithTimes), which the
// original ignores.
func replayedRides(c *corpus) {
	pickup := time.Date(2022, 2, 1, 0, 14, 21, 0, time.UTC)
	c.add(golden.RideEventWithTimes(130, 205, 3.66, pickup, pickup.Add(17*time.Minute+41*time.Second), "feb-0"),
		golden.RideEventWithTimes(130, 205, 3.66, pickup, pickup.Add(1500*time.Microsecond), 1))
}

// jsonQuirks: JSON that json.loads reads: NaN and the infinities, repeated names,
// unpaired surrogates, anywhere.
func jsonQuirks(c *corpus) {
	c.add(extra(`"x"`, "NaN"), extra(`"x"`, "[Infinity, -Infinity, {\"y\": NaN}]"), extra(`"x"`, `"\ud800"`), extra(`"x"`, `"\udc00\ud800"`),
		extra(`"\ud800"`, "1"), extra(`"x"`, `"\ud83d\ude00\uD83D\uDE00"`), extra(`"x"`, `"\ud800\u0041"`), extra(`"x"`, `"\ud800\ud800\udc00"`))
	c.strs(`{"ride": {"PULocationID": 1, "PULocationID": 130, "DOLocationID": 205, "trip_distance": 9, "trip_distance": 3.66}, "ride_id": 1, "ride_id": 2}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride": {"PULocationID": 130}, "ride_id": 1}`,
		`{"ride": {"PULocationID": 130}, "ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`,
		`{"ride": 1, "ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`,
		`{"rid\u0065": {"PULocation\u0049D": 130, "DOLocationID": 205, "trip_distance": 3.66, "trip_distance": 5}, "ride\u005fid": 7, "ride_id": 8}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip\/distance": 3.66, "trip_distance": 1}, "ride_id": 1}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distanc\u0065": {"\u0061": 1}}, "ride_id": {"\u0061": {"\u0062": 1}, "\u0061": 2}}`,
		`{"ride": {"PULocation\u0049D": 130, "x\u0041": {"y\u0042": 1}, "DOLocationID": 205, "trip_distance": 1}, "ride_id": {"\u0061": {"\u0062": 1}, "\u0061": 2}}`)
}

// locationIDs: Python's '%s' of whatever json.loads made.
func locationIDs(c *corpus) {
	for _, loc := range []string{"130.0", "1.3e2", "13E1", "130.00", `"0130"`, `"130"`, `"\u0031\u0033\u0030"`, `" 130"`, `""`, `"130 "`,
		`"١٣٠"`, `"１３０"`, `"\ud800"`, "true", "false", "null", "12345678901234567890", "-0", "-5", "0", "-0.0", "NaN", "Infinity", "-Infinity",
		"1e400", "1e16", "1e-5", "0.1e-400", "{}", "[]", `{"a": 1}`, `["130"]`, strings.Repeat("9", 400)} {
		c.add(rideJSON(loc, "205", "3.66", "1"), rideJSON("130", loc, "3.66", "2"))
	}
}

// distances: as DictVectorizer takes them, and the model's limits.
func distances(c *corpus) {
	for _, d := range []string{"-3.66", "-0.0", "-0", "0", "0.0", "100", "1e2", "1E+2", "0.1e-400", "5e-324", "2e-324", "3.66e0", "366e-2",
		"9007199254740993", "3.4028234663852886e38", "3.4028235677973366e38", "3.402823567797337e38", "3.5e38", "1e39", "1e308", "1e400", "-1e400",
		"1" + strings.Repeat("0", 308), "1" + strings.Repeat("0", 309), "-1" + strings.Repeat("0", 400), "0." + strings.Repeat("0", 500) + "1",
		"true", "false", "null", "NaN", "Infinity", "-Infinity", `"3.66"`, `""`, `"NaN"`, "[]", `["a"]`, `["a", "b"]`, "[1]", `["a", 1]`, "{}",
		`{"a": 1}`, "[[]]"} {
		c.add(rideJSON("130", "205", d, "3"))
	}
}

// rideIDs: any value, written back as json.dumps writes it.
func rideIDs(c *corpus) {
	var many []string
	for i := range 40 {
		many = append(many, fmt.Sprintf(`"k%d": %d`, i%33, i))
	}
	for _, id := range []string{"{" + strings.Join(many, ", ") + "}", `{"a": {"b": 1, "b": [{"c": 1, "c": 2}]}, "a": {"d": 1, "x": 0, "d": {"e": 1, "e": 2}}}`,
		strings.Repeat(`{"a": 1, "a": `, 300) + "2" + strings.Repeat("}", 300), "null", `""`, "{}", "[]", `{"a": 1, "a": 2, "b": [1, "x", null, true, {}]}`, `[1e2, -0, -0.0, 1.5e3, 1E+2, 1e16, 1e-7, 0.0001]`,
		`"é"`, `"😀"`, `"\u0000"`, `"\u007f"`, "\"\x7f\"", `"\ud800"`, `"\udc00\ud800"`, `"a\"b\\c\/d"`, `"\b\f\n\r\t"`, `"\u2028\u2029"`, "\"\u2028\"",
		`"\u00E9\u00e9"`, "1e2", "-0", "-0.0", "0.1e-400", "1.5e3", "1E+2", "1e16", "1e15", "1e-7", "1e-4", "123456789012345678901234567890",
		"-1" + strings.Repeat("2", 4299), "1" + strings.Repeat("2", 4300), "1" + strings.Repeat("0", 4299) + ".5", "true", "false", "NaN", "Infinity",
		"-Infinity", "1e400", "[NaN]", `{"a": -Infinity}`, deep(50, `"x"`), `"` + strings.Repeat("x", 100000) + `"`, `"` + strings.Repeat("é😀", 1000) + `"`,
		"0.1", "0.30000000000000004", "1.7976931348623157e308", "4.9e-324", "-123.456e-10", "12345678901234567.0", "1234567890123456.0"} {
		c.add(rideJSON("130", "205", "3.66", id))
	}
}

// foreignNumbers: number formats JSON does not have, and literals Python does not read.
func foreignNumbers(c *corpus) {
	for _, n := range []string{"+1", ".5", "1.", "01", "-", "--1", "1e", "1e+", "0x10", "1_000", "1.0e+2", "infinity", "-NaN", "+Infinity", "nan",
		"Inf", "NULL", "True", "undefined", "1.5.5", "١"} {
		c.add(rideJSON("130", "205", n, "4"), rideJSON("130", "205", "3.66", n))
	}
}

// escapes: escapes JSON does not have, and characters a string may not hold.
func escapes(c *corpus) {
	c.strs(`{"ride": {"PULocationID": "\x41", "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "\U0001F600"}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "\u12"}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "\u12G4"}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "\'"}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "a`+"\t"+`b"}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "a`+"\x00"+`b"}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "\`)
}

// nesting: deep where it is ignored, in ride_id, and past every limit
// (a depth between 900 and Python's own is a divergence).
func nesting(c *corpus) {
	for _, n := range []int{100, 898, 899, 1000, 5000, 100000} {
		c.add(extra(`"x"`, deep(n, "")))
	}
	c.add(rideJSON("130", "205", "3.66", deep(500, "1")), []byte(deep(10, validRecord)))
}

// nonRides: not an object, no ride, no ride_id, nothing.
func nonRides(c *corpus) {
	c.strs(`[`+validRecord+`]`, `"`+validRecord+`"`, "1", "null", "true", "{}", `{"ride_id": 1}`, `{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}}`,
		`{"ride": [130, 205, 3.66], "ride_id": 1}`, `{"ride": "x", "ride_id": 1}`, `{"ride": null, "ride_id": 1}`, `{"ride": 1, "ride_id": 1}`,
		`{"ride": {}, "ride_id": 1}`, `{"ride": {"DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`,
		`{"ride": {"PULocationID": 130, "trip_distance": 3.66}, "ride_id": 1}`, `{"ride": {"PULocationID": 130, "DOLocationID": 205}, "ride_id": 1}`,
		`{"Ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`,
		`{"ride": {"pulocationid": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`)
}

// framing: sizes and framing: empty, whitespace, trailing data, large.
func framing(c *corpus) {
	c.strs("", " ", "\n", validRecord+"\n", " \t\r\n"+validRecord+" \t\r\n", validRecord+" x", validRecord+"{}", validRecord+",", validRecord[:len(validRecord)-1], validRecord[:40],
		strings.ReplaceAll(validRecord, " ", "\n\t\r "), strings.ReplaceAll(validRecord, " ", ""), strings.ReplaceAll(validRecord, ", ", " , "),
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66,}, "ride_id": 1}`,
		`{"ride": {"PULocationID": 130 "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1,}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, 'ride_id': 1}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, ride_id: 1}`)
	c.add(extra(`"x"`, `"`+strings.Repeat("y", 1<<20)+`"`), extra(`"x"`, "["+strings.Repeat("1, ", 100000)+"1]"))
}

// encodings: whitespace JSON lacks, invalid UTF-8, BOMs, other encodings.
func encodings(c *corpus) {
	for _, ws := range []string{"\v", "\f", "\u00a0", "\u2028", "\ufeff", "\x00"} {
		c.strs(strings.Replace(validRecord, ", ", ","+ws, 1))
	}
	c.strs("\ufeff"+validRecord, "\xef\xbb"+validRecord, validRecord+"\x00",
		strings.Replace(validRecord, "123", "\"\xff\"", 1), strings.Replace(validRecord, "123", "\"\xc0\xaf\"", 1), strings.Replace(validRecord, "123", "\"\xed\xa0\x80\"", 1),
		strings.Replace(validRecord, "123", "\"\xf4\x90\x80\x80\"", 1), strings.Replace(validRecord, "123", "\"\xe9\"", 1), strings.Replace(validRecord, "123", "\"\xef\xbf\xbf\"", 1),
		strings.Replace(validRecord, "123", "\"\ufeff\"", 1), strings.Replace(validRecord, "130", "1\xff30", 1))
	utf16 := []byte{0xff, 0xfe}
	for _, c := range validRecord {
		utf16 = append(utf16, byte(c), 0)
	}
	c.add(utf16)
}
