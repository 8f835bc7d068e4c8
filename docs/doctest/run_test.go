package doctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// runEnv is what the run blocks get beyond this environment: the quick
// start's make demo sends 1,000 rides instead of 10,000 (the Makefile's
// N ?= 10000 takes N from the environment).
var runEnv = []string{"N=1000"}

// TestRunBlocks runs every block marked <!-- doctest: run --> as written,
// each in its own bash -euo pipefail (so that none leans on another's
// variables or directory), in order, in one copy of the repository made as
// a fresh clone would be (copyRepo: the files git tracks, the venv linked
// in). It takes about three minutes on 2 cores, under nice.
func TestRunBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make demo, make refresh and builds in a copy (minutes); go test without -short runs it")
	}
	repo := copyRepo(t)
	ran := 0
	for _, b := range shellBlocks(t) {
		if b.kind() != "run" {
			continue
		}
		start := time.Now()
		cmd := exec.Command("nice", "-n", "10", "bash", "-euo", "pipefail", "-c", b.text)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), runEnv...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s\noutput:\n%s", b, err, b.text, out)
			continue
		}
		t.Logf("%s ran in %s", b, time.Since(start).Round(time.Second))
		ran++
	}
	if ran == 0 {
		t.Fatal("no block is marked <!-- doctest: run -->")
	}
}

// copyRepo copies the work tree's tracked files (as edited, not as
// committed) into a temporary directory, committed there as a clone's
// would be, and links this repository's
// build/venv in, if it has one, so that make deps there finds it
// installed. (tools/internal/workcopy does the same for the tools'
// tests, but internal/ keeps it from docs/.)
func copyRepo(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(filepath.Join(repo, "build"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyCmd := exec.Command("bash", "-euo", "pipefail", "-c",
		`git -C "$1" ls-files -z | tar -C "$1" --null --ignore-failed-read -cf - -T - | tar -C "$2" -xf -`, "copy", abs, repo)
	if out, err := copyCmd.CombinedOutput(); err != nil {
		t.Fatalf("copy the work tree: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(abs, "build", "venv", "bin")); err == nil {
		if err := os.Symlink(filepath.Join(abs, "build", "venv"), filepath.Join(repo, "build", "venv")); err != nil {
			t.Fatal(err)
		}
	}
	git := exec.Command("bash", "-euo", "pipefail", "-c",
		`git init -q && git add -A && git -c user.name=doctest -c user.email=doctest@example.com commit -qm copy`)
	git.Dir = repo
	if out, err := git.CombinedOutput(); err != nil {
		t.Fatalf("git init the copy (make undo-refresh needs git): %v\n%s", err, out)
	}
	return repo
}
