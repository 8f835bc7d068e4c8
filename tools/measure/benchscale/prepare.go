package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/nyc-taxi/ridepred/internal/command"
	"github.com/nyc-taxi/ridepred/internal/golden"
)

type bench struct {
	root, dir string
	deps      string // a Go build cache with every dependency built
	rides     string // shuffled Feb ride events, JSON lines, for sklearn
	// lambdaEnv and lambdaFlags are how make bootstrap builds the Lambda
	// binary (for amd64), read from the Makefile.
	lambdaEnv, lambdaFlags []string
}

// makeVar is a Makefile variable's words, as the shell splits them.
func makeVar(name string) ([]string, error) {
	out, err := exec.Command("make", "-s", "--no-print-directory", "print-"+name).Output()
	if err != nil {
		return nil, fmt.Errorf("make print-%s: %w", name, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"), nil
}

// goBuild is the go build command line of make bootstrap, with args.
func (b *bench) goBuild(args ...string) []string {
	return append(append([]string{"build"}, b.lambdaFlags...), args...)
}

// prepare writes the rides sklearn is timed on and fills the dependency
// cache. train.py's CSVs come from make (the bench-scale target).
func (b *bench) prepare() error {
	b.rides = filepath.Join(b.dir, "rides.jsonl")
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return err
	}
	if err := writeRides(b.rides); err != nil {
		return err
	}
	var err error
	if b.lambdaEnv, err = makeVar("LAMBDA_ENV"); err != nil {
		return err
	}
	b.lambdaEnv = append(b.lambdaEnv, "GOARCH=amd64")
	if b.lambdaFlags, err = makeVar("LAMBDA_FLAGS"); err != nil {
		return err
	}
	// Every package the Lambda binary needs except the model and what
	// imports it, built as make bootstrap builds them.
	b.deps = filepath.Join(b.dir, "gocache-deps")
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./handler/cmd/bootstrap").Output()
	if err != nil {
		return fmt.Errorf("go list: %w", err)
	}
	var pkgs []string
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, "github.com/nyc-taxi/ridepred/") {
			pkgs = append(pkgs, p)
		}
	}
	env := append([]string{"GOCACHE=" + b.deps}, b.lambdaEnv...)
	return command.Run(env, "go", b.goBuild(pkgs...)...)
}

// writeRides writes Feb 2022's shuffled rides (the Go benchmarks' input) as
// ride events, one per line, for sklearn's timings.
func writeRides(path string) error {
	feb, err := golden.ShuffledFeb()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	for i, r := range feb {
		b.Write(append(golden.RideEvent(r.PULocationID, r.DOLocationID, r.TripDistance, i), '\n'))
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
