package ride

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/generated"
)

// parseCase is one of TestParse's cases.
type parseCase struct {
	name   string
	in     string
	id     string
	want   generated.Features
	errSub string
}

// huge is a ride whose distance is x (written as text): refused when the
// model's Validate refuses x, as sklearn's forests and xgboost's Booster do
// beyond float32, and predicted when it takes it, as HistGradientBoosting does.
func huge(name, text string, x float64) parseCase {
	in := `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": ` + text + `}, "ride_id": 1}`
	if _, err := generated.FeaturesFromMap(map[string]any{"trip_distance": x}); err != nil {
		return parseCase{name, in, "1", generated.Features{}, "feature trip_distance: " + strconv.FormatFloat(x, 'g', -1, 64) + " is beyond float32's range"}
	}
	return parseCase{name, in, "1", seed("1_2", x), ""}
}

// nan is a ride whose distance reads as NaN: refused unless the model takes
// NaN as missing.
func nan(name, text string) parseCase {
	in := `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": ` + text + `}, "ride_id": 1}`
	if _, err := generated.FeaturesFromMap(map[string]any{"trip_distance": math.NaN()}); err != nil {
		return parseCase{name, in, "1", generated.Features{}, "feature trip_distance: NaN is not a number the model accepts"}
	}
	return parseCase{name, in, "1", seed("1_2", math.NaN()), ""}
}

// ev is a ride event with these members' JSON texts.
func ev(pu, do, dist, id string) string {
	return `{"ride": {"PULocationID": ` + pu + `, "DOLocationID": ` + do + `, "trip_distance": ` + dist + `}, "ride_id": ` + id + `}`
}

// seedFeatures skips a test whose expectations are the seed's features
// when generated/ holds a model with another prepare_features (make refresh
// FEATURES=): that model's own parity tests (go test ./generated) check its
// features against the user's Python.
func seedFeatures(t *testing.T) {
	t.Helper()
	data, err := os.ReadFile("../../model-export/baseline/lambda_function.py")
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != generated.ProgramSHA256 {
		t.Skip("generated/ holds another prepare_features than the seed's")
	}
}

// TestParse: what Parse reads from events; the handler's TestOriginal*
// check the same against the original itself.
func TestParse(t *testing.T) {
	seedFeatures(t)
	tests := slices.Concat(eventCases(), jsonCases(), rideIDCases(), rideCases(), locationCases(), distanceCases(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if tt.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) || string(got.ID) != tt.id {
					t.Fatalf("= %s, %v; want ride id %q and an error containing %q", got.ID, err, tt.id, tt.errSub)
				}
				return
			}
			if err != nil || string(got.ID) != tt.id || !sameFeatures(got.Features, tt.want) {
				t.Fatalf("= %s %+v, %v; want %s %+v", got.ID, got.Features, err, tt.id, tt.want)
			}
		})
	}
}

