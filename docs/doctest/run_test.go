package doctest

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/nyc-taxi/ridepred/internal/workcopy"
)

// runEnv is what the run blocks get beyond this environment: the quick
// start's make demo sends 1,000 rides instead of 10,000 (the Makefile's
// N ?= 10000 takes N from the environment).
var runEnv = []string{"N=1000"}

// TestRunBlocks runs every block marked <!-- doctest: run --> as written,
// each in its own bash -euo pipefail (so that none leans on another's
// variables or directory), in order, in one copy of the repository made as
// a fresh clone would be (workcopy.Fresh: the files git tracks, the venv linked
// in). It takes about three minutes on 2 cores, under nice.
func TestRunBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make demo, make refresh and builds in a copy (minutes); go test without -short runs it")
	}
	repo := workcopy.Fresh(t)
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
