package proc

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The CPU times here are user plus system time in seconds, read from
// /proc/PID/stat, where Linux counts 100 ticks a second. They cover live
// processes only: read them before the processes are stopped.

// GroupCPU is the CPU time of the live processes in process group pgid
// (a Server and whatever it started).
func GroupCPU(pgid int) float64 {
	return sumCPU(func(s procStat) bool { return s.pgid == pgid })
}

// ChildrenCPU is the CPU time of the live children of process ppid (an
// emulator's function).
func ChildrenCPU(ppid int) float64 {
	return sumCPU(func(s procStat) bool { return s.ppid == ppid })
}

// OwnCPU is this process's CPU time.
func OwnCPU() float64 {
	s, _ := readProcStat("/proc/self/stat")
	return float64(s.ticks) / 100
}

func sumCPU(match func(procStat) bool) float64 {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, path := range paths {
		if s, ok := readProcStat(path); ok && match(s) {
			ticks += s.ticks
		}
	}
	return float64(ticks) / 100
}

// procStat is what CPU accounting needs of /proc/PID/stat.
type procStat struct {
	ppid, pgid int
	ticks      int64 // user plus system
}

func readProcStat(path string) (procStat, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return procStat{}, false
	}
	// The command name may hold spaces; the fields start after its ")".
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return procStat{}, false
	}
	var s procStat
	s.ppid, _ = strconv.Atoi(f[1])
	s.pgid, _ = strconv.Atoi(f[2])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	s.ticks = ut + st
	return s, true
}

// GroupPids are the live processes of process group pgid.
func GroupPids(pgid int) []int {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var pids []int
	for _, path := range paths {
		if s, ok := readProcStat(path); ok && s.pgid == pgid {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			pids = append(pids, pid)
		}
	}
	return pids
}
