package original

import (
	"os"
	"path/filepath"
	"testing"
)

// TestInterpreterIn: the original runs under the Python provenance.json
// names when it is there, and under Debian's otherwise.
func TestInterpreterIn(t *testing.T) {
	dir := t.TempDir()
	self, err := os.Executable() // a file that exists, standing for a venv's python
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, provenance, want string
	}{
		{"no provenance.json", "", Python},
		{"written before python was recorded", `{"origin": "trained"}`, Python},
		{"a recorded interpreter", `{"python": {"executable": "` + self + `", "version": "3.11.2"}}`, self},
		{"a recorded interpreter that is gone", `{"python": {"executable": "/nonexistent/bin/python"}}`, Python},
		{"not JSON", `{`, Python},
	} {
		path := filepath.Join(dir, c.name+".json")
		if c.provenance != "" {
			if err := os.WriteFile(path, []byte(c.provenance), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got := interpreterIn(path); got != c.want {
			t.Errorf("%s: interpreterIn = %q, want %q", c.name, got, c.want)
		}
	}
}