// eventCases: the event as a whole: the original's, and ids and extra keys of other types.
func eventCases() []parseCase {
	return []parseCase{
		{"original event", ev("130", "205", "3.66", "123"), "123", seed("130_205", 3.66), ""},
		{"string ids", `{"ride": {"PULocationID": "130", "DOLocationID": "5", "trip_distance": 0}, "ride_id": "abc-1"}`,
			`"abc-1"`, seed("130_5", 0), ""},
		{"integer distance, extra keys", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 7, "x": [1]}, "ride_id": 1.5e3, "y": {}}`,
			"1500.0", seed("1_2", 7), ""},
		{"boolean id, -0", `{"ride": {"PULocationID": -0, "DOLocationID": 2, "trip_distance": -0.0}, "ride_id": true}`,
			"true", seed("0_2", math.Copysign(0, -1)), ""}, // Python keeps -0.0
	}
}

// jsonCases: JSON as json.loads reads it.
func jsonCases() []parseCase {
	return []parseCase{
		{"repeated names, last counts", `{"ride_id": 1, "ride": {"PULocationID": 1, "PULocationID": 130, "DOLocationID": 205, "trip_distance": 9, "trip_distance": 3.66}, "ride_id": 2}`,
			"2", seed("130_205", 3.66), ""},
		{"repeated ride, last counts", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride": {"PULocationID": 3}, "ride_id": 2}`,
			"2", generated.Features{}, "ride.DOLocationID: missing"},
		{"escaped names", `{"ri\u0064e": {"PULocationID": 1, "DOLocation\u0049D": 2, "trip_distance": 1}, "ride_id": 2}`, "2", seed("1_2", 1), ""},
		{"escaped names before nested values", `{"ride": {"PULocation\u0049D": 130, "x\u0041": {"y\u0042": 1}, "DOLocationID": 205, "trip_distance": 1}, "ride_id": {"\u0061": {"\u0062": 1}, "\u0061": 2}}`,
			`{"a": 2}`, seed("130_205", 1), ""},
		{"trailing NUL", ev("1", "2", "1", "1") + "\x00", "", generated.Features{}, "data after the value"},
		{"NaN elsewhere", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1, "x": [NaN, Infinity, -Infinity]}, "ride_id": 2}`, "2", seed("1_2", 1), ""},
		{"unpaired surrogate elsewhere", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "x": "\ud800", "ride_id": 2}`, "2", seed("1_2", 1), ""},
		{"not JSON", `{"ride": `, "", generated.Features{}, "not a JSON object: invalid JSON at byte 9: unexpected end of input"},
		{"not JSON either", `{"ride": x}`, "", generated.Features{}, "not a JSON object: invalid JSON at byte 9"},
		{"two objects", `{} {}`, "", generated.Features{}, "not a JSON object: invalid JSON at byte 3: data after the value"},
		{"not an object", `[1, 2]`, "", generated.Features{}, "not a JSON object: got a JSON array"},
		{"empty", ``, "", generated.Features{}, "not a JSON object"},
		{"trailing comma", `{"ride": {}, "ride_id": 1,}`, "", generated.Features{}, "expecting a name"},
		{"leading zero", ev("01", "2", "1", "1"), "", generated.Features{}, "a number has a leading zero"},
		{"plus sign", ev("+1", "2", "1", "1"), "", generated.Features{}, "expecting a value"},
		{"-NaN", ev("1", "2", "-NaN", "1"), "", generated.Features{}, "expecting a digit"},
		{"control character", ev("1", "2", "1", "\"a\tb\""), "", generated.Features{}, "control character in a string"},
		{"bad escape", ev(`"\x41"`, "2", "1", "1"), "", generated.Features{}, "invalid escape"},
		{"short escape", ev(`"\u12"`, "2", "1", "1"), "", generated.Features{}, `invalid \uXXXX escape`},
		{"not UTF-8", ev("\"\xff\"", "2", "1", "1"), "", generated.Features{}, "not UTF-8"},
		{"BOM", "\uFEFF" + ev("1", "2", "1", "1"), "", generated.Features{}, "expecting a value"},
		{"4301-digit integer elsewhere", `{"x": 1` + strings.Repeat("0", 4300) + `, "ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride_id": 2}`,
			"", generated.Features{}, "an integer of 4301 digits, over Python's limit of 4300"},
		{"4300-digit integer ride_id", ev("1", "2", "1", "1"+strings.Repeat("0", 4299)), "1" + strings.Repeat("0", 4299), seed("1_2", 1), ""},
		{"nested 900 deep", `{"x": ` + strings.Repeat("[", 899) + strings.Repeat("]", 899) + `, "ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride_id": 2}`,
			"2", seed("1_2", 1), ""},
		{"nested 901 deep", `{"x": ` + strings.Repeat("[", 900) + strings.Repeat("]", 900) + `, "ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride_id": 2}`,
			"", generated.Features{}, "nested deeper than 900 levels"},
	}
}

