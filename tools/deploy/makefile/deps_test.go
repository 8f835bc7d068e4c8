package makefile

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests below run make deps in a copy of the Makefile, go.mod, go.sum
// and model-export/requirements.txt, with PATH set to what each case
// needs, so that a venv it creates is the copy's. They never run apt-get:
// it is not on their PATH, and each checks that deps did not try (make test
// runs make deps first, so Debian's packages are there). pip is told to use
// no package index, so an install fails here as it would without PyPI.

// libsMissing is what a failed install leaves missing whatever is on PATH:
// the venv's own libraries, the second Python environment.
const libsMissing = "the current sklearn, xgboost, lightgbm and mlflow (for make test-python and go test ./tools/model/refresh/familytest)"

// TestDepsMissingPythonTools: on a PATH without moto_server and cfn-lint,
// and whose python3 is Debian's, make deps says it installs
// model-export/requirements.txt into build/venv; pip cannot (PIP_NO_INDEX
// stands for a machine without PyPI), so deps says, in one sentence, what
// is still missing (the venv's libraries and the deploy tools) and what
// needs each, leaves no half-made venv, and still finishes its other work
// (go mod download, the last step) without failing.
func TestDepsMissingPythonTools(t *testing.T) {
	skipShort(t)
	repo := depsRepo(t)
	out, err := runMake(t, repo, bareBin(t), "deps")
	if err != nil {
		t.Fatalf("make deps: %v\n%s", err, out)
	}
	checkNoApt(t, out)
	missing := libsMissing + ", moto_server (for go test ./tools/deploy/rehearse), cfn-lint (for make check-templates)"
	if exec.Command("/usr/bin/python3", "-c", "import samtranslator").Run() != nil {
		missing += ", aws-sam-translator (for go test ./tools/deploy/rehearse)"
	}
	checkFailedInstall(t, repo, out, missing)
	// Installing outside a venv is what Debian refuses, and the old
	// message blamed PyPI for it.
	for _, wrong := range []string{"externally-managed-environment", "PyPI"} {
		if strings.Contains(out, wrong) {
			t.Errorf("make deps says %q:\n%s", wrong, out)
		}
	}
}

// TestDepsUsesPythonToolsOnPath: where moto_server, cfn-lint and the
// translator are on PATH (this machine's python3 has them; a user's have
// them in the repository's build/venv, which goes first as the tests that
// use them put it), make deps still installs build/venv, since it also
// holds the current libraries; when pip cannot, the sentence names those
// libraries only, not the deploy tools it found.
func TestDepsUsesPythonToolsOnPath(t *testing.T) {
	skipShort(t)
	path := os.Getenv("PATH")
	if venv, err := filepath.Abs("../../../build/venv/bin"); err == nil {
		path = venv + string(os.PathListSeparator) + path
	}
	check := exec.Command("sh", "-c", "command -v moto_server && command -v cfn-lint && python3 -c 'import samtranslator'")
	check.Env = append(os.Environ(), "PATH="+path)
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("moto_server, cfn-lint or aws-sam-translator is missing here (run make deps): %v\n%s", err, out)
	}
	repo := depsRepo(t)
	out, err := runMake(t, repo, path, "deps")
	if err != nil {
		t.Fatalf("make deps: %v\n%s", err, out)
	}
	checkFailedInstall(t, repo, out, libsMissing)
}

// TestDepsUsesVenv: with build/venv installed from this requirements file
// (stubs here, and its stamp) and the tools not on PATH, make deps says
// nothing and installs nothing, and make check-templates runs the venv's
// cfn-lint.
func TestDepsUsesVenv(t *testing.T) {
	skipShort(t)
	repo := depsRepo(t)
	stubVenv(t, repo, requirementsHash(t, repo))
	out, err := runMake(t, repo, bareBin(t), "check-templates")
	if err != nil {
		t.Fatalf("make check-templates: %v\n%s", err, out)
	}
	checkNoApt(t, out)
	if strings.Contains(out, "deps:") {
		t.Errorf("make deps did not take the tools in build/venv:\n%s", out)
	}
	if !strings.Contains(out, "venv's cfn-lint template.yaml template-image.yaml\n") {
		t.Errorf("make check-templates did not run build/venv/bin/cfn-lint:\n%s", out)
	}
}

