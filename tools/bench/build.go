package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// buildRows measures gen and the artifacts' sizes. Compiling generated/ (a
// tree of packages) is measured by make bench-scale, at several sizes.
func buildRows(cfg config, dir string) ([]Row, error) {
	genBin := filepath.Join(dir, "gen")
	if err := goBuild(genBin, "./gen"); err != nil {
		return nil, err
	}
	var genTimes []float64
	for range 3 {
		out := filepath.Join(dir, "generated")
		os.RemoveAll(out)
		wall, _, err := timed(exec.Command(genBin, "-model", "model-export/artifacts/forest.json", "-out", out, "-pkg", "generated"))
		if err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
		genTimes = append(genTimes, wall)
	}

	size := func(name string) float64 {
		st, err := os.Stat(filepath.Join(cfg.build, name))
		if err != nil {
			return 0
		}
		return float64(st.Size()) / (1 << 20)
	}
	return []Row{
		{Name: "gen on the shipped forest (median of 3)", Unit: "s", Go: median(genTimes) / 1e3},
		{Name: "build/bootstrap", Unit: "MiB", Go: size("bootstrap")},
		{Name: "build/function.zip", Unit: "MiB", Go: size("function.zip")},
	}, nil
}

// timed runs cmd and returns its wall time in ms and peak RSS in MiB (for
// `go tool compile`, of the largest child: the compiler).
func timed(cmd *exec.Cmd) (float64, float64, error) {
	cmd.Stderr = os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := float64(time.Since(start).Microseconds()) / 1e3
	var rss float64
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = float64(ru.Maxrss) / 1024
		}
		var children syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children) == nil {
			rss = max(rss, float64(children.Maxrss)/1024)
		}
	}
	return wall, rss, err
}

func numCPU() int { return runtime.NumCPU() }
