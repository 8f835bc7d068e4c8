package pyval

import "testing"

// TestDumpsReorders: objects reordered at several levels, beside arrays
// and scalars, come out as json.dumps writes them.
func TestDumpsReorders(t *testing.T) {
	for in, want := range map[string]string{
		`[]`:                   `[]`,
		`{}`:                   `{}`,
		`{"a":1,"a":2}`:        `{"a": 2}`,
		`{"a":1,"b":2,"a":{}}`: `{"a": {}, "b": 2}`,
		`{"a":{"c":1,"d":2,"c":3},"b":[{"e":1,"e":[2,{"f":1,"f":2}]}],"a":{"c":[],"c":0}}`: `{"a": {"c": 0}, "b": [{"e": [2, {"f": 2}]}]}`,
		`[{"x":"\u007f","y":1,"x":2},[1e2,{"z":null}]]`:                                    `[{"x": 2, "y": 1}, [100.0, {"z": null}]]`,
	} {
		got, err := appendDumpsContainer([]byte("<"), []byte(in))
		if err != nil || string(got) != "<"+want {
			t.Errorf("%s: %s, %v; want %s", in, got, err, want)
		}
	}
}
