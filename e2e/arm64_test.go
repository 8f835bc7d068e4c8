package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nyc-taxi/ridepred/internal/rides"
	"github.com/nyc-taxi/ridepred/localstack"
	"github.com/nyc-taxi/ridepred/localstack/stacktest"
)

// TestArm64EndToEnd runs the Graviton build of the function for real: the
// arm64 bootstrap, behind a script that execs it under qemu-user
// (qemu-aarch64-static, which make deps installs), is the function the
// emulator starts, and rides go through kinesalite and the mapping to it.
// Every ride's prediction must be sklearn's answer bit for bit, which is
// also what the x86_64 function gives (TestEndToEndParity), and the
// invalid records must be dead-lettered. Only correctness means anything
// here: under qemu the function runs many times slower than on Graviton.
func TestArm64EndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the arm64 function and runs the local stack")
	}
	qemu, err := exec.LookPath("qemu-aarch64-static")
	if err != nil {
		t.Fatal("qemu-aarch64-static is missing (make deps installs Debian's qemu-user-static)")
	}
	dir := t.TempDir()
	bootstrap := filepath.Join(dir, "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bootstrap, "../handler/cmd/bootstrap")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the arm64 bootstrap: %v\n%s", err, out)
	}
	wrapper := filepath.Join(dir, "bootstrap-qemu")
	script := fmt.Sprintf("#!/bin/sh\nexec %s %s \"$@\"\n", qemu, bootstrap)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	// Two emulators: each qemu start costs about a second of CPU.
	s := stacktest.Start(t, localstack.Config{Bootstrap: wrapper, Shards: 2, Emulators: 2})
	valid, want := stacktest.GoldenRides(t, 1000)
	poison := rides.Poison(12)
	send(t, s, append(append([]rides.Ride{}, valid...), poison...))
	dups := checkPredictions(t, s, want)
	for _, p := range poison {
		if outs := s.Out.Get(p.ID); len(outs) == 0 || outs[0].Stream != localstack.DLQStream {
			t.Errorf("poison %s: outputs %v, want a dead letter", p.ID, outs)
		}
	}
	t.Logf("%d rides through kinesalite, esm, the emulator and the arm64 bootstrap under qemu: all equal sklearn bit for bit (%d duplicates)", len(valid), dups)
}
