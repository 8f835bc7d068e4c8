package makefile

import (
	"io/fs"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nyc-taxi/ridepred/internal/workcopy"
)

// TestDryRunChangesNothing: make -n prints the commands of the main targets
// and runs none, even those under a recipe line that calls make again, and
// a bare make lists the targets and changes nothing either.
func TestDryRunChangesNothing(t *testing.T) {
	_, repo := workcopy.Repo(t)
	before := snapshot(t, repo)
	for _, args := range [][]string{{"-n", "test"}, {"-n", "bench"}, {"-n", "bench-scale"}, {"-n", "bench-families"}, {"-n", "bench-stream"},
		{"-n", "demo"}, {"-n", "model"}, {"-n", "refresh", "MODEL=model.pkl"}, {"-n", "check-model"},
		{"-n", "shadow", "MODEL=model.pkl"}, {"-n", "shadow-off"}, {"-n", "promote"}, {"-n", "check-generated"}, {}} {
		cmd := exec.Command("make", append([]string{"--no-print-directory"}, args...)...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if len(args) == 0 && !strings.Contains(string(out), "test ") {
			t.Errorf("a bare make does not list the targets:\n%s", out)
		}
	}
	if diff := cmp.Diff(before, snapshot(t, repo)); diff != "" {
		t.Errorf("make -n changed files (-before +after):\n%s", diff)
	}
}

// snapshot is every file under dir with its size and modification time.
func snapshot(t *testing.T, dir string) map[string]string {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[rel] = info.ModTime().Format(time.RFC3339Nano) + " " + info.Mode().String() + " " + strconv.FormatInt(info.Size(), 10)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
