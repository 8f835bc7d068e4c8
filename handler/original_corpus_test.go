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
	const valid = `{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 123}`
	deep := func(n int, inner string) string { return strings.Repeat("[", n) + inner + strings.Repeat("]", n) }
	extra := func(name, value string) []byte { // valid, plus a member the original ignores
		return []byte(`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, ` + name + `: ` + value + `, "ride_id": 123}`)
	}
	var out [][]byte
	add := func(records ...[]byte) { out = append(out, records...) }
	strs := func(records ...string) {
		for _, r := range records {
			out = append(out, []byte(r))
		}
	}
	strs(valid)

	// The replayed TLC rides of the local stack carry their pickup and
	// dropoff times in the ride (golden.RideEventWithTimes), which the
	// original ignores.
	pickup := time.Date(2022, 2, 1, 0, 14, 21, 0, time.UTC)
	add(golden.RideEventWithTimes(130, 205, 3.66, pickup, pickup.Add(17*time.Minute+41*time.Second), "feb-0"),
		golden.RideEventWithTimes(130, 205, 3.66, pickup, pickup.Add(1500*time.Microsecond), 1))

	// JSON that json.loads reads: NaN and the infinities, repeated names,
	// unpaired surrogates, anywhere.
	add(extra(`"x"`, "NaN"), extra(`"x"`, "[Infinity, -Infinity, {\"y\": NaN}]"), extra(`"x"`, `"\ud800"`), extra(`"x"`, `"\udc00\ud800"`),
		extra(`"\ud800"`, "1"), extra(`"x"`, `"\ud83d\ude00\uD83D\uDE00"`), extra(`"x"`, `"\ud800\u0041"`), extra(`"x"`, `"\ud800\ud800\udc00"`))
	strs(`{"ride": {"PULocationID": 1, "PULocationID": 130, "DOLocationID": 205, "trip_distance": 9, "trip_distance": 3.66}, "ride_id": 1, "ride_id": 2}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride": {"PULocationID": 130}, "ride_id": 1}`,
		`{"ride": {"PULocationID": 130}, "ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`,
		`{"ride": 1, "ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`,
		`{"rid\u0065": {"PULocation\u0049D": 130, "DOLocationID": 205, "trip_distance": 3.66, "trip_distance": 5}, "ride\u005fid": 7, "ride_id": 8}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip\/distance": 3.66, "trip_distance": 1}, "ride_id": 1}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distanc\u0065": {"\u0061": 1}}, "ride_id": {"\u0061": {"\u0062": 1}, "\u0061": 2}}`,
		`{"ride": {"PULocation\u0049D": 130, "x\u0041": {"y\u0042": 1}, "DOLocationID": 205, "trip_distance": 1}, "ride_id": {"\u0061": {"\u0062": 1}, "\u0061": 2}}`)

	// Location ids: Python's '%s' of whatever json.loads made.
	for _, loc := range []string{"130.0", "1.3e2", "13E1", "130.00", `"0130"`, `"130"`, `"\u0031\u0033\u0030"`, `" 130"`, `""`, `"130 "`,
		`"١٣٠"`, `"１３０"`, `"\ud800"`, "true", "false", "null", "12345678901234567890", "-0", "-5", "0", "-0.0", "NaN", "Infinity", "-Infinity",
		"1e400", "1e16", "1e-5", "0.1e-400", "{}", "[]", `{"a": 1}`, `["130"]`, strings.Repeat("9", 400)} {
		add(rideJSON(loc, "205", "3.66", "1"), rideJSON("130", loc, "3.66", "2"))
	}

	// Distances: as DictVectorizer takes them, and the model's limits.
	for _, d := range []string{"-3.66", "-0.0", "-0", "0", "0.0", "100", "1e2", "1E+2", "0.1e-400", "5e-324", "2e-324", "3.66e0", "366e-2",
		"9007199254740993", "3.4028234663852886e38", "3.4028235677973366e38", "3.402823567797337e38", "3.5e38", "1e39", "1e308", "1e400", "-1e400",
		"1" + strings.Repeat("0", 308), "1" + strings.Repeat("0", 309), "-1" + strings.Repeat("0", 400), "0." + strings.Repeat("0", 500) + "1",
		"true", "false", "null", "NaN", "Infinity", "-Infinity", `"3.66"`, `""`, `"NaN"`, "[]", `["a"]`, `["a", "b"]`, "[1]", `["a", 1]`, "{}",
		`{"a": 1}`, "[[]]"} {
		add(rideJSON("130", "205", d, "3"))
	}

	// Ride ids: any value, written back as json.dumps writes it.
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
		add(rideJSON("130", "205", "3.66", id))
	}

	// Number formats JSON does not have, and literals Python does not read.
	for _, n := range []string{"+1", ".5", "1.", "01", "-", "--1", "1e", "1e+", "0x10", "1_000", "1.0e+2", "infinity", "-NaN", "+Infinity", "nan",
		"Inf", "NULL", "True", "undefined", "1.5.5", "١"} {
		add(rideJSON("130", "205", n, "4"), rideJSON("130", "205", "3.66", n))
	}

	// Escapes.
	strs(`{"ride": {"PULocationID": "\x41", "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "\U0001F600"}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "\u12"}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "\u12G4"}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "\'"}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "a`+"\t"+`b"}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "a`+"\x00"+`b"}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": "\`)

	// Nesting: deep where it is ignored, in ride_id, and past every limit
	// (a depth between 900 and Python's own is a divergence).
	for _, n := range []int{100, 898, 899, 1000, 5000, 100000} {
		add(extra(`"x"`, deep(n, "")))
	}
	add(rideJSON("130", "205", "3.66", deep(500, "1")), []byte(deep(10, valid)))

	// Types: not an object, no ride, no ride_id, nothing.
	strs(`[`+valid+`]`, `"`+valid+`"`, "1", "null", "true", "{}", `{"ride_id": 1}`, `{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}}`,
		`{"ride": [130, 205, 3.66], "ride_id": 1}`, `{"ride": "x", "ride_id": 1}`, `{"ride": null, "ride_id": 1}`, `{"ride": 1, "ride_id": 1}`,
		`{"ride": {}, "ride_id": 1}`, `{"ride": {"DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`,
		`{"ride": {"PULocationID": 130, "trip_distance": 3.66}, "ride_id": 1}`, `{"ride": {"PULocationID": 130, "DOLocationID": 205}, "ride_id": 1}`,
		`{"Ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`,
		`{"ride": {"pulocationid": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`)

	// Sizes and framing: empty, whitespace, trailing data, large.
	strs("", " ", "\n", valid+"\n", " \t\r\n"+valid+" \t\r\n", valid+" x", valid+"{}", valid+",", valid[:len(valid)-1], valid[:40],
		strings.ReplaceAll(valid, " ", "\n\t\r "), strings.ReplaceAll(valid, " ", ""), strings.ReplaceAll(valid, ", ", " , "),
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66,}, "ride_id": 1}`,
		`{"ride": {"PULocationID": 130 "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, "ride_id": 1,}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, 'ride_id': 1}`,
		`{"ride": {"PULocationID": 130, "DOLocationID": 205, "trip_distance": 3.66}, ride_id: 1}`)
	add(extra(`"x"`, `"`+strings.Repeat("y", 1<<20)+`"`), extra(`"x"`, "["+strings.Repeat("1, ", 100000)+"1]"))

	// Encodings: whitespace JSON lacks, invalid UTF-8, BOMs, other encodings.
	for _, ws := range []string{"\v", "\f", "\u00a0", "\u2028", "\ufeff", "\x00"} {
		strs(strings.Replace(valid, ", ", ","+ws, 1))
	}
	strs("\ufeff"+valid, "\xef\xbb"+valid, valid+"\x00",
		strings.Replace(valid, "123", "\"\xff\"", 1), strings.Replace(valid, "123", "\"\xc0\xaf\"", 1), strings.Replace(valid, "123", "\"\xed\xa0\x80\"", 1),
		strings.Replace(valid, "123", "\"\xf4\x90\x80\x80\"", 1), strings.Replace(valid, "123", "\"\xe9\"", 1), strings.Replace(valid, "123", "\"\xef\xbf\xbf\"", 1),
		strings.Replace(valid, "123", "\"\ufeff\"", 1), strings.Replace(valid, "130", "1\xff30", 1))
	utf16 := []byte{0xff, 0xfe}
	for _, c := range valid {
		utf16 = append(utf16, byte(c), 0)
	}
	add(utf16)
	return out
}
