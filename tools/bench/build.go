package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// buildRows measures gen, the compile of generated/ and the artifacts' sizes.
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

	// Compile generated/ alone, its dependencies already built: the
	// compiler with the import config `go build` would give it.
	list := exec.Command("go", "list", "-export", "-deps", "-f", "{{if .Export}}packagefile {{.ImportPath}}={{.Export}}{{end}}", "./generated")
	importcfg, err := list.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	cfgFile := filepath.Join(dir, "importcfg")
	if err := os.WriteFile(cfgFile, importcfg, 0o644); err != nil {
		return nil, err
	}
	files, _ := filepath.Glob("generated/*.go")
	var srcs []string
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			srcs = append(srcs, f)
		}
	}
	var compileTimes []float64
	var compileRSS float64
	for range 3 {
		args := append([]string{"tool", "compile", "-p", "github.com/nyc-taxi/ridepred/generated", "-importcfg", cfgFile,
			"-o", filepath.Join(dir, "generated.a")}, srcs...)
		wall, rss, err := timed(exec.Command("go", args...))
		if err != nil {
			return nil, fmt.Errorf("compile generated: %w", err)
		}
		compileTimes, compileRSS = append(compileTimes, wall), max(compileRSS, rss)
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
		{Name: "compile generated/ (median of 3)", Unit: "s", Go: median(compileTimes) / 1e3, Note: "go tool compile, dependencies built"},
		{Name: "compile generated/, peak RSS", Unit: "MiB", Go: compileRSS},
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
