package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestKeyOrder: gen reads the trees as they stream by when the header comes
// first, as export.py writes it, and in a second pass when it does not
// (keys sorted, as json.Marshal writes a map); both give the same code.
func TestKeyOrder(t *testing.T) {
	want := mustGenerate(t, "testdata/small/forest.json", tinyConfig("model"))
	path := filepath.Join(t.TempDir(), "forest.json")
	sorted := mutate(t, func(m map[string]any) { m["comment"] = "unknown keys are skipped" })
	if !bytes.Contains(sorted, []byte(`"trees":[{`)) || bytes.Index(sorted, []byte(`"trees"`)) > bytes.Index(sorted, []byte(`"vectorizer"`)) {
		t.Fatalf("want the trees before the vectorizer in %.200s", sorted)
	}
	if err := os.WriteFile(path, sorted, 0o644); err != nil {
		t.Fatal(err)
	}
	got := mustGenerate(t, path, tinyConfig("model"))
	sha := regexp.MustCompile(`ModelSHA256 = "[0-9a-f]+"`)
	for _, files := range [][]File{want, got} {
		for i := range files {
			files[i].Data = sha.ReplaceAll(files[i].Data, []byte(`ModelSHA256 = "..."`))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sorted keys give other code (-header first +sorted):\n%s", diff)
	}
}
