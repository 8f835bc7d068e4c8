package doctest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/nyc-taxi/ridepred/internal/docfiles"
)

var (
	mdLink  = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	heading = regexp.MustCompile(`(?m)^#{1,6} (.+)$`)
)

// TestLinks: every relative link in the docs names a file that is here
// and, with #anchor, a heading of that file (GitHub's anchors), so that
// moving a section cannot leave a link behind.
func TestLinks(t *testing.T) {
	for _, doc := range append(docfiles.MustGuides(t), filepath.Join("model-export", "FORMAT.md")) {
		for _, m := range mdLink.FindAllStringSubmatch(docfiles.MustRead(t, doc), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := filepath.Join(root, doc)
			if file != "" {
				path = filepath.Join(root, filepath.Dir(doc), file)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s links to %s, which is not here", doc, target)
				continue
			}
			if anchor != "" && !hasAnchor(t, path, anchor) {
				t.Errorf("%s links to %s, but %s has no heading with that anchor", doc, target, file)
			}
		}
	}
}

func hasAnchor(t *testing.T, path, anchor string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range heading.FindAllStringSubmatch(string(b), -1) {
		if slug(h[1]) == anchor {
			return true
		}
	}
	return false
}

// slug is GitHub's anchor for a heading: lower case, letters, digits,
// spaces as hyphens, hyphens and underscores kept, the rest dropped.
func slug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

func TestSlug(t *testing.T) {
	for h, want := range map[string]string{
		"Your own features: `FEATURES=`":              "your-own-features-features",
		"A new build or model: the roll-forward":      "a-new-build-or-model-the-roll-forward",
		"Scaling: shards, parallelization, on demand": "scaling-shards-parallelization-on-demand",
	} {
		if got := slug(h); got != want {
			t.Errorf("slug(%q) = %q, want %q", h, got, want)
		}
	}
}
