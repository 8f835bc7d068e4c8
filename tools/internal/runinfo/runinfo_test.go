package runinfo

import (
	"runtime"
	"strings"
	"testing"

	"github.com/nyc-taxi/ridepred/localstack/proc"
)

func TestStart(t *testing.T) {
	r := Start(proc.Root())
	r.Finish()
	if r.Cores != runtime.NumCPU() || r.GoVersion != runtime.Version() || r.CPU == "" || r.Date == "" {
		t.Errorf("Start = %+v", r)
	}
	if r.Commit == "" {
		t.Error("no commit recorded in the repository's work tree")
	}
	if s := r.String(); !strings.Contains(s, r.Commit) || !strings.Contains(s, "load average") {
		t.Errorf("String() = %q, want the commit and the load average", s)
	}
	old := Run{Date: "2026-11-26T14:51Z", CPU: "AMD EPYC", Cores: 2, Note: "transcribed"}
	if s := old.String(); !strings.Contains(s, "not recorded") || !strings.Contains(s, "(transcribed)") {
		t.Errorf("a run without commit or load: %q", s)
	}
}
