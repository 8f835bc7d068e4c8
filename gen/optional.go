package main

import (
	_ "embed"
	"fmt"
	"go/format"
	"strings"
)

// noneTemplate is the package gen -optional writes when the forest JSON is
// absent: Shipped = false, and the names a caller of a compiled package
// uses (Features, Validate, PredictBatch, RunID, ModelSHA256), so that it
// compiles either way and asks Shipped which it got.
//
//go:embed none.go.tmpl
var noneTemplate string

// EmitNone hands out the package of gen -optional without a model:
// none.go, under a banner naming the absent forest (source).
func EmitNone(source string, cfg Config, out func(File) error) error {
	return emitText(out, "none.go", generatedLine(source, "absent"), noneTemplate, strings.NewReplacer(
		"PACKAGE", cfg.Package,
		"FOREST_PATH", source,
	))
}

// emitText formats banner (generatedLine) and the template with r's
// replacements as name.
func emitText(out func(File) error, name, banner, template string, r *strings.Replacer) error {
	data, err := format.Source([]byte(banner + "\n\n" + r.Replace(template)))
	if err != nil {
		return fmt.Errorf("format %s: %w", name, err)
	}
	return out(File{Name: name, Data: data})
}
