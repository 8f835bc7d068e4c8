// Package runinfo records where and when a measurement ran, so that a
// stored result says which commit, Go and machine its figures are of, and
// how busy the machine was (a shared machine's load inflates timings).
// make bench and make bench-scale store it with their results.
package runinfo

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Run describes one measurement run.
type Run struct {
	Date      string `json:"date"`                 // UTC, RFC 3339
	Commit    string `json:"commit,omitempty"`     // git describe --always --dirty of the work tree
	GoVersion string `json:"go_version,omitempty"` // the Go that built the tool
	CPU       string `json:"cpu"`                  // /proc/cpuinfo's model name
	Cores     int    `json:"cores"`
	// LoadStart and LoadEnd are the 1-, 5- and 15-minute load averages at
	// the start and end of the run.
	LoadStart [3]float64 `json:"load_start"`
	LoadEnd   [3]float64 `json:"load_end"`
	// Note says what a reader should know of the figures' source, such as
	// a row carried over from a table whose raw output was not kept.
	Note string `json:"note,omitempty"`
}

// Start is a Run starting now, in the work tree dir.
func Start(dir string) Run {
	return Run{Date: time.Now().UTC().Format(time.RFC3339), Commit: commit(dir), GoVersion: runtime.Version(),
		CPU: CPUModel(), Cores: runtime.NumCPU(), LoadStart: LoadAverages()}
}

// Finish records the load average at the end.
func (r *Run) Finish() { r.LoadEnd = LoadAverages() }

// String is the run in a sentence's words, for a table's heading.
func (r Run) String() string {
	s := fmt.Sprintf("%s, commit %s, %s, %s, %d cores; load average %.2f at the start and %.2f at the end",
		r.Date, or(r.Commit, "not recorded"), or(r.GoVersion, "Go not recorded"), r.CPU, r.Cores, r.LoadStart[0], r.LoadEnd[0])
	if r.LoadStart == ([3]float64{}) {
		s = fmt.Sprintf("%s, commit %s, %s, %d cores; load average not recorded", r.Date, or(r.Commit, "not recorded"), r.CPU, r.Cores)
	}
	if r.Note != "" {
		s += " (" + r.Note + ")"
	}
	return s
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// LoadAverages are the 1-, 5- and 15-minute load averages (zero where
// /proc/loadavg cannot be read).
func LoadAverages() [3]float64 {
	var l [3]float64
	b, _ := os.ReadFile("/proc/loadavg")
	fmt.Sscan(string(b), &l[0], &l[1], &l[2])
	return l
}

// CPUModel is /proc/cpuinfo's model name ("unknown CPU" where it has none).
func CPUModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func commit(dir string) string {
	out, err := exec.Command("git", "-C", dir, "describe", "--always", "--dirty", "--abbrev=12").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
