package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/nyc-taxi/ridepred/internal/command"
)

// compileAndReport regenerates pkg from cfg.artifacts, times it, its build
// and make package, runs its parity tests, and writes the report of
// cfg.artifacts against old.
func compileAndReport(cfg config, old, pkg string) error {
	var b struct {
		GenS        float64 `json:"gen_s"`
		CompileS    float64 `json:"compile_s"`
		BuildS      float64 `json:"build_s"`
		BootstrapMB float64 `json:"bootstrap_mb"`
		ZipMB       float64 `json:"zip_mb"`
		Parity      string  `json:"parity"`
	}
	gen, err := command.Time(command.New(nil, "go", "generate", pkg))
	if err != nil {
		return err
	}
	compile, err := command.Time(command.New(nil, "go", "build", pkg))
	if err != nil {
		return err
	}
	b.GenS, b.CompileS = gen.Wall.Seconds(), compile.Wall.Seconds()
	build, err := command.Time(command.New(nil, "make", "--no-print-directory", "package"))
	if err != nil {
		return err
	}
	b.BuildS = build.Wall.Seconds()
	for file, mb := range map[string]*float64{"build/bootstrap": &b.BootstrapMB, "build/function.zip": &b.ZipMB} {
		st, err := os.Stat(file)
		if err != nil {
			return err
		}
		*mb = float64(st.Size()) / (1 << 20)
	}
	tests := "Parity|Constants|Original|Reference|Shift"
	if pkg == shadowPkg {
		tests = "." // golden_test.go, all of it
	}
	parity := exec.Command("go", "test", "-count=1", "-v", "-run", tests, pkg)
	out, parityErr := parity.CombinedOutput()
	os.Stderr.Write(out)
	b.Parity = "passed"
	if parityErr != nil {
		b.Parity = fmt.Sprintf("**FAILED**: do not deploy (see `go test %s`)", pkg)
	}

	timings := filepath.Join(cfg.build, "build.json")
	data, _ := json.Marshal(b)
	if err := os.WriteFile(timings, data, 0o644); err != nil {
		return err
	}
	args := []string{"model-export/report.py", "--old", old, "--new", cfg.artifacts, "--val", "build/model/2022-02.csv",
		"--build", timings, "--md", filepath.Join(cfg.artifacts, cfg.report+".md"), "--png", filepath.Join(cfg.artifacts, cfg.report+".png")}
	if cfg.artifacts == shadowArtifacts {
		args = append(args, "--title", "Shadow model report: the serving model against the challenger", "--columns", "serving,shadow")
	}
	if err := command.Run(nil, cfg.python, args...); err != nil {
		return err
	}
	if parityErr != nil {
		return fmt.Errorf("%w: %w", errParity, parityErr)
	}
	return nil
}