// rideIDCases: ride_id as json.dumps writes it back.
func rideIDCases() []parseCase {
	return []parseCase{
		{"no ride_id", `{"ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}}`, "", generated.Features{}, "ride_id: missing"},
		{"null ride_id", ev("1", "2", "1", "null"), "null", seed("1_2", 1), ""},
		{"object ride_id", ev("1", "2", "1", `{"a":1,"b" : [1E2, -0, -0.0, 1e16, 1e-5, 0.1e-400, "\u00e9\ud83d\ude00\ud800\u007f\/"], "a": {}}`),
			`{"a": {}, "b": [100.0, 0, -0.0, 1e+16, 1e-05, 0.0, "\u00e9\ud83d\ude00\ud800\u007f/"]}`, seed("1_2", 1), ""},
		{"empty string ride_id", ev("1", "2", "1", `""`), `""`, seed("1_2", 1), ""},
		{"ride_id beyond float64", ev("1", "2", "1", "1e400"), "", generated.Features{}, "ride_id: 1e400 holds NaN or an infinity"},
		{"NaN in ride_id", ev("1", "2", "1", "[NaN]"), "", generated.Features{}, "ride_id: [NaN] holds NaN or an infinity"},
		{"long ride_id", ev("1", "2", "1", `"`+strings.Repeat("x", 300)+`"`), `"` + strings.Repeat("x", 300) + `"`, seed("1_2", 1), ""},
		{"astral ride_id", ev("1", "2", "1", `"😀é"`), `"\ud83d\ude00\u00e9"`, seed("1_2", 1), ""},
		{"long numeric ride_id", ev("1", "2", "1", strings.Repeat("9", 300)), strings.Repeat("9", 300), seed("1_2", 1), ""},
	}
}

// rideCases: the ride object itself.
func rideCases() []parseCase {
	return []parseCase{
		{"case matters", `{"Ride": {"PULocationID": 1, "DOLocationID": 2, "trip_distance": 1}, "ride_id": 1}`, "1", generated.Features{}, "ride: missing"},
		{"ride not object", `{"ride": [1], "ride_id": 1}`, "1", generated.Features{}, "ride: must be a JSON object, got a JSON array"},
		{"null ride", `{"ride": null, "ride_id": 1}`, "1", generated.Features{}, "ride: must be a JSON object, got a JSON null"},
		{"no PU", `{"ride": {"DOLocationID": 2, "trip_distance": 1}, "ride_id": 1}`, "1", generated.Features{}, "ride.PULocationID: missing"},
	}
}

// locationCases: location ids as '%s' prints them.
func locationCases() []parseCase {
	return []parseCase{
		{"null DO", ev("1", "null", "1", "1"), "1", seed("1_None", 1), ""},
		{"float PU", ev("130.0", "2", "1", "1"), "1", seed("130.0_2", 1), ""},
		{"float formats", ev("1e2", "1.5e16", "1", "1"), "1", seed("100.0_1.5e+16", 1), ""},
		{"small floats", ev("1e-4", "1e-5", "1", "1"), "1", seed("0.0001_1e-05", 1), ""},
		{"float beyond float64", ev("1e400", "-1e400", "1", "1"), "1", seed("inf_-inf", 1), ""},
		{"NaN PU, Infinity DO", ev("NaN", "-Infinity", "1", "1"), "1", seed("nan_-inf", 1), ""},
		{"bool DO", ev("1", "true", "1", "1"), "1", seed("1_True", 1), ""},
		{"huge PU", ev("99999999999999999999", "2", "1", "1"), "1", seed("99999999999999999999_2", 1), ""},
		{"PU strings", ev(`"0130"`, `" 13a"`, "1", "1"), "1", seed("0130_ 13a", 1), ""},
		{"escaped PU", ev(`"\u0031\u0033\u0030"`, `"\ud800"`, "1", "1"), "1", seed("130_\xed\xa0\x80", 1), ""},
		{"array PU", ev("[1]", "2", "1", "1"), "1", generated.Features{}, `"%s_%s" % (ride["PULocationID"], ride["DOLocationID"]): str() of a JSON array or object is not supported`},
		{"object DO", ev("1", "{}", "1", "1"), "1", generated.Features{}, `"%s_%s" % (ride["PULocationID"], ride["DOLocationID"]): str() of a JSON array or object is not supported`},
	}
}

