package generated

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/nyc-taxi/ridepred/generated/shadow"
)

// fusedOp matches arm64's fused multiply-add instructions as go tool
// objdump prints them (FMADDD, FMSUBS, FNMADDD, ...).
var fusedOp = regexp.MustCompile(`\bFN?M(ADD|SUB)[SD]\b`)

// TestNoFusedMultiplyAdd: Go's compiler may fuse a*b + c into one
// instruction on arm64 (Graviton), which rounds once instead of twice and
// changes the last bit. This machine cannot run arm64 code, so the test
// compiles this package's tests for arm64 and reads the machine code of
// every function of the model (this package and its tree packages), and of
// the shadow model when one is compiled in (generated/shadow): no fused
// instruction may appear. (make test-arm64 also runs the parity tests of
// both on arm64, under qemu.) A control program with a*b + c must show
// one, so that the test fails if the detector stops finding them.
func TestNoFusedMultiplyAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the model for arm64")
	}
	if runtime.GOARCH == "arm64" {
		t.Skip("on arm64 (Graviton, or make test-arm64's qemu) the parity tests run the machine code this test reads")
	}
	dir := t.TempDir()
	control := build(t, filepath.Join(dir, "control"), "build", "./testdata/fma")
	if n := fused(t, control, "main.fused"); n == 0 {
		t.Fatal("the control's a*b + c shows no fused instruction: the detector is broken")
	}
	model := build(t, filepath.Join(dir, "generated.test"), "test", "-c", ".")
	if n := fused(t, model, `ridepred/generated\b`); n > 0 {
		t.Fatalf("the arm64 build of the model has %d fused multiply-add instructions", n)
	}
	if !shadow.Shipped {
		t.Log("no shadow model is compiled in (generated/shadow): nothing more to read")
		return
	}
	challenger := build(t, filepath.Join(dir, "shadow.test"), "test", "-c", "./shadow")
	if n := fused(t, challenger, `ridepred/generated/shadow\b`); n > 0 {
		t.Fatalf("the arm64 build of the shadow model has %d fused multiply-add instructions", n)
	}
}

// build compiles for linux/arm64 with go and returns the binary.
func build(t *testing.T, out string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append(append(args[:len(args)-1:len(args)-1], "-o", out), args[len(args)-1])...)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, b)
	}
	return out
}

// fused counts the fused instructions in the functions matching symbols.
func fused(t *testing.T, binary, symbols string) int {
	t.Helper()
	cmd := exec.Command("go", "tool", "objdump", "-s", symbols, binary)
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	if len(b) == 0 {
		t.Fatalf("%v disassembled nothing", cmd.Args)
	}
	return len(fusedOp.FindAll(b, -1))
}
