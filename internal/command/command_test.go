package command

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestRunNamesTheFailingCommand(t *testing.T) {
	err := Run(nil, "sh", "-c", "exit 3")
	if err == nil {
		t.Fatal("Run of a failing command returned nil")
	}
	if !strings.Contains(err.Error(), "sh -c exit 3") {
		t.Errorf("Run's error %q does not name the command", err)
	}
}

func TestNewAddsEnv(t *testing.T) {
	cmd := New([]string{"COMMAND_TEST=yes"}, "sh", "-c", `test "$COMMAND_TEST" = yes`)
	if err := cmd.Run(); err != nil {
		t.Errorf("the command did not see the added variable: %v", err)
	}
}

func TestTime(t *testing.T) {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		t.Skip("no /usr/bin/time (make deps installs it)")
	}
	got, err := Time(New(nil, "sleep", "0.05"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Wall < 50*time.Millisecond {
		t.Errorf("Wall = %v, want at least the 50ms the command slept", got.Wall)
	}
	if got.PeakMiB <= 0 {
		t.Errorf("PeakMiB = %v, want the command's peak resident set", got.PeakMiB)
	}
	if _, err := Time(New(nil, "false")); err == nil {
		t.Error("Time of a failing command returned no error")
	}
}
