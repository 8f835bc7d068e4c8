// Package docfiles names the repository's documents and reads them, for the
// tests that check what they say: docs/doctest (links, versions, shell
// blocks, figures) and tools/deploy/rehearse (the one way to deploy).
// Paths are relative to the repository's root, as the docs link them.
package docfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Root is the repository's root, found from this file's place in it, so
// that a test reads the same files whatever its package's directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Guides are README.md, DEPLOY.md and the guides in docs/: the documents
// whose shell blocks are checked.
func Guides() ([]string, error) {
	guides, err := filepath.Glob(filepath.Join(Root(), "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	if len(guides) == 0 {
		return nil, fmt.Errorf("no guides in %s", filepath.Join(Root(), "docs"))
	}
	out := []string{"README.md", "DEPLOY.md"}
	for _, g := range guides {
		out = append(out, filepath.Join("docs", filepath.Base(g)))
	}
	return out, nil
}

// All are the Guides and the two documents of measurements, BENCHMARKS.md
// and CAPACITY.md: every document that may quote a figure.
func All() ([]string, error) {
	guides, err := Guides()
	return append(guides, "BENCHMARKS.md", "CAPACITY.md"), err
}

// Read is the text of doc.
func Read(doc string) (string, error) {
	b, err := os.ReadFile(filepath.Join(Root(), doc))
	return string(b), err
}

// MustGuides is Guides, failing tb on an error.
func MustGuides(tb testing.TB) []string {
	tb.Helper()
	return must(tb, Guides)
}

// MustAll is All, failing tb on an error.
func MustAll(tb testing.TB) []string {
	tb.Helper()
	return must(tb, All)
}

func must(tb testing.TB, list func() ([]string, error)) []string {
	tb.Helper()
	docs, err := list()
	if err != nil {
		tb.Fatal(err)
	}
	return docs
}

// MustRead is Read, failing tb on an error.
func MustRead(tb testing.TB, doc string) string {
	tb.Helper()
	text, err := Read(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return text
}
