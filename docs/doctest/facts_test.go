package doctest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/handler"
	"github.com/nyc-taxi/ridepred/internal/docfiles"
)

// otherVersions are model versions the docs may quote that are not the
// shipped model's, each with why.
var otherVersions = map[string]string{}

var modelVersion = regexp.MustCompile(`sha256:[0-9a-f]{16}\b`)

// TestModelVersions: every model version the docs quote is the shipped
// model's (handler.ModelVersion, from generated/), but otherVersions.
func TestModelVersions(t *testing.T) {
	shipped := handler.ModelVersion()
	found := false
	for _, doc := range append(docfiles.MustGuides(t), filepath.Join("model-export", "FORMAT.md")) {
		for _, v := range modelVersion.FindAllString(docfiles.MustRead(t, doc), -1) {
			switch {
			case v == shipped:
				found = true
			case otherVersions[v] == "":
				t.Errorf("%s quotes model version %s; the shipped model is %s", doc, v, shipped)
			}
		}
	}
	if !found {
		t.Errorf("no doc quotes the shipped model's version %s (docs/contract.md's prediction record should)", shipped)
	}
}

var getenv = regexp.MustCompile(`os\.Getenv\("([A-Z0-9_]+)"\)`)

// TestEnvironmentComplete: docs/contract.md's environment table lists
// every variable the function's main reads (but those of files built only
// for tests, under a build tag).
func TestEnvironmentComplete(t *testing.T) {
	_, table, ok := strings.Cut(docfiles.MustRead(t, filepath.Join("docs", "contract.md")), "<!-- environment -->\n")
	if !ok {
		t.Fatal("docs/contract.md has no <!-- environment --> table")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	files, err := filepath.Glob(filepath.Join(root, "handler", "cmd", "bootstrap", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var read []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, "_test.go") || strings.HasPrefix(string(src), "//go:build ") && !strings.HasPrefix(string(src), "//go:build !") {
			continue
		}
		for _, m := range getenv.FindAllStringSubmatch(string(src), -1) {
			if !slices.Contains(read, m[1]) {
				read = append(read, m[1])
			}
		}
	}
	if len(read) == 0 {
		t.Fatal("found no os.Getenv in handler/cmd/bootstrap")
	}
	for _, v := range read {
		if !strings.Contains(table, "`"+v+"`") {
			t.Errorf("the function reads %s, which docs/contract.md's environment table does not list", v)
		}
	}
}
