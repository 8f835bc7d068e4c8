package doctest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/docfiles"
)

// TestSystemPicture: docs/system.svg, README's picture, is what graphviz's
// dot draws from docs/system.dot now, as make docs draws it.
func TestSystemPicture(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Fatal("graphviz's dot is missing: make deps installs it")
	}
	want, err := exec.Command(dot, "-Tsvg", filepath.Join(root, "docs", "system.dot")).Output()
	if err != nil {
		t.Fatalf("dot -Tsvg docs/system.dot: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(root, "docs", "system.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("docs/system.svg is not what dot draws from docs/system.dot now: make docs")
	}
	if !bytes.Contains([]byte(docfiles.MustRead(t, "README.md")), []byte("](docs/system.svg)")) {
		t.Error("README.md does not show docs/system.svg")
	}
}
