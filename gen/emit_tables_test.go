package main

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// renderedDecl parses file name of what gen makes of the forest JSON at
// path and returns its top-level declaration of name (a var, type or func).
func renderedDecl(t *testing.T, path, file, name string) ast.Node {
	t.Helper()
	for _, f := range mustGenerate(t, path, tinyConfig("model")) {
		if f.Name != file {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), file, f.Data, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range parsed.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.Name == name {
					return d
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if v, ok := s.(*ast.ValueSpec); ok && v.Names[0].Name == name {
						return v
					}
					if ty, ok := s.(*ast.TypeSpec); ok && ty.Name.Name == name {
						return ty
					}
				}
			}
		}
		t.Fatalf("%s: no declaration of %s", file, name)
	}
	t.Fatalf("gen wrote no %s", file)
	return nil
}

// TestTreeList: tables.go's trees lists one root function per tree of
// every test forest, each from a tree package.
func TestTreeList(t *testing.T) {
	cases, _ := filepath.Glob("testdata/*/forest.json")
	for _, path := range cases {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var f Forest
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		trees := renderedDecl(t, path, "tables.go", "trees").(*ast.ValueSpec)
		roots := trees.Values[0].(*ast.CompositeLit).Elts
		if len(roots) != len(f.Trees) {
			t.Errorf("%s: trees lists %d functions for %d trees", path, len(roots), len(f.Trees))
		}
		for i, r := range roots {
			sel, ok := r.(*ast.SelectorExpr)
			if !ok || !strings.HasPrefix(sel.X.(*ast.Ident).Name, "trees") || !strings.HasPrefix(sel.Sel.Name, "Tree") {
				t.Errorf("%s: trees[%d] is not a tree package's TreeN", path, i)
			}
		}
	}
}