// distanceCases: distances as DictVectorizer reads them.
func distanceCases(t *testing.T) []parseCase {
	return []parseCase{
		{"no distance", `{"ride": {"PULocationID": 1, "DOLocationID": 2}, "ride_id": 1}`, "1", generated.Features{}, "ride.trip_distance: missing"},
		// DictVectorizer makes a str the category trip_distance=3.66, which
		// the model does not know: the distance is absent.
		{"string distance", ev("1", "2", `"3.66"`, "1"), "1", absentDistance(t, "1_2"), ""},
		{"empty array distance", ev("1", "2", `[]`, "1"), "1", absentDistance(t, "1_2"), ""},
		{"array of strings distance", ev("1", "2", `["a"]`, "1"), "1", absentDistance(t, "1_2"), ""},
		{"array of numbers distance", ev("1", "2", `[1]`, "1"), "1", generated.Features{}, `features["trip_distance"] (DictVectorizer): unsupported type int in a list`},
		{"object distance", ev("1", "2", `{}`, "1"), "1", generated.Features{}, `features["trip_distance"] (DictVectorizer): unsupported value type dict`},
		{"negative distance", ev("1", "2", "-0.5", "1"), "1", seed("1_2", -0.5), ""},
		{"boolean distances", ev("1", "2", "true", "1"), "1", seed("1_2", 1), ""},
		{"false distance", ev("1", "2", "false", "1"), "1", seed("1_2", 0), ""},
		{"integer distance rounds", ev("1", "2", "9007199254740993", "1"), "1", seed("1_2", 9007199254740992), ""},
		{"integer beyond float64", ev("1", "2", "1"+strings.Repeat("0", 400), "1"), "1", generated.Features{},
			`features["trip_distance"] (DictVectorizer): int too large to convert to float (OverflowError)`},
		nan("null distance", "null"),
		nan("NaN distance", "NaN"),
		// Whether a huge distance is refused is the model's to say (its
		// library's rule): the same rides, whichever way the model goes.
		huge("distance beyond float64", "1e400", math.Inf(1)),
		huge("distance Infinity", "Infinity", math.Inf(1)),
		huge("distance beyond float32", "3.5e38", 3.5e38),
	}
}

// absentDistance is the features of a ride whose category is pudo and
// whose distance the vectorizer leaves out (the model's absent number).
func absentDistance(t *testing.T, pudo string) generated.Features {
	f, err := generated.FeaturesFromMap(map[string]any{"PU_DO": pudo})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// seed is the seed's features {"PU_DO": pudo, "trip_distance": dist}
// (written through FeaturesFromMap, so that the test compiles whatever
// the model's Features; TestParse is skipped for another prepare_features).
func seed(pudo string, dist float64) generated.Features {
	f, _ := generated.FeaturesFromMap(map[string]any{"PU_DO": pudo, "trip_distance": dist})
	return f
}

// sameFeatures is ==, but NaN equals NaN (and -0 is not 0).
func sameFeatures(a, b generated.Features) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func TestIDText(t *testing.T) {
	for id, want := range map[string]string{`123`: "123", `"abc"`: "abc", `"a\"b"`: `a"b`, `true`: "true"} {
		if got := (Ride{ID: []byte(id)}).IDText(); got != want {
			t.Errorf("IDText(%s) = %q, want %q", id, got, want)
		}
	}
}

func TestAppendFloat(t *testing.T) {
	for x, want := range map[float64]string{12.345678901234567: "12.345678901234567", 24: "24", 1e-7: "1e-07", 0: "0", 1e21: "1e+21"} {
		if got := string(AppendFloat(nil, x)); got != want {
			t.Errorf("AppendFloat(%v) = %s, want %s", x, got, want)
		}
	}
}

// TestUnion: the fields Parse keeps are the serving model's, then the
// shadow's others, and each shadow field finds its value.
func TestUnion(t *testing.T) {
	all, at := union([]string{"PULocationID", "DOLocationID", "trip_distance"}, []string{"fare_amount", "PULocationID"})
	if strings.Join(all, ",") != "PULocationID,DOLocationID,trip_distance,fare_amount" || at[0] != 3 || at[1] != 0 {
		t.Errorf("union = %v, %v", all, at)
	}
	if slot([]byte("trip_distance")) != slices.Index(fields, "trip_distance") || slot([]byte("nope")) != -1 {
		t.Errorf("slot: fields are %v", fields)
	}
}
