package rehearse

import (
	"archive/zip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestRollback deploys with DEPLOY.md's plain-CLI blocks, ships a new
// build with its roll-forward block and goes back with its rollback
// block, as written. The alias live moves from version 1 to 2 and back to
// 1; the mapping, created on live (deployCLI checks the request), is the
// same (UUID, function, state) throughout, and no command changes it.
func TestRollback(t *testing.T) {
	r := start(t)
	r.deployCLI()
	before := r.mapping()

	// A new build: the zip with one more file, so that the code is new and
	// publish-version makes a new version (AWS makes none for unchanged code).
	newBuild := t.TempDir()
	if err := os.Mkdir(filepath.Join(newBuild, "build"), 0o755); err != nil {
		t.Fatal(err)
	}
	rebuild(t, filepath.Join(r.root, "build", "function.zip"), filepath.Join(newBuild, "build", "function.zip"))

	for _, step := range []struct {
		block, dir, live string
	}{
		{"roll-forward", newBuild, "2"},
		{"rollback", r.root, "1"},
	} {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", blocks(t, step.block))
		cmd.Dir, cmd.Env = step.dir, r.env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", step.block, err, out)
		}
		var alias struct{ FunctionVersion string }
		r.json("lambda get-alias --function-name ride-duration-prediction --name live", &alias)
		if alias.FunctionVersion != step.live {
			t.Errorf("after %s, live is on version %s, want %s", step.block, alias.FunctionVersion, step.live)
		}
		if got := r.mapping(); got != before {
			t.Errorf("after %s, the mapping is %+v, want it untouched: %+v", step.block, got, before)
		}
	}
	for _, op := range []string{"lambda update-event-source-mapping", "lambda delete-event-source-mapping", "lambda create-event-source-mapping"} {
		if n := len(r.states().calls(op)); op != "lambda create-event-source-mapping" && n > 0 || n > 1 {
			t.Errorf("aws %s: run %d times", op, n)
		}
	}
}

// mapping is what matters of the one event source mapping: which, what it
// invokes, its state.
type mappingState struct{ UUID, FunctionArn, State string }

func (r *rehearsal) mapping() mappingState {
	r.t.Helper()
	var out struct{ EventSourceMappings []mappingState }
	r.json("lambda list-event-source-mappings", &out)
	if len(out.EventSourceMappings) != 1 {
		r.t.Fatalf("%d mappings, want 1", len(out.EventSourceMappings))
	}
	return out.EventSourceMappings[0]
}

// rebuild copies the zip at from to to, with one more file.
func rebuild(t *testing.T, from, to string) {
	t.Helper()
	in, err := zip.OpenReader(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	f, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := zip.NewWriter(f)
	for _, e := range in.File {
		if err := out.Copy(e); err != nil {
			t.Fatal(err)
		}
	}
	w, err := out.Create("rehearsal-new-build")
	if err == nil {
		_, err = io.WriteString(w, "a new build\n")
	}
	if err == nil {
		err = out.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
}
