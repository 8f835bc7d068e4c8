// Package localproc starts the local processes that tests, benchmarks and
// the local stack run (kinesalite, the Lambda Runtime Interface Emulator,
// moto) and talks to them: free ports, HTTP posts, a forwarding proxy, the
// binaries the end-to-end tests run.
package localproc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var binaries struct {
	once           sync.Once
	rie, bootstrap string
	err            error
}

// Binaries are the Runtime Interface Emulator and the Lambda binary that
// end-to-end tests run: $RIE and $BOOTSTRAP when set (make test builds them
// and sets them), otherwise built now by make package rie, once per test
// binary, so that plain go test runs these tests too instead of skipping them.
func Binaries(tb testing.TB) (rie, bootstrap string, err error) {
	tb.Helper()
	b := &binaries
	b.once.Do(func() {
		b.rie, b.bootstrap = os.Getenv("RIE"), os.Getenv("BOOTSTRAP")
		if b.rie != "" && b.bootstrap != "" {
			return
		}
		root := Root()
		cmd := exec.Command("make", "--no-print-directory", "package", "rie")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("make package rie: %w\n%s", err, out)
			return
		}
		b.rie, b.bootstrap = filepath.Join(root, "build", "aws-lambda-rie"), filepath.Join(root, "build", "bootstrap")
	})
	return b.rie, b.bootstrap, b.err
}

// Root is the repository's root directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
