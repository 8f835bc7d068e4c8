package main

import (
	_ "embed"
	"strconv"
	"strings"
)

// goldenTemplate is golden_test.go, the same for every model but for the
// paths of its artifacts.
//
//go:embed golden_test.go.tmpl
var goldenTemplate string

// goldenTest hands out golden_test.go with the paths of this model's
// forest, golden answers and reference.
func (e *emitter) goldenTest(out func(File) error) error {
	ref := ""
	if e.p.Reference != nil {
		ref = e.p.Reference.Path
	}
	return emitText(out, "golden_test.go", e.banner, goldenTemplate, strings.NewReplacer(
		"package PACKAGE", "package "+e.cfg.Package,
		`"FOREST_PATH"`, strconv.Quote(e.p.Source),
		`"GOLDEN_DIR"`, strconv.Quote(e.cfg.Golden),
		`"REFERENCE_PATH"`, strconv.Quote(ref),
	))
}
