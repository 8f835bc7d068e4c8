package main

import (
	"go/ast"
	"path/filepath"
	"slices"
	"testing"
)

// TestEncodeFillsCodes: model.go's encode sets every field of codes, the
// struct the tree packages test, and nothing else, for every test forest.
func TestEncodeFillsCodes(t *testing.T) {
	cases, _ := filepath.Glob("testdata/*/forest.json")
	total := 0
	for _, path := range cases {
		spec := renderedDecl(t, path, "model.go", "codes").(*ast.TypeSpec)
		var fields []string
		for _, f := range spec.Type.(*ast.StructType).Fields.List {
			fields = append(fields, f.Names[0].Name)
		}
		encode := renderedDecl(t, path, "model.go", "encode").(*ast.FuncDecl)
		lit := encode.Body.List[0].(*ast.ReturnStmt).Results[0].(*ast.CompositeLit)
		var set []string
		for _, e := range lit.Elts {
			set = append(set, e.(*ast.KeyValueExpr).Key.(*ast.Ident).Name)
		}
		if !slices.Equal(fields, set) {
			t.Errorf("%s: codes has fields %v, encode sets %v", path, fields, set)
		}
		total += len(fields)
	}
	if total == 0 {
		t.Error("no test forest has an input a split tests")
	}
}
