package main

import (
	"os"
	"path/filepath"

	"github.com/nyc-taxi/ridepred/internal/command"
)

// buildRows measures gen and the artifacts' sizes. Compiling generated/ (a
// tree of packages) is measured by make bench-scale, at several sizes.
func buildRows(cfg config, dir string, r *Report) error {
	genBin := filepath.Join(dir, "gen")
	if err := goBuild(genBin, "./gen"); err != nil {
		return err
	}
	var genTimes []float64
	for range 3 {
		out := filepath.Join(dir, "generated")
		os.RemoveAll(out)
		t, err := command.Time(command.New(nil, genBin, "-model", "model-export/artifacts/forest.json", "-out", out, "-pkg", "generated"))
		if err != nil {
			return err
		}
		genTimes = append(genTimes, ms(t.Wall))
	}

	size := func(name string) float64 {
		st, err := os.Stat(filepath.Join(cfg.build, name))
		if err != nil {
			return 0
		}
		return float64(st.Size()) / (1 << 20)
	}
	r.add(buildGroup,
		Row{Name: "gen on the shipped forest (median of 3)", Unit: "s", Go: median(genTimes) / 1e3},
		Row{Name: "build/bootstrap", Unit: "MiB", Go: size("bootstrap")},
		Row{Name: "build/function.zip", Unit: "MiB", Go: size("function.zip")},
	)
	return nil
}
