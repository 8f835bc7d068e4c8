// Command benchscale measures how the generator's cost grows with the
// model (make bench-scale), or what each tree family costs against its own
// library (make bench-families, -families). It trains (or reuses) each
// model on the committed Jan 2022 rides, and for each one exports it,
// generates it, compiles it and builds the Lambda binary with it in a copy
// of this repository, then times Predict and PredictBatch against the
// library on the same shuffled Feb rides. A LightGBM model (make
// bench-families' lightgbm row, trained and timed with build/venv's
// python) is also compiled with lleaves, timed, and both lleaves' and Go's
// predictions on those rides are compared with Booster.predict's bit for
// bit.
//
//	make bench-scale
//	go run ./tools/measure/benchscale -only seed   # one row again; the others stay as stored
//	go run ./tools/measure/benchscale -from tools/measure/benchscale/scale.json   # BENCHMARKS.md's table again, measuring nothing
//
// make bench-scale and make bench-families run it. Each model lives in
// DIR/<name>/ (model.pkl, forest.json, repo/); a model.pkl there is
// reused. Compiles run with a Go build cache that holds every dependency
// but none of the model, so that they time what a user's go build pays
// after a refresh. Peak memory is the largest process's (the
// /usr/bin/time figure).
//
// The rows, each with its run's date, commit, Go, machine and load
// average, go to -results (tools/measure/benchscale/scale.json, or
// families.json with -families; committed), where a row that this run did
// not measure (-only) stays as it was; the table goes to stdout and into
// the -doc's section (BENCHMARKS.md's <!-- begin: bench-scale --> or
// <!-- begin: bench-families -->; a test fails when it differs from the
// results), and the chart of the sizes to -chart.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nyc-taxi/ridepred/internal/command"
	"github.com/nyc-taxi/ridepred/tools/internal/runinfo"
)

const py = "/usr/bin/python3"

func main() {
	log.SetFlags(0)
	log.SetPrefix("benchscale: ")
	only := flag.String("only", "", "comma-separated model names to measure (default all: seed,leaf5,leaf2,default)")
	dir := flag.String("dir", "build/scale", "where models, copies and logs go")
	families := flag.Bool("families", false, "measure one model per tree family (make bench-families) instead of forests by size")
	chart := flag.String("chart", "build/scale/scale.png", "log-log chart to write (bench-scale only)")
	results := flag.String("results", "", "stored results to update (default tools/measure/benchscale/scale.json, or families.json with -families)")
	doc := flag.String("doc", "BENCHMARKS.md", "document whose section gets the table (empty: none)")
	from := flag.String("from", "", "measure nothing: write the document's table again from these stored results")
	flag.Parse()
	m := scaleMode
	if *families {
		m = familiesMode
	}
	if *results == "" {
		*results = m.results
	}
	if *from != "" {
		if err := regenerate(*from, *doc, m); err != nil {
			log.Fatal(err)
		}
		return
	}
	root, err := os.Getwd()
	if err != nil {
		log.Fatal(err)
	}
	b := &bench{root: root, dir: must(filepath.Abs(*dir))}
	if err := b.prepare(); err != nil {
		log.Fatal(err)
	}
	var measured []Result
	for _, s := range m.specs {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), s.Name) {
			continue
		}
		log.Printf("%s: %s", s.Name, s.Params)
		run := runinfo.Start(root)
		r, err := b.measure(s)
		if err != nil {
			log.Fatalf("%s: %v", s.Name, err)
		}
		run.Finish()
		r.Run = run
		measured = append(measured, r)
	}
	rows, err := store(*results, m.specs, measured)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(markdown(rows))
	if *doc != "" {
		if err := updateDoc(*doc, *results, m, rows); err != nil {
			log.Fatal(err)
		}
	}
	if m.chart && *chart != "" {
		if err := command.Run(nil, py, "tools/measure/benchscale/chart.py", *results, *chart); err != nil {
			log.Fatal(err)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}
