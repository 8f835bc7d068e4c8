package rehearse

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRollback deploys with DEPLOY.md's plain-CLI blocks, ships a new
// build with its roll-forward block and goes back with its rollback
// block, as written. The alias live moves from version 1 to 2 and back to
// 1; the mapping, created on live (deployCLI checks the request), is the
// same (UUID, function, state) throughout, and no command changes it.
// The new build carries a model with an MLflow run id: version 2, which
// live serves, has it as RUN_ID, and the rest of the environment as it
// was.
func TestRollback(t *testing.T) {
	r := start(t)
	r.deployCLI()
	before := r.mapping()
	env := r.environment("1")

	const runID = "5f1a0c8e9d2b4c7aa1e3b6d9c2f4e8a1"
	newBuild := r.newBuild("1", runID)

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
	env["RUN_ID"] = runID
	if diff := cmp.Diff(env, r.environment("2")); diff != "" {
		t.Errorf("version 2's environment (-want +got):\n%s", diff)
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

// newBuild is a directory that holds a new build, as the roll-forward
// reads it: build/function.zip, the repository's with one more file (mark
// in it), so that the code is new and publish-version makes a new version
// (AWS makes none for unchanged code), and
// model-export/artifacts/provenance.json, the model's, with run id runID.
func (r *rehearsal) newBuild(mark, runID string) string {
	t := r.t
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"build", "model-export/artifacts"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rebuild(t, filepath.Join(r.root, "build", "function.zip"), filepath.Join(dir, "build", "function.zip"), mark)
	var prov map[string]any
	b, err := os.ReadFile(filepath.Join(r.root, "model-export", "artifacts", "provenance.json"))
	if err == nil {
		err = json.Unmarshal(b, &prov)
	}
	if err != nil {
		t.Fatal(err)
	}
	prov["run_id"] = runID
	if runID == "" {
		prov["run_id"] = nil
	}
	b, _ = json.Marshal(prov)
	if err := os.WriteFile(filepath.Join(dir, "model-export", "artifacts", "provenance.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// environment is the environment of the function's version.
func (r *rehearsal) environment(version string) map[string]string {
	r.t.Helper()
	var out struct {
		Environment struct{ Variables map[string]string }
	}
	r.json("lambda get-function-configuration --function-name ride-duration-prediction --qualifier "+version, &out)
	return out.Environment.Variables
}

// rebuild copies the zip at from to to, with one more file, holding mark.
func rebuild(t *testing.T, from, to, mark string) {
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
		_, err = io.WriteString(w, "a new build: "+mark+"\n")
	}
	if err == nil {
		err = out.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
}
