package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// groupCPU is the CPU time, in seconds, of the live processes in process
// group pgid (user plus system, from /proc/PID/stat; Linux counts 100 ticks
// a second).
func groupCPU(pgid int) float64 {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, path := range stats {
		if pg, t, ok := procStat(path); ok && pg == pgid {
			ticks += t
		}
	}
	return float64(ticks) / 100
}

// ownCPU is this process's CPU time in seconds.
func ownCPU() float64 {
	_, t, _ := procStat("/proc/self/stat")
	return float64(t) / 100
}

// procStat reads a process's group and its user plus system ticks.
func procStat(path string) (pgid int, ticks int64, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, false
	}
	// The command name may hold spaces; the fields start after its ")".
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0, 0, false
	}
	pgid, _ = strconv.Atoi(f[2])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return pgid, ut + st, true
}

// cpuReport says where the CPU went: kinesalite, the emulators with the
// function, and this process (replay, event source mapping, collector).
func (s *Stack) cpuReport() string {
	emu := 0.0
	for _, e := range s.Emulators {
		emu += groupCPU(e.Pid())
	}
	return fmt.Sprintf("kinesalite %.1fs + %.1fs, emulators and functions %.1fs, replay + esm + collector %.1fs",
		groupCPU(s.Kinesis.Pid()), groupCPU(s.Output.Pid()), emu, ownCPU())
}
