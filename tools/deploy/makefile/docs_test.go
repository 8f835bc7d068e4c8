package makefile

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// example is a runnable command in a package doc: a code line (indented
// by a tab) that runs the command through make, go run or, for a package
// of tests only, go test.
var example = regexp.MustCompile(`(?m)^\t(make [a-z]|go run \./tools/|go test (-[a-z]+ )*\./tools/)`)

// TestCommandDocs: every command under tools/ (package main) and every
// package of tests only there has a package doc that says what it does
// and shows one runnable example.
func TestCommandDocs(t *testing.T) {
	root := proc.Root()
	checked := 0
	err := filepath.WalkDir(filepath.Join(root, "tools"), func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if d.Name() == "node_modules" || d.Name() == "testdata" || d.Name() == "internal" {
			return filepath.SkipDir
		}
		doc, kind, err := packageDoc(dir)
		if err != nil || kind == "" {
			return err
		}
		checked++
		rel, _ := filepath.Rel(root, dir)
		switch {
		case doc == "":
			t.Errorf("%s (%s) has no package doc", rel, kind)
		case !example.MatchString(doc):
			t.Errorf("%s (%s): its package doc shows no example (a tab-indented make, go run ./tools/... or go test ./tools/... line):\n%s", rel, kind, doc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 15 {
		t.Errorf("checked %d packages under tools/, want every command (15 or more)", checked)
	}
}

// packageDoc is the package doc of the Go package in dir and what it is:
// "command" (package main), "tests" (only _test.go files but a doc.go),
// or "" (a library, or no Go).
func packageDoc(dir string) (doc, kind string, err error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		return "", "", err
	}
	code := false
	for name, p := range pkgs {
		for file, f := range p.Files {
			if f.Doc != nil && len(f.Doc.Text()) > len(doc) {
				doc = f.Doc.Text()
			}
			if !strings.HasSuffix(file, "_test.go") && filepath.Base(file) != "doc.go" {
				code = true
			}
		}
		if name == "main" {
			kind = "command"
		}
	}
	if kind == "" && len(pkgs) > 0 && !code {
		kind = "tests"
	}
	// Text() drops the comment markers; an example's tab survives.
	return doc, kind, nil
}
