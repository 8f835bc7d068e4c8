// Package proc starts the local processes that tests, benchmarks and
// the local stack run (kinesalite, the Lambda Runtime Interface Emulator,
// moto) and talks to them: free ports, HTTP posts, a forwarding proxy, the
// binaries the end-to-end tests run.
package proc

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
// end-to-end tests run (build/function.zip sits next to the bootstrap):
// $RIE and $BOOTSTRAP when set (make test builds them and sets them),
// otherwise built now by make package rie, so that plain go test runs these
// tests too instead of skipping them. It skips tb under -short, which
// starts no server: the tests that call it run the binary under the
// emulator or ship it.
func Binaries(tb testing.TB) (rie, bootstrap string, err error) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("-short: runs the Lambda binary (make test runs it)")
	}
	b := &binaries
	b.once.Do(func() { b.rie, b.bootstrap, b.err = buildBinaries() })
	return b.rie, b.bootstrap, b.err
}

// buildBinaries runs make package rie once per test process, under a lock,
// since go test runs packages in parallel. The first process builds; the
// others find bootstrap and aws-lambda-rie up to date (go build leaves an
// up-to-date binary alone) and function.zip is replaced by a rename, so no
// process deletes a file that another may be running or reading.
func buildBinaries() (rie, bootstrap string, err error) {
	if rie, bootstrap = os.Getenv("RIE"), os.Getenv("BOOTSTRAP"); rie != "" && bootstrap != "" {
		return rie, bootstrap, nil
	}
	root := Root()
	build := filepath.Join(root, "build")
	err = WithLock(filepath.Join(build, "binaries.lock"), func() error {
		cmd := exec.Command("make", "--no-print-directory", "package", "rie")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("make package rie: %w\n%s", err, out)
		}
		return nil
	})
	return filepath.Join(build, "aws-lambda-rie"), filepath.Join(build, "bootstrap"), err
}

// Root is the repository's root directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
