package docfiles

import (
	"slices"
	"strings"
	"testing"
)

func TestGuides(t *testing.T) {
	guides := MustGuides(t)
	for _, want := range []string{"README.md", "DEPLOY.md", "docs/operate.md"} {
		if !slices.Contains(guides, want) {
			t.Errorf("Guides() = %v, lacks %s", guides, want)
		}
	}
	if slices.Contains(guides, "BENCHMARKS.md") {
		t.Errorf("Guides() = %v holds BENCHMARKS.md, which has no shell blocks to check", guides)
	}
	all := MustAll(t)
	if !slices.Contains(all, "BENCHMARKS.md") || !slices.Contains(all, "CAPACITY.md") || len(all) != len(guides)+2 {
		t.Errorf("All() = %v, want the guides and BENCHMARKS.md, CAPACITY.md", all)
	}
	for _, doc := range all {
		if !strings.HasPrefix(MustRead(t, doc), "# ") {
			t.Errorf("%s does not open with a title", doc)
		}
	}
}

func TestReadMissing(t *testing.T) {
	if _, err := Read("no-such.md"); err == nil {
		t.Error("Read of a missing file: no error")
	}
}
