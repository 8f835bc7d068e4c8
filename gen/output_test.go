package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestGeneratedLine: every file gen writes starts with the line Go's tools
// take for a generated file's, and with the prefix Output looks for when
// it removes stale files: a model's package, the one without a model, and
// golden_test.go.
func TestGeneratedLine(t *testing.T) {
	goRule := regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)
	files := mustGenerate(t, "testdata/small/forest.json", Config{Package: "model", ImportPath: "example.com/model",
		Limits: DefaultLimits, Golden: "golden"})
	var none []File
	if err := EmitNone("absent.json", Config{Package: "shadow"}, func(f File) error { none = append(none, f); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, f := range append(files, none...) {
		first, _, _ := strings.Cut(string(f.Data), "\n")
		if !goRule.MatchString(first) || !strings.HasPrefix(first, generatedPrefix) {
			t.Errorf("%s starts with %q", f.Name, first)
		}
	}
}

// TestOursSkipsNestedPackages: a package below the output directory
// (generated/shadow below generated/) is not gen's to remove, though gen
// wrote it; the tree packages under internal/ are.
func TestOursSkipsNestedPackages(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"model.go", "internal/trees000/trees_000.go", "shadow/none.go", "shadow/internal/trees000/trees_000.go"} {
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(generatedLine("x.json", "")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ours(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got["model.go"] || !got["internal/trees000/trees_000.go"] {
		t.Errorf("ours = %v, want model.go and internal/trees000/trees_000.go", got)
	}
}
