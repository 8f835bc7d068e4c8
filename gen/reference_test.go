package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestReadReference: a reference Shift can use is read as written; one it
// could not is refused, saying why.
func TestReadReference(t *testing.T) {
	const good = `{"month": "2022-02", "forest_sha256": "ab", "rides": 10, "mean": 8.35, "std": 7.9, "min": 1.5, "max": 30.0,
		"levels": [0.25, 0.5, 0.75], "edges": [2.25, 7.5, 9.0], "cdf": [0.3, 0.7, 0.8]}`
	ref, err := ReadReference(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if ref.Rides != 10 || ref.Edges[1] != 7.5 || ref.CDF[2] != 0.8 || ref.ForestSHA256 != "ab" {
		t.Errorf("read %+v", ref)
	}
	tests := []struct{ name, from, to, errSub string }{
		{"no rides", `"rides": 10`, `"rides": 0`, "rides = 0"},
		{"lengths", `"cdf": [0.3, 0.7, 0.8]`, `"cdf": [0.3, 0.7]`, "as many"},
		{"no edges", `"levels": [0.25, 0.5, 0.75], "edges": [2.25, 7.5, 9.0], "cdf": [0.3, 0.7, 0.8]`, `"levels": [], "edges": [], "cdf": []`, "at least one"},
		{"unsorted edges", `[2.25, 7.5, 9.0]`, `[2.25, 9.0, 7.5]`, "sorted"},
		{"decreasing cdf", `[0.3, 0.7, 0.8]`, `[0.3, 0.8, 0.7]`, "sorted"},
		{"edge beyond max", `"max": 30.0`, `"max": 8.0`, "outside"},
		{"cdf above 1", `[0.3, 0.7, 0.8]`, `[0.3, 0.7, 1.5]`, "(0, 1]"},
		{"cdf 0", `[0.3, 0.7, 0.8]`, `[0.0, 0.7, 0.8]`, "(0, 1]"},
		{"unknown key", `"month"`, `"bins": 4, "month"`, "unknown field"},
		{"not JSON", good, `{"rides": `, "reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Replace(good, tt.from, tt.to, 1)
			if in == good {
				t.Fatalf("%q is not in the reference", tt.from)
			}
			if _, err := ReadReference(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Errorf("error = %v, want it to contain %q", err, tt.errSub)
			}
		})
	}
}

// TestReferenceOfAnotherForest: gen refuses a reference made for another
// forest (a stale reference.json after the forest changed).
func TestReferenceOfAnotherForest(t *testing.T) {
	ref := caseReference(t, "testdata/small")
	data, err := os.ReadFile("testdata/deep/forest.json")
	if err != nil {
		t.Fatal(err)
	}
	err = generate("forest.json", bytes.NewReader(data), ref, tinyConfig("model"), func(File) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "not of this one") {
		t.Fatalf("error = %v, want the reference refused", err)
	}
}
