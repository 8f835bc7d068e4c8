package main

import (
	"fmt"
	"testing"

	"github.com/dave/jennifer/jen"
)

// TestDocumented: each constant under its doc comment, which starts with
// its name.
func TestDocumented(t *testing.T) {
	f := jen.NewFile("p")
	f.Const().Defs(documented([]constDoc{
		{"NTrees", "is the number of trees.", 3},
		{"compareLess", ": x < threshold.", true},
	})...)
	want := "package p\n\nconst (\n\t// NTrees is the number of trees.\n\tNTrees = 3\n\t// compareLess: x < threshold.\n\tcompareLess = true\n)\n"
	if got := fmt.Sprintf("%#v", f); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