// TestDepsReinstallsChangedRequirements: a build/venv installed from
// another requirements file (its stamp differs) is replaced: make deps
// installs again (and, pip having no index here, removes the old venv and
// says what is missing).
func TestDepsReinstallsChangedRequirements(t *testing.T) {
	skipShort(t)
	repo := depsRepo(t)
	stubVenv(t, repo, strings.Repeat("0", 64))
	out, err := runMake(t, repo, bareBin(t), "deps")
	if err != nil {
		t.Fatalf("make deps: %v\n%s", err, out)
	}
	checkNoApt(t, out)
	if !strings.Contains(out, "deps: installing model-export/requirements.txt into build/venv with pip\n") {
		t.Errorf("make deps kept a venv installed from another requirements file:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(repo, "build", "venv")); !os.IsNotExist(err) {
		t.Errorf("a failed reinstall left the old build/venv behind (stat: %v)", err)
	}
}

// checkFailedInstall checks what make deps says when pip cannot install
// the requirements: that it tried, and what is still missing, and that no
// half-made venv is left.
func checkFailedInstall(t *testing.T, repo, out, missing string) {
	t.Helper()
	for _, want := range []string{
		"deps: installing model-export/requirements.txt into build/venv with pip\n",
		"deps: pip could not install model-export/requirements.txt into build/venv (its error is above), so these are still missing: " + missing + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("make deps did not say\n%s\nIt said:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(repo, "build", "venv")); !os.IsNotExist(err) {
		t.Errorf("a failed install left build/venv behind (stat: %v)", err)
	}
}

// stubVenv makes repo/build/venv a venv of stubs (moto_server, a python3
// that imports anything, a cfn-lint that says it ran) stamped with hash as
// the sha256 of the requirements it was installed from.
func stubVenv(t *testing.T, repo, hash string) {
	t.Helper()
	bin := filepath.Join(repo, "build", "venv", "bin")
	stubs := map[string]string{
		"moto_server": "exit 0",
		"python3":     "exit 0", // deps only asks it to import samtranslator
		"cfn-lint":    `echo "venv's cfn-lint $*"`,
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range stubs {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "build", "venv", ".requirements.sha256"), []byte(hash+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// requirementsHash is the sha256 of repo's model-export/requirements.txt,
// in hex, as the venv's stamp holds it.
func requirementsHash(t *testing.T, repo string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, "model-export", "requirements.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(data))
}

// skipShort skips a test that runs make deps under go test -short: each
// run imports Debian's sklearn and friends, and a missing tool costs a venv.
func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make deps")
	}
}

// depsRepo is a temporary directory holding what make deps reads: the
// Makefile, go.mod, go.sum and model-export/requirements.txt.
func depsRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"Makefile", "go.mod", "go.sum", "model-export/requirements.txt"} {
		data, err := os.ReadFile(filepath.Join("../../..", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// bareBin is a directory to use as PATH, holding only what make deps runs
// from PATH besides the Python tools, with python3 Debian's: plain Debian
// with Go.
func bareBin(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	links := map[string]string{"python3": "/usr/bin/python3"}
	for _, name := range []string{"go", "id", "rm"} {
		path, err := exec.LookPath(name)
		if err != nil {
			t.Fatal(err)
		}
		links[name] = path
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

// runMake runs make in dir with PATH set to path, and pip told to use no
// package index, so that a missing tool fails to install here as it would
// without PyPI, and quickly, whatever the machine's network.
func runMake(t *testing.T, dir, path string, args ...string) (string, error) {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "PIP_") && !strings.HasPrefix(kv, "MAKE") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command("make", append([]string{"--no-print-directory"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(env, "PATH="+path, "PIP_NO_INDEX=1", "PIP_CONFIG_FILE="+os.DevNull)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// checkNoApt fails the test if make deps wanted Debian packages.
func checkNoApt(t *testing.T, out string) {
	t.Helper()
	if strings.Contains(out, "deps: installing python3-sklearn") {
		t.Fatalf("make deps wanted Debian packages (run make deps first):\n%s", out)
	}
}
