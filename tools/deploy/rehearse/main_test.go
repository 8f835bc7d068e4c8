package rehearse

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// TestMain puts build/venv/bin first on PATH when it exists, as the
// Makefile's VENV_PATH does: make deps installs moto and aws-sam-translator
// there when they are not on PATH, and these tests run moto_server and
// `python3 tools/deploy/rehearse/translate.py` from PATH, under make or plain go test.
func TestMain(m *testing.M) {
	// The test binary also stands in for aws in TestTransitions (shim).
	if os.Getenv(shimEnv) != "" {
		os.Exit(shim(os.Args[1:]))
	}
	venv := filepath.Join(proc.Root(), "build", "venv", "bin")
	if _, err := os.Stat(venv); err == nil {
		os.Setenv("PATH", venv+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	os.Exit(m.Run())
}
